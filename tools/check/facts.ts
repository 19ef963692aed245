import * as fs from 'fs';
import * as path from 'path';
import { crdFactsFromDocuments, CrdFacts } from './crd-schema';
import { isPlainObject, parseYamlDocument, parseYamlDocuments, ParseResult } from './documents';
import { TEMPLATE_READ_KEYS, TemplateReadKey } from './template-keys';

/** The committed facts file the check reads. */
export const FACTS_FILE = path.join(__dirname, 'upstream-facts.json');

/** The command that regenerates {@link FACTS_FILE}. */
export const FACTS_COMMAND = 'npm run fetch-upstream';

/**
 * The Argo CD kinds whose CRD schemas the facts keep: the ones this project creates. The
 * ApplicationSet schema alone is ~380 kB; a manifest of a kind left out is NOT CHECKED.
 */
export const ARGO_CRD_KINDS: readonly string[] = ['Application', 'AppProject'];

/** A node of a chart's values key tree: child keys, or a marker for a scalar/null (`leaf`) or list (`list`) default. */
export type KeyNode = 'leaf' | 'list' | { [key: string]: KeyNode };

/** What the check knows about one upstream chart version. */
export interface ChartFacts {
  /** `appVersion` of its Chart.yaml: the image tag when the values set none. */
  appVersion?: string;
  /** Its default `image.tag`, when not empty (it wins over appVersion). */
  defaultImageTag?: string;
  /** Values keys of its own subcharts (Chart.yaml dependencies, alias or name). */
  subcharts: string[];
  /** The key tree of its default values. */
  keys: Record<string, KeyNode>;
}

/** Where the facts came from: the header of {@link FACTS_FILE}. */
export interface FactsHeader {
  note: string;
  command: string;
  /** Upstream directories read (relative to the repository root when inside or beside it). */
  from: string[];
  /** Every upstream file read. */
  inputs: string[];
  keyMarkers: string;
}

/** Contents of {@link FACTS_FILE}. */
export interface UpstreamFacts {
  generated: FactsHeader;
  /** Keyed by `<chart>@<version>`. */
  charts: Record<string, ChartFacts>;
  /** Argo CD CRDs by kind, keyed by the `<chart>@<version>` of the chart that ships them. */
  crds: Record<string, Record<string, CrdFacts>>;
}

/** An upstream chart version the facts need: its values facts, or (for Argo CD) its CRDs. */
export interface FactsPin {
  kind: 'values' | 'crds';
  chart: string;
  version: string;
  /** Helm repository URL (`https://…` or `oci://…`); empty when unknown. */
  repository: string;
}

/** The key of a chart version in the facts. */
export function factsKey(chart: string, version: string): string {
  return `${chart}@${version}`;
}

/** Facts that know nothing (every chart and manifest is then NOT CHECKED). */
export function emptyFacts(): UpstreamFacts {
  return { generated: { note: '', command: FACTS_COMMAND, from: [], inputs: [], keyMarkers: '' }, charts: {}, crds: {} };
}

/** Reads a facts file; an error names what is wrong with it. */
export function readFacts(file: string): ParseResult<UpstreamFacts> {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    return { ok: false, error: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `invalid JSON: ${(error as Error).message}` };
  }
  if (!isPlainObject(raw) || !isPlainObject(raw.charts) || !isPlainObject(raw.crds) || !isPlainObject(raw.generated)) {
    return { ok: false, error: 'not a facts file (needs generated, charts and crds)' };
  }
  return { ok: true, value: raw as unknown as UpstreamFacts };
}

/** The key tree of a values document: maps by key, lists and scalars as markers. */
export function keyTree(values: unknown): KeyNode {
  if (Array.isArray(values)) return 'list';
  if (!isPlainObject(values)) return 'leaf';
  return Object.fromEntries(Object.entries(values).map(([key, child]) => [key, keyTree(child)]));
}

/** The facts of one chart version, from its default values and its Chart.yaml. */
export function chartFacts(values: Record<string, unknown>, chart: unknown): ChartFacts {
  const meta = isPlainObject(chart) ? chart : {};
  const dependencies = Array.isArray(meta.dependencies) ? meta.dependencies.filter(isPlainObject) : [];
  const image = isPlainObject(values.image) ? values.image : {};
  return {
    ...(meta.appVersion !== undefined && meta.appVersion !== null ? { appVersion: String(meta.appVersion) } : {}),
    ...(typeof image.tag === 'string' && image.tag !== '' ? { defaultImageTag: image.tag } : {}),
    subcharts: dependencies.map((dependency) => String(dependency.alias ?? dependency.name)),
    keys: keyTree(values) as Record<string, KeyNode>,
  };
}

/** Formats a path for the header and messages: relative to `base` when that is shorter. */
export function displayPath(file: string, base: string): string {
  const relative = path.relative(base, file);
  return relative.length < file.length ? relative : file;
}

/**
 * Where the facts of `chart@version` were derived from, as the header's inputs record it: the chart
 * folder or archive given to `--from`, or the upstream directory (`.cache/upstream` is what helm
 * fetched); undefined when no input names that version.
 */
export function factsSource(header: FactsHeader, chart: string, version: string): { kind: 'from' | 'directory'; path: string } | undefined {
  const folder = `/${chart}-${version}/`;
  const input = header.inputs.find((entry) => entry.includes(folder));
  if (!input) return undefined;
  const source = input.slice(0, input.indexOf(folder));
  // `--from` inputs read `<path>:/<chart>-<version>/values.yaml`.
  return source.endsWith(':') ? { kind: 'from', path: source.slice(0, -1) } : { kind: 'directory', path: source };
}

/** What {@link deriveFacts} made, and which pins it found no usable upstream data for. */
export interface DerivedFacts {
  facts: UpstreamFacts;
  /** One line per pin without facts: what is missing and where the generator looked. */
  missing: { pin: FactsPin; reason: string }[];
}

/**
 * Derives the facts for `pins` from upstream directories laid out as `<chart>-<version>/values.yaml`,
 * `Chart.yaml` and `crds/*.yaml` (the `../shared/upstream` layout, which the helm fetch fills too);
 * the first directory holding a chart wins. Paths in the header are relative to `displayBase`.
 */
export function deriveFacts(pins: readonly FactsPin[], dirs: readonly string[], displayBase: string): DerivedFacts {
  const show = (file: string) => displayPath(file, displayBase);
  const charts: UpstreamFacts['charts'] = {};
  const crds: UpstreamFacts['crds'] = {};
  const from = new Set<string>();
  const inputs: string[] = [];
  const missing: DerivedFacts['missing'] = [];
  const read = (file: string) => {
    inputs.push(show(file));
    return fs.readFileSync(file, 'utf8');
  };
  const sorted = [...pins].sort((a, b) => factsKey(a.chart, a.version).localeCompare(factsKey(b.chart, b.version)) || a.kind.localeCompare(b.kind));
  for (const pin of sorted) {
    const folder = `${pin.chart}-${pin.version}`;
    const marker = pin.kind === 'values' ? 'values.yaml' : 'crds';
    const dir = dirs.find((candidate) => fs.existsSync(path.join(candidate, folder, marker)));
    if (!dir) {
      missing.push({ pin, reason: `no ${folder}/${marker} in ${dirs.map(show).join(', ') || '(no upstream directory)'}` });
      continue;
    }
    const problem =
      pin.kind === 'values'
        ? withTemplateKeys(deriveChart(path.join(dir, folder), read), TEMPLATE_READ_KEYS[factsKey(pin.chart, pin.version)] ?? [])
        : deriveCrds(path.join(dir, folder, 'crds'), read);
    if (typeof problem === 'string') {
      missing.push({ pin, reason: problem });
      continue;
    }
    from.add(show(dir));
    if (pin.kind === 'values') charts[factsKey(pin.chart, pin.version)] = problem as ChartFacts;
    else crds[factsKey(pin.chart, pin.version)] = problem as Record<string, CrdFacts>;
  }
  const generated: FactsHeader = {
    note:
      'Generated, do not edit. Facts derived by tools/check/facts.ts from upstream chart data, not a copy of it: ' +
      'the key tree of each pinned chart version default values (no values) plus the keys its templates read that values.yaml only mentions in a comment (tools/check/template-keys.ts), its appVersion, default image.tag and subchart names, ' +
      `and the ${ARGO_CRD_KINDS.join(' and ')} CRD schemas closed for manifest validation (no descriptions, no status/operation).`,
    command: FACTS_COMMAND,
    from: [...from].sort(),
    inputs,
    keyMarkers: 'a values key maps to its child keys, to "leaf" (scalar or null default) or to "list" (list default); {} is an empty map',
  };
  return { facts: { generated, charts, crds }, missing };
}

/**
 * `facts` with each key its templates read but its values.yaml declares only in a comment added as
 * a leaf (tools/check/template-keys.ts); a key already declared, or below no map, is an error.
 */
export function withTemplateKeys(facts: ChartFacts | string, keys: readonly TemplateReadKey[]): ChartFacts | string {
  if (typeof facts === 'string' || keys.length === 0) return facts;
  const tree = JSON.parse(JSON.stringify(facts.keys)) as Record<string, KeyNode>;
  for (const { key } of keys) {
    const parts = key.split('.');
    let node: KeyNode = tree;
    for (const part of parts.slice(0, -1)) {
      node = typeof node === 'object' ? node[part] : undefined!;
      if (typeof node !== 'object') return `template-read key ${key}: ${part} is not a map of values.yaml (tools/check/template-keys.ts)`;
    }
    const last = parts[parts.length - 1];
    if (last in node) return `template-read key ${key} is declared in values.yaml: drop it from tools/check/template-keys.ts`;
    node[last] = 'leaf';
  }
  return { ...facts, keys: tree };
}

/** Facts of one chart from `<dir>/values.yaml` and `<dir>/Chart.yaml`, or why there are none. */
function deriveChart(dir: string, read: (file: string) => string): ChartFacts | string {
  const valuesFile = path.join(dir, 'values.yaml');
  const chartFile = path.join(dir, 'Chart.yaml');
  if (!fs.existsSync(chartFile)) return `${chartFile} not found (appVersion and subcharts come from it)`;
  const values = parseYamlDocument(read(valuesFile));
  if (!values.ok) return `${valuesFile}: invalid YAML: ${values.error}`;
  if (!isPlainObject(values.value)) return `${valuesFile}: not a mapping`;
  const chart = parseYamlDocument(read(chartFile));
  if (!chart.ok) return `${chartFile}: invalid YAML: ${chart.error}`;
  return chartFacts(values.value, chart.value);
}

/** The Argo CD CRD facts from every YAML file in `dir`, or why there are none. */
function deriveCrds(dir: string, read: (file: string) => string): Record<string, CrdFacts> | string {
  const documents: unknown[] = [];
  for (const file of fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()) {
    const parsed = parseYamlDocuments(read(path.join(dir, file)));
    if (!parsed.ok) return `${path.join(dir, file)}: invalid YAML: ${parsed.error}`;
    documents.push(...parsed.value);
  }
  const crds = crdFactsFromDocuments(documents, ARGO_CRD_KINDS);
  return Object.keys(crds).length > 0 ? crds : `no ${ARGO_CRD_KINDS.join('/')} CustomResourceDefinition in ${dir}`;
}

/** The facts as written to {@link FACTS_FILE}: stable key order, two-space indents, final newline. */
export function serializeFacts(facts: UpstreamFacts): string {
  return `${JSON.stringify(facts, null, 2)}\n`;
}
