/**
 * The `cluster` part of an environment: an existing cluster reached through a kubeconfig, or an
 * EKS cluster that the `<env>-cluster` stack creates.
 */
import { z } from 'zod';
import { CapacityType } from '../constructs/cluster/eks-cluster';
import { awsRegion, chartRef } from './rules';

const nodeGroupSize = {
  /** Minimum number of nodes. */
  minSize: z.number().int().min(0, { error: 'must be >= 0' }),
  /** Desired number of nodes at creation (later left to the autoscaler). */
  desiredSize: z.number().int().min(0, { error: 'must be >= 0' }),
  /** Maximum number of nodes. */
  maxSize: z.number().int().min(1, { error: 'must be >= 1' }),
  /** Root volume size in GiB. */
  diskSizeGiB: z.number().int().min(20, { error: 'must be >= 20 (GiB)' }),
};

/** An existing cluster reached through a kubeconfig context. */
export const kubeconfigCluster = z.strictObject({
  /** An existing cluster reached through a kubeconfig context (minikube, kind, any cluster). */
  kind: z.literal('kubeconfig'),
  /** Path of the kubeconfig file. */
  configPath: z.string().min(1, { error: 'must not be empty' }),
  /** Context in that kubeconfig. */
  context: z.string().min(1, { error: 'must not be empty' }),
});

const GPU_AMI_TYPES = ['AL2023_x86_64_NVIDIA', 'BOTTLEROCKET_x86_64_NVIDIA'] as const;
const ADDON_VERSION = /^v\d+\.\d+\.\d+-eksbuild\.\d+$/;

/** An EKS cluster created by the `<env>-cluster` stack. */
export const eksCluster = z.strictObject({
  /** An EKS cluster that the `<env>-cluster` stack creates. */
  kind: z.literal('eks'),
  /** AWS region. */
  region: awsRegion(),
  /** EKS cluster name. */
  name: z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,38}[a-z0-9]$/, { error: 'must be 3-40 lower-case letters, digits or dashes, starting with a letter' }),
  /** Kubernetes minor version of the control plane. */
  kubernetesVersion: z.enum(['1.34', '1.35', '1.36'], { error: 'must be one of 1.34, 1.35, 1.36 (EKS standard support)' }),
  /** CIDR blocks allowed to reach the public API endpoint. */
  publicAccessCidrs: z
    .array(z.string().regex(/^\d{1,3}(?:\.\d{1,3}){3}\/\d{1,2}$/, { error: 'must be an IPv4 CIDR such as 203.0.113.0/24' }))
    .min(1, { error: 'must list at least one CIDR' }),
  vpc: z.strictObject({
    /** VPC CIDR, split into one public and one private subnet per availability zone. */
    cidr: z
      .string()
      .regex(/^\d{1,3}(?:\.\d{1,3}){3}\/(?:1[6-9]|20)$/, { error: 'must be an IPv4 CIDR with a prefix from /16 to /20' }),
    /** Availability zones of the subnets (three for production-grade spread). */
    availabilityZones: z.array(z.string()).length(3, { error: 'must list exactly 3 availability zones' }),
    /** One NAT gateway for the whole VPC (cheaper) instead of one per zone (zone-failure tolerant). */
    singleNatGateway: z.boolean(),
  }),
  /** CPU nodes for system pods (Argo CD, CoreDNS, the apps without GPU needs). */
  systemNodes: z.strictObject({
    instanceTypes: z
      .array(z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { error: 'must be an EC2 instance type such as m6i.large' }))
      .min(1, { error: 'must list at least one instance type' }),
    ...nodeGroupSize,
  }),
  /** NVIDIA GPU nodes, tainted so that only GPU workloads land there. */
  gpuNodes: z.strictObject({
    amiType: z.enum(GPU_AMI_TYPES, { error: `must be one of ${GPU_AMI_TYPES.join(', ')} (AL2 GPU AMIs are end-of-life)` }),
    instanceTypes: z
      .array(z.string().regex(/^g(?:5|6|6e)\.\d*x?large$/, { error: 'must be an NVIDIA GPU instance type of the g5, g6 or g6e family' }))
      .min(1, { error: 'must list at least one instance type' }),
    capacityType: z.enum(CapacityType, { error: 'must be ON_DEMAND or SPOT' }),
    ...nodeGroupSize,
  }),
  /**
   * Exact versions of the EKS managed add-ons.
   * @default - the versions in constructs/core/versions.ts
   */
  addons: z
    .strictObject({
      ebsCsiDriver: z.string().regex(ADDON_VERSION, { error: 'must be an exact EKS add-on version such as v1.66.0-eksbuild.1' }),
      podIdentityAgent: z.string().regex(ADDON_VERSION, { error: 'must be an exact EKS add-on version such as v1.3.9-eksbuild.1' }),
    })
    .optional(),
  /**
   * NVIDIA device plugin chart; installed only for AMIs that do not ship the plugin.
   * @default - the pin in constructs/core/versions.ts
   */
  nvidiaDevicePlugin: chartRef().optional(),
});

