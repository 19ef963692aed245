/**
 * Values keys whose content is free-form: Kubernetes objects, string maps or env lists that a chart
 * passes through (`toYaml`) without reading individual keys. The values check does not descend
 * into them, whatever the upstream default holds (LibreChat's `librechat.configEnv` has example
 * keys, its `securityContext` has defaults, yet any key is valid there).
 */
export const FREE_FORM_KEYS: readonly string[] = [
  'global',
  'resources',
  'annotations',
  'podAnnotations',
  'deploymentAnnotations',
  'serviceAnnotations',
  'commonAnnotations',
  'labels',
  'podLabels',
  'deploymentLabels',
  'commonLabels',
  'nodeSelector',
  'tolerations',
  'affinity',
  'topologySpreadConstraints',
  'env',
  'extraEnv',
  'envFrom',
  'extraEnvFrom',
  'extraEnvVars',
  'configEnv',
  'securityContext',
  'podSecurityContext',
  'containerSecurityContext',
  'lifecycle',
  'volumes',
  'volumeMounts',
  'extraVolumes',
  'extraVolumeMounts',
  'initContainers',
  'extraContainers',
  'sidecars',
  'imagePullSecrets',
  'dnsConfig',
  'hostAliases',
  'extraObjects',
  'extraArgs',
  'args',
  'command',
  'additionalConfigMaps',
];

/**
 * Free-form paths that only one chart has, keyed by upstream chart name; paths are relative to that
 * chart's values root. The Argo CD chart copies `configs.cm`, `configs.params` and `configs.rbac`
 * verbatim into ConfigMaps whose keys are Argo CD settings (`server.insecure`, `policy.csv`, …),
 * most of them absent from the chart defaults. LibreChat's probes are whole Kubernetes Probe
 * objects (its defaults are `httpGet: {path, port}`), so `initialDelaySeconds` is valid there.
 */
export const FREE_FORM_PATHS_BY_CHART: Readonly<Record<string, readonly string[]>> = {
  'argo-cd': ['configs.cm', 'configs.params', 'configs.rbac', 'configs.secret.extra', 'notifications.cm'],
  librechat: ['livenessProbe', 'readinessProbe', 'startupProbe'],
};

/**
 * Subchart keys of upstream charts, used when the upstream `Chart.yaml` (which lists them as
 * `dependencies`) was not fetched: the subcharts' own values are not available, so the check
 * stops there instead of flagging every key below them.
 */
export const UPSTREAM_SUBCHART_KEYS: Readonly<Record<string, readonly string[]>> = {
  librechat: ['mongodb', 'meilisearch', 'redis', 'librechat-rag-api'],
  'argo-cd': ['redis-ha'],
  'nvidia-device-plugin': ['nfd'],
};

const freeFormKeys = new Set(FREE_FORM_KEYS);

/** True when the values check must not descend below `key`. */
export function isFreeFormKey(key: string): boolean {
  return freeFormKeys.has(key);
}
