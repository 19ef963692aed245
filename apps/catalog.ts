/**
 * The app catalog: every application the platform deploys through Argo CD. Namespaces,
 * Applications, sync waves, the AppProject, the Secrets Terraform creates, URL outputs and the
 * `apps`/`ingress.hosts` fields of the environment schema all derive from this list.
 *
 * Adding an app is `apps/<name>/` (wrapper chart, `values.yaml`, `values-<env>.yaml`) plus one
 * entry here.
 */
import { z } from 'zod';
import { AppContext, AppDefinition, defineApp } from '../constructs/apps/app-definition';
import { toYaml } from '../constructs/core/yaml';
import { modelName, quantity } from '../environments/rules';

/** The Ingress block of the charts here (`ingress.className/annotations/hosts/tls`). */
function chartIngress(context: AppContext<unknown>, tlsSecretName: string) {
  if (!context.host) return { enabled: false };
  return {
    enabled: true,
    className: context.ingress.className,
    ...(Object.keys(context.ingress.annotations).length > 0 ? { annotations: context.ingress.annotations } : {}),
    hosts: [{ host: context.host, paths: [{ path: '/', pathType: 'Prefix' }] }],
    tls: context.ingress.tls ? [{ secretName: tlsSecretName, hosts: [context.host] }] : [],
  };
}

const ollamaSettings = z.strictObject({
  /** Models pulled at start-up, each with an explicit tag. */
  models: z.array(modelName()).min(1, { error: 'must list at least one model' }),
  /** NVIDIA GPUs per Ollama pod; 0 runs on CPU. */
  gpuCount: z.number().int().min(0, { error: 'must be >= 0' }).max(8, { error: 'must be <= 8' }),
  /** Size of the persistent model volume. */
  volumeSize: quantity(),
});

/** Settings of Ollama in an environment (`apps.ollama`). */
export type OllamaSettings = z.output<typeof ollamaSettings>;

/** Ollama, the model server (otwld chart: its own settings sit one level down, at `ollama.ollama`). */
export const OLLAMA = defineApp<OllamaSettings>({
  name: 'ollama',
  namespace: 'ollama',
  host: 'optional',
  settings: ollamaSettings,
  validate: (settings, cluster) =>
    cluster.hasGpuNodes && settings.gpuCount < 1 ? [{ path: ['gpuCount'], message: 'must be >= 1 when the cluster has a GPU node group' }] : [],
  services: { api: { serviceName: (release) => release, port: 11434, scheme: 'http' } },
  values: (context) => ({
    ollama: {
      ollama: {
        gpu: context.settings.gpuCount > 0 ? { enabled: true, number: context.settings.gpuCount } : { enabled: false },
        models: { pull: context.settings.models },
      },
      ingress: chartIngress(context, 'ollama-tls'),
      persistentVolume: { size: context.settings.volumeSize },
      ...(context.gpuNodes ? { nodeSelector: context.gpuNodes.nodeSelector, tolerations: context.gpuNodes.tolerations } : {}),
    },
  }),
});

/** The five credentials LibreChat and Meilisearch read from the Secret. */
const LIBRECHAT_CREDENTIALS = [
  { key: 'CREDS_KEY', generatedBytes: 32, pattern: '^[0-9a-fA-F]{64}$', rule: 'exactly 64 hex characters (32 bytes)' },
  { key: 'CREDS_IV', generatedBytes: 16, pattern: '^[0-9a-fA-F]{32}$', rule: 'exactly 32 hex characters (16 bytes)' },
  { key: 'JWT_SECRET', generatedBytes: 32, pattern: '^\\S{32,}$', rule: 'at least 32 characters without whitespace' },
  { key: 'JWT_REFRESH_SECRET', generatedBytes: 32, pattern: '^\\S{32,}$', rule: 'at least 32 characters without whitespace' },
  { key: 'MEILI_MASTER_KEY', generatedBytes: 32, pattern: '^[A-Za-z0-9_-]{16,}$', rule: 'at least 16 characters of letters, digits, "_" or "-"' },
];

/** LibreChat, the chat UI, with its MongoDB and Meilisearch subcharts. */
export const LIBRECHAT = defineApp<undefined>({
  name: 'librechat',
  namespace: 'librechat',
  dependsOn: ['ollama'],
  host: 'required',
  services: {
    mongodb: { serviceName: (release) => `${release}-mongodb`, port: 27017, scheme: 'mongodb', path: '/LibreChat' },
    meilisearch: { serviceName: (release) => `${release}-meilisearch`, port: 7700, scheme: 'http' },
  },
  secrets: [
    {
      // The name the chart reads by default (`global.librechat.existingSecretName`).
      name: 'librechat-credentials-env',
      credentials: LIBRECHAT_CREDENTIALS,
      settings: (context) => ({
        MONGO_URI: context.serviceUrl('librechat', 'mongodb'),
        MEILI_HOST: context.serviceUrl('librechat', 'meilisearch'),
        OLLAMA_BASE_URL: context.serviceUrl('ollama', 'api'),
      }),
    },
  ],
  values: (context) => {
    const ollama = context.settingsOf('ollama') as OllamaSettings;
    // librechat.yaml: one custom endpoint, Ollama's OpenAI-compatible API.
    const config = {
      version: '1.2.8',
      cache: true,
      endpoints: {
        custom: [
          {
            name: 'Ollama',
            apiKey: 'ollama',
            baseURL: `${context.serviceUrl('ollama', 'api')}/v1/`,
            models: { default: ollama.models, fetch: true },
            titleConvo: true,
            titleModel: 'current_model',
            modelDisplayLabel: 'Ollama',
          },
        ],
      },
    };
    return {
      librechat: {
        librechat: {
          ...(context.url ? { configEnv: { DOMAIN_CLIENT: context.url, DOMAIN_SERVER: context.url } } : {}),
          configYamlContent: toYaml(config),
        },
        ingress: chartIngress(context, 'librechat-tls'),
      },
    };
  },
});

/** Every app the platform deploys. */
export const CATALOG: readonly AppDefinition[] = [OLLAMA, LIBRECHAT];
