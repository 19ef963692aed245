/**
 * The name of the bucket the platform creates for app `app` on cluster `clusterName`: derived, so
 * the generated values (committed to Git) and the platform stack agree without a lookup. Bucket
 * names are global across AWS accounts: the cluster name is what keeps them apart.
 */
export function appBucketName(clusterName: string, app: string): string {
  return `${clusterName}-${app}-files`;
}

/** S3's rule for bucket names (general purpose buckets, without dots: virtual-hosted TLS). */
export const BUCKET_NAME_RULE = {
  pattern: /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
  rule: '3 to 63 lower-case letters, digits or "-", starting and ending with a letter or digit',
};
