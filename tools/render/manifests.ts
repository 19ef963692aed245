/** Kubernetes objects of a `helm template` output and the parts of them the checks read. */
import { parseAllDocuments } from 'yaml';

/** A rendered Kubernetes object, with the app and namespace it was rendered for. */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { name: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  readonly [field: string]: any;
}

/** Every object of a multi-document YAML stream (empty documents skipped). */
export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => doc.toJS())
    .filter((o): o is K8sObject => o !== null && typeof o === 'object' && typeof o.kind === 'string');
}

/** The object's namespace, defaulting to the release namespace as `kubectl apply -n` does. */
export function namespaceOf(object: K8sObject, releaseNamespace: string): string {
  return object.metadata.namespace ?? releaseNamespace;
}

/**
 * True for Helm test hooks: Argo CD maps no sync phase to `helm.sh/hook: test*`, so it never
 * creates them; they are in the render but not in the cluster.
 */
export function isHelmTestHook(object: K8sObject): boolean {
  const hook = object.metadata.annotations?.['helm.sh/hook'] ?? '';
  return hook.split(',').some((h) => h.trim().startsWith('test'));
}

/** The pod (template) of each kind that embeds one: the kinds the Pod Security admission checks. */
const WORKLOADS: Record<string, (o: K8sObject) => any> = {
  Deployment: (o) => o.spec?.template,
  StatefulSet: (o) => o.spec?.template,
  DaemonSet: (o) => o.spec?.template,
  ReplicaSet: (o) => o.spec?.template,
  ReplicationController: (o) => o.spec?.template,
  Job: (o) => o.spec?.template,
  CronJob: (o) => o.spec?.jobTemplate?.spec?.template,
  PodTemplate: (o) => o.template,
  Pod: (o) => o,
};

/** The pod spec of a workload object, or undefined for other kinds. */
export function podSpecOf(object: K8sObject): any | undefined {
  return WORKLOADS[object.kind]?.(object)?.spec;
}

/** The pod metadata (a template's, or a Pod's own) and spec of a workload object, or undefined for other kinds. */
export function podTemplateOf(object: K8sObject): { metadata?: any; spec: any } | undefined {
  const template = WORKLOADS[object.kind]?.(object);
  return template?.spec ? { metadata: template.metadata, spec: template.spec } : undefined;
}

/** Containers and init containers of a pod spec, each with its field path. */
export function containersOf(podSpec: any): { container: any; path: string }[] {
  return (['initContainers', 'containers'] as const).flatMap((field) =>
    (podSpec?.[field] ?? []).map((container: any, i: number) => ({ container, path: `${field}[${i}]` })),
  );
}

/** The field path of the pod spec inside a workload of `kind`. */
export function podSpecPath(kind: string): string {
  if (kind === 'Pod') return 'spec';
  if (kind === 'PodTemplate') return 'template.spec';
  if (kind === 'CronJob') return 'spec.jobTemplate.spec.template.spec';
  return 'spec.template.spec';
}
