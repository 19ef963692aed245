import { isPlainObject } from './object-path';
import { chartVersionProblem } from './pin-policy';
import { UpstreamResult, UpstreamChart, UpstreamSource } from './upstream-source';
import { allowPath, modelFromDefaults, OPEN, UNCHECKED, upstreamChartModel, ValuesModel } from './values-model';
import { dependencyKey, WrapperChart } from './wrapper-charts';

/** An upstream chart a model needed, with the lookup result (for stats and NOT CHECKED lines). */
export interface UpstreamUse {
  name: string;
  version: string;
  /** Who needs it, e.g. `apps/ollama`. */
  usedBy: string;
  result: UpstreamResult<UpstreamChart>;
}

/**
 * The known-keys model of a wrapper chart's values:
 * - each dependency's name or alias maps to that upstream chart's defaults (or UNCHECKED when the
 *   upstream values are missing, or when the version is not an exact pin);
 * - `global` is open (Helm shares it with every subchart);
 * - `tags` is open when a dependency uses tags, and `condition:` paths (e.g. `ollama.enabled`)
 *   are known, since Helm reads them from this chart's values;
 * - any other top-level key is unknown, unless the chart has its own `templates/` that can read
 *   it: then a key declared in the chart's `values.yaml` is known, checked against its defaults
 *   there. Undeclared keys stay unknown; values.yaml is where a chart declares its values.
 */
export function wrapperChartModel(chart: WrapperChart, upstream: UpstreamSource): { model: ValuesModel; uses: UpstreamUse[] } {
  const uses: UpstreamUse[] = [];
  const children = new Map<string, ValuesModel>();
  const base = chart.valuesFiles.find((file) => /\/values\.ya?ml$/.test(file.file))?.values;
  if (chart.hasTemplates && isPlainObject(base)) {
    for (const [key, defaults] of Object.entries(base)) {
      children.set(key, modelFromDefaults(defaults, `unknown key: not declared in ${chart.dir}/values.yaml`));
    }
  }
  for (const dependency of chart.dependencies) {
    const key = dependencyKey(dependency);
    if (typeof dependency.version !== 'string' || chartVersionProblem(dependency.version)) {
      // The pin policy reports the version itself; what goes unchecked because of it is said here.
      const error = 'not an exact version, so there is no single upstream chart to compare with';
      uses.push({ name: dependency.name, version: String(dependency.version ?? '(none)'), usedBy: chart.dir, result: { ok: false, lookedIn: [], error } });
      children.set(key, UNCHECKED);
      continue;
    }
    const result = upstream.chart(dependency.name, dependency.version);
    uses.push({ name: dependency.name, version: dependency.version, usedBy: chart.dir, result });
    children.set(key, result.ok ? upstreamChartModel(result.value) : UNCHECKED);
  }
  children.set('global', OPEN);
  if (chart.dependencies.some((dependency) => dependency.tags.length > 0)) children.set('tags', OPEN);
  const hints = new Map(
    chart.dependencies
      .filter((dependency) => dependency.alias && dependency.alias !== dependency.name && !children.has(dependency.name))
      .map((dependency) => [dependency.name, `unknown top-level key: dependency ${dependency.name} is aliased, its values go under ${dependency.alias} → did you mean ${dependency.alias}?`]),
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
  return { model, uses };
}
