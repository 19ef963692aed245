import { Construct } from 'constructs';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { ConstructError } from '../core/errors';
import { ephemeralVariable } from '../core/ephemeral';
import { MANAGED_LABELS } from '../core/managed-labels';
import { terraformLiteral } from '../core/terraform-literal';
import { RepositoryAuth } from '../../contracts/repository-auth';

export { RepositoryAuth } from '../../contracts/repository-auth';

/** Properties of {@link ArgoCdRepositoryCredentials}. */
export interface ArgoCdRepositoryCredentialsProps {
  /** Namespace Argo CD runs in. */
  readonly argocdNamespace: string;
  /** The repository URL, exactly as the Applications use it. */
  readonly repoUrl: string;
  /** The kind of credentials. */
  readonly auth: RepositoryAuth;
  /**
   * Revision of the credentials (`data_wo_revision`): raise it to send newly supplied ones.
   * @default 1
   */
  readonly revision?: number;
}

/**
 * An Argo CD repository Secret for a private Git repository. The credentials come only from
 * ephemeral, sensitive Terraform variables without defaults (a plan or apply without them fails)
 * and reach the Secret through the write-only `data_wo`: they are in neither the synthesized JSON,
 * an output, a plan nor the state. Terraform writes them when the Secret is created and when
 * `revision` grows (a new token: raise it and supply the token).
 */
export class ArgoCdRepositoryCredentials extends Construct {
  /** The repository Secret. */
  public readonly secret: SecretV1;

  constructor(scope: Construct, id: string, props: ArgoCdRepositoryCredentialsProps) {
    super(scope, id);
    const ssh = props.auth === RepositoryAuth.SSH_KEY;
    if (ssh === props.repoUrl.startsWith('https://')) {
      throw new ConstructError(this, `auth "${props.auth}" does not fit repository ${props.repoUrl} (https-token needs an https:// URL, ssh-key an SSH URL)`);
    }
    const revision = props.revision ?? 1;
    if (!Number.isInteger(revision) || revision < 1) throw new ConstructError(this, `revision ${revision} must be a whole number >= 1`);
    const variable = (name: string, description: string) =>
      ephemeralVariable(this, name, { type: 'string', sensitive: true, nullable: false, description }).stringValue;

    const credentials: Record<string, string> = ssh
      ? { sshPrivateKey: variable('gitops_repo_ssh_private_key', 'Private SSH key Argo CD reads the GitOps repository with') }
      : {
          username: variable('gitops_repo_username', 'User name for the GitOps repository (for tokens, any non-empty value the host accepts)'),
          password: variable('gitops_repo_token', 'Access token (read-only) for the GitOps repository'),
        };
    this.secret = new SecretV1(this, 'secret', {
      metadata: {
        name: 'gitops-repository',
        namespace: props.argocdNamespace,
        labels: { ...MANAGED_LABELS, 'argocd.argoproj.io/secret-type': 'repository' },
      },
      type: 'Opaque',
      dataWo: { type: 'git', url: terraformLiteral(props.repoUrl), ...credentials },
      dataWoRevision: revision,
    });
  }
}
