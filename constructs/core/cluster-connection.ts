/**
 * How the stacks above the cluster reach Kubernetes: an existing cluster through a kubeconfig
 * context, or an EKS cluster (created by `<env>-cluster`) looked up by name.
 */
export type ClusterConnection =
  | {
      readonly kind: 'kubeconfig';
      /** Path of the kubeconfig file. */
      readonly configPath: string;
      /** Context in that kubeconfig. */
      readonly context: string;
    }
  | {
      readonly kind: 'eks';
      /** EKS cluster name. */
      readonly name: string;
      /** AWS region of the cluster. */
      readonly region: string;
    };
