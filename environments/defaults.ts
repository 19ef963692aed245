/**
 * Defaults of the environment configuration that belong to no construct: the project's own Git
 * repository. Construct defaults (chart pins, Argo CD settings) live with the constructs.
 */

/** The Git repository Argo CD reconciles. Forks override it with `GITOPS_REPO_URL`. */
export const DEFAULT_GITOPS_REPO_URL = 'https://github.com/example-org/gitops-llm-platform.git';
