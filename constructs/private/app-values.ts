import { ValidEnvironment } from '../../environments/schema';
import { toYaml } from './yaml';
import { GPU_NODES, SERVICE_URLS } from './platform-layout';

function ingressFor(env: ValidEnvironment, host: string, secretName: string, pathType: string) {
  return {
    className: env.ingress.className,
    ...(Object.keys(env.ingress.annotations).length > 0 ? { annotations: env.ingress.annotations } : {}),
    hosts: [{ host, paths: [{ path: '/', pathType }] }],
    tls: env.ingress.tls ? [{ secretName, hosts: [host] }] : [],
  };
}

/** Scheduling onto the tainted GPU node group, for clusters that have one. */
function gpuScheduling(env: ValidEnvironment) {
  if (env.cluster.kind !== 'eks') return {};
  return {
    nodeSelector: { [GPU_NODES.label.key]: GPU_NODES.label.value },
    tolerations: [{ key: GPU_NODES.taint.key, operator: 'Equal', value: GPU_NODES.taint.value, effect: GPU_NODES.taint.effect }],
  };
}

/** The external URL of a host under the environment's ingress. */
export function externalUrl(env: ValidEnvironment, host: string): string {
  return `${env.ingress.tls ? 'https' : 'http'}://${host}`;
}

/**
 * Values of the `apps/ollama` wrapper chart that come from the environment configuration:
 * models, GPU count, host name, volume size and GPU scheduling.
 */
export function ollamaValues(env: ValidEnvironment): Record<string, unknown> {
  return {
    ollama: {
      ollama: {
        gpu: env.ollama.gpuCount > 0 ? { enabled: true, number: env.ollama.gpuCount } : { enabled: false },
        models: { pull: env.ollama.models },
      },
      ingress: ingressFor(env, env.ingress.hosts.ollama, 'ollama-tls', 'Prefix'),
      persistentVolume: { size: env.ollama.volumeSize },
      ...gpuScheduling(env),
    },
  };
}

/** LibreChat's `librechat.yaml`: one custom endpoint, Ollama's OpenAI-compatible API. */
export function librechatConfigYaml(env: ValidEnvironment): string {
  return toYaml({
    version: '1.2.8',
    cache: true,
    endpoints: {
      custom: [
        {
          name: 'Ollama',
          apiKey: 'ollama',
          baseURL: `${SERVICE_URLS.ollama}/v1/`,
          models: { default: env.ollama.models, fetch: true },
          titleConvo: true,
          titleModel: 'current_model',
          modelDisplayLabel: 'Ollama',
        },
      ],
    },
  });
}

/**
 * Values of the `apps/librechat` wrapper chart that come from the environment configuration:
 * host name, public URL and `librechat.yaml`.
 */
export function librechatValues(env: ValidEnvironment): Record<string, unknown> {
  const url = externalUrl(env, env.ingress.hosts.librechat);
  return {
    librechat: {
      librechat: {
        configEnv: { DOMAIN_CLIENT: url, DOMAIN_SERVER: url },
        configYamlContent: librechatConfigYaml(env),
      },
      ingress: ingressFor(env, env.ingress.hosts.librechat, 'librechat-tls', 'Prefix'),
    },
  };
}
