import { formatPath, isPlainObject, PathSegment } from './documents';
import { ChartFacts, KeyNode, keyTree } from './facts';
import { KeyTree, suggestPath } from './suggest';
import type { Finding } from './rule';
import type { WrapperChart } from './repository';

/**
 * Values keys whose content is free-form: Kubernetes objects, string maps or env lists that a chart
 * passes through (`toYaml`) without reading individual keys. The values check does not descend
 * into them, whatever the upstream default holds (LibreChat's `librechat.configEnv` has example
 * keys, its `securityContext` has defaults, yet any key is valid there).
 */
export const FREE_FORM_KEYS: ReadonlySet<string> = new Set([
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
]);

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
 * What the values check knows about one node of a values tree:
 * - `map`: the keys below are known by name; anything else is unknown;
 * - `open`: anything goes below (free-form key, list, scalar, `{}` default, subchart values);
 * - `unchecked`: no upstream facts for this part (the context reports it as NOT CHECKED).
 */
export type ValuesModel =
  | {
      kind: 'map';
      children: Map<string, ValuesModel>;
      unknownMessage: string;
      /** Complete messages for unknown keys with a known cause (a dependency's name where its alias belongs). */
      hints?: Map<string, string>;
    }
  | { kind: 'open' }
  | { kind: 'unchecked' };

/** The model of a node below which anything goes. */
export const OPEN: ValuesModel = { kind: 'open' };

/** The model of a node whose upstream facts are missing. */
export const UNCHECKED: ValuesModel = { kind: 'unchecked' };

/**
 * Builds a model from a key tree: non-empty maps are descended into; leaves, lists, `{}` and every
 * free-form key or path are open. `unknownMessage` is what a finding under this tree says, e.g.
 * `unknown key for chart ollama 1.77.0`.
 */
export function modelFromKeys(keys: KeyNode, unknownMessage: string, freeFormPaths: readonly (readonly string[])[] = []): ValuesModel {
  const build = (node: KeyNode, path: string[]): ValuesModel => {
    const key = path[path.length - 1];
    if (key !== undefined && FREE_FORM_KEYS.has(key)) return OPEN;
    if (freeFormPaths.some((p) => p.length === path.length && p.every((segment, i) => segment === path[i]))) return OPEN;
    if (typeof node === 'string' || Object.keys(node).length === 0) return OPEN;
    return { kind: 'map', children: new Map(Object.entries(node).map(([child, sub]) => [child, build(sub, [...path, child])])), unknownMessage };
  };
  return build(keys, []);
}

/** Model of an upstream chart's values root: its key tree, with its own subcharts and chart-specific free-form paths open. */
export function upstreamChartModel(name: string, version: string, facts: ChartFacts): ValuesModel {
  const freeForm = [...facts.subcharts.map((key) => [key]), ...(FREE_FORM_PATHS_BY_CHART[name] ?? []).map((p) => p.split('.'))];
  return modelFromKeys(facts.keys, `unknown key for chart ${name} ${version}`, freeForm);
}

/** Makes `path` known in `model` (creating maps on the way), ending in an open node: used for Chart.yaml conditions. */
function allowPath(model: ValuesModel, path: readonly string[], unknownMessage: string): void {
  let node = model;
  for (const [index, segment] of path.entries()) {
    if (node.kind !== 'map') return;
    let child = node.children.get(segment);
    if (!child) {
      child = index === path.length - 1 ? OPEN : { kind: 'map', children: new Map(), unknownMessage };
      node.children.set(segment, child);
    }
    node = child;
  }
}

/**
 * The known-keys model of a wrapper chart's values:
 * - each dependency's name or alias maps to that upstream chart's key tree (UNCHECKED where
 *   `upstream` has no facts for it, which includes inexact versions);
 * - `global` is open (Helm shares it with every subchart);
 * - `tags` is open when a dependency uses tags, and `condition:` paths (e.g. `ollama.enabled`)
 *   are known, since Helm reads them from this chart's values;
 * - any other top-level key is unknown, unless the chart has its own `templates/` that can read
 *   it: then a key declared in the chart's `values.yaml` is known, checked against its defaults
 *   there. Undeclared keys stay unknown; values.yaml is where a chart declares its values.
 */
export function wrapperChartModel(chart: WrapperChart, upstream: (dependency: WrapperChart['dependencies'][number]) => ValuesModel): ValuesModel {
  const children = new Map<string, ValuesModel>();
  const base = chart.valueFiles.find((file) => file.base)?.values;
  if (chart.hasTemplates && isPlainObject(base)) {
    for (const [key, defaults] of Object.entries(base)) {
      children.set(key, modelFromKeys(keyTree(defaults), `unknown key: not declared in ${chart.dir}/values.yaml`));
    }
  }
  for (const dependency of chart.dependencies) children.set(dependency.alias ?? dependency.name, upstream(dependency));
  children.set('global', OPEN);
  if (chart.dependencies.some((dependency) => dependency.tags.length > 0)) children.set('tags', OPEN);
  const hints = new Map(
    chart.dependencies
      .filter((dependency) => dependency.alias && dependency.alias !== dependency.name && !children.has(dependency.name))
      .map((dependency) => [
        dependency.name,
        `unknown top-level key: dependency ${dependency.name} is aliased, its values go under ${dependency.alias} → did you mean ${dependency.alias}?`,
      ]),
  );
  const model: ValuesModel = {
    kind: 'map',
    children,
    unknownMessage: `unknown top-level key: neither a dependency (name or alias) of ${chart.dir} nor global`,
    hints,
  };
  for (const dependency of chart.dependencies) {
    for (const condition of dependency.conditions) allowPath(model, condition.split('.'), `unknown key for ${chart.dir}`);
  }
  return model;
}

/** A {@link KeyTree} view of a model, for suggestions. */
function modelKeyTree(model: ValuesModel | undefined): KeyTree {
  return {
    keys: () => (model?.kind === 'map' ? [...model.children.keys()] : []),
    child: (key: PathSegment) =>
      model?.kind === 'map' && typeof key === 'string' && model.children.has(key) ? modelKeyTree(model.children.get(key)) : undefined,
  };
}

/** Text of the suggestion part of a finding: ` → did you mean <path>?` (just the key for a typo next to it). */
function suggestionText(model: ValuesModel, path: PathSegment[], value: unknown): string {
  const suggestion = suggestPath(modelKeyTree(model), path, value);
  if (!suggestion) return '';
  const target = suggestion.sameParent ? String(suggestion.path[suggestion.path.length - 1]) : formatPath(suggestion.path);
  return ` → did you mean ${target}?`;
}

/** Where a values document sits: its file and, for values embedded in a larger document, the path to it. */
export interface ValuesLocation {
  file: string;
  /** e.g. `['kubernetes_manifest', 'ollama', 'manifest', 'spec', 'source', 'helm', 'valuesObject']`; empty for a values file. */
  prefix: PathSegment[];
}

/**
 * Compares every key set in `values` with `model` and reports each unknown key (the topmost one of
 * an unknown subtree) with the path it probably meant. Lists are not descended into.
 */
export function unknownValuesKeys(values: unknown, model: ValuesModel, location: ValuesLocation): Finding[] {
  const findings: Finding[] = [];
  const walk = (value: unknown, node: ValuesModel, path: string[]) => {
    if (node.kind !== 'map' || !isPlainObject(value)) return;
    for (const [key, child] of Object.entries(value)) {
      const childPath = [...path, key];
      const childModel = node.children.get(key);
      if (childModel) walk(child, childModel, childPath);
      else {
        const message = node.hints?.get(key) ?? `${node.unknownMessage}${suggestionText(model, childPath, child)}`;
        findings.push({ file: location.file, path: formatPath([...location.prefix, ...childPath]), message });
      }
    }
  };
  walk(values, model, []);
  return findings;
}

/**
 * Checks a Helm `--set` style name (`helm.parameters[].name`, helm_release `set[].name`) against
 * `model`: dots separate keys unless escaped (`server\.insecure`), and the path stops at the first
 * list index, lists not being checked. Returns the message for the first unknown key, or undefined.
 */
export function unknownSetName(name: string, model: ValuesModel): string | undefined {
  const segments = splitSetName(name);
  let node = model;
  for (const [index, segment] of segments.entries()) {
    if (node.kind !== 'map') return undefined;
    const child = node.children.get(segment);
    if (!child) {
      const unknownPath = segments.slice(0, index + 1);
      return `${formatPath(unknownPath)}: ${node.hints?.get(segment) ?? `${node.unknownMessage}${suggestionText(model, unknownPath, undefined)}`}`;
    }
    node = child;
  }
  return undefined;
}

function splitSetName(name: string): string[] {
  const segments: string[] = [];
  let current = '';
  for (let i = 0; i < name.length; i++) {
    const char = name[i];
    if (char === '\\' && i + 1 < name.length) current += name[++i];
    else if (char === '.') {
      segments.push(current);
      current = '';
    } else if (char === '[') {
      segments.push(current);
      return segments.filter(Boolean);
    } else current += char;
  }
  segments.push(current);
  return segments.filter(Boolean);
}
