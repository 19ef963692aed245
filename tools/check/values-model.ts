import { FREE_FORM_PATHS_BY_CHART, isFreeFormKey } from './free-form-keys';
import { isPlainObject, PathSegment } from './object-path';
import { KeyTree } from './suggest';
import { UpstreamChart } from './upstream-source';

/**
 * What the values check knows about one node of a values tree:
 * - `map`: the keys below are known by name; anything else is unknown;
 * - `open`: anything goes below (free-form key, list, scalar, `{}` default, subchart values);
 * - `unchecked`: no upstream data for this part; reported once as NOT CHECKED.
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

/** The model of a node whose upstream data is missing. */
export const UNCHECKED: ValuesModel = { kind: 'unchecked' };

/**
 * Builds a model from default values: non-empty maps are descended into, every other default
 * (scalars, null, lists, `{}`) and every free-form key or path is open.
 * `unknownMessage` is what a finding under this tree says, e.g. `unknown key for chart ollama 1.77.0`.
 */
export function modelFromDefaults(defaults: unknown, unknownMessage: string, freeFormPaths: readonly (readonly string[])[] = []): ValuesModel {
  const build = (value: unknown, path: string[]): ValuesModel => {
    const key = path[path.length - 1];
    if (key !== undefined && isFreeFormKey(key)) return OPEN;
    if (freeFormPaths.some((p) => p.length === path.length && p.every((segment, i) => segment === path[i]))) return OPEN;
    if (!isPlainObject(value) || Object.keys(value).length === 0) return OPEN;
    const children = new Map(Object.entries(value).map(([child, sub]) => [child, build(sub, [...path, child])]));
    return { kind: 'map', children, unknownMessage };
  };
  return build(defaults, []);
}

/** Model of an upstream chart's values root: its defaults, with its own subcharts and chart-specific free-form paths open. */
export function upstreamChartModel(chart: UpstreamChart): ValuesModel {
  const freeForm = [...chart.subchartKeys.map((key) => [key]), ...(FREE_FORM_PATHS_BY_CHART[chart.name] ?? []).map((p) => p.split('.'))];
  return modelFromDefaults(chart.values, `unknown key for chart ${chart.name} ${chart.version}`, freeForm);
}

/** Makes `path` known in `model` (creating maps on the way), ending in an open node: used for Chart.yaml conditions. */
export function allowPath(model: ValuesModel, path: readonly string[], unknownMessage: string): void {
  let node = model;
  for (const [index, segment] of path.entries()) {
    if (node.kind !== 'map') return;
    const last = index === path.length - 1;
    let child = node.children.get(segment);
    if (!child) {
      child = last ? OPEN : { kind: 'map', children: new Map(), unknownMessage };
      node.children.set(segment, child);
    }
    node = child;
  }
}

/** A {@link KeyTree} view of a model, for suggestions. */
export function modelKeyTree(model: ValuesModel | undefined): KeyTree {
  return {
    keys: () => (model?.kind === 'map' ? [...model.children.keys()] : []),
    child: (key: PathSegment) => (model?.kind === 'map' && typeof key === 'string' && model.children.has(key) ? modelKeyTree(model.children.get(key)) : undefined),
  };
}
