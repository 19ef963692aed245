/**
 * The load balancer controller's IAM policy for one cluster, derived from the policy AWS publishes.
 * Two steps, both only narrowing what the published document grants:
 *
 * 1. {@link scopeToTagValue}: where the published statements check that the controller's cluster
 *    tag exists, they also require its value, the cluster name.
 * 2. The statements the published document grants with no condition at all (security group rules,
 *    listeners, rules, target registration) get one here: per action, the tag of this cluster on
 *    the resource acted on, or in the request that creates it.
 */
import { PolicyDocument, PolicyStatement, scopeToTagValue } from './cluster-scoped-policy';

type Condition = NonNullable<PolicyStatement['Condition']>;

/** A condition for some actions of the published policy's unconditioned statements. */
interface Narrowing {
  /** Actions it applies to (each must occur in an unconditioned statement of the policy). */
  readonly actions: readonly string[];
  /** Applies only to statements whose Resource has an ARN of this kind. @default - any */
  readonly resource?: RegExp;
  /** The condition, for `cluster` and the controller's tag key. */
  readonly condition: (cluster: string, tag: string) => Condition;
}

const ELB = (action: string) => `elasticloadbalancing:${action}`;

/**
 * The narrowings, each backed by the controller's own behaviour (v3.5.0):
 * - Security group rules: on the targets' security group, which the controller picks by the tag
 *   `kubernetes.io/cluster/<cluster>` (docs/deploy/installation.md recommends this condition); on
 *   EKS that is the cluster security group, which EKS tags so and puts on managed nodes. The
 *   controller's own groups are covered by the published statement on its own tag.
 * - Listeners and rules are created with the controller's tags (feature gate ListenerRulesTagging,
 *   on by default), the cluster tag among them: creation requires it in the request, every later
 *   change on the resource.
 * - Target groups carry the tag since their creation (the published CreateTargetGroup statement
 *   requires it).
 * - Tags of listeners and rules: changed only on this cluster's, never the cluster tag itself; or
 *   the cluster tag set where the resource has none yet (tagging on creation).
 */
const NARROWINGS: readonly Narrowing[] = [
  {
    actions: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'],
    condition: (cluster) => ({ Null: { [`aws:ResourceTag/kubernetes.io/cluster/${cluster}`]: 'false' } }),
  },
  {
    actions: [ELB('CreateListener'), ELB('CreateRule')],
    condition: (cluster, tag) => ({ StringEquals: { [`aws:RequestTag/${tag}`]: cluster } }),
  },
  {
    actions: [
      ELB('DeleteListener'),
      ELB('DeleteRule'),
      ELB('ModifyListener'),
      ELB('AddListenerCertificates'),
      ELB('RemoveListenerCertificates'),
      ELB('ModifyRule'),
      ELB('SetRulePriorities'),
      ELB('SetWebAcl'),
      ELB('RegisterTargets'),
      ELB('DeregisterTargets'),
    ],
    condition: (cluster, tag) => ({ StringEquals: { [`aws:ResourceTag/${tag}`]: cluster } }),
  },
  {
    actions: [ELB('AddTags'), ELB('RemoveTags')],
    resource: /:listener(-rule)?\//,
    condition: (cluster, tag) => ({ Null: { [`aws:RequestTag/${tag}`]: 'true' }, StringEquals: { [`aws:ResourceTag/${tag}`]: cluster } }),
  },
  {
    actions: [ELB('AddTags')],
    resource: /:listener(-rule)?\//,
    condition: (cluster, tag) => ({ Null: { [`aws:ResourceTag/${tag}`]: 'true' }, StringEquals: { [`aws:RequestTag/${tag}`]: cluster } }),
  },
];

const list = (value: string | readonly string[]): readonly string[] => (typeof value === 'string' ? [value] : value);

/**
 * `policy` narrowed to the cluster `cluster`, whose controller tags its resources `tag`=`cluster`.
 * An unconditioned statement is split: the actions of each narrowing into a statement with its
 * condition (an action may land in two, each granting less), the others as published.
 * @throws Error when a narrowed action is in no unconditioned statement (the published policy
 * changed: review it)
 */
export function scopeLoadBalancerControllerPolicy(policy: PolicyDocument, tag: string, cluster: string): PolicyDocument {
  const tagged = scopeToTagValue(policy, tag, cluster);
  const used = new Set<Narrowing>();
  const statements = tagged.Statement.flatMap((statement): PolicyStatement[] => {
    if (statement.Condition !== undefined) return [statement];
    const actions = list(statement.Action);
    const applicable = NARROWINGS.filter((n) => !n.resource || list(statement.Resource).some((r) => n.resource!.test(r)));
    const narrowed = applicable
      .map((n) => ({ n, actions: actions.filter((a) => n.actions.includes(a)) }))
      .filter((x) => x.actions.length > 0)
      .map(({ n, actions: own }): PolicyStatement => {
        used.add(n);
        return { ...statement, Action: own, Condition: n.condition(cluster, tag) };
      });
    if (narrowed.length === 0) return [statement];
    const rest = actions.filter((a) => !applicable.some((n) => n.actions.includes(a)));
    return [...(rest.length > 0 ? [{ ...statement, Action: rest }] : []), ...narrowed];
  });
  const missing = NARROWINGS.filter((n) => !used.has(n));
  if (missing.length > 0)
    throw new Error(`no unconditioned statement grants ${missing.map((n) => n.actions.join(', ')).join('; ')}: review the published policy`);
  return { ...tagged, Statement: statements };
}
