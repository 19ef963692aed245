import { isPlainObject, PathSegment } from './object-path';

/** One synthesized stack: `<outdir>/stacks/<name>/cdk.tf.json`. */
export interface StackFile {
  /** Stack name, e.g. `dev-apps`. */
  stack: string;
  /** Path shown in findings, e.g. `cdktf.out/stacks/dev-apps/cdk.tf.json`. */
  file: string;
  /** The parsed JSON. */
  json: unknown;
}

/** A `kubernetes_manifest` resource whose manifest is an Argo CD object (`argoproj.io/*`). */
export interface ArgoManifest {
  file: string;
  /** Terraform logical id. */
  id: string;
  kind: string;
  manifest: Record<string, unknown>;
  /** Path of the manifest in the file: `['kubernetes_manifest', id, 'manifest']`. */
  prefix: PathSegment[];
}

/** A `helm_release` resource. */
export interface HelmRelease {
  file: string;
  id: string;
  chart: unknown;
  repository: unknown;
  version: unknown;
  /** `values` (a list of YAML strings). */
  values: unknown[];
  /** `set`, `set_sensitive` and `set_list` entries, with their path in the file. */
  sets: { name: string; path: PathSegment[] }[];
  /** `['helm_release', id]`. */
  prefix: PathSegment[];
}

/** One `terraform.required_providers` entry. */
export interface RequiredProvider {
  file: string;
  name: string;
  source: unknown;
  version: unknown;
  path: PathSegment[];
}

/** The API group of Argo CD's custom resources. */
export const ARGO_GROUP = 'argoproj.io';

function resourcesOfType(stack: StackFile, type: string): [string, Record<string, unknown>][] {
  const resources = isPlainObject(stack.json) && isPlainObject(stack.json.resource) ? stack.json.resource[type] : undefined;
  return isPlainObject(resources) ? Object.entries(resources).filter((entry): entry is [string, Record<string, unknown>] => isPlainObject(entry[1])) : [];
}

/** The Argo CD objects among the stack's `kubernetes_manifest` resources. */
export function argoManifests(stack: StackFile): ArgoManifest[] {
  return resourcesOfType(stack, 'kubernetes_manifest').flatMap(([id, resource]) => {
    const manifest = resource.manifest;
    if (!isPlainObject(manifest) || typeof manifest.apiVersion !== 'string' || !manifest.apiVersion.startsWith(`${ARGO_GROUP}/`)) return [];
    return [{ file: stack.file, id, kind: String(manifest.kind), manifest, prefix: ['kubernetes_manifest', id, 'manifest'] }];
  });
}

/** The stack's `helm_release` resources. */
export function helmReleases(stack: StackFile): HelmRelease[] {
  return resourcesOfType(stack, 'helm_release').map(([id, resource]) => {
    const sets: HelmRelease['sets'] = [];
    for (const block of ['set', 'set_sensitive', 'set_list']) {
      const entries = resource[block];
      if (!Array.isArray(entries)) continue;
      entries.forEach((entry, index) => {
        if (isPlainObject(entry) && typeof entry.name === 'string') sets.push({ name: entry.name, path: ['helm_release', id, block, index, 'name'] });
      });
    }
    return {
      file: stack.file,
      id,
      chart: resource.chart,
      repository: resource.repository,
      version: resource.version,
      values: Array.isArray(resource.values) ? resource.values : [],
      sets,
      prefix: ['helm_release', id],
    };
  });
}

/** The stack's `terraform.required_providers`. */
export function requiredProviders(stack: StackFile): RequiredProvider[] {
  const terraform = isPlainObject(stack.json) && isPlainObject(stack.json.terraform) ? stack.json.terraform : {};
  const providers = isPlainObject(terraform.required_providers) ? terraform.required_providers : {};
  return Object.entries(providers).map(([name, entry]) => ({
    file: stack.file,
    name,
    source: isPlainObject(entry) ? entry.source : entry,
    version: isPlainObject(entry) ? entry.version : undefined,
    path: ['terraform', 'required_providers', name, 'version'],
  }));
}

/**
 * The chart name and repository of a release: `chart` may be a bare name (with `repository`), an
 * `oci://registry/path/name` reference, or `repo/name` (a repository alias). Undefined for a
 * local chart directory (`./charts/x`) or a non-string chart.
 */
export function releaseChart(release: HelmRelease): { name: string; repository: string } | undefined {
  if (typeof release.chart !== 'string' || /^\.{0,2}\//.test(release.chart)) return undefined;
  const slash = release.chart.lastIndexOf('/');
  if (slash < 0) return { name: release.chart, repository: typeof release.repository === 'string' ? release.repository : '' };
  const prefix = release.chart.slice(0, slash);
  return { name: release.chart.slice(slash + 1), repository: prefix.startsWith('oci://') ? prefix : typeof release.repository === 'string' ? release.repository : '' };
}
