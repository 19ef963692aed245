/**
 * Where an environment's app credentials live: the `secrets` field and its EKS-derived default.
 */
import { z } from 'zod';

/** Where an environment's app credentials live. */
export type SecretSource = 'terraform' | 'aws-secrets-manager';

const SOURCES = ['terraform', 'aws-secrets-manager'] as const;

/** The `secrets` field of an environment. */
export const secretsField = () =>
  z
    .strictObject({
      /**
       * `terraform`: Terraform writes each app's Kubernetes Secrets with write-only arguments from
       * ephemeral values (nothing in plan or state). `aws-secrets-manager` (EKS only): the
       * credentials are AWS Secrets Manager secrets (KMS-encrypted, replicated to
       * `cluster.secondaryRegion`), and External Secrets Operator turns them into the same
       * Kubernetes Secrets.
       * @default - `aws-secrets-manager` on EKS, `terraform` on a kubeconfig cluster
       */
      source: z.enum(SOURCES, { error: `must be one of ${SOURCES.join(', ')}` }).optional(),
    })
    .default({});

/** The validated `secrets` field and the cluster kind it depends on. */
export interface SecretSourceInput {
  readonly cluster: { readonly kind: string };
  readonly secrets?: { readonly source?: SecretSource };
}

/** The source of an environment's credentials, its default resolved from the cluster kind. */
export function secretSource(env: SecretSourceInput): SecretSource {
  return env.secrets?.source ?? (env.cluster.kind === 'eks' ? 'aws-secrets-manager' : 'terraform');
}

/** The problem of a `secrets` field, if any, as a message for `secrets.source`. */
export function secretSourceProblem(env: SecretSourceInput): string | undefined {
  if (secretSource(env) === 'aws-secrets-manager' && env.cluster.kind !== 'eks') {
    return 'must not be aws-secrets-manager on a kubeconfig cluster: Secrets Manager and the External Secrets Operator role need EKS (got aws-secrets-manager)';
  }
  return undefined;
}
