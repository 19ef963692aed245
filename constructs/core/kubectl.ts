import { ClusterConnection } from './cluster-connection';

/** `kubectl` pointed at the environment's cluster, as a user would type it. */
export function kubectlCommand(cluster: ClusterConnection): string {
  return cluster.kind === 'kubeconfig' ? `kubectl --kubeconfig ${cluster.configPath} --context ${cluster.context}` : `kubectl --context ${cluster.name}`;
}

/** The command that writes a kubeconfig context named after the EKS cluster. */
export function updateKubeconfigCommand(cluster: Extract<ClusterConnection, { kind: 'eks' }>): string {
  return `aws eks update-kubeconfig --region ${cluster.region} --name ${cluster.name} --alias ${cluster.name}`;
}
