/**
 * Names the cluster's constructs give, which stacks and tools refer to. This module loads no
 * provider.
 */

/**
 * The tag Karpenter's `EC2NodeClass` finds this cluster's subnets and security groups by, with the
 * cluster name as value.
 */
export const KARPENTER_DISCOVERY_TAG = 'karpenter.sh/discovery';

/** The IAM role of the nodes Karpenter launches (the `EC2NodeClass` names it; Karpenter makes the instance profile). */
export function karpenterNodeRoleName(clusterName: string): string {
  return `${clusterName}-karpenter-node`;
}
