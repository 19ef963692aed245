/**
 * Names that Terraform, the wrapper charts and the upstream charts must agree on. The wrapper
 * charts are released under their Application's name, so the upstream charts name their
 * Services after it (`<release>` for Ollama, `<release>-mongodb` / `<release>-meilisearch` for
 * the LibreChat subcharts).
 */

/** Namespace of Argo CD itself. */
export const ARGOCD_NAMESPACE = 'argocd';

/** The in-cluster API server as Argo CD names it. */
export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';

/** An application deployed by Argo CD from `apps/<name>`. */
export interface PlatformApp {
  /** Application, Helm release and wrapper chart name (`apps/<name>`). */
  readonly name: string;
  /** Namespace the release lives in. */
  readonly namespace: string;
}

/** Ollama, the model server. */
export const OLLAMA: PlatformApp = { name: 'ollama', namespace: 'ollama' };

/** LibreChat, the chat UI. */
export const LIBRECHAT: PlatformApp = { name: 'librechat', namespace: 'librechat' };

/** Every application Argo CD deploys, in sync order; Terraform creates their namespaces. */
export const PLATFORM_APPS: readonly PlatformApp[] = [OLLAMA, LIBRECHAT];

/** Secret the LibreChat chart reads by default (`global.librechat.existingSecretName`). */
export const LIBRECHAT_SECRET_NAME = 'librechat-credentials-env';

const clusterDns = (service: string, namespace: string) => `${service}.${namespace}.svc.cluster.local`;

/** In-cluster endpoints of the services the wrapper charts create. */
export const SERVICE_URLS = {
  /** Ollama's HTTP API (chart `ollama`, Service `<release>`, port 11434). */
  ollama: `http://${clusterDns(OLLAMA.name, OLLAMA.namespace)}:11434`,
  /** MongoDB of the LibreChat chart (Bitnami subchart, Service `<release>-mongodb`). */
  mongo: `mongodb://${clusterDns(`${LIBRECHAT.name}-mongodb`, LIBRECHAT.namespace)}:27017/LibreChat`,
  /** Meilisearch of the LibreChat chart (subchart, Service `<release>-meilisearch`, port 7700). */
  meilisearch: `http://${clusterDns(`${LIBRECHAT.name}-meilisearch`, LIBRECHAT.namespace)}:7700`,
};

/** Node label and taint of the GPU node group; Ollama selects and tolerates exactly these. */
export const GPU_NODES = {
  /** Matches the NVIDIA device plugin chart's default node affinity. */
  label: { key: 'nvidia.com/gpu.present', value: 'true' },
  taint: { key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' },
} as const;

/** Labels on every namespace Terraform creates. */
export const MANAGED_LABELS = {
  'app.kubernetes.io/managed-by': 'terraform',
  'app.kubernetes.io/part-of': 'llm-platform',
};
