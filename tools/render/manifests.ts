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

const WORKLOADS: Record<string, (o: K8sObject) => any> = {
  Deployment: (o) => o.spec?.template?.spec,
  StatefulSet: (o) => o.spec?.template?.spec,
  DaemonSet: (o) => o.spec?.template?.spec,
  ReplicaSet: (o) => o.spec?.template?.spec,
  Job: (o) => o.spec?.template?.spec,
  CronJob: (o) => o.spec?.jobTemplate?.spec?.template?.spec,
  Pod: (o) => o.spec,
};

/** The pod spec of a workload object, or undefined for other kinds. */
export function podSpecOf(object: K8sObject): any | undefined {
  return WORKLOADS[object.kind]?.(object);
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
  if (kind === 'CronJob') return 'spec.jobTemplate.spec.template.spec';
  return 'spec.template.spec';
}
