import { Construct } from 'constructs';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { ConstructError } from '../core/errors';
import { accountKeyStatement } from '../core/key-policy';

/** Properties of {@link ClusterKey}. */
export interface ClusterKeyProps {
  /** EKS cluster name; the alias is `alias/<clusterName>`. */
  readonly clusterName: string;
  /**
   * Days before a deleted key is gone for good (7-30).
   * @default 30
   */
  readonly deletionWindowDays?: number;
}

/**
 * A customer-managed KMS key with yearly rotation for one cluster: it envelope-encrypts the
 * Kubernetes Secrets and encrypts the cluster's CloudWatch log groups (control plane, VPC flow
 * logs). The key policy leaves administration to the account's IAM policies and lets CloudWatch
 * Logs use the key for this account's log groups only.
 */
export class ClusterKey extends Construct {
  /** The key. */
  public readonly key: KmsKey;

  constructor(scope: Construct, id: string, props: ClusterKeyProps) {
    super(scope, id);
    const deletionWindowDays = props.deletionWindowDays ?? 30;
    if (!Number.isInteger(deletionWindowDays) || deletionWindowDays < 7 || deletionWindowDays > 30) {
      throw new ConstructError(this, `deletionWindowDays ${deletionWindowDays} must be an integer from 7 to 30`);
    }
    const account = new DataAwsCallerIdentity(this, 'account').accountId;
    const partition = new DataAwsPartition(this, 'partition').partition;
    const region = new DataAwsRegion(this, 'region').region;
    this.key = new KmsKey(this, 'key', {
      description: `EKS ${props.clusterName}: Secrets envelope encryption and log groups`,
      enableKeyRotation: true,
      deletionWindowInDays: deletionWindowDays,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          accountKeyStatement(partition, account),
          {
            Sid: 'CloudWatchLogsOfThisAccount',
            Effect: 'Allow',
            Principal: { Service: `logs.${region}.amazonaws.com` },
            Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
            Resource: '*',
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:*` } },
          },
        ],
      }),
    });
    new KmsAlias(this, 'alias', { name: `alias/${props.clusterName}`, targetKeyId: this.key.keyId });
  }
}
