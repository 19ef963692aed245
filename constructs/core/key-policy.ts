/**
 * The statement every KMS key of this program starts its policy with: the key belongs to its
 * account, whose IAM policies then decide who may use it (no principal is named in the key itself).
 */
export function accountKeyStatement(partition: string, account: string): Record<string, unknown> {
  return { Sid: 'AccountIamPolicies', Effect: 'Allow', Principal: { AWS: `arn:${partition}:iam::${account}:root` }, Action: 'kms:*', Resource: '*' };
}

/** A key policy of only {@link accountKeyStatement} (and `extra` statements after it), as JSON. */
export function accountKeyPolicy(partition: string, account: string, extra: readonly Record<string, unknown>[] = []): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [accountKeyStatement(partition, account), ...extra] });
}
