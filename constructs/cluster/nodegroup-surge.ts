/**
 * How many nodes a managed node group may run at its peak, which is what its instances' quota must
 * hold. Two moments go above `maxSize`:
 *
 * - A version or launch-template update (AMI, instance settings): EKS's scale-up phase raises the
 *   Auto Scaling group's maximum and desired size by the larger of twice the number of zones the
 *   group spans and `maxUnavailable`, launching new nodes before it drains old ones.
 * - A replacement (instance types, subnets, AMI type): the new group is created with
 *   `desiredSize` nodes before the old one, still up to `maxSize`, is deleted
 *   (create-before-destroy).
 */
export interface NodegroupPeak {
  /** Nodes the group runs normally. */
  readonly desiredSize: number;
  /** Upper bound of the group. */
  readonly maxSize: number;
  /** Availability zones of the group's subnets. */
  readonly zones: number;
  /** `updateConfig.maxUnavailable`. */
  readonly maxUnavailable: number;
}

/** Extra nodes EKS launches in the scale-up phase of a managed node group update. */
export function nodegroupUpdateSurge(peak: Pick<NodegroupPeak, 'zones' | 'maxUnavailable'>): number {
  return Math.max(2 * peak.zones, peak.maxUnavailable);
}

/** The most nodes the group can run at once: `maxSize` plus the larger of the update surge and a replacement group. */
export function nodegroupPeakNodes(peak: NodegroupPeak): number {
  return peak.maxSize + Math.max(nodegroupUpdateSurge(peak), peak.desiredSize);
}
