import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { DataAwsEksCluster } from '@cdktf/provider-aws/lib/data-aws-eks-cluster';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { ClusterConnection } from './cluster-connection';

/**
 * Configures the kubernetes provider (and, when asked, the helm provider) of a stack for the environment's cluster.
 *
 * A kubeconfig cluster is reached through its context. An EKS cluster is looked up by name (it
 * was created by the `<env>-cluster` stack, which has been applied before this stack plans) and
 * authenticated with a short-lived token from `aws eks get-token`, so no kubeconfig is needed.
 * `awsDefaultTags` become the AWS provider's `default_tags` (stacks that create AWS resources).
 * Returns that EKS cluster look-up (its VPC, endpoint, version), undefined for a kubeconfig cluster.
 */
export function configureClusterAccess(
  scope: Construct,
  cluster: ClusterConnection,
  options: { readonly helm: boolean; readonly awsDefaultTags?: Readonly<Record<string, string>> },
): DataAwsEksCluster | undefined {
  if (cluster.kind === 'kubeconfig') {
    new KubernetesProvider(scope, 'kubernetes', { configPath: cluster.configPath, configContext: cluster.context });
    if (options.helm) new HelmProvider(scope, 'helm', { kubernetes: { configPath: cluster.configPath, configContext: cluster.context } });
    return undefined;
  }
  new AwsProvider(scope, 'aws', {
    region: cluster.region,
    ...(options.awsDefaultTags ? { defaultTags: [{ tags: { ...options.awsDefaultTags } }] } : {}),
  });
  const eks = new DataAwsEksCluster(scope, 'eks_cluster', { name: cluster.name });
  const connection = {
    host: eks.endpoint,
    clusterCaCertificate: Fn.base64decode(eks.certificateAuthority.get(0).data),
  };
  const exec = {
    apiVersion: 'client.authentication.k8s.io/v1beta1',
    command: 'aws',
    args: ['eks', 'get-token', '--cluster-name', cluster.name, '--region', cluster.region, '--output', 'json'],
  };
  new KubernetesProvider(scope, 'kubernetes', { ...connection, exec: [exec] });
  if (options.helm) new HelmProvider(scope, 'helm', { kubernetes: { ...connection, exec } });
  return eks;
}
