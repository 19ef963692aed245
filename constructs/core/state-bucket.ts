import { Construct } from 'constructs';
import { makeBucketPrivate } from './private-bucket';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { ConstructError } from './errors';
import { stateKeyAlias } from './state-backend';
import { accountKeyPolicy } from './key-policy';

/** Properties of {@link StateBucket}. */
export interface StateBucketProps {
  /** The bucket's name (an environment's `state.bucket`). */
  readonly bucketName: string;
  /**
   * Days a state version is kept after a newer one replaced it (the way back from a bad write).
   * @default 90
   */
  readonly noncurrentVersionDays?: number;
}

/**
 * The S3 bucket that holds Terraform state, built the way the S3 backend relies on: versioned
 * (every state write can be undone), encrypted by default with its own KMS key under
 * {@link stateKeyAlias} (which the backends name), no public access and no ACLs, reachable over
 * TLS only (a bucket policy denies any request with `aws:SecureTransport` false), old versions
 * expired after `noncurrentVersionDays` and unfinished uploads after a week. Locking needs nothing
 * here: the backends use S3-native lock files (`use_lockfile`). The bucket and key refuse
 * `terraform destroy` (`prevent_destroy`).
 */
export class StateBucket extends Construct {
  /** The bucket. */
  public readonly bucket: S3Bucket;
  /** The key that encrypts the bucket's objects. */
  public readonly key: KmsKey;

  constructor(scope: Construct, id: string, props: StateBucketProps) {
    super(scope, id);
    const noncurrentVersionDays = props.noncurrentVersionDays ?? 90;
    if (!Number.isInteger(noncurrentVersionDays) || noncurrentVersionDays < 1) {
      throw new ConstructError(this, `noncurrentVersionDays ${noncurrentVersionDays} must be a whole number >= 1`);
    }
    const account = new DataAwsCallerIdentity(this, 'account').accountId;
    const partition = new DataAwsPartition(this, 'partition').partition;
    this.key = new KmsKey(this, 'key', {
      description: `Terraform state in s3://${props.bucketName}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: accountKeyPolicy(partition, account),
      lifecycle: { preventDestroy: true },
    });
    new KmsAlias(this, 'alias', { name: stateKeyAlias(props.bucketName), targetKeyId: this.key.keyId });
    this.bucket = new S3Bucket(this, 'bucket', { bucket: props.bucketName, lifecycle: { preventDestroy: true } });
    makeBucketPrivate(this, this.bucket, this.key);
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket: this.bucket.id,
      rule: [
        {
          id: 'expire-old-state-versions',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          noncurrentVersionExpiration: [{ noncurrentDays: noncurrentVersionDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });
  }
}
