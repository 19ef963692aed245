import { ValidEnvironment } from '../../environments/schema';

/** `kubectl` pointed at the environment's cluster, as a user would type it. */
export function kubectlCommand(cluster: ValidEnvironment['cluster']): string {
  return cluster.kind === 'kubeconfig'
    ? `kubectl --kubeconfig ${cluster.configPath} --context ${cluster.context}`
    : `kubectl --context ${cluster.name}`;
}

/** The command that writes a kubeconfig context named after the EKS cluster. */
export function updateKubeconfigCommand(cluster: Extract<ValidEnvironment['cluster'], { kind: 'eks' }>): string {
  return `aws eks update-kubeconfig --region ${cluster.region} --name ${cluster.name} --alias ${cluster.name}`;
}
