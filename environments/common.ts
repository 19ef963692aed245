/**
 * Settings shared by the environment files. Each environment spreads what it needs and states
 * its differences explicitly; nothing here is read by constructs directly.
 */
import { EnvironmentConfig } from './schema';

/** The Git repository Argo CD reconciles. Forks override it with `GITOPS_REPO_URL`. */
export const GITOPS_REPO_URL = 'https://github.com/example-org/gitops-llm-platform.git';

/** The argo-helm `argo-cd` chart (Argo CD v3.4.4). */
export const ARGOCD_CHART: EnvironmentConfig['argocd']['chart'] = {
  repository: 'https://argoproj.github.io/argo-helm',
  name: 'argo-cd',
  version: '10.1.1',
};

/** The NVIDIA device plugin chart that makes `nvidia.com/gpu` schedulable. */
export const NVIDIA_DEVICE_PLUGIN_CHART: EnvironmentConfig['argocd']['chart'] = {
  repository: 'https://nvidia.github.io/k8s-device-plugin',
  name: 'nvidia-device-plugin',
  version: '0.20.0',
};

/** Exact EKS add-on versions (check with `aws eks describe-addon-versions --kubernetes-version <v>`). */
export const EKS_ADDONS = {
  ebsCsiDriver: 'v1.66.0-eksbuild.1',
  podIdentityAgent: 'v1.3.9-eksbuild.1',
};
