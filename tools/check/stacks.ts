import { ARGOCD_CHART, ChartRef } from '../../contracts/versions';
import { isPlainObject, PathSegment } from './documents';
import { chartVersionProblem } from './pin-policy';

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
  kind: string;
  manifest: Record<string, unknown>;
  /** Path of the manifest in the file: `['kubernetes_manifest', id, 'manifest']`. */
  prefix: PathSegment[];
}

/** A `helm_release` resource. */
export interface HelmRelease {
  file: string;
  /** Chart name and repository ({@link releaseChart}); undefined for a local chart directory. */
  chart?: { name: string; repository: string };
  version: unknown;
  /** `values` (a list of YAML strings). */
  values: unknown[];
  /** `set`, `set_sensitive` and `set_list` entries, with their path in the file. */
  sets: { name: string; path: PathSegment[] }[];
  /** `['helm_release', id]`. */
  prefix: PathSegment[];
}

/** One source of an Argo CD Application (`spec.source`, or an entry of `spec.sources`). */
export interface ApplicationSource {
  application: ArgoManifest;
  source: Record<string, unknown>;
  /** Path of the source inside the file, e.g. `[...prefix, 'spec', 'source']`. */
  path: PathSegment[];
  /** `path` normalised (`./apps/ollama/` → `apps/ollama`), when set. */
  directory?: string;
  /** The `helm` block, or an empty object. */
  helm: Record<string, unknown>;
}

/** The API group of Argo CD's custom resources. */
export const ARGO_GROUP = 'argoproj.io';

function resourcesOfType(stack: StackFile, type: string): [string, Record<string, unknown>][] {
  const resources = isPlainObject(stack.json) && isPlainObject(stack.json.resource) ? stack.json.resource[type] : undefined;
  return isPlainObject(resources) ? Object.entries(resources).filter((entry): entry is [string, Record<string, unknown>] => isPlainObject(entry[1])) : [];
}

/** The Argo CD objects among the stacks' `kubernetes_manifest` resources. */
export function argoManifests(stacks: readonly StackFile[]): ArgoManifest[] {
  return stacks.flatMap((stack) =>
    resourcesOfType(stack, 'kubernetes_manifest').flatMap(([id, resource]) => {
      const manifest = resource.manifest;
      if (!isPlainObject(manifest) || typeof manifest.apiVersion !== 'string' || !manifest.apiVersion.startsWith(`${ARGO_GROUP}/`)) return [];
      return [{ file: stack.file, kind: String(manifest.kind), manifest, prefix: ['kubernetes_manifest', id, 'manifest'] }];
    }),
  );
}

/** Every source of every Application in the stacks. */
export function applicationSources(stacks: readonly StackFile[]): ApplicationSource[] {
  return argoManifests(stacks)
    .filter((manifest) => manifest.kind === 'Application')
    .flatMap((application) => {
      const spec = isPlainObject(application.manifest.spec) ? application.manifest.spec : {};
      const found: [unknown, PathSegment[]][] = [[spec.source, [...application.prefix, 'spec', 'source']]];
      if (Array.isArray(spec.sources)) spec.sources.forEach((source, index) => found.push([source, [...application.prefix, 'spec', 'sources', index]]));
      return found.flatMap(([source, path]) =>
        isPlainObject(source)
          ? [
              {
                application,
                source,
                path,
                directory: typeof source.path === 'string' ? source.path.replace(/^\.\//, '').replace(/\/+$/, '') : undefined,
                helm: isPlainObject(source.helm) ? source.helm : {},
              },
            ]
          : [],
      );
    });
}

/**
 * The chart name and repository of a release: `chart` may be a bare name (with `repository`), an
 * `oci://registry/path/name` reference, or `repo/name` (a repository alias). Undefined for a
 * local chart directory (`./charts/x`) or a non-string chart.
 */
export function releaseChart(chart: unknown, repository: unknown): { name: string; repository: string } | undefined {
  if (typeof chart !== 'string' || /^\.{0,2}\//.test(chart)) return undefined;
  const given = typeof repository === 'string' ? repository : '';
  const slash = chart.lastIndexOf('/');
  if (slash < 0) return { name: chart, repository: given };
  const prefix = chart.slice(0, slash);
  return { name: chart.slice(slash + 1), repository: prefix.startsWith('oci://') ? prefix : given };
}

/** The stacks' `helm_release` resources. */
export function helmReleases(stacks: readonly StackFile[]): HelmRelease[] {
  return stacks.flatMap((stack) =>
    resourcesOfType(stack, 'helm_release').map(([id, resource]) => {
      const sets: HelmRelease['sets'] = [];
      for (const block of ['set', 'set_sensitive', 'set_list']) {
        const entries = resource[block];
        if (!Array.isArray(entries)) continue;
        entries.forEach((entry, index) => {
          if (isPlainObject(entry) && typeof entry.name === 'string') sets.push({ name: entry.name, path: ['helm_release', id, block, index, 'name'] });
        });
      }
      const values = Array.isArray(resource.values) ? resource.values : [];
      return {
        file: stack.file,
        chart: releaseChart(resource.chart, resource.repository),
        version: resource.version,
        values,
        sets,
        prefix: ['helm_release', id],
      };
    }),
  );
}

/** The stacks' `terraform.required_providers` versions, with their paths. */
export function requiredProviders(stacks: readonly StackFile[]): { file: string; version: unknown; path: PathSegment[] }[] {
  return stacks.flatMap((stack) => {
    const terraform = isPlainObject(stack.json) && isPlainObject(stack.json.terraform) ? stack.json.terraform : {};
    const providers = isPlainObject(terraform.required_providers) ? terraform.required_providers : {};
    return Object.entries(providers).map(([name, entry]) => ({
      file: stack.file,
      version: isPlainObject(entry) ? entry.version : undefined,
      path: ['terraform', 'required_providers', name, 'version'],
    }));
  });
}

/**
 * The Argo CD chart whose CRDs validate the manifests: the exactly pinned helm_release of
 * {@link ARGOCD_CHART}'s chart in the stacks, else ARGOCD_CHART itself.
 */
export function argoCdChart(stacks: readonly StackFile[]): ChartRef {
  const release = helmReleases(stacks).find((candidate) => candidate.chart?.name === ARGOCD_CHART.name && !chartVersionProblem(candidate.version));
  return release
    ? { name: ARGOCD_CHART.name, version: String(release.version), repository: release.chart?.repository || ARGOCD_CHART.repository }
    : ARGOCD_CHART;
}
