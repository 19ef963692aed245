import { CapacityType, TaintEffect, VcpuQuota } from '../../contracts/eks-types';

/**
 * Node label and taint of GPU node groups. The cluster layer puts them on the GPU nodes, the
 * platform layer tolerates them in the NVIDIA device plugin, and GPU apps select and tolerate them.
 */
export const GPU_NODES = {
  /** Matches the NVIDIA device plugin chart's default node affinity. */
  label: { key: 'nvidia.com/gpu.present', value: 'true' },
  taint: { key: 'nvidia.com/gpu', value: 'true', effect: TaintEffect.NO_SCHEDULE },
} as const;

/** The Kubernetes spelling of a taint effect, for pod tolerations. */
export const KUBERNETES_TAINT_EFFECT: Record<TaintEffect, string> = {
  [TaintEffect.NO_SCHEDULE]: 'NoSchedule',
  [TaintEffect.NO_EXECUTE]: 'NoExecute',
  [TaintEffect.PREFER_NO_SCHEDULE]: 'PreferNoSchedule',
};

/**
 * The EC2 vCPU quotas that G instances (g5, g6, g6e) count against, by capacity type. New
 * accounts often have 0 in both.
 */
export const G_AND_VT_VCPU_QUOTAS: Record<CapacityType, VcpuQuota> = {
  [CapacityType.ON_DEMAND]: { code: 'L-DB2E81BA', name: 'Running On-Demand G and VT instances' },
  [CapacityType.SPOT]: { code: 'L-3819A6DF', name: 'All G and VT Spot Instance Requests' },
};

/** The name of Karpenter's GPU NodePool (the `gpu-capacity` app renders it). */
export const GPU_NODE_POOL = 'gpu';
