import { z } from 'zod';

/** A Service an app's chart creates, which other apps (or its Secret) connect to. */
export interface AppService {
  /** Service name as a function of the Helm release name (the charts name Services after it). */
  readonly serviceName: (release: string) => string;
  /** Port of the Service. */
  readonly port: number;
  /** URL scheme, e.g. `http` or `mongodb`. */
  readonly scheme: string;
  /**
   * Path appended to the URL, e.g. `/LibreChat` (a database name).
   * @default ''
   */
  readonly path?: string;
}

/** A credential Terraform generates (or takes from a sensitive variable) into an app's Secret. */
export interface CredentialSpec {
  /** Key in the Secret, e.g. `CREDS_KEY`. */
  readonly key: string;
  /**
   * Random bytes generated when no value is supplied (hex-encoded: twice as many characters); 0
   * for a credential only its issuer can make (a webhook URL, an integration key): never
   * generated, the key is empty until a value is supplied.
   */
  readonly generatedBytes: number;
  /** RE2 pattern a supplied value must match. */
  readonly pattern: string;
  /** What the pattern requires, for the validation message. */
  readonly rule: string;
}

/**
 * The value of credential `key` of the app's Secret `secret` as a Terraform expression (never the
 * value itself), for settings built from a credential such as a connection URL with a password.
 */
export type CredentialRef = (secret: string, key: string) => string;

/** A Secret Terraform creates in an app's namespace before Argo CD syncs the app. */
export interface AppSecretDefinition {
  /** Secret name (the one the app's chart reads). */
  readonly name: string;
  /**
   * Credentials: each from a sensitive Terraform variable `<app>_<key>` (lower case, non-alphanumerics
   * as `_`) or generated.
   */
  readonly credentials: readonly CredentialSpec[];
  /**
   * Settings stored beside the credentials: connection URLs of other apps, or values built from a
   * credential of this or an earlier Secret of the app (`credential(secret, key)`), which stay
   * Terraform expressions in the synthesized JSON.
   * @default - none
   */
  readonly settings?: (context: AppContext<unknown>, credential: CredentialRef) => Record<string, string>;
}

/** Pod Security Standards levels (Pod Security Admission), strictest first. */
export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';

/** A NetworkPolicy peer (`from` entry): pods by namespace and labels, pods of the same namespace, or an IP range. */
export type NetworkPeer =
  | { readonly podSelector: { readonly matchLabels: Record<string, string> } }
  | { readonly namespaceSelector: { readonly matchLabels: Record<string, string> }; readonly podSelector?: { readonly matchLabels: Record<string, string> } }
  | { readonly ipBlock: { readonly cidr: string } };

/** An app that connects to another app: where its pods run and how they are labelled. */
export interface AppClient {
  /** The client app's name. */
  readonly app: string;
  /** The client app's namespace. */
  readonly namespace: string;
  /** Labels that select the client's pods. */
  readonly podLabels: Record<string, string>;
}

/** Scheduling onto the cluster's tainted GPU nodes. */
export interface GpuScheduling {
  readonly nodeSelector: Record<string, string>;
  /**
   * Availability zones the GPU nodes span: with more than one, a pod may land in a zone where a
   * zonal volume of its predecessor cannot follow it.
   */
  readonly zones: readonly string[];
  readonly tolerations: readonly { key: string; operator: string; value?: string; effect: string }[];
}

/**
 * GPU nodes that Karpenter launches on demand (EKS with `cluster.gpuCapacity`): what the GPU
 * NodePool and its EC2NodeClass say.
 */
export interface GpuCapacity {
  /** The NodePool's name. */
  readonly nodePool: string;
  /** Karpenter's discovery tag value (the cluster name) on the subnets and security groups. */
  readonly discoveryTag: { readonly key: string; readonly value: string };
  /** IAM role of the nodes. */
  readonly nodeRole: string;
  /** The pinned AMI alias (`al2023@v20260115`). */
  readonly amiAlias: string;
  readonly instanceTypes: readonly string[];
  /** Karpenter's spelling: `spot`, `on-demand`. */
  readonly capacityTypes: readonly string[];
  readonly zones: readonly string[];
  readonly maxGpus: number;
  readonly diskSizeGiB: number;
  readonly consolidateAfter: string;
  /**
   * The ReadWriteMany volume that keeps models for every GPU node (EFS): the PersistentVolume's
   * name and storage class, which a claim names to bind it.
   */
  readonly sharedModelVolume: { readonly volumeName: string; readonly storageClassName: string };
  /** Label and taint of the GPU nodes, as the node groups have them. */
  readonly label: { readonly key: string; readonly value: string };
  readonly taint: { readonly key: string; readonly value: string; readonly effect: string };
}

/** What an app's values are computed from: its settings and the environment's shared facts. */
export interface AppContext<S> {
  /** Environment name. */
  readonly environment: string;
  /** The app's Helm release name (its name): charts derive Service names and pod labels from it. */
  readonly release: string;
  /** The app's validated settings (`apps.<name>` of the environment). */
  readonly settings: S;
  /**
   * How the cluster's ingress is set up; `sources` are the NetworkPolicy peers the ingress
   * controller's traffic arrives from (its pods, or the VPC range of a load balancer that targets
   * pod IPs).
   */
  readonly ingress: {
    readonly className: string;
    readonly tls: boolean;
    readonly annotations: Record<string, string>;
    readonly sources: readonly NetworkPeer[];
    /**
     * Annotations of the environment's controller that keep each client on one pod (cookie
     * affinity), for an app whose pods keep per-client state; the app adds them to its Ingress.
     */
    readonly sticky: Record<string, string>;
  };
  /** The app's host name, when the environment publishes it. */
  readonly host?: string;
  /** The app's external URL, when the environment publishes it. */
  readonly url?: string;
  /** Node selector and tolerations of the GPU nodes, on clusters that have a GPU node group. */
  readonly gpuNodes?: GpuScheduling;
  /** GPU nodes launched by Karpenter, on EKS clusters with `gpuCapacity`. */
  readonly gpuCapacity?: GpuCapacity;
  /**
   * StorageClass of the app's stateful volumes (data that must outlive the app: retained when
   * its claim is deleted, backed up); undefined: the cluster's default class.
   */
  readonly statefulStorageClass?: string;
  /**
   * Availability zones the cluster's general-purpose nodes span, as configured (empty: not known,
   * e.g. minikube). With more than one, a zonal volume holds its pod in the zone it was created in.
   */
  readonly zones: readonly string[];
  /**
   * The app's own object storage bucket, when the app asks for one ({@link AppDefinition.objectStorage})
   * and the cluster provides it (EKS): its pods reach it with the credentials EKS Pod Identity gives
   * the ServiceAccount the app named, through the AWS SDK's default credential chain.
   */
  readonly objectStorage?: AppBucket;
  /**
   * Where the app's Secrets come from when they are not written by Terraform: AWS Secrets Manager
   * in `region`, each Secret's credentials in the secret named `nameOf(secret)`, synced by External
   * Secrets Operator (contracts/external-secrets.ts).
   * @default - Terraform writes the Secrets
   */
  readonly externalSecrets?: { readonly region: string; nameOf(secret: string): string };
  /** The apps of the catalog that depend on this one (they connect to its Services). */
  readonly clients: readonly AppClient[];
  /** The in-cluster URL of a Service of an app in the catalog. */
  serviceUrl(app: string, service: string): string;
  /** The validated settings of another app of the catalog. */
  settingsOf(app: string): unknown;
}

/**
 * Argo CD sync options an app may add to its Application, beside the platform's own
 * (`CreateNamespace=false`): `ServerSideApply=true` for charts whose objects (large CRDs) exceed
 * the client-side `last-applied-configuration` annotation limit, `SkipDryRunOnMissingResource=true`
 * for charts whose custom resources' CRDs another app installs.
 */
export type AppSyncOption = 'ServerSideApply=true' | 'SkipDryRunOnMissingResource=true';

/**
 * A cluster-scoped kind an app's chart creates (CustomResourceDefinition, ClusterRole, webhook
 * configurations…): exactly the group and kind, never a wildcard.
 */
export interface ClusterResourceKind {
  /** API group, `''` for the core group (e.g. `rbac.authorization.k8s.io`). */
  readonly group: string;
  /** Kind (e.g. `ClusterRole`). */
  readonly kind: string;
}

/**
 * How the cluster's ingress serves one app in an environment: what the app's
 * {@link IngressAdapter} writes into its chart's values.
 */
export interface AppIngress {
  /** The app's host name; undefined when the environment does not publish the app. */
  readonly host?: string;
  /** The IngressClass to use. */
  readonly className: string;
  /** Whether the Ingress terminates TLS. */
  readonly tls: boolean;
  /** Annotations the environment's ingress controller needs (may be empty). */
  readonly annotations: Record<string, string>;
  /** Name of the TLS Secret of the host, for charts that ask for one (`<app>-tls`). */
  readonly tlsSecretName: string;
}

/**
 * Writes an app's Ingress in its own chart's layout: the values (from the chart's root) merged
 * into the app's Application values, including the "disabled" form when `host` is undefined.
 */
export type IngressAdapter = (ingress: AppIngress) => Record<string, unknown>;

/**
 * An exception to the default-deny ingress NetworkPolicy of every app namespace (rendered by the
 * shared `apps/isolation` chart): pods selected by labels admit `from` on `ports`.
 */
export interface IngressAllowRule {
  /** Suffix of the NetworkPolicy name (`<release>-<name>`): a DNS label. */
  readonly name: string;
  /** Labels selecting the pods the rule opens. */
  readonly podLabels: Record<string, string>;
  /** Who may connect; a rule with no peers is left out (it would admit everyone). */
  readonly from: readonly NetworkPeer[];
  /** Container ports (names or numbers), TCP. */
  readonly ports: readonly (string | number)[];
}

/** An app's object storage bucket as its pods see it. */
export interface AppBucket {
  /** The bucket's name. */
  readonly bucket: string;
  /** The bucket's region. */
  readonly region: string;
}

/** What an app asks of the platform's object storage. */
export interface AppObjectStorage<S> {
  /** Whether the app's settings in an environment use the bucket. */
  readonly enabled: (settings: S) => boolean;
  /** The ServiceAccount of the pods that use it, as a function of the release name (the chart is told this name). */
  readonly serviceAccount: (release: string) => string;
}

/** A Terraform output of an app: a plain message, never a secret. */
export interface AppOutput {
  readonly value: string;
  readonly description: string;
}

/** What an app's settings may be checked against: the cluster's shape. */
export interface ClusterFacts {
  /** Whether the cluster has a GPU node group (EKS). */
  readonly hasGpuNodes: boolean;
  /** Whether the cluster serves users beyond the operator's machine (EKS), rather than a local one (kubeconfig). */
  readonly serving: boolean;
  /** Availability zones the cluster's nodes span, as configured (0: not known, e.g. a kubeconfig cluster). */
  readonly availabilityZones: number;
  /** Whether the cluster runs KEDA (EKS with `gpuCapacity`), which can scale a Deployment to zero. */
  readonly scalesToZero: boolean;
  /** Whether the platform can give an app a bucket of its own ({@link AppDefinition.objectStorage}: EKS). */
  readonly objectStorage: boolean;
}

/** A cross-field rule of an app's settings: the problem's path below `apps.<name>` and its message. */
export interface SettingsProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * One application of the platform: an Argo CD Application syncing the wrapper chart
 * `apps/<name>` into its own namespace, plus what Terraform must create for it first.
 */
export interface AppDefinition<S = unknown> {
  /** Application, Helm release and wrapper chart name (`apps/<name>`): a DNS label. */
  readonly name: string;
  /** Namespace the release lives in; Terraform creates it. */
  readonly namespace: string;
  /**
   * Apps that must be synced first; the sync waves follow from them.
   * @default []
   */
  readonly dependsOn?: readonly string[];
  /**
   * Whether the environment serves the app on a host name (`ingress.hosts.<name>`):
   * `required`, `optional`, or `none` (in-cluster only).
   * @default 'none'
   */
  readonly host?: 'required' | 'optional' | 'none';
  /**
   * Whether the app authenticates its users itself. An environment that publishes an app without
   * authentication must limit its host to `ingress.sourceRanges.<name>`.
   * @default 'builtin'
   */
  readonly authentication?: 'builtin' | 'none';
  /**
   * The Service the app's Ingress routes to (the ALB matches per-host source ranges on it).
   * @default - the Service named after the release
   */
  readonly ingressService?: (release: string) => string;
  /**
   * Schema of the app's per-environment settings (`apps.<name>` of an environment).
   * @default - the app has no settings
   */
  readonly settings?: z.ZodType<S>;
  /**
   * Rules spanning the app's settings and the cluster.
   * @default - none
   */
  readonly validate?: (settings: S, cluster: ClusterFacts) => SettingsProblem[];
  /**
   * The chart values the environment injects (the Application's `valuesObject`).
   * @default - none
   */
  readonly values?: (context: AppContext<S>) => Record<string, unknown>;
  /**
   * How the app's chart writes its Ingress (`host: 'required' | 'optional'` needs one); the
   * program assumes no layout. See contracts/ingress-adapters.ts for the common ones.
   * @default - the app has no Ingress
   */
  readonly ingress?: IngressAdapter;
  /**
   * Exceptions to the default-deny ingress NetworkPolicy of the app's namespace, from the
   * environment (e.g. the ingress controller's peers, `context.ingress.sources`, for a published
   * app, and `context.clients` for the apps that depend on it).
   * @default - nothing admitted: every pod of the namespace is closed to ingress traffic
   */
  readonly allowIngress?: (context: AppContext<S>) => readonly IngressAllowRule[];
  /**
   * Services other apps connect to, by name.
   * @default {}
   */
  readonly services?: Readonly<Record<string, AppService>>;
  /**
   * Secrets Terraform creates in the app's namespace.
   * @default []
   */
  readonly secrets?: readonly AppSecretDefinition[];
  /**
   * The strictest Pod Security Standards level every pod the app's chart renders passes; the
   * namespace enforces it (the least strict level of the apps sharing it).
   * @default 'restricted'
   */
  readonly podSecurity?: PodSecurityLevel;
  /**
   * NVIDIA GPUs each of the app's pods needs, from its settings; `npm run render` checks that the
   * rendered workloads request them and, on clusters with a GPU node group, select and tolerate
   * the GPU nodes.
   * @default - no GPUs
   */
  readonly gpus?: (settings: S) => number;
  /**
   * The names of the workloads that need those GPUs, from the Helm release name; the app's other
   * workloads (a gateway in front of the GPU server, say) run off the GPU nodes.
   * @default - every workload of the app
   */
  readonly gpuWorkloads?: (release: string) => readonly string[];
  /**
   * Labels selecting the app's pods that connect to the apps it depends on, as a function of the
   * release name; the dependencies' NetworkPolicies admit exactly these pods.
   * @default - selects every pod of the app's namespace
   */
  readonly clientPodLabels?: (release: string) => Record<string, string>;
  /**
   * Argo CD sync options of the app's Application, added to the platform's.
   * @default []
   */
  readonly syncOptions?: readonly AppSyncOption[];
  /**
   * Cluster-scoped kinds the app's chart creates. An app with any is a platform component: its
   * Application belongs to a second AppProject that allows exactly the kinds its apps list (the
   * apps without any stay in the project that allows none).
   * @default [] (namespaced objects only)
   */
  readonly clusterResources?: readonly ClusterResourceKind[];
  /**
   * Whether every pod of the app runs on the GPU nodes without requesting GPUs (a per-node agent
   * such as a GPU metrics exporter): on clusters with a GPU node group `npm run render` checks
   * that its workloads select and tolerate them.
   * @default false
   */
  readonly onGpuNodes?: boolean;
  /**
   * Email addresses that receive the platform's alerts raised outside the cluster, where the app's
   * Alertmanager cannot be reached (failed AWS Backup jobs), from its settings.
   * @default - none
   */
  readonly alertEmails?: (settings: S) => readonly string[];
  /**
   * Terraform outputs of the apps stack that tell the operator something about the app after a
   * deploy (e.g. where its alerts go), by output name suffix (`<app>_<name>`).
   * @default - none
   */
  readonly outputs?: (context: AppContext<S>) => Readonly<Record<string, AppOutput>>;
  /**
   * What `apps/<name>` holds: `wrapper`, a chart depending on an upstream chart at an exact
   * version; `own`, a chart of the platform's own objects (dashboards, alerting rules) in its
   * `templates/`, with no upstream chart.
   * @default 'wrapper'
   */
  readonly chart?: 'wrapper' | 'own';
  /**
   * Deployments of the app's chart (names) whose replica count an autoscaler changes in an
   * environment (KEDA scaling to zero): Argo CD leaves their `spec.replicas` alone there, and keeps
   * healing it everywhere else.
   * @default - none
   */
  readonly autoscaledDeployments?: (context: AppContext<S>) => readonly string[];
  /**
   * A bucket of the app's own, on clusters that provide object storage (EKS): versioned, encrypted
   * with its own key, private, TLS-only, backed up with the volumes, reachable only through a Pod
   * Identity role of the app's ServiceAccount; `context.objectStorage` names it.
   * @default - no bucket
   */
  readonly objectStorage?: AppObjectStorage<S>;
}

/** Declares an app with typed settings; the catalog holds them as `AppDefinition<unknown>`. */
export function defineApp<S>(definition: AppDefinition<S>): AppDefinition<unknown> {
  return definition as unknown as AppDefinition<unknown>;
}
