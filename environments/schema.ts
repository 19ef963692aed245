/**
 * The one schema every environment is validated against before any stack is created. It is built
 * from the app catalog: `apps.<name>` holds each app's settings and `ingress.hosts` has a key per
 * published app. Environments are data: constructs read these fields and never branch on an
 * environment's name.
 */
import { z } from 'zod';
import { AppDefinition } from '../constructs/apps/app-definition';
import { CapacityType } from '../constructs/cluster/eks-cluster';
import { DEFAULT_GITOPS_REPO_URL } from './defaults';
import { awsRegion, chartRef, dnsName, gitRevision, gitUrl, resources } from './rules';

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

const kubeconfigCluster = z.strictObject({
  /** An existing cluster reached through a kubeconfig context (minikube, kind, any cluster). */
  kind: z.literal('kubeconfig'),
  /** Path of the kubeconfig file. */
  configPath: z.string().min(1, { error: 'must not be empty' }),
  /** Context in that kubeconfig. */
  context: z.string().min(1, { error: 'must not be empty' }),
});

const GPU_AMI_TYPES = ['AL2023_x86_64_NVIDIA', 'BOTTLEROCKET_x86_64_NVIDIA'] as const;
const ADDON_VERSION = /^v\d+\.\d+\.\d+-eksbuild\.\d+$/;

const eksCluster = z.strictObject({
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

const localState = z.strictObject({
  /** Terraform state in `terraform.<stack>.tfstate` next to the project. */
  backend: z.literal('local'),
});

const s3State = z.strictObject({
  /** Terraform state in S3, encrypted, with locking. */
  backend: z.literal('s3'),
  bucket: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'must be a valid S3 bucket name (3-63 lower-case letters, digits, dots, dashes)' }),
  /** Key prefix; each stack's state lives at `<keyPrefix>/<stack>.tfstate`. */
  keyPrefix: z
    .string()
    .regex(/^[A-Za-z0-9!_.*'()-]+(?:\/[A-Za-z0-9!_.*'()-]+)*$/, { error: 'must be a relative S3 key prefix without leading or trailing slash' }),
  region: awsRegion(),
  /** DynamoDB lock table; when absent, S3-native lock files are used (Terraform >= 1.10, OpenTofu >= 1.10). */
  dynamodbTable: z.string().min(3, { error: 'must be a DynamoDB table name' }).optional(),
});

/** The `ingress.hosts` record: `argocd` plus one key per app of the catalog that can be published. */
function hostsSchema(catalog: readonly AppDefinition[]) {
  const shape: Record<string, z.ZodType> = { argocd: dnsName() };
  for (const app of catalog) {
    if (app.host === 'required') shape[app.name] = dnsName();
    if (app.host === 'optional') shape[app.name] = dnsName().optional();
  }
  return z.strictObject(shape);
}

/** The `apps` record: the settings of each app of the catalog that has any. */
function appsSchema(catalog: readonly AppDefinition[]) {
  const shape: Record<string, z.ZodType> = {};
  for (const app of catalog) if (app.settings) shape[app.name] = app.settings;
  return z.strictObject(shape);
}

/** The schema of one environment for the apps of `catalog`, including rules that span several fields. */
export function environmentSchema(catalog: readonly AppDefinition[]) {
  const fields = z.strictObject({
    /** Environment name; stacks are named `<name>-<layer>`. */
    name: z.string().regex(/^[a-z][a-z0-9]{1,11}$/, { error: 'must be 2-12 lower-case letters or digits, starting with a letter' }),
    /**
     * Whether application releases may be pre-releases (`-rc1`, `-beta.2`): chart versions and image
     * tags. Production keeps the default, so `npm run check` rejects a release candidate there.
     * @default false
     */
    allowPreReleases: z.boolean().default(false),
    /** The Kubernetes cluster the platform runs on. */
    cluster: z.discriminatedUnion('kind', [kubeconfigCluster, eksCluster], { error: 'kind must be "kubeconfig" or "eks"' }),
    /** Where Terraform keeps state. */
    state: z.discriminatedUnion('backend', [localState, s3State], { error: 'backend must be "local" or "s3"' }),
    /** The Git source that Argo CD reconciles. */
    gitops: z
      .strictObject({
        /** @default the project's repository (forks override it with GITOPS_REPO_URL) */
        repoUrl: gitUrl().default(DEFAULT_GITOPS_REPO_URL),
        /** @default 'main' */
        targetRevision: gitRevision().default('main'),
      })
      .default({ repoUrl: DEFAULT_GITOPS_REPO_URL, targetRevision: 'main' }),
    /** How the UIs are exposed. */
    ingress: z.strictObject({
      /** IngressClass of the cluster's ingress controller. */
      className: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, { error: 'must be an IngressClass name such as nginx' }),
      /** Serve TLS at the ingress. */
      tls: z.boolean(),
      /** Extra annotations for every Ingress (e.g. `cert-manager.io/cluster-issuer`). @default {} */
      annotations: z.record(z.string(), z.string()).default({}),
      /** Host names: `argocd` and one per published app. */
      hosts: hostsSchema(catalog),
    }),
    /** Argo CD; every field defaults to the `ArgoCd` construct's default. */
    argocd: z
      .strictObject({
        chart: chartRef().optional(),
        /** Git polling interval, e.g. `180s`. */
        reconciliationInterval: z.string().regex(/^\d+[smh]$/, { error: 'must be a duration such as 180s, 5m or 1h' }).optional(),
        /** Wait for Argo CD's pods to be ready before the Helm release counts as deployed. */
        wait: z.boolean().optional(),
        /** Helm install/upgrade timeout in seconds. */
        timeoutSeconds: z.number().int().min(60, { error: 'must be >= 60' }).max(3600, { error: 'must be <= 3600' }).optional(),
        resources: z
          .strictObject({
            controller: resources().optional(),
            repoServer: resources().optional(),
            server: resources().optional(),
          })
          .optional(),
      })
      .default({}),
    /** Per-app settings, keyed by app name. */
    apps: appsSchema(catalog),
  });

  return fields.superRefine((env, ctx) => {
    const fail = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });

    const hosts = Object.entries(env.ingress.hosts).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
    hosts.forEach(([key, host], i) => {
      const first = hosts.findIndex(([, h]) => h === host);
      if (first < i) fail(['ingress', 'hosts', key], `must differ from ingress.hosts.${hosts[first][0]} (${host})`);
    });

    const hasGpuNodes = env.cluster.kind === 'eks';
    for (const app of catalog) {
      if (!app.validate) continue;
      for (const problem of app.validate((env.apps as Record<string, unknown>)[app.name], { hasGpuNodes })) fail(['apps', app.name, ...problem.path], problem.message);
    }

    if (env.cluster.kind !== 'eks') return;
    const cluster = env.cluster;
    if (!env.ingress.tls) {
      fail(['ingress', 'tls'], 'must be true on EKS: a cluster reachable beyond localhost serves Argo CD and the apps over TLS only');
    }
    cluster.vpc.availabilityZones.forEach((zone, i) => {
      if (!zone.startsWith(cluster.region) || !/^[a-z]$/.test(zone.slice(cluster.region.length))) {
        fail(['cluster', 'vpc', 'availabilityZones', i], `must be a zone of ${cluster.region} such as ${cluster.region}a (got "${zone}")`);
      } else if (cluster.vpc.availabilityZones.indexOf(zone) < i) {
        fail(['cluster', 'vpc', 'availabilityZones', i], `must not repeat ${zone}`);
      }
    });
    for (const group of ['systemNodes', 'gpuNodes'] as const) {
      const { minSize, desiredSize, maxSize } = cluster[group];
      if (!(minSize <= desiredSize && desiredSize <= maxSize)) {
        fail(['cluster', group], `must satisfy minSize <= desiredSize <= maxSize (got ${minSize} <= ${desiredSize} <= ${maxSize})`);
      }
    }
  });
}

type Schema = ReturnType<typeof environmentSchema>;
/** Configuration of one environment as written in `environments/<env>.ts`. */
export type EnvironmentConfig = z.input<Schema>;
/** Configuration of one environment after validation (defaults applied). */
export type ValidEnvironment = z.output<Schema>;
/** The EKS part of an environment. */
export type EksClusterConfig = Extract<ValidEnvironment['cluster'], { kind: 'eks' }>;
/** The state backend part of an environment. */
export type StateConfig = ValidEnvironment['state'];
