/**
 * The Kubernetes objects a synthesized stack creates, identified the way `kubectl` and
 * `terraform import` name them. Only objects whose name and namespace are literals (or references
 * to a namespace of the same stack) can be identified before apply; others are left out.
 */
import * as os from 'os';

/** A Kubernetes object a stack's resource creates. */
export interface StackObject {
  /** Terraform address, `<type>.<id>`. */
  readonly address: string;
  /** `kubectl get` resource argument, e.g. `namespace`, `secret`, `application.v1alpha1.argoproj.io`. */
  readonly resource: string;
  /** Namespace, absent for cluster-scoped objects. */
  readonly namespace?: string;
  readonly name: string;
  /** The ID `terraform import` takes for this resource type. */
  readonly importId: string;
  /**
   * A Secret written through write-only arguments (`data_wo`): importing it would read its data
   * into the state, so an orphan is recreated instead of adopted.
   */
  readonly writeOnly?: boolean;
}

/** A Helm release a stack installs. */
export interface StackRelease {
  readonly address: string;
  readonly namespace: string;
  readonly name: string;
  readonly chart: string;
}

/** How `kubectl` reaches the cluster of a stack. */
export interface KubeTarget {
  /** `--kubeconfig`, absent for kubectl's default. */
  readonly kubeconfig?: string;
  /** `--context`, absent for the kubeconfig's current context. */
  readonly context?: string;
}

const NAMESPACE_TYPES = ['kubernetes_namespace_v1', 'kubernetes_namespace'];
const SECRET_TYPES = ['kubernetes_secret_v1', 'kubernetes_secret'];

/** The stack's resources of `type` as `[address, body]`. */
function resourcesOf(json: any, type: string): [string, any][] {
  return Object.entries<any>(json?.resource?.[type] ?? {}).map(([id, body]) => [`${type}.${id}`, body]);
}

/**
 * Resolves a literal or a `${<namespace type>.<id>.metadata[0].name}` reference of the same stack
 * to a name; anything else (computed at apply time) is undefined.
 */
export function literalName(json: any, value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (!value.includes('${')) return value;
  const ref = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.metadata\[0\]\.name\}$/.exec(value);
  if (!ref || !NAMESPACE_TYPES.includes(ref[1])) return undefined;
  const name = json?.resource?.[ref[1]]?.[ref[2]]?.metadata?.name;
  return typeof name === 'string' && !name.includes('${') ? name : undefined;
}

/** The namespaces, Secrets and `kubernetes_manifest` objects of a synthesized stack. */
export function stackObjects(json: any): StackObject[] {
  const objects: StackObject[] = [];
  for (const type of NAMESPACE_TYPES) {
    for (const [address, body] of resourcesOf(json, type)) {
      const name = literalName(json, body.metadata?.name);
      if (name) objects.push({ address, resource: 'namespace', name, importId: name });
    }
  }
  for (const type of SECRET_TYPES) {
    for (const [address, body] of resourcesOf(json, type)) {
      const name = literalName(json, body.metadata?.name);
      const namespace = literalName(json, body.metadata?.namespace ?? 'default');
      const writeOnly = body.data_wo !== undefined || body.binary_data_wo !== undefined;
      if (name && namespace)
        objects.push({ address, resource: 'secret', namespace, name, importId: `${namespace}/${name}`, ...(writeOnly ? { writeOnly } : {}) });
    }
  }
  for (const [address, body] of resourcesOf(json, 'kubernetes_manifest')) {
    const manifest = body.manifest ?? {};
    const name = literalName(json, manifest.metadata?.name);
    const namespace = manifest.metadata?.namespace === undefined ? undefined : literalName(json, manifest.metadata.namespace);
    const apiVersion = manifest.apiVersion;
    const kind = manifest.kind;
    if (!name || typeof apiVersion !== 'string' || typeof kind !== 'string' || apiVersion.includes('${') || kind.includes('${')) continue;
    if (manifest.metadata?.namespace !== undefined && !namespace) continue;
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    const resource = group ? `${kind.toLowerCase()}.${version}.${group}` : kind.toLowerCase();
    const importId = [`apiVersion=${apiVersion}`, `kind=${kind}`, ...(namespace ? [`namespace=${namespace}`] : []), `name=${name}`].join(',');
    objects.push({ address, resource, ...(namespace ? { namespace } : {}), name, importId });
  }
  return objects;
}

/** The Helm releases of a synthesized stack whose name and namespace are known before apply. */
export function stackReleases(json: any): StackRelease[] {
  return resourcesOf(json, 'helm_release').flatMap(([address, body]) => {
    const name = literalName(json, body.name);
    const namespace = literalName(json, body.namespace ?? 'default');
    return name && namespace ? [{ address, name, namespace, chart: String(body.chart ?? '') }] : [];
  });
}

/**
 * The `kubernetes_manifest` objects of a stack that carry `finalizer`, as `kubectl` names them.
 */
export function finalizedObjects(json: any, finalizer: string): StackObject[] {
  const withFinalizer = new Set(
    resourcesOf(json, 'kubernetes_manifest')
      .filter(([, body]) => (body.manifest?.metadata?.finalizers ?? []).includes(finalizer))
      .map(([address]) => address),
  );
  return stackObjects(json).filter((o) => withFinalizer.has(o.address));
}

/**
 * How kubectl reaches the stack's cluster: the kubernetes provider's `config_path` and
 * `config_context` when they are literals, else `fallback` (the user's `--context`).
 */
export function kubeTarget(json: any, fallback: KubeTarget = {}): KubeTarget {
  const provider = (json?.provider?.kubernetes ?? [])[0] ?? {};
  const literal = (v: unknown) => (typeof v === 'string' && !v.includes('${') ? v : undefined);
  const configPath = literal(provider.config_path);
  const context = literal(provider.config_context);
  if (!configPath && !context) return fallback;
  return {
    ...(configPath ? { kubeconfig: configPath.replace(/^~(?=\/|$)/, os.homedir()) } : {}),
    ...(context ? { context } : fallback.context ? { context: fallback.context } : {}),
  };
}
