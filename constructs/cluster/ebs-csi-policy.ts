// The policy the EBS CSI driver publishes for its release v1.64.0 (docs/example-iam-policy.json of
// kubernetes-sigs/aws-ebs-csi-driver at that tag), kept byte for byte so that a review compares it
// with upstream and reads the scoping below on its own. Update it with the add-on's version.
import PUBLISHED from './policies/aws-ebs-csi-driver-v1.64.0.json';

/** One statement of an IAM policy document. */
export interface PolicyStatement {
  readonly Effect: string;
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Record<string, Record<string, string | readonly string[]>>;
}

/** An IAM policy document. */
export interface PolicyDocument {
  readonly Version: string;
  readonly Statement: readonly PolicyStatement[];
}

/** The EBS CSI driver's IAM policy as published for v1.64.0. */
export const PUBLISHED_EBS_CSI_POLICY: PolicyDocument = PUBLISHED as PolicyDocument;

/** The tag the driver puts on every volume and snapshot when its cluster id is set (`--k8s-tag-cluster-id`). */
export function ebsCsiClusterTag(clusterName: string): { key: string; value: string } {
  return { key: `kubernetes.io/cluster/${clusterName}`, value: 'owned' };
}

const actions = (s: PolicyStatement): readonly string[] => (typeof s.Action === 'string' ? [s.Action] : s.Action);

/** True for statements that only read (`ec2:Describe*`). */
export function isReadOnly(statement: PolicyStatement): boolean {
  return actions(statement).every((a) => a.startsWith('ec2:Describe'));
}

/**
 * True for statements that create a resource and tag it in the same call: their conditions
 * already look at the request's tags (`aws:RequestTag/…`) or at `ec2:CreateAction`.
 */
function isCreation(statement: PolicyStatement): boolean {
  const keys = Object.values(statement.Condition ?? {}).flatMap((block) => Object.keys(block));
  return keys.some((k) => k.startsWith('aws:RequestTag/') || k === 'ec2:CreateAction');
}

/**
 * Scopes the published policy to one cluster: every statement that changes something also
 * requires this cluster's tag (`kubernetes.io/cluster/<name>: owned`) — on the request for
 * statements that create and tag a volume or snapshot, on the resource for the others (the
 * volumes, snapshots and instances it attaches to, modifies or deletes). Read-only statements stay
 * as published. The published conditions are kept: a new condition operator block is ANDed.
 */
export function scopeEbsCsiPolicy(published: PolicyDocument, clusterName: string): PolicyDocument {
  const tag = ebsCsiClusterTag(clusterName);
  return {
    Version: published.Version,
    Statement: published.Statement.map((statement) => {
      if (isReadOnly(statement)) return statement;
      const key = isCreation(statement) ? `aws:RequestTag/${tag.key}` : `aws:ResourceTag/${tag.key}`;
      const condition = statement.Condition ?? {};
      return { ...statement, Condition: { ...condition, StringEquals: { ...(condition.StringEquals ?? {}), [key]: tag.value } } };
    }),
  };
}
