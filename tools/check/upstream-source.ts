import * as fs from 'fs';
import * as path from 'path';
import { CrdDocument, crdsFromDocuments } from './crd-documents';
import { UPSTREAM_SUBCHART_KEYS } from './free-form-keys';
import { isPlainObject } from './object-path';
import { readYamlFileCached } from './parse-cache';
import { layoutPath, UpstreamConfig } from './upstream-config';

/** Default values of one upstream chart version. */
export interface UpstreamChart {
  name: string;
  version: string;
  /** The chart's `values.yaml` (what `helm show values` prints). */
  values: Record<string, unknown>;
  /** Keys of the chart's own subcharts (from its Chart.yaml, else {@link UPSTREAM_SUBCHART_KEYS}). */
  subchartKeys: string[];
}

/** A lookup result: the data, or where the check looked in vain (shown in NOT CHECKED lines). */
export type UpstreamResult<T> = { ok: true; value: T } | { ok: false; lookedIn: string[]; error?: string };

/** Where the check gets upstream data from. Tests may pass an in-memory implementation. */
export interface UpstreamSource {
  /** Default values of `<chart>` at `<version>`. */
  chart(name: string, version: string): UpstreamResult<UpstreamChart>;
  /** The CRDs shipped with the Argo CD chart at `<version>`. */
  argoCrds(chart: string, version: string): UpstreamResult<CrdDocument[]>;
}

/** Formats a path for messages: relative to `base` when that is shorter. */
export function displayPath(file: string, base: string): string {
  const relative = path.relative(base, file);
  return relative.length < file.length ? relative : file;
}

/**
 * Upstream data read from directories laid out as in `upstream.json` (`<root>/<chart>-<version>/
 * values.yaml`, `Chart.yaml`, `crds/*.yaml`); the first root holding a chart wins. Results are
 * memoised for the life of the source.
 */
export function fileUpstreamSource(options: {
  roots: string[];
  layout: UpstreamConfig['layout'];
  /** Directory the paths in NOT CHECKED lines are relative to (the working directory). */
  displayBase: string;
  /** Cache root (parsed YAML goes to `<cacheDir>/yaml`); none = parse every time. */
  cacheDir?: string;
}): UpstreamSource {
  const { roots, layout, displayBase } = options;
  const parseCacheDir = options.cacheDir && path.join(options.cacheDir, 'yaml');
  const charts = new Map<string, UpstreamResult<UpstreamChart>>();
  const crds = new Map<string, UpstreamResult<CrdDocument[]>>();
  const show = (file: string) => displayPath(file, displayBase);

  const loadChart = (name: string, version: string): UpstreamResult<UpstreamChart> => {
    const candidates = roots.map((root) => path.join(root, layoutPath(layout.values, name, version)));
    const valuesFile = candidates.find((file) => fs.existsSync(file));
    if (!valuesFile) return { ok: false, lookedIn: candidates.map(show) };
    const parsed = readYamlFileCached(valuesFile, parseCacheDir);
    if (!parsed.ok) return { ok: false, lookedIn: [show(valuesFile)], error: `invalid YAML: ${parsed.error}` };
    const values = parsed.documents[0] ?? {};
    if (!isPlainObject(values)) return { ok: false, lookedIn: [show(valuesFile)], error: 'values.yaml is not a mapping' };
    const root = roots[candidates.indexOf(valuesFile)];
    return { ok: true, value: { name, version, values, subchartKeys: subchartKeys(path.join(root, layoutPath(layout.chart, name, version)), name) } };
  };

  const subchartKeys = (chartFile: string, name: string): string[] => {
    if (!fs.existsSync(chartFile)) return [...(UPSTREAM_SUBCHART_KEYS[name] ?? [])];
    const parsed = readYamlFileCached(chartFile, parseCacheDir);
    const chart = parsed.ok ? parsed.documents[0] : undefined;
    const dependencies = isPlainObject(chart) && Array.isArray(chart.dependencies) ? chart.dependencies : [];
    return dependencies.filter(isPlainObject).map((d) => String(d.alias ?? d.name));
  };

  const loadCrds = (chart: string, version: string): UpstreamResult<CrdDocument[]> => {
    const candidates = roots.map((root) => path.join(root, layoutPath(layout.crds, chart, version)));
    const dir = candidates.find((candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isDirectory());
    if (!dir) return { ok: false, lookedIn: candidates.map(show) };
    const documents: CrdDocument[] = [];
    for (const file of fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
      const parsed = readYamlFileCached(path.join(dir, file), parseCacheDir);
      if (!parsed.ok) return { ok: false, lookedIn: [show(path.join(dir, file))], error: `invalid YAML: ${parsed.error}` };
      documents.push(...crdsFromDocuments(parsed.documents, show(path.join(dir, file))));
    }
    if (documents.length === 0) return { ok: false, lookedIn: [show(dir)], error: 'no CustomResourceDefinition in it' };
    return { ok: true, value: documents };
  };

  return {
    chart(name, version) {
      const key = `${name}@${version}`;
      if (!charts.has(key)) charts.set(key, loadChart(name, version));
      return charts.get(key)!;
    },
    argoCrds(chart, version) {
      const key = `${chart}@${version}`;
      if (!crds.has(key)) crds.set(key, loadCrds(chart, version));
      return crds.get(key)!;
    },
  };
}
