/**
 * The `cluster` part of an environment: an existing cluster reached through a kubeconfig, or an
 * EKS cluster that the `<env>-cluster` stack creates.
 */
import { z } from 'zod';
import { CapacityType, LOG_RETENTION_DAYS } from '../contracts/eks-types';
import { SYSTEM_AMI_TYPE, amiReleaseProblem } from '../contracts/eks-ami-releases';
import { awsRegion, chartRef, dnsName, ipv4Cidr } from './rules';

/**
 * The AMI release of a node group (`release_version`): nodes change image only when this pin does
 * (`npm run eks-pins -- <env>` shows the newest). Its format is checked against the AMI type.
 */
const releaseVersion = () =>
  z
    .string({ error: 'must pin the node AMI release, e.g. 1.35.0-20260115 (npm run eks-pins -- <env> shows the newest)' })
    .min(1, { error: 'must not be empty' });

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
const addonVersion = () =>
  z
    .string({ error: 'must pin an exact EKS add-on version such as v1.20.4-eksbuild.2 (list them with aws eks describe-addon-versions)' })
    .regex(ADDON_VERSION, { error: 'must be an exact EKS add-on version such as v1.20.4-eksbuild.2' });
/** An IAM role or user ARN (what an EKS access entry accepts; not an STS assumed-role session ARN). */
const IAM_PRINCIPAL_ARN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:(?:role|user)\/[\w+=,.@/-]+$/;
const iamPrincipalArn = () =>
  z.string().regex(IAM_PRINCIPAL_ARN, { error: 'must be an IAM role or user ARN such as arn:aws:iam::111122223333:role/platform-deployer' });
/** An ACM certificate ARN; its region is captured. */
const ACM_CERTIFICATE_ARN = /^arn:aws(?:-[a-z]+)*:acm:([a-z0-9-]+):\d{12}:certificate\/[0-9a-f-]{36}$/;

/** An EKS cluster created by the `<env>-cluster` stack. */
export const eksCluster = z
  .strictObject({
    /** An EKS cluster that the `<env>-cluster` stack creates. */
    kind: z.literal('eks'),
    /** AWS region. */
    region: awsRegion(),
    /** Region that keeps copies for disaster recovery: AWS Backup recovery points and Secrets Manager replicas. */
    secondaryRegion: awsRegion(),
    /** EKS cluster name. */
    name: z.string().regex(/^[a-z][a-z0-9-]{1,38}[a-z0-9]$/, { error: 'must be 3-40 lower-case letters, digits or dashes, starting with a letter' }),
    /** Kubernetes minor version of the control plane. */
    kubernetesVersion: z.enum(['1.34', '1.35', '1.36'], { error: 'must be one of 1.34, 1.35, 1.36 (EKS standard support)' }),
    /**
     * CIDR blocks allowed to reach the public API endpoint (the private endpoint is always on). The
     * later stacks' providers and the operators' kubectl reach the cluster through it.
     */
    publicAccessCidrs: z.array(ipv4Cidr()).min(1, { error: 'must list at least one CIDR' }),
    /**
     * Accept `0.0.0.0/0` in `publicAccessCidrs`: an API endpoint reachable from the whole internet.
     * @default false
     */
    allowPublicEndpointFromAnywhere: z.boolean().default(false),
    /**
     * Refuse to delete the cluster; set false and apply before a destroy.
     * @default false
     */
    deletionProtection: z.boolean().default(false),
    /**
     * Retention of the control-plane and VPC flow-log groups, in days.
     * @default 365
     */
    logRetentionDays: z
      .number()
      .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
        error: `must be a CloudWatch Logs retention: one of ${LOG_RETENTION_DAYS.join(', ')}`,
      })
      .default(365),
    /** Who may use the Kubernetes API (EKS access entries); nobody else is admin, not even the creator. */
    access: z.strictObject({
      /** IAM principals that deploy and administer the cluster: the identity running `cdktf deploy` must be one. */
      admins: z.array(iamPrincipalArn()).min(1, { error: 'must list at least one principal (the identity that runs cdktf deploy)' }),
      /**
       * IAM principals with view-only access, Secrets excluded (AmazonEKSViewPolicy): CI's
       * pull-request plan role, which runs the pull request's code.
       * @default []
       */
      readOnly: z.array(iamPrincipalArn()).default([]),
    }),
    vpc: z.strictObject({
      /** VPC CIDR, split into one public and one private subnet per availability zone. */
      cidr: ipv4Cidr(16, 20),
      /** Availability zones of the subnets (three for production-grade spread). */
      availabilityZones: z.array(z.string()).length(3, { error: 'must list exactly 3 availability zones' }),
      /** One NAT gateway for the whole VPC (cheaper) instead of one per zone (zone-failure tolerant). */
      singleNatGateway: z.boolean(),
    }),
    /**
     * CPU nodes for system pods (Argo CD, CoreDNS, the apps without GPU needs, their zonal
     * volumes): one node group per VPC zone, each sized by these numbers, so that every zone keeps
     * a node and a pod whose EBS volume lives there can always be scheduled again.
     */
    systemNodes: z.strictObject({
      instanceTypes: z
        .array(z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { error: 'must be an EC2 instance type such as m6i.large' }))
        .min(1, { error: 'must list at least one instance type' }),
      ...nodeGroupSize,
      /** Minimum number of nodes per zone. */
      minSize: z
        .number()
        .int()
        .min(1, { error: 'must be >= 1: every zone keeps a system node, so that a pod whose EBS volume lives there can be scheduled again' }),
      /** AMI release of the system nodes (Amazon Linux 2023). */
      releaseVersion: releaseVersion(),
    }),
    /** NVIDIA GPU nodes, tainted so that only GPU workloads land there. */
    gpuNodes: z.strictObject({
      amiType: z.enum(GPU_AMI_TYPES, { error: `must be one of ${GPU_AMI_TYPES.join(', ')} (AL2 GPU AMIs are end-of-life)` }),
      /** AMI release of the GPU nodes, a release of `amiType`. */
      releaseVersion: releaseVersion(),
      instanceTypes: z
        .array(z.string().regex(/^g(?:5|6|6e)\.\d*x?large$/, { error: 'must be an NVIDIA GPU instance type of the g5, g6 or g6e family' }))
        .min(1, { error: 'must list at least one instance type' }),
      capacityType: z.enum(CapacityType, { error: 'must be ON_DEMAND or SPOT' }),
      /**
       * Zones of the GPU nodes (one node group over their subnets): with two or more, GPU capacity
       * survives the loss of a zone, and Ollama's models live on a per-pod volume re-created (and
       * re-pulled) in the zone its pod lands in (docs/workloads.md#ollama-models-and-zones).
       */
      availabilityZones: z.array(z.string().min(1, { error: 'must not be empty' })).min(1, { error: 'must list at least one zone' }),
      ...nodeGroupSize,
      /**
       * Wait for the GPU nodes during the apply. With false (the default) the GPU group is created
       * empty and scaled afterwards without waiting, so a fresh deploy completes while spot or
       * on-demand GPU capacity is short; Ollama stays Pending until a node arrives.
       * @default false
       */
      waitForNodes: z.boolean().default(false),
      /**
       * Keep the managed GPU node group. Set false once `gpuCapacity` (Karpenter's GPU NodePool)
       * serves the GPU pods: the group is then removed (docs/eks.md#gpu-capacity-karpenter: the
       * NodePool first, the group in a later apply, so Ollama is never without a node to go to).
       * @default true
       */
      managedGroup: z.boolean().default(true),
    }),
    /**
     * GPU nodes launched on demand by Karpenter (a `NodePool` and its `EC2NodeClass`, synced by
     * Argo CD from the `gpu-capacity` app): any listed instance type, in every zone of the VPC, spot
     * first with on-demand fallback when both capacity types are listed, consolidated when idle.
     * The nodes use `gpuNodes.amiType` at `gpuNodes.releaseVersion`.
     * @default - no Karpenter: GPU nodes only from the managed group
     */
    gpuCapacity: z
      .strictObject({
        /** Instance types the NodePool may launch (each has at least one NVIDIA GPU). */
        instanceTypes: z
          .array(z.string().regex(/^g(?:5|6|6e)\.\d*x?large$/, { error: 'must be an NVIDIA GPU instance type of the g5, g6 or g6e family' }))
          .min(1, { error: 'must list at least one instance type' }),
        /** Capacity types, `spot` and/or `on-demand`; with both, Karpenter launches spot and falls back to on-demand. */
        capacityTypes: z
          .array(z.enum(['spot', 'on-demand'], { error: 'must be spot or on-demand' }))
          .min(1, { error: 'must list at least one capacity type' })
          .refine((types) => new Set(types).size === types.length, { error: 'must not repeat a capacity type' }),
        /** Upper bound of the GPUs (`nvidia.com/gpu`) of all the NodePool's nodes together. */
        maxGpus: z.number().int({ error: 'must be a whole number' }).min(1, { error: 'must be >= 1' }).max(64, { error: 'must be <= 64' }),
        /** Root volume of each node (images, ephemeral volumes), GiB. */
        diskSizeGiB: z.number().int().min(20, { error: 'must be >= 20 (GiB)' }),
        /**
         * How long a node stays empty or underused before Karpenter removes or replaces it.
         * @default '10m'
         */
        consolidateAfter: z
          .string()
          .regex(/^\d+(?:s|m|h)$/, { error: 'must be a duration such as 30s, 10m or 1h' })
          .default('10m'),
      })
      .optional(),
    /**
     * Exact versions of the EKS managed add-ons, every one pinned: an apply changes an add-on only
     * when this file does. `aws eks describe-addon-versions` lists the builds for a Kubernetes
     * version (docs/eks.md).
     */
    addons: z.strictObject(
      {
        vpcCni: addonVersion(),
        kubeProxy: addonVersion(),
        coreDns: addonVersion(),
        podIdentityAgent: addonVersion(),
        ebsCsiDriver: addonVersion(),
      },
      { error: 'must pin every managed add-on: vpcCni, kubeProxy, coreDns, podIdentityAgent, ebsCsiDriver' },
    ),
    /** The AWS Load Balancer Controller and the ALB it creates for the Ingresses. */
    loadBalancer: z
      .strictObject({
        /**
         * ALB idle timeout in seconds; LibreChat streams answers for minutes on one connection.
         * @default 600
         */
        idleTimeoutSeconds: z
          .number()
          .int()
          .min(600, { error: 'must be >= 600: LibreChat streams answers over one connection for minutes' })
          .max(4000, { error: 'must be <= 4000 (the ALB maximum)' })
          .default(600),
        /**
         * The controller's chart.
         * @default - the pin in contracts/versions.ts
         */
        chart: chartRef().optional(),
      })
      .default({ idleTimeoutSeconds: 600 }),
    /**
     * ACM certificate covering every ingress host (in the cluster's region).
     * @default - Terraform requests one and validates it in dns.hostedZone
     */
    certificateArn: z
      .string()
      .regex(ACM_CERTIFICATE_ARN, { error: 'must be an ACM certificate ARN such as arn:aws:acm:eu-west-1:111122223333:certificate/<uuid>' })
      .optional(),
    /**
     * The public Route 53 hosted zone of the ingress hosts.
     * @default - no DNS automation; certificateArn is then required
     */
    dns: z
      .strictObject({
        /** Name of the public hosted zone that holds every ingress host, e.g. `llm.example.com`. */
        hostedZone: dnsName(),
        /**
         * Run ExternalDNS, limited to that zone, to point the hosts at the ALB.
         * @default true
         */
        externalDns: z.boolean().default(true),
        /**
         * The ExternalDNS chart.
         * @default - the pin in contracts/versions.ts
         */
        externalDnsChart: chartRef().optional(),
      })
      .optional(),
    /**
     * NVIDIA device plugin chart; installed only for AMIs that do not ship the plugin.
     * @default - the pin in contracts/versions.ts
     */
    nvidiaDevicePlugin: chartRef().optional(),
    /**
     * Karpenter's chart (with `gpuCapacity`); its CRD chart follows the same version.
     * @default - the pin in contracts/versions.ts
     */
    karpenterChart: chartRef().optional(),
    /**
     * KEDA's chart (with `gpuCapacity`).
     * @default - the pin in contracts/versions.ts
     */
    kedaChart: chartRef().optional(),
  })
  .superRefine((cluster, ctx) => {
    const fail = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    cluster.publicAccessCidrs.forEach((cidr, i) => {
      if (cidr === '0.0.0.0/0' && !cluster.allowPublicEndpointFromAnywhere) {
        fail(['publicAccessCidrs', i], 'must not be 0.0.0.0/0 unless allowPublicEndpointFromAnywhere is true: list the ranges of your operators and CI');
      }
    });
    cluster.gpuNodes.availabilityZones.forEach((zone, i) => {
      if (!cluster.vpc.availabilityZones.includes(zone)) {
        fail(['gpuNodes', 'availabilityZones', i], `must be one of the VPC's zones (${cluster.vpc.availabilityZones.join(', ')}), got "${zone}"`);
      } else if (cluster.gpuNodes.availabilityZones.indexOf(zone) < i) {
        fail(['gpuNodes', 'availabilityZones', i], `must not repeat ${zone}`);
      }
    });
    if (!cluster.gpuNodes.managedGroup && cluster.gpuCapacity === undefined) {
      fail(['gpuNodes', 'managedGroup'], 'must be true unless gpuCapacity is set: without the managed group and a GPU NodePool no GPU node would ever start');
    }
    if (cluster.secondaryRegion === cluster.region) {
      fail(['secondaryRegion'], `must differ from cluster.region, the region it keeps copies for (got ${cluster.secondaryRegion})`);
    }
    const kubeProxyMinor = /^v(\d+\.\d+)\./.exec(cluster.addons.kubeProxy)?.[1];
    if (kubeProxyMinor !== undefined && kubeProxyMinor !== cluster.kubernetesVersion) {
      fail(
        ['addons', 'kubeProxy'],
        `must be a build of Kubernetes ${cluster.kubernetesVersion}, the cluster's version (got ${cluster.addons.kubeProxy}): kube-proxy follows the control plane's minor version`,
      );
    }
    const releases = [
      ['systemNodes', SYSTEM_AMI_TYPE, cluster.systemNodes.releaseVersion],
      ['gpuNodes', cluster.gpuNodes.amiType, cluster.gpuNodes.releaseVersion],
    ] as const;
    for (const [group, amiType, release] of releases) {
      const problem = amiReleaseProblem(amiType, release, cluster.kubernetesVersion);
      if (problem) fail([group, 'releaseVersion'], problem);
    }
    if (cluster.certificateArn === undefined && cluster.dns === undefined) {
      fail(['certificateArn'], 'must be set when no dns.hostedZone is configured: the load balancer serves TLS with an ACM certificate');
    }
    const certificateRegion = cluster.certificateArn ? ACM_CERTIFICATE_ARN.exec(cluster.certificateArn)?.[1] : undefined;
    if (certificateRegion !== undefined && certificateRegion !== cluster.region) {
      fail(
        ['certificateArn'],
        `must be a certificate of ${cluster.region}, the cluster's region (got ${certificateRegion}): an ALB uses certificates of its own region`,
      );
    }
  });

/** A problem of the EKS settings that involves other parts of the environment. */
export interface ClusterProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** True when `host` is `zone` or a name inside it. */
export function inZone(host: string, zone: string): boolean {
  return host === zone || host.endsWith(`.${zone}`);
}

/**
 * Rules spanning the EKS settings and the ingress hosts: with a hosted zone, every host lives in
 * it (the certificate is validated and the records are written there).
 */
export function eksIngressProblems(cluster: z.output<typeof eksCluster>, hosts: Readonly<Record<string, string | undefined>>): ClusterProblem[] {
  const zone = cluster.dns?.hostedZone;
  if (zone === undefined) return [];
  return Object.entries(hosts)
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string' && !inZone(entry[1], zone))
    .map(([key, host]) => ({ path: ['ingress', 'hosts', key], message: `must be inside cluster.dns.hostedZone ${zone} (got ${host})` }));
}
