/**
 * The app catalog: every application the platform deploys through Argo CD. Namespaces,
 * Applications, sync waves, the AppProject, the Secrets Terraform creates, URL outputs and the
 * `apps`/`ingress.hosts` fields of the environment schema all derive from this list.
 *
 * Adding an app is `apps/<name>/` (wrapper chart, `values.yaml`, `values-<env>.yaml`) plus one
 * entry here.
 */
import { z } from 'zod';
import { AppClient, AppContext, AppDefinition, IngressAdapter, IngressAllowRule, NetworkPeer, defineApp } from '../contracts/app-definition';
import { hostsListIngress } from '../contracts/ingress-adapters';
import { toYaml } from '../contracts/yaml';
import { modelName, quantity } from '../contracts/rules';
import {
  RECEIVERS_SECRET,
  RECEIVERS_SECRET_CREDENTIALS,
  alertEmails,
  alertRoutingSummary,
  alertingProblems,
  alertingSettings,
  alertmanagerConfig,
} from './alerting';
import { GATEWAY_PORT, KEDA_OPERATOR_PEER, WAKE_MINUTES, gatewayName, gatewayPodLabels, prometheusPeer, scaleToZeroValues } from './ollama-scaling';

/** `{ [key]: class }` for a chart's persistence block when the environment has a class for stateful volumes. */
function storageClass(context: AppContext<unknown>, key: string): Record<string, string> {
  return context.statefulStorageClass ? { [key]: context.statefulStorageClass } : {};
}

/** NetworkPolicy peers for the pods of the apps that call a Service: their namespace and pod labels. */
function clientPeers(clients: readonly AppClient[]): NetworkPeer[] {
  return clients.map((client) => ({
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': client.namespace } },
    podSelector: { matchLabels: client.podLabels },
  }));
}

/** The namespace of the monitoring apps: Prometheus, Grafana, the exporters and the platform's monitoring content. */
const MONITORING_NAMESPACE = 'monitoring';

/** The release of the platform's monitoring content, whose chat probe (a blackbox exporter) asks Ollama and LibreChat. */
const PLATFORM_MONITORING_RELEASE = 'platform-monitoring';

/** Labels of the chat probe's pods (apps/platform-monitoring/templates/chat-probe.yaml). */
const CHAT_PROBE_POD_LABELS = { 'app.kubernetes.io/name': 'chat-probe', 'app.kubernetes.io/instance': PLATFORM_MONITORING_RELEASE };

/** The chat probe's pods, as a NetworkPolicy peer of the apps it asks. */
const CHAT_PROBE_PEER: NetworkPeer = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': MONITORING_NAMESPACE } },
  podSelector: { matchLabels: CHAT_PROBE_POD_LABELS },
};

const ollamaSettings = z.strictObject({
  /** Models pulled at start-up, each with an explicit tag. */
  models: z.array(modelName()).min(1, { error: 'must list at least one model' }),
  /** NVIDIA GPUs per Ollama pod; 0 runs on CPU. */
  gpuCount: z.number().int().min(0, { error: 'must be >= 0' }).max(8, { error: 'must be <= 8' }),
  /** Size of the persistent model volume. */
  volumeSize: quantity(),
  /**
   * Run Ollama only during active hours (KEDA's cron trigger, EKS with `cluster.gpuCapacity`):
   * one replica from `start` to `end`, zero otherwise; Karpenter then removes the empty GPU node.
   * @default - always one replica
   */
  activeHours: z
    .strictObject({
      /** IANA time zone of the schedule, e.g. Europe/Paris. */
      timezone: z.string().regex(/^[A-Za-z]+(?:\/[A-Za-z0-9_+-]+){0,2}$/, { error: 'must be an IANA time zone such as Europe/Paris' }),
      /** Cron expression (5 fields) of the start, e.g. `0 7 * * 1-5`. */
      start: cronSchedule(),
      /** Cron expression (5 fields) of the end, e.g. `0 19 * * 1-5`. */
      end: cronSchedule(),
    })
    .optional(),
  /**
   * Scale Ollama to zero after this many minutes without a request through the wake gateway, and
   * wake it on the next request (KEDA's `prometheus` trigger on the gateway's request counter;
   * EKS with `cluster.gpuCapacity`). With `activeHours` too, this applies outside them.
   * @default - no request-driven scaling
   */
  idleAfterMinutes: z
    .number()
    .int({ error: 'must be a whole number of minutes' })
    .min(5, { error: 'must be >= 5 (a GPU node is not worth stopping for less)' })
    .max(1440, { error: 'must be <= 1440 (a day)' })
    .optional(),
});

/** A 5-field cron expression of digits, `*`, `,`, `-` and `/` (what KEDA's cron trigger reads). */
function cronSchedule() {
  return z.string().regex(/^[0-9*,/-]+(?: [0-9*,/-]+){4}$/, { error: 'must be a 5-field cron expression such as 0 7 * * 1-5 (digits, *, ",", "-", "/")' });
}

/** Settings of Ollama in an environment (`apps.ollama`). */
export type OllamaSettings = z.output<typeof ollamaSettings>;

const OLLAMA_NAMESPACE = 'ollama';

/** The monitoring stack's app name (its Prometheus is where KEDA reads the gateway's requests). */
const MONITORING_APP = 'kube-prometheus-stack';

/** Ollama, the model server (otwld chart: its own settings sit one level down, at `ollama.ollama`). */
export const OLLAMA = defineApp<OllamaSettings>({
  name: 'ollama',
  namespace: OLLAMA_NAMESPACE,
  host: 'optional',
  // Ollama's API has no authentication: anyone who reaches it can use the GPUs and pull or delete
  // models. Published only with a source-range allowlist; LibreChat reaches it in-cluster.
  authentication: 'none',
  settings: ollamaSettings,
  validate: (settings, cluster) => [
    ...(cluster.hasGpuNodes && settings.gpuCount < 1 ? [{ path: ['gpuCount'], message: 'must be >= 1 when the cluster has a GPU node group' }] : []),
    ...(['activeHours', 'idleAfterMinutes'] as const)
      .filter((key) => settings[key] !== undefined && !cluster.scalesToZero)
      .map((key) => ({ path: [key], message: 'needs an EKS cluster with cluster.gpuCapacity (KEDA scales Ollama and Karpenter removes the idle GPU node)' })),
  ],
  // KEDA owns the replica count where the environment scales Ollama to zero; elsewhere Argo CD heals it.
  autoscaledDeployments: (context) => (scalesToZero(context.settings) ? [context.release] : []),
  services: {
    api: { serviceName: (release) => release, port: 11434, scheme: 'http' },
    // The wake gateway in front of `api` (apps/ollama-scaling.ts), where Ollama scales to zero.
    gateway: { serviceName: gatewayName, port: GATEWAY_PORT, scheme: 'http' },
  },
  // The upstream image runs as root (models in /root/.ollama): baseline, not restricted.
  podSecurity: 'baseline',
  // The wake gateway's PodMonitor needs the Prometheus Operator's CRDs (kube-prometheus-stack).
  syncOptions: ['SkipDryRunOnMissingResource=true'],
  gpus: (settings) => settings.gpuCount,
  // The otwld chart's Deployment (named after the release); the wake gateway needs no GPU.
  gpuWorkloads: (release) => [release],
  // The otwld chart's Ingress sits one level up from its own settings: `ollama.ingress`.
  ingress: hostsListIngress(['ollama', 'ingress']),
  // The API admits the apps that depend on Ollama and, when Ollama is published, the ingress
  // controller (pods selected by the chart's selector labels).
  allowIngress: (context) => [
    ...(scalesToZero(context.settings)
      ? [
          // Clients reach Ollama through the wake gateway only; Prometheus reads its request counter.
          { name: 'gateway', podLabels: gatewayPodLabels(context.release), from: clientPeers(context.clients), ports: ['http'] },
          { name: 'gateway-metrics', podLabels: gatewayPodLabels(context.release), from: [prometheusPeer(MONITORING_NAMESPACE)], ports: ['metrics'] },
        ]
      : []),
    {
      name: 'api',
      podLabels: { 'app.kubernetes.io/name': 'ollama', 'app.kubernetes.io/instance': context.release },
      from: [
        ...(scalesToZero(context.settings) ? [{ podSelector: { matchLabels: gatewayPodLabels(context.release) } }] : clientPeers(context.clients)),
        ...(context.host ? context.ingress.sources : []),
      ],
      ports: ['http'],
    },
    // The chat probe asks for the model list.
    {
      name: 'api-from-chat-probe',
      podLabels: { 'app.kubernetes.io/name': 'ollama', 'app.kubernetes.io/instance': context.release },
      from: [CHAT_PROBE_PEER],
      ports: ['http'],
    },
  ],
  values: (context) => ({
    ollama: {
      ollama: {
        gpu: context.settings.gpuCount > 0 ? { enabled: true, number: context.settings.gpuCount } : { enabled: false },
        models: { pull: context.settings.models },
      },
      ...ollamaModelsVolume(context),
      ...(context.gpuNodes ? { nodeSelector: context.gpuNodes.nodeSelector, tolerations: context.gpuNodes.tolerations } : {}),
    },
    // apps/ollama/templates/scaledobject.yaml and gateway.yaml; the otwld chart names the Deployment after the release.
    ...(scalesToZero(context.settings) ? scaleToZeroValues(context, OLLAMA_NAMESPACE, context.serviceUrl(MONITORING_APP, 'prometheus')) : {}),
  }),
});

/** Whether KEDA scales Ollama to zero (on a schedule, when idle, or both). */
function scalesToZero(settings: OllamaSettings): boolean {
  return settings.activeHours !== undefined || settings.idleAfterMinutes !== undefined;
}

/** Where Ollama keeps its models (`OLLAMA_MODELS` defaults to `~/.ollama/models`; the image runs as root). */
const OLLAMA_MODELS_PATH = '/root/.ollama/models';

/**
 * Ollama's model volume. GPU nodes from Karpenter (`cluster.gpuCapacity`): a claim on the shared
 * ReadWriteMany volume of the cluster's EFS model store, so a new node in any zone finds the models
 * already there. GPU nodes in one zone (or none): the chart's PersistentVolumeClaim, kept
 * across restarts (retained and backed up on EKS). GPU nodes in several zones: a zonal volume would
 * hold the pod in its zone, so each pod gets a generic ephemeral volume of the default class,
 * created in the zone the pod lands in and deleted with it; the chart pulls `models.pull` at
 * every start. Not the retained class: every pod would leave a volume behind.
 */
function ollamaModelsVolume(context: AppContext<OllamaSettings>): Record<string, unknown> {
  const shared = context.gpuCapacity?.sharedModelVolume;
  if (shared) {
    // GPU nodes from Karpenter, in any zone: the models on the shared file system, pulled once.
    return {
      persistentVolume: {
        enabled: true,
        accessModes: ['ReadWriteMany'],
        size: context.settings.volumeSize,
        storageClass: shared.storageClassName,
        volumeName: shared.volumeName,
      },
    };
  }
  if ((context.gpuNodes?.zones.length ?? 1) <= 1) {
    return { persistentVolume: { enabled: true, size: context.settings.volumeSize, ...storageClass(context, 'storageClass') } };
  }
  return {
    // The chart's own volume becomes an emptyDir (Ollama's key); the models get the per-pod volume.
    persistentVolume: { enabled: false },
    volumes: [
      {
        name: 'models',
        ephemeral: {
          volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: context.settings.volumeSize } } } },
        },
      },
    ],
    volumeMounts: [{ name: 'models', mountPath: OLLAMA_MODELS_PATH }],
  };
}

/** URL-safe characters only: the MongoDB password is embedded in MONGO_URI. */
const URL_SAFE_PASSWORD = { pattern: '^[A-Za-z0-9._~-]{16,}$', rule: 'at least 16 characters of letters, digits, ".", "_", "~" or "-"' };

/** MongoDB's credentials, in the Secret the wrapper chart's MongoDB reads (`mongodb.auth.existingSecret`). */
const MONGODB_CREDENTIALS = [
  { key: 'mongodb-root-password', generatedBytes: 24, ...URL_SAFE_PASSWORD },
  // The password of LibreChat's user (`mongodb.auth.username`).
  { key: 'mongodb-passwords', generatedBytes: 24, ...URL_SAFE_PASSWORD },
  // The key file the replica set's members authenticate each other with (base64 characters, 6 to 1024).
  { key: 'mongodb-replica-set-key', generatedBytes: 48, pattern: '^[A-Za-z0-9+/=]{6,1024}$', rule: '6 to 1024 base64 characters' },
];

/** LibreChat's own credentials. */
const LIBRECHAT_CREDENTIALS = [
  { key: 'CREDS_KEY', generatedBytes: 32, pattern: '^[0-9a-fA-F]{64}$', rule: 'exactly 64 hex characters (32 bytes)' },
  { key: 'CREDS_IV', generatedBytes: 16, pattern: '^[0-9a-fA-F]{32}$', rule: 'exactly 32 hex characters (16 bytes)' },
  { key: 'JWT_SECRET', generatedBytes: 32, pattern: '^\\S{32,}$', rule: 'at least 32 characters without whitespace' },
  { key: 'JWT_REFRESH_SECRET', generatedBytes: 32, pattern: '^\\S{32,}$', rule: 'at least 32 characters without whitespace' },
];

/** Meilisearch's master key: its own Secret, so Meilisearch (which imports the whole Secret) sees nothing else. */
const MEILISEARCH_CREDENTIALS = [
  { key: 'MEILI_MASTER_KEY', generatedBytes: 32, pattern: '^[A-Za-z0-9_-]{16,}$', rule: 'at least 16 characters of letters, digits, "_" or "-"' },
];

/** Names and settings the LibreChat Secrets, MongoDB and LibreChat's pod agree on. */
const LIBRECHAT_SECRETS = {
  /** The name the chart reads by default (`global.librechat.existingSecretName`). */
  credentials: 'librechat-credentials-env',
  mongodb: 'librechat-mongodb',
  meilisearch: 'librechat-meilisearch',
} as const;
/** The MongoDB user and database of LibreChat (`mongodb.auth.username`/`database`). */
const MONGODB_USER = 'librechat';
const MONGODB_DATABASE = 'LibreChat';
/** Settings Terraform stores beside LibreChat's credentials. */
const LIBRECHAT_SETTINGS = ['MONGO_URI', 'OLLAMA_BASE_URL'] as const;

/** The name of MongoDB's replica set (`mongodb.replicaSet.name` of apps/librechat/values.yaml). */
const MONGODB_REPLICA_SET = 'rs0';

/**
 * LibreChat's `MONGO_URI`: the standalone's Service, or every member of the replica set (its pods'
 * names under the headless Service `<service>-headless`) with `replicaSet=<name>`; the user
 * authenticates against the database of the path, as it was created there. The password is
 * URL-safe by its pattern.
 */
export function mongoUri(options: {
  readonly service: { readonly name: string; readonly namespace: string; readonly port: number };
  readonly database: string;
  readonly user: string;
  readonly password: string;
  readonly replicas: number;
}): string {
  const { service, database, user, password, replicas } = options;
  const hosts =
    replicas > 1
      ? Array.from({ length: replicas }, (_, i) => `${service.name}-${i}.${service.name}-headless.${service.namespace}.svc.cluster.local:${service.port}`)
      : [`${service.name}.${service.namespace}.svc.cluster.local:${service.port}`];
  return `mongodb://${user}:${password}@${hosts.join(',')}/${database}${replicas > 1 ? `?replicaSet=${MONGODB_REPLICA_SET}` : ''}`;
}

/**
 * LibreChat's container reads each required key with a non-optional `secretKeyRef`: the chart's
 * own `envFrom` Secret reference is `optional`, so without these a missing Secret or key would
 * start LibreChat without credentials instead of failing (CreateContainerConfigError).
 */
const LIBRECHAT_REQUIRED_ENV = [
  ...[...LIBRECHAT_CREDENTIALS.map((c) => c.key), ...LIBRECHAT_SETTINGS].map((key) => ({ key, secret: LIBRECHAT_SECRETS.credentials })),
  ...MEILISEARCH_CREDENTIALS.map((c) => ({ key: c.key, secret: LIBRECHAT_SECRETS.meilisearch })),
].map(({ key, secret }) => ({ name: key, valueFrom: { secretKeyRef: { name: secret, key } } }));

const LIBRECHAT_NAMESPACE = 'librechat';
/** The wrapper chart's MongoDB Service (apps/librechat/templates/mongodb.yaml), named after the release. */
const LIBRECHAT_MONGODB_SERVICE = (release: string) => `${release}-mongodb`;
const MONGODB_PORT = 27017;

/** LibreChat's ServiceAccount (`librechat.serviceAccount.name`): the one its bucket's Pod Identity role is given to. */
const LIBRECHAT_SERVICE_ACCOUNT = (release: string) => `${release}-librechat`;

/**
 * Where Meilisearch keeps its index on a per-pod volume. Not the chart's data path (`/meili_data`):
 * without persistence the chart (0.11.0) mounts an emptyDir there itself, so the volume goes beside
 * it and `MEILI_DB_PATH` points Meilisearch at it.
 */
const MEILISEARCH_INDEX_PATH = '/meili_index';

/** The chart's selector labels of the LibreChat pods (fullname `<release>-librechat`). */
const LIBRECHAT_POD_LABELS = (release: string) => ({ 'app.kubernetes.io/name': `${release}-librechat`, 'app.kubernetes.io/instance': release });

const librechatSettings = z
  .strictObject({
    /**
     * Whether anyone who reaches the host can create an account (LibreChat's `ALLOW_REGISTRATION`)
     * and so use the GPUs. Closed by default: accounts are created by an administrator
     * (docs/workloads.md#librechat-accounts); prefer SSO or an allowlist
     * (`ingress.sourceRanges.librechat`) to opening it on a public host.
     * @default false
     */
    allowRegistration: z.boolean({ error: 'must be true or false' }).default(false),
    /** LibreChat's MongoDB. */
    mongodb: z
      .strictObject({
        /**
         * Members: 1 runs a standalone; 3, 5 or 7 a replica set that keeps a majority when one
         * member (one zone) fails (docs/workloads.md#mongodb-replica-set).
         * @default 1
         */
        replicas: z
          .number()
          .int({ error: 'must be a whole number' })
          .refine((n) => n === 1 || (n >= 3 && n <= 7 && n % 2 === 1), { error: 'must be 1 (standalone) or 3, 5 or 7 (an odd number of replica set members)' })
          .default(1),
        /**
         * What the members spread over (one at most more than any other): `zones`
         * (`topology.kubernetes.io/zone`), or `nodes` (`kubernetes.io/hostname`) on a cluster
         * without zones.
         * @default 'zones'
         */
        spreadOver: z.enum(['zones', 'nodes'], { error: 'must be zones or nodes' }).default('zones'),
      })
      .default({ replicas: 1, spreadOver: 'zones' }),
    /**
     * LibreChat pods. More than one needs `fileStorage: s3` (the images volume mounts on one node
     * only) and fewer than the cluster's zones: the pods run in different zones (one per zone at
     * most, one zone left for the new pod of a rolling update) and a disruption budget keeps all
     * but one up through node drains. Without Redis each pod keeps its own caches, rate limits and
     * in-progress streams (docs/eks.md#zone-failure).
     * @default 1
     */
    replicas: z.number().int({ error: 'must be a whole number' }).min(1, { error: 'must be >= 1' }).max(10, { error: 'must be <= 10' }).default(1),
    /**
     * Where uploaded files and images go: `volume`, the chart's images volume (zonal on EKS: the
     * pod follows it); `s3`, a bucket of LibreChat's own that the platform creates on EKS
     * (LibreChat's `fileStrategy: s3`, credentials from EKS Pod Identity), reachable from every zone.
     * @default 'volume'
     */
    fileStorage: z.enum(['volume', 's3'], { error: 'must be volume or s3' }).default('volume'),
    /**
     * Meilisearch's index: `volume`, the chart's claim (on EKS retained and backed up; zonal, so
     * after the loss of its zone search waits for the documented rebuild); `per-pod`, on nodes in
     * several zones a volume of the pod's own wherever it lands, empty after every reschedule (a node
     * image bump included) until the index is rebuilt from MongoDB (docs/eks.md#zone-failure).
     * @default 'volume'
     */
    searchIndex: z.enum(['volume', 'per-pod'], { error: 'must be volume or per-pod' }).default('volume'),
    /**
     * Size of Meilisearch's per-pod volume (`searchIndex: per-pod` on nodes in several zones).
     * @default '5Gi'
     */
    searchVolumeSize: quantity().default('5Gi'),
  })
  .default({
    allowRegistration: false,
    mongodb: { replicas: 1, spreadOver: 'zones' },
    replicas: 1,
    fileStorage: 'volume',
    searchIndex: 'volume',
    searchVolumeSize: '5Gi',
  });

/** The node label each spread of MongoDB's members counts domains by. */
const SPREAD_TOPOLOGY_KEYS = { zones: 'topology.kubernetes.io/zone', nodes: 'kubernetes.io/hostname' } as const;

/** Settings of LibreChat in an environment (`apps.librechat`). */
export type LibrechatSettings = z.output<typeof librechatSettings>;

/** LibreChat, the chat UI, with its Meilisearch subchart and the wrapper chart's own MongoDB. */
export const LIBRECHAT = defineApp<LibrechatSettings>({
  name: 'librechat',
  namespace: LIBRECHAT_NAMESPACE,
  dependsOn: ['ollama'],
  host: 'required',
  // The chart names its Service `<release>-librechat` (the ALB matches per-host allowlists on it).
  ingressService: (release) => `${release}-librechat`,
  ingress: hostsListIngress(['librechat', 'ingress']),
  // LibreChat's HTTP port from the ingress controller; MongoDB and Meilisearch from LibreChat
  // only. Pods are selected by the subcharts' selector labels (release-based, no name overrides).
  allowIngress: (context): IngressAllowRule[] => {
    const librechat = LIBRECHAT_POD_LABELS(context.release);
    const mongodb = { 'app.kubernetes.io/name': 'mongodb', 'app.kubernetes.io/instance': context.release, 'app.kubernetes.io/component': 'mongodb' };
    return [
      { name: 'librechat-from-ingress', podLabels: librechat, from: context.ingress.sources, ports: ['http'] },
      // The chat probe asks for LibreChat's health.
      { name: 'librechat-from-chat-probe', podLabels: librechat, from: [CHAT_PROBE_PEER], ports: ['http'] },
      {
        name: 'mongodb-from-librechat',
        podLabels: mongodb,
        from: [{ podSelector: { matchLabels: librechat } }],
        ports: ['mongodb'],
      },
      // The replica set's members replicate from and elect each other.
      ...(context.settings.mongodb.replicas > 1
        ? [{ name: 'mongodb-from-mongodb', podLabels: mongodb, from: [{ podSelector: { matchLabels: mongodb } }], ports: ['mongodb'] }]
        : []),
      {
        name: 'meilisearch-from-librechat',
        podLabels: { 'app.kubernetes.io/name': 'meilisearch', 'app.kubernetes.io/instance': context.release },
        from: [{ podSelector: { matchLabels: librechat } }],
        ports: ['http'],
      },
    ];
  },
  // Every pod passes `restricted` with the security contexts of apps/librechat/values.yaml.
  podSecurity: 'restricted',
  settings: librechatSettings,
  validate: (settings, cluster) => [
    ...(settings.mongodb.replicas > 1 && settings.mongodb.spreadOver === 'zones' && cluster.availabilityZones < 2
      ? [
          {
            path: ['mongodb', 'spreadOver'],
            message: `must be nodes on a cluster without configured availability zones: members spread over zones would not schedule (got zones with ${settings.mongodb.replicas} replicas)`,
          },
        ]
      : []),
    ...(settings.fileStorage === 's3' && !cluster.objectStorage
      ? [{ path: ['fileStorage'], message: 'must be volume on a cluster without object storage: the platform creates buckets on EKS only (got s3)' }]
      : []),
    ...(settings.replicas > 1 && settings.fileStorage !== 's3'
      ? [
          {
            path: ['fileStorage'],
            message: `must be s3 with more than one replica: the images volume mounts on one node only (got ${settings.fileStorage} with ${settings.replicas} replicas)`,
          },
        ]
      : []),
    ...(settings.replicas > 1 && settings.replicas >= cluster.availabilityZones
      ? [
          {
            path: ['replicas'],
            message: `must be less than the cluster's ${cluster.availabilityZones} availability zones: LibreChat runs one pod per zone and a rolling update starts the new pod in a free one (got ${settings.replicas})`,
          },
        ]
      : []),
  ],
  objectStorage: { enabled: (settings) => settings.fileStorage === 's3', serviceAccount: (release) => LIBRECHAT_SERVICE_ACCOUNT(release) },
  clientPodLabels: (release) => LIBRECHAT_POD_LABELS(release),
  services: {
    http: { serviceName: (release) => `${release}-librechat`, port: 3080, scheme: 'http' },
    mongodb: { serviceName: LIBRECHAT_MONGODB_SERVICE, port: MONGODB_PORT, scheme: 'mongodb', path: `/${MONGODB_DATABASE}` },
    meilisearch: { serviceName: (release) => `${release}-meilisearch`, port: 7700, scheme: 'http' },
  },
  secrets: [
    { name: LIBRECHAT_SECRETS.mongodb, credentials: MONGODB_CREDENTIALS },
    { name: LIBRECHAT_SECRETS.meilisearch, credentials: MEILISEARCH_CREDENTIALS },
    {
      name: LIBRECHAT_SECRETS.credentials,
      credentials: LIBRECHAT_CREDENTIALS,
      // MEILI_HOST is not here: the chart derives it from the Meilisearch Service it renders.
      settings: (context, credential): Record<(typeof LIBRECHAT_SETTINGS)[number], string> => ({
        MONGO_URI: mongoUri({
          service: { name: LIBRECHAT_MONGODB_SERVICE(context.release), namespace: LIBRECHAT_NAMESPACE, port: MONGODB_PORT },
          database: MONGODB_DATABASE,
          user: MONGODB_USER,
          password: credential(LIBRECHAT_SECRETS.mongodb, 'mongodb-passwords'),
          replicas: (context.settings as LibrechatSettings).mongodb.replicas,
        }),
        // Through the wake gateway where Ollama scales to zero (apps/ollama-scaling.ts).
        OLLAMA_BASE_URL: context.serviceUrl('ollama', scalesToZero(context.settingsOf('ollama') as OllamaSettings) ? 'gateway' : 'api'),
      }),
    },
  ],
  values: (context) => {
    const ollama = context.settingsOf('ollama') as OllamaSettings;
    // librechat.yaml: one custom endpoint, Ollama's OpenAI-compatible API. LibreChat resolves
    // `${VAR}` in baseURL from its environment (data-provider extractEnvVariable), so the URL
    // lives only in the Secret.
    const settings = context.settings;
    const bucket = settings.fileStorage === 's3' ? context.objectStorage : undefined;
    const config = {
      version: '1.2.8',
      cache: true,
      // Uploads in LibreChat's bucket: the S3 client takes the region from AWS_REGION and, without
      // access keys, its credentials from the SDK's default chain (EKS Pod Identity).
      ...(bucket ? { fileStrategy: 's3' } : {}),
      endpoints: {
        custom: [
          {
            name: 'Ollama',
            apiKey: 'ollama',
            baseURL: '${OLLAMA_BASE_URL}/v1/',
            models: { default: ollama.models, fetch: true },
            titleConvo: true,
            titleModel: 'current_model',
            modelDisplayLabel: 'Ollama',
          },
        ],
      },
    };
    return {
      global: { librechat: { env: LIBRECHAT_REQUIRED_ENV } },
      // The wrapper chart's own MongoDB (apps/librechat/templates/mongodb.yaml).
      mongodb: {
        auth: { existingSecret: LIBRECHAT_SECRETS.mongodb, username: MONGODB_USER, database: MONGODB_DATABASE },
        replicas: context.settings.mongodb.replicas,
        replicaSet: { name: MONGODB_REPLICA_SET, topologyKey: SPREAD_TOPOLOGY_KEYS[context.settings.mongodb.spreadOver] },
        ...(context.statefulStorageClass ? { persistence: storageClass(context, 'storageClass') } : {}),
      },
      librechat: {
        ...librechatPods(context.release, settings, bucket !== undefined),
        // Without Redis each pod keeps its own in-progress streams: a browser stays on its pod
        // (docs/eks.md#zone-failure). Merged with the Ingress the adapter writes.
        ...(settings.replicas > 1 && context.host ? { ingress: { annotations: context.ingress.sticky } } : {}),
        librechat: {
          configEnv: {
            ...(context.url ? { DOMAIN_CLIENT: context.url, DOMAIN_SERVER: context.url } : {}),
            // The generated file outranks values-<env>.yaml: only the environment's setting opens sign-up.
            ALLOW_REGISTRATION: String(settings.allowRegistration),
            ...(bucket ? { AWS_BUCKET_NAME: bucket.bucket, AWS_REGION: bucket.region } : {}),
          },
          configYamlContent: toYaml(config),
          // Uploaded images outlive their pod: retained and backed up on EKS (the key is read by the
          // chart's PVC template; its values.yaml has it only as a comment: tools/check/template-keys.ts).
          // In the bucket, no volume at all.
          ...(bucket
            ? { imageVolume: { enabled: false } }
            : context.statefulStorageClass
              ? { imageVolume: { storageClassName: context.statefulStorageClass } }
              : {}),
        },
        meilisearch: {
          auth: { existingMasterKeySecret: LIBRECHAT_SECRETS.meilisearch },
          ...meilisearchVolume(context),
        },
      },
    };
  },
});

/**
 * How many LibreChat pods run and where. Files in a bucket: rolling updates (the chart's default
 * surge of one new pod, which lands in a zone without a LibreChat pod: the settings keep one free),
 * the pods under the ServiceAccount the bucket's role is given to. More than one pod: one per zone
 * at most (the chart has `affinity`, no spread constraints), and the wrapper chart's disruption
 * budget (templates/librechat-disruption-budget.yaml) keeps all but one up through node drains.
 */
function librechatPods(release: string, settings: LibrechatSettings, inBucket: boolean): Record<string, unknown> {
  if (!inBucket) return {};
  const spread =
    settings.replicas > 1
      ? {
          affinity: {
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                { topologyKey: SPREAD_TOPOLOGY_KEYS.zones, labelSelector: { matchLabels: LIBRECHAT_POD_LABELS(release) } },
              ],
            },
          },
        }
      : {};
  return {
    replicaCount: settings.replicas,
    updateStrategy: { type: 'RollingUpdate' },
    serviceAccount: { name: LIBRECHAT_SERVICE_ACCOUNT(release) },
    ...spread,
  };
}

/**
 * Meilisearch's index volume. By default, or with nodes in one zone (or unknown): the chart's
 * PersistentVolumeClaim (retained and backed up on EKS). `searchIndex: per-pod` with nodes in several
 * zones: a generic ephemeral volume of the default class, created in the zone the pod lands in and
 * deleted with it; LibreChat does not refill an empty index by itself (it syncs only what MongoDB
 * marks unindexed), so the index is rebuilt from MongoDB by hand (docs/eks.md#zone-failure).
 */
function meilisearchVolume(context: AppContext<LibrechatSettings>): Record<string, unknown> {
  if (context.settings.searchIndex === 'volume' || context.zones.length <= 1)
    return context.statefulStorageClass ? { persistence: storageClass(context, 'storageClass') } : {};
  return {
    persistence: { enabled: false },
    environment: { MEILI_DB_PATH: `${MEILISEARCH_INDEX_PATH}/data.ms` },
    volumes: [
      {
        name: 'index',
        ephemeral: {
          volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: context.settings.searchVolumeSize } } } },
        },
      },
    ],
    volumeMounts: [{ name: 'index', mountPath: MEILISEARCH_INDEX_PATH }],
  };
}

/**
 * Grafana's Ingress in the grafana chart's layout (`ingress.ingressClassName`, `hosts` as plain
 * names, `path`, `pathType`, `tls`), under the kube-prometheus-stack dependency.
 */
const grafanaIngress: IngressAdapter = (ingress) => ({
  'kube-prometheus-stack': {
    grafana: {
      ingress: ingress.host
        ? {
            enabled: true,
            ingressClassName: ingress.className,
            ...(Object.keys(ingress.annotations).length > 0 ? { annotations: ingress.annotations } : {}),
            hosts: [ingress.host],
            path: '/',
            pathType: 'Prefix',
            tls: ingress.tls ? [{ secretName: ingress.tlsSecretName, hosts: [ingress.host] }] : [],
          }
        : { enabled: false },
    },
  },
});

/** Grafana's admin Secret, read by the grafana chart through `admin.existingSecret`/`userKey`/`passwordKey`. */
const GRAFANA_ADMIN_SECRET = 'grafana-admin';

/** The cluster-scoped kinds kube-prometheus-stack 88.5.3 renders with apps/kube-prometheus-stack/values.yaml. */
const PROMETHEUS_STACK_CLUSTER_KINDS = [
  // The Prometheus Operator's CRDs (Prometheus, ServiceMonitor, PrometheusRule, …).
  { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
  // Read access to the cluster for the operator, Prometheus and kube-state-metrics.
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
];

/** Prometheus and Alertmanager replicas on nodes spanning several zones: one per zone (two), each with its own volume. */
const MONITORING_ZONE_REPLICAS = 2;

/**
 * Replicas and spread of a Prometheus Operator workload (`replicas`, `podAntiAffinity`,
 * `podAntiAffinityTopologyKey` of `prometheusSpec` and `alertmanagerSpec`): on nodes in several
 * zones, two in different zones (`hard`: required anti-affinity), so losing a zone leaves one
 * running; otherwise the chart's single replica.
 */
function monitoringReplicas(context: AppContext<unknown>): Record<string, unknown> {
  return context.zones.length > 1
    ? { replicas: MONITORING_ZONE_REPLICAS, podAntiAffinity: 'hard', podAntiAffinityTopologyKey: SPREAD_TOPOLOGY_KEYS.zones }
    : {};
}

/** Prometheus's storage class and replicas (nothing on a one-zone cluster with the default class). */
function prometheusValues(context: AppContext<unknown>): Record<string, unknown> {
  const replicas = monitoringReplicas(context);
  const prometheusSpec = {
    // On EKS the metrics volume is retained when its claim goes, and backed up, like every stateful volume.
    ...(context.statefulStorageClass ? { storageSpec: { volumeClaimTemplate: { spec: { storageClassName: context.statefulStorageClass } } } } : {}),
    ...replicas,
  };
  return Object.keys(prometheusSpec).length > 0 ? { prometheus: { prometheusSpec } } : {};
}

const monitoringSettings = z
  .strictObject({
    /** Where alerts go (apps/alerting.ts, docs/monitoring.md#where-alerts-go). */
    alerting: alertingSettings,
  })
  .default({ alerting: { critical: [], warning: [], deadMansSwitch: false } });

/** Settings of the monitoring stack in an environment (`apps.kube-prometheus-stack`). */
export type MonitoringSettings = z.output<typeof monitoringSettings>;

/** Prometheus, Alertmanager and Grafana (prometheus-community kube-prometheus-stack). */
export const KUBE_PROMETHEUS_STACK = defineApp<MonitoringSettings>({
  name: 'kube-prometheus-stack',
  namespace: MONITORING_NAMESPACE,
  // Grafana: in-cluster by default (kubectl port-forward), published like any app when the
  // environment names a host; it has its own login.
  host: 'optional',
  ingressService: (release) => `${release}-grafana`,
  // node-exporter uses the host's network, PID namespace and file system.
  podSecurity: 'privileged',
  // Its CRDs exceed the annotation limit of client-side apply.
  syncOptions: ['ServerSideApply=true'],
  clusterResources: PROMETHEUS_STACK_CLUSTER_KINDS,
  settings: monitoringSettings,
  validate: (settings, cluster) => alertingProblems(settings.alerting, cluster),
  secrets: [
    {
      name: GRAFANA_ADMIN_SECRET,
      credentials: [{ key: 'admin-password', generatedBytes: 24, pattern: '^\\S{16,}$', rule: 'at least 16 characters without whitespace' }],
      settings: () => ({ 'admin-user': 'admin' }),
    },
    // The receivers' credentials, mounted into Alertmanager (empty until supplied; unused keys stay empty).
    { name: RECEIVERS_SECRET, credentials: RECEIVERS_SECRET_CREDENTIALS },
  ],
  alertEmails: (settings) => alertEmails(settings.alerting),
  outputs: (context) => ({ alert_routing: { value: alertRoutingSummary(context.settings.alerting), description: 'Where alerts go' } }),
  ingress: grafanaIngress,
  // The chart's Prometheus Service (`<release>-prometheus`).
  services: { prometheus: { serviceName: (release) => `${release}-prometheus`, port: 9090, scheme: 'http' } },
  allowIngress: (context): IngressAllowRule[] => [
    // KEDA reads Ollama's wake trigger (the gateway's requests) from Prometheus.
    ...(scalesToZero(context.settingsOf(OLLAMA.name) as OllamaSettings)
      ? [{ name: 'prometheus-from-keda', podLabels: { 'app.kubernetes.io/name': 'prometheus' }, from: [KEDA_OPERATOR_PEER], ports: ['web'] }]
      : []),
    // The namespace's own pods among themselves: Prometheus scrapes the exporters, the operator
    // and Alertmanager; Grafana queries Prometheus. Nothing from other namespaces.
    { name: 'same-namespace', podLabels: {}, from: [{ podSelector: { matchLabels: {} } }], ports: [] },
    {
      name: 'grafana-from-ingress',
      podLabels: { 'app.kubernetes.io/name': 'grafana', 'app.kubernetes.io/instance': context.release },
      from: context.host ? context.ingress.sources : [],
      ports: ['grafana'],
    },
  ],
  values: (context) => ({
    'kube-prometheus-stack': {
      grafana: {
        admin: { existingSecret: GRAFANA_ADMIN_SECRET },
        ...(context.url ? { 'grafana.ini': { server: { root_url: context.url } } } : {}),
      },
      ...prometheusValues(context),
      alertmanager: {
        config: alertmanagerConfig(context.settings.alerting),
        // Alertmanager's replicas form one cluster (the operator lists the peers) and send each alert once.
        alertmanagerSpec: { secrets: [RECEIVERS_SECRET], ...monitoringReplicas(context) },
      },
    },
  }),
});

const DCGM_EXPORTER_NAMESPACE = MONITORING_NAMESPACE;

/** NVIDIA's DCGM exporter: GPU metrics from every GPU node, per GPU and per pod using it. */
export const DCGM_EXPORTER = defineApp<undefined>({
  name: 'dcgm-exporter',
  namespace: DCGM_EXPORTER_NAMESPACE,
  // Its ServiceMonitor needs the Prometheus Operator's CRDs.
  dependsOn: ['kube-prometheus-stack'],
  syncOptions: ['SkipDryRunOnMissingResource=true'],
  // Runs as root with SYS_ADMIN and reads the kubelet's pod-resources socket from the host.
  podSecurity: 'privileged',
  onGpuNodes: true,
  values: (context) => ({
    'dcgm-exporter': {
      ...(context.gpuNodes ? { nodeSelector: context.gpuNodes.nodeSelector, tolerations: context.gpuNodes.tolerations } : {}),
      serviceMonitor: dcgmAttribution(context.release, DCGM_EXPORTER_NAMESPACE),
    },
  }),
});

/**
 * Relabelings of the exporter's ServiceMonitor. `node`: the exporter pod's node, on every series
 * (alert routing and inhibition match on it). With `honorLabels`, a GPU no pod uses has no
 * `namespace`/`pod`/`container` of its own and Prometheus fills them with the exporter pod's:
 * those are removed again, so an idle GPU is attributed to nobody.
 */
function dcgmAttribution(release: string, namespace: string): Record<string, unknown> {
  const own = '__tmp_exporter_own';
  return {
    relabelings: [{ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node', action: 'replace' }],
    metricRelabelings: [
      // The DaemonSet's pods are `<release>-<5 characters>` in the exporter's namespace.
      { sourceLabels: ['namespace', 'pod'], regex: `${namespace};${release}-[a-z0-9]{5}`, targetLabel: own, replacement: 'true', action: 'replace' },
      ...['pod', 'namespace', 'container'].map((label) => ({ sourceLabels: [own], regex: 'true', targetLabel: label, replacement: '', action: 'replace' })),
      { regex: own, action: 'labeldrop' },
    ],
  };
}

/** The platform's own monitoring content: GPU and Argo CD dashboards, alerts, Argo CD's ServiceMonitor. */
export const PLATFORM_MONITORING = defineApp<undefined>({
  name: PLATFORM_MONITORING_RELEASE,
  namespace: MONITORING_NAMESPACE,
  // Dashboards, rules and ServiceMonitors of its own templates; no upstream chart.
  chart: 'own',
  // Its PrometheusRule and ServiceMonitor need the Prometheus Operator's CRDs.
  dependsOn: ['kube-prometheus-stack'],
  syncOptions: ['SkipDryRunOnMissingResource=true'],
  values: (context) => {
    const ollamaTarget = `${context.serviceUrl(OLLAMA.name, 'api')}/api/tags`;
    const atZero = scalesToZero(context.settingsOf(OLLAMA.name) as OllamaSettings);
    return {
      // The otwld chart names the Deployment after the release; the exporter's scrape job is its Service, named after the release.
      // Where Ollama scales to zero, a wake takes minutes (WAKE_MINUTES): OllamaUnavailable waits twice that.
      ollama: {
        namespace: OLLAMA.namespace,
        deployment: OLLAMA.name,
        ...(atZero ? { scalesToZero: true, probeTarget: ollamaTarget, unavailableFor: `${2 * WAKE_MINUTES}m` } : {}),
      },
      dcgmExporter: { namespace: DCGM_EXPORTER.namespace, job: DCGM_EXPORTER.name },
      // What users need: Ollama's model list (its API, not the wake gateway: the probe must not keep
      // Ollama awake) and LibreChat's health endpoint.
      probe: {
        podLabels: CHAT_PROBE_POD_LABELS,
        targets: [ollamaTarget, `${context.serviceUrl(LIBRECHAT.name, 'http')}/health`],
      },
    };
  },
});

/**
 * GPU capacity on EKS: Karpenter's GPU NodePool and EC2NodeClass from the environment's
 * `cluster.gpuCapacity`, promoted through Git like every app value. Karpenter and its CRDs are
 * installed by the platform stack; elsewhere the chart renders only its NetworkPolicy.
 */
export const GPU_CAPACITY = defineApp<undefined>({
  name: 'gpu-capacity',
  namespace: 'gpu-capacity',
  chart: 'own',
  // NodePools and EC2NodeClasses are cluster-scoped.
  clusterResources: [
    { group: 'karpenter.sh', kind: 'NodePool' },
    { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass' },
  ],
  // The CRDs come from the platform stack's karpenter-crd release; a missing one skips the dry run.
  syncOptions: ['SkipDryRunOnMissingResource=true'],
  values: (context) => ({ gpuCapacity: context.gpuCapacity ?? {} }),
});

/** Every app the platform deploys. */
export const CATALOG: readonly AppDefinition[] = [GPU_CAPACITY, OLLAMA, LIBRECHAT, KUBE_PROMETHEUS_STACK, DCGM_EXPORTER, PLATFORM_MONITORING];
