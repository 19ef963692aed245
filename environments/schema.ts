/**
 * The one schema every environment is validated against before any stack is created. It is built
 * from the app catalog: `apps.<name>` holds each app's settings and `ingress.hosts` has a key per
 * published app. Environments are data: constructs read these fields and never branch on an
 * environment's name.
 */
import { z } from 'zod';
import { AppDefinition } from '../contracts/app-definition';
import { RepositoryAuth } from '../contracts/repository-auth';
import { eksCluster, kubeconfigCluster } from './cluster-schema';
import { DEFAULT_GITOPS_REPO_URL } from './defaults';
import { IngressController, ingressProblems, internetFacing } from './ingress-controllers';
import { secretSourceProblem, secretsField } from './secret-source';
import { awsCron, awsRegion, chartRef, dnsName, gitRevision, gitUrl, ingressAnnotationRecord, ipv4Cidr, resources } from './rules';

const localState = z.strictObject({
  /** Terraform state in `terraform.<stack>.tfstate` next to the project. */
  backend: z.literal('local'),
});

const s3State = z.strictObject({
  /** Terraform state in S3, encrypted, with locking. */
  backend: z.literal('s3'),
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'must be a valid S3 bucket name (3-63 lower-case letters, digits, dots, dashes)' }),
  /** Key prefix; each stack's state lives at `<keyPrefix>/<stack>.tfstate`. */
  keyPrefix: z
    .string()
    .regex(/^[A-Za-z0-9!_.*'()-]+(?:\/[A-Za-z0-9!_.*'()-]+)*$/, { error: 'must be a relative S3 key prefix without leading or trailing slash' }),
  region: awsRegion(),
  /**
   * DynamoDB lock table, used besides the S3-native lock file (Terraform >= 1.10, OpenTofu >= 1.10);
   * deprecated by Terraform: set it only while older runs still lock with the table.
   * @default - S3-native lock files only
   */
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
        /**
         * Credentials for a private repository, from sensitive Terraform variables.
         * @default - a public repository
         */
        repositoryAuth: z.enum(RepositoryAuth, { error: 'must be "https-token" or "ssh-key"' }).optional(),
      })
      .default({ repoUrl: DEFAULT_GITOPS_REPO_URL, targetRevision: 'main' }),
    /** How the UIs are exposed. */
    ingress: z.strictObject({
      /**
       * The controller serving the Ingresses; its annotations come from environments/ingress-controllers.ts.
       * @default 'nginx'
       */
      controller: z.enum(IngressController, { error: 'must be "nginx" or "alb"' }).default(IngressController.NGINX),
      /** IngressClass of the cluster's ingress controller. */
      className: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, { error: 'must be an IngressClass name such as nginx' }),
      /** Serve TLS at the ingress. */
      tls: z.boolean(),
      /**
       * Extra annotations for every Ingress (e.g. `cert-manager.io/cluster-issuer`); configuration
       * snippets (`*-snippet`) are rejected. @default {}
       */
      annotations: ingressAnnotationRecord().default({}),
      /** Host names: `argocd` and one per published app. */
      hosts: hostsSchema(catalog),
      /**
       * Client ranges allowed per host (`argocd` or an app): the ingress admits no one else. Apps
       * without their own authentication must have one where they are published.
       * @default {}
       */
      sourceRanges: z
        .record(
          z.string(),
          z
            .array(ipv4Cidr(0, 32).refine((cidr) => !cidr.endsWith('/0'), { error: 'must not be /0: an allowlist of everything restricts nothing' }))
            .min(1, { error: 'must list at least one CIDR' })
            .max(20, { error: 'must list at most 20 CIDRs' }),
        )
        .default({}),
    }),
    /** Argo CD; every field defaults to the `ArgoCd` construct's default. */
    argocd: z
      .strictObject({
        chart: chartRef().optional(),
        /** Git polling interval, e.g. `180s`. */
        reconciliationInterval: z
          .string()
          .regex(/^\d+[smh]$/, { error: 'must be a duration such as 180s, 5m or 1h' })
          .optional(),
        /** Wait for Argo CD's pods to be ready before the Helm release counts as deployed. */
        wait: z.boolean().optional(),
        /** Helm install/upgrade timeout in seconds. */
        timeoutSeconds: z.number().int().min(60, { error: 'must be >= 60' }).max(3600, { error: 'must be <= 3600' }).optional(),
        /**
         * Single sign-on with Argo CD's own OIDC client; the client secret is the sensitive
         * variable `argocd_oidc_client_secret`.
         * @default - no SSO
         */
        oidc: z
          .strictObject({
            name: z.string().min(1, { error: 'must not be empty' }).max(64, { error: 'must be at most 64 characters' }),
            issuer: z.string().regex(/^https:\/\/[^\s/@]+(?:\/\S*)?$/, { error: 'must be an https:// issuer URL' }),
            clientId: z.string().regex(/^[A-Za-z0-9._:@-]{1,255}$/, { error: 'must be 1-255 letters, digits or ._:@-' }),
            adminGroups: z
              .array(z.string().regex(/^[^\s,]{1,255}$/, { error: 'must be a group name without spaces or commas' }))
              .max(20)
              .optional(),
            keepLocalAdmin: z.boolean().optional(),
          })
          .optional(),
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
    /**
     * Scheduled backups of the stateful volumes (MongoDB, Meilisearch, Ollama's models) with AWS
     * Backup, selected by the tag their StorageClass gives them. Required on EKS; a kubeconfig
     * cluster has none.
     * @default - none
     */
    backup: z
      .strictObject({
        /** Days each recovery point is kept. */
        retentionDays: z
          .number()
          .int({ error: 'must be a whole number of days' })
          .min(1, { error: 'must be >= 1' })
          .max(3650, { error: 'must be <= 3650 (ten years)' }),
        /**
         * When the backup starts (UTC).
         * @default 'cron(0 3 * * ? *)' (daily at 03:00 UTC)
         */
        schedule: awsCron().default('cron(0 3 * * ? *)'),
      })
      .optional(),
    /** Where the apps' credentials live (environments/secret-source.ts). */
    secrets: secretsField(),
  });

  return fields.superRefine((env, ctx) => {
    const fail = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });

    const hosts = Object.entries(env.ingress.hosts).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
    hosts.forEach(([key, host], i) => {
      const first = hosts.findIndex(([, h]) => h === host);
      if (first < i) fail(['ingress', 'hosts', key], `must differ from ingress.hosts.${hosts[first][0]} (${host})`);
    });

    const hostKeys = ['argocd', ...catalog.filter((app) => app.host === 'required' || app.host === 'optional').map((app) => app.name)];
    for (const key of Object.keys(env.ingress.sourceRanges)) {
      if (!hostKeys.includes(key)) fail(['ingress', 'sourceRanges', key], `must name a host of ingress.hosts (${hostKeys.join(', ')})`);
    }
    for (const app of catalog) {
      const published = (env.ingress.hosts as Record<string, string | undefined>)[app.name];
      if (app.authentication === 'none' && published && !env.ingress.sourceRanges[app.name]) {
        fail(
          ['ingress', 'hosts', app.name],
          `must not be published without ingress.sourceRanges.${app.name}: ${app.name} has no authentication of its own (leave the host unset; in-cluster clients reach it without one)`,
        );
      }
    }

    const hasGpuNodes = env.cluster.kind === 'eks';
    const availabilityZones = env.cluster.kind === 'eks' ? env.cluster.vpc.availabilityZones.length : 0;
    const objectStorage = env.cluster.kind === 'eks';
    for (const app of catalog) {
      if (!app.validate) continue;
      for (const problem of app.validate((env.apps as Record<string, unknown>)[app.name], {
        hasGpuNodes,
        availabilityZones,
        scalesToZero: env.cluster.kind === 'eks' && env.cluster.gpuCapacity !== undefined,
        objectStorage,
        serving: env.cluster.kind === 'eks',
      }))
        fail(['apps', app.name, ...problem.path], problem.message);
    }

    for (const problem of ingressProblems(env)) fail([...problem.path], problem.message);

    // Argo CD can change everything in the cluster: on the internet, never behind its local admin alone.
    if (internetFacing(env) && !env.argocd.oidc && !env.ingress.sourceRanges.argocd) {
      fail(
        ['argocd'],
        'must have SSO (argocd.oidc) or an allowlist (ingress.sourceRanges.argocd): Argo CD is on an internet-facing load balancer, and its local admin account alone must not guard it (or make the load balancer internal: ingress.annotations "alb.ingress.kubernetes.io/scheme": "internal")',
      );
    }

    const secretsProblem = secretSourceProblem(env);
    if (secretsProblem) fail(['secrets', 'source'], secretsProblem);

    if (env.cluster.kind !== 'eks' && env.backup) {
      fail(['backup'], 'must not be set on a kubeconfig cluster: backups use AWS Backup and EBS volumes (EKS only)');
    }
    if (env.cluster.kind !== 'eks') return;
    const cluster = env.cluster;
    if (!env.backup) {
      fail(['backup'], 'must be set on EKS (retentionDays): the chats, the search index and the models are backed up on a schedule');
    }
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
