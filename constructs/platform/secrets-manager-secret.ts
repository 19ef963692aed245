import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { KmsReplicaKey } from '@cdktf/provider-aws/lib/kms-replica-key';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { CredentialSpec } from '../../contracts/app-definition';
import { ConstructError } from '../core/errors';
import { accountKeyPolicy } from '../core/key-policy';
import { AppCredentials } from './app-credentials';

/**
 * The staging label that stays on the version Terraform wrote: a Secrets Manager version with a
 * label is never deprecated, so that resource never disappears and Terraform never writes a fresh
 * generated value over a rotated one.
 */
export const TERRAFORM_VERSION_STAGE = 'terraform-initial';

/** Properties of {@link SecretsKey}. */
export interface SecretsKeyProps {
  /** Alias name (`alias/<name>`), e.g. `llm-staging-secrets`. */
  readonly name: string;
  /** The region that keeps the replica key (and the secrets' replicas). */
  readonly replicaRegion: string;
}

/**
 * The customer-managed KMS key of an environment's secrets: multi-Region, rotated yearly, with a
 * replica in the secondary region that encrypts the secrets' replicas there.
 */
export class SecretsKey extends Construct {
  /** The primary key. */
  public readonly key: KmsKey;
  /** Its replica in the secondary region. */
  public readonly replica: KmsReplicaKey;

  constructor(scope: Construct, id: string, props: SecretsKeyProps) {
    super(scope, id);
    // Stated, not left to AWS's default: the account's IAM policies decide (the ESO role's among them).
    const policy = accountKeyPolicy(new DataAwsPartition(this, 'partition').partition, new DataAwsCallerIdentity(this, 'account').accountId);
    this.key = new KmsKey(this, 'key', {
      description: `Secrets of ${props.name}`,
      multiRegion: true,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy,
    });
    new KmsAlias(this, 'alias', { name: `alias/${props.name}`, targetKeyId: this.key.keyId });
    this.replica = new KmsReplicaKey(this, 'replica', {
      region: props.replicaRegion,
      primaryKeyArn: this.key.arn,
      description: `Secrets of ${props.name} (replica)`,
      deletionWindowInDays: 30,
      policy,
    });
  }
}

/** Properties of {@link AppSecretsManagerSecret}. */
export interface AppSecretsManagerSecretProps {
  /** The Secrets Manager name (contracts/external-secrets.ts `secretsManagerName`). */
  readonly name: string;
  /** The Kubernetes Secret it becomes (`<namespace>/<name>`), for its description and tag. */
  readonly kubernetesSecret: string;
  /** Prefix of the Terraform variables: `<variablePrefix>_<key in lower case>`. */
  readonly variablePrefix: string;
  /** The credentials: the properties of the secret's JSON object. */
  readonly credentials: readonly CredentialSpec[];
  /** The key that encrypts it and its replica. */
  readonly key: SecretsKey;
  /** The region of the replica (the key's replica region). */
  readonly replicaRegion: string;
  /**
   * `secret_string_wo_version`: Terraform writes the value once; raising this writes a new
   * version with fresh generated values for every credential not supplied.
   * @default 1
   */
  readonly revision?: number;
}

/**
 * An app Secret's credentials as one AWS Secrets Manager secret (a JSON object, one property per
 * credential), encrypted with the environment's key and replicated to the secondary region. The
 * value is written through the write-only `secret_string_wo` (AWS provider ≥ 6.x) from ephemeral
 * values: it is in neither the plan nor the state. Rotation is a new version put by the operator
 * (docs/eks.md); Terraform never overwrites it.
 */
export class AppSecretsManagerSecret extends Construct {
  /** The secret. */
  public readonly secret: SecretsmanagerSecret;
  /** The version Terraform wrote. */
  public readonly version: SecretsmanagerSecretVersion;
  /** The credentials, their variables and generated values. */
  public readonly credentials: AppCredentials;

  constructor(scope: Construct, id: string, props: AppSecretsManagerSecretProps) {
    super(scope, id);
    const revision = props.revision ?? 1;
    if (!Number.isInteger(revision) || revision < 1) throw new ConstructError(this, `revision ${revision} must be a whole number >= 1`);
    if (!/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(props.name))
      throw new ConstructError(this, `name "${props.name}" must be letters, digits and /_+=.@- (Secrets Manager)`);
    this.credentials = new AppCredentials(this, 'credentials', {
      secretName: props.kubernetesSecret,
      variablePrefix: props.variablePrefix,
      credentials: props.credentials,
    });
    this.secret = new SecretsmanagerSecret(this, 'secret', {
      name: props.name,
      description: `Credentials of the Kubernetes Secret ${props.kubernetesSecret} (External Secrets Operator syncs them)`,
      kmsKeyId: props.key.key.arn,
      recoveryWindowInDays: 30,
      replica: [{ region: props.replicaRegion, kmsKeyId: props.key.replica.arn }],
      tags: { 'llm-platform/kubernetes-secret': props.kubernetesSecret },
    });
    this.version = new SecretsmanagerSecretVersion(this, 'version', {
      secretId: this.secret.id,
      secretStringWo: Fn.jsonencode(this.credentials.values),
      secretStringWoVersion: revision,
      versionStages: ['AWSCURRENT', TERRAFORM_VERSION_STAGE],
      // A rotation moves AWSCURRENT to the operator's version; Terraform must not move it back.
      lifecycle: { ignoreChanges: ['version_stages'] },
    });
  }
}
