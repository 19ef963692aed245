/** How Argo CD authenticates to a private Git repository. */
export enum RepositoryAuth {
  /** HTTPS with a user name and an access token (`TF_VAR_gitops_repo_username`, `TF_VAR_gitops_repo_token`). */
  HTTPS_TOKEN = 'https-token',
  /** SSH with a private key (`TF_VAR_gitops_repo_ssh_private_key`). */
  SSH_KEY = 'ssh-key',
}
