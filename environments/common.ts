/**
 * Settings shared by the environment files. Each environment spreads what it needs and states
 * its differences explicitly; nothing here is read by constructs directly.
 */

/** The Git repository Argo CD reconciles. Forks override it with `GITOPS_REPO_URL`. */
export const GITOPS_REPO_URL = 'https://github.com/example-org/gitops-llm-platform.git';

export { ARGOCD_CHART, NVIDIA_DEVICE_PLUGIN_CHART } from '../constructs/core/versions';

/** Exact EKS add-on versions (check with `aws eks describe-addon-versions --kubernetes-version <v>`). */
export const EKS_ADDONS = {
  ebsCsiDriver: 'v1.66.0-eksbuild.1',
  podIdentityAgent: 'v1.3.9-eksbuild.1',
};
