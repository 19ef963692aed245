import { Construct } from 'constructs';
import { makeBucketPrivate } from '../core/private-bucket';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { EksPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-pod-identity-association';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { BUCKET_NAME_RULE } from '../../contracts/object-storage';
import { ConstructError } from '../core/errors';
import { PodIdentityTarget, podIdentityServiceAccount } from '../core/iam';
import { accountKeyPolicy } from '../core/key-policy';

/** Properties of {@link AppBucket}. */
export interface AppBucketProps {
  /** The bucket's name (contracts/object-storage.ts appBucketName). */
  readonly bucketName: string;
  /** Region of the bucket (the cluster's): the key may be used only through S3 there. */
  readonly region: string;
  /** The cluster, namespace and ServiceAccount whose pods get the bucket's role through EKS Pod Identity. */
  readonly podIdentity: PodIdentityTarget;
  /** Name of the IAM role (and its policy). */
  readonly roleName: string;
  /**
   * Days an object version is kept after it was overwritten or deleted (the way back from a
   * mistake; backups keep longer).
   * @default 30
   */
  readonly noncurrentVersionDays?: number;
}

/**
 * An app's own S3 bucket, kept like its volumes: versioned, encrypted by default with its own KMS
 * key, no public access and no ACLs, reachable over TLS only, never force-destroyed (Terraform
 * cannot delete it while it holds objects, like the backup vaults). Overwritten or deleted versions
 * are kept `noncurrentVersionDays`. One IAM role, handed to the app's ServiceAccount by EKS Pod
 * Identity, may list the bucket and read, write and delete its objects, and use the key only
 * through S3 in the bucket's region; nothing else reaches it.
 */
export class AppBucket extends Construct {
  /** The bucket. */
  public readonly bucket: S3Bucket;
  /** The key that encrypts its objects. */
  public readonly key: KmsKey;
  /** The association of the role with the ServiceAccount (depend on it before the pods start). */
  public readonly podIdentity: EksPodIdentityAssociation;
  /** The IAM policy document of the role. */
  public readonly policy: object;

  constructor(scope: Construct, id: string, props: AppBucketProps) {
    super(scope, id);
    if (!BUCKET_NAME_RULE.pattern.test(props.bucketName)) {
      throw new ConstructError(this, `bucketName "${props.bucketName}" must be ${BUCKET_NAME_RULE.rule}`);
    }
    const noncurrentVersionDays = props.noncurrentVersionDays ?? 30;
    if (!Number.isInteger(noncurrentVersionDays) || noncurrentVersionDays < 1) {
      throw new ConstructError(this, `noncurrentVersionDays ${noncurrentVersionDays} must be a whole number >= 1`);
    }
    const account = new DataAwsCallerIdentity(this, 'account').accountId;
    const partition = new DataAwsPartition(this, 'partition').partition;
    this.key = new KmsKey(this, 'key', {
      description: `Objects of s3://${props.bucketName}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: accountKeyPolicy(partition, account),
    });
    this.bucket = new S3Bucket(this, 'bucket', { bucket: props.bucketName, forceDestroy: false });
    makeBucketPrivate(this, this.bucket, this.key);
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket: this.bucket.id,
      rule: [
        {
          id: 'expire-old-versions',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          noncurrentVersionExpiration: [{ noncurrentDays: noncurrentVersionDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });
    this.policy = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'ListTheBucket', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [this.bucket.arn] },
        {
          Sid: 'ObjectsOfTheBucket',
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
          Resource: [`${this.bucket.arn}/*`],
        },
        {
          Sid: 'TheBucketsKeyThroughS3',
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: [this.key.arn],
          Condition: { StringEquals: { 'kms:ViaService': `s3.${props.region}.amazonaws.com` } },
        },
      ],
    };
    this.podIdentity = podIdentityServiceAccount(this, props.podIdentity, props.roleName, this.policy);
  }
}
