import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CATALOG } from '../../apps/catalog';
import { APPS_DIR, BASE_VALUE_FILE, GENERATED_VALUE_FILE_PATTERN, VALUE_FILE_PATTERN, wrapperChartPath } from '../../constructs/apps/wrapper-chart';
import { ENVIRONMENTS, loadEnvironments } from '../../environments';
import type { BuildAppOptions } from '../../main';
import { withoutCreationStacks } from '../../constructs/core/creation-stacks';
import { isPlainObject, parseYamlDocument } from './documents';
import { displayPath, emptyFacts, FACTS_COMMAND, FactsPin, readFacts } from './facts';
import { chartVersionProblem } from './pin-policy';
import type { CheckInputs, Finding, NotChecked } from './rule';
import { applicationSources, argoCdChart, helmReleases, StackFile } from './stacks';

/** One entry of a wrapper chart's Chart.yaml `dependencies:` list. */
export interface ChartDependency {
  /** Upstream chart name (`name:`), used to find its facts. */
  name: string;
  /** `alias:`, when set: the values key the dependency's values live under. */
  alias?: string;
  /** `version:` exactly as written (the pin policy checks it). */
  version: unknown;
  repository?: string;
  /** `condition:` paths (comma-separated in Chart.yaml), e.g. `ollama.enabled`. */
  conditions: string[];
  tags: string[];
  /** Position in the `dependencies:` list, for finding paths. */
  index: number;
  /**
   * For a `file://` dependency (a chart of this repository): the default values of that chart,
   * which its values keys are checked against instead of upstream facts.
   */
  localValues?: unknown;
}

/**
 * A value file of a wrapper chart: `values.yaml`, `values-<env>.yaml` ({@link VALUE_FILE_PATTERN})
 * or the generated `generated/<env>.yaml` ({@link GENERATED_VALUE_FILE_PATTERN}).
 */
export interface ValueFile {
  /** Path relative to the repository root, e.g. `apps/ollama/values-dev.yaml`. */
  file: string;
  /** True for `values.yaml`, the base every environment's values are layered on. */
  base: boolean;
  /** The environment of `values-<env>.yaml`. */
  environment?: string;
  values: unknown;
}

/** A wrapper chart under `apps/<name>/`: a Chart.yaml whose dependencies do the real work. */
export interface WrapperChart {
  /** Directory name under `apps/`. */
  name: string;
  /** Directory relative to the repository root, e.g. `apps/ollama`; Applications point `spec.source.path` here. */
  dir: string;
  /** `apps/<name>/Chart.yaml`, relative to the repository root. */
  chartFile: string;
  dependencies: ChartDependency[];
  /** `values.yaml` first (when present), then `values-<env>.yaml` in name order. */
  valueFiles: ValueFile[];
  /** True when the chart has its own `templates/`, which may read top-level keys of its values.yaml. */
  hasTemplates: boolean;
  /** Every file in the chart directory (relative to the repository root), except under `charts/`. */
  files: string[];
}

/** An environment's pre-release policy (`allowPreReleases` in environments/<env>.ts). */
export interface EnvironmentPolicy {
  name: string;
  allowPreReleases: boolean;
}

/** Looks like a value file: one that does not match {@link VALUE_FILE_PATTERN} is never passed to Helm. */
const VALUE_FILE_LOOKALIKE = /^values.*\.ya?ml$/i;

/** A value file the stacks pass to Helm: hand-written or generated. */
const isValueFile = (file: string) => VALUE_FILE_LOOKALIKE.test(file) || GENERATED_VALUE_FILE_PATTERN.test(file);

/**
 * Parses a wrapper chart from its files: `texts` holds Chart.yaml and the value files by name
 * within the chart folder, `otherFiles` the names of the rest (`templates/x.yaml`). Problems
 * (invalid YAML, a dependency without a name, a misnamed value file) come back as findings; the
 * chart is still returned with what could be read.
 */
export function parseWrapperChart(
  name: string,
  texts: Readonly<Record<string, string>>,
  otherFiles: readonly string[] = [],
): { chart: WrapperChart; problems: Finding[] } {
  const dir = wrapperChartPath(name);
  const chartFile = `${dir}/Chart.yaml`;
  const problems: Finding[] = [];
  const dependencies: ChartDependency[] = [];
  const parsedChart = parseYamlDocument(texts['Chart.yaml'] ?? '');
  const list = parsedChart.ok && isPlainObject(parsedChart.value) ? parsedChart.value.dependencies : undefined;
  if (!parsedChart.ok) problems.push({ file: chartFile, path: '', message: `invalid YAML: ${parsedChart.error}` });
  else if (list !== undefined && !Array.isArray(list)) problems.push({ file: chartFile, path: 'dependencies', message: 'must be a list' });
  (Array.isArray(list) ? list : []).forEach((entry, index) => {
    if (!isPlainObject(entry) || typeof entry.name !== 'string' || entry.name === '') {
      problems.push({ file: chartFile, path: `dependencies[${index}].name`, message: 'dependency without a name' });
      return;
    }
    const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
    dependencies.push({
      name: entry.name,
      alias: text(entry.alias),
      version: entry.version,
      repository: text(entry.repository),
      conditions: (text(entry.condition) ?? '')
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean),
      tags: Array.isArray(entry.tags) ? entry.tags.filter((t): t is string => typeof t === 'string') : [],
      index,
    });
  });

  const valueFiles: ValueFile[] = [];
  const names = Object.keys(texts).filter(isValueFile);
  names.sort((a, b) => Number(b === BASE_VALUE_FILE) - Number(a === BASE_VALUE_FILE) || a.localeCompare(b));
  for (const fileName of names) {
    const file = `${dir}/${fileName}`;
    const match = VALUE_FILE_PATTERN.exec(fileName) ?? GENERATED_VALUE_FILE_PATTERN.exec(fileName);
    if (!match) {
      problems.push({ file, path: '', message: 'not a value file name (values.yaml or values-<env>.yaml, lower-case): no Application passes it to Helm' });
      continue;
    }
    const parsed = parseYamlDocument(texts[fileName]);
    if (parsed.ok) valueFiles.push({ file, base: fileName === BASE_VALUE_FILE, ...(match[1] ? { environment: match[1] } : {}), values: parsed.value ?? {} });
    else problems.push({ file, path: '', message: `invalid YAML: ${parsed.error}` });
  }
  const files = [...Object.keys(texts), ...otherFiles].map((file) => `${dir}/${file}`).sort();
  const hasTemplates = otherFiles.some((file) => file.startsWith('templates/'));
  return { chart: { name, dir, chartFile, dependencies, valueFiles, hasTemplates, files }, problems };
}

/** Files below `dir` (relative to it), skipping `charts/` (downloaded dependency archives). */
function listFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const rel = `${prefix}${entry.name}`;
    if (entry.isDirectory()) return entry.name === 'charts' ? [] : listFiles(path.join(dir, entry.name), `${rel}/`);
    return [rel];
  });
}

/** True when `<dir>/Chart.yaml` declares `type: library`. */
function isLibraryChart(dir: string): boolean {
  const chart = parseYamlDocument(fs.readFileSync(path.join(dir, 'Chart.yaml'), 'utf8'));
  return chart.ok && isPlainObject(chart.value) && chart.value.type === 'library';
}

/** Every wrapper chart under `<root>/apps/*` (directories holding a Chart.yaml of an application chart). */
export function loadWrapperCharts(root: string): { charts: WrapperChart[]; problems: Finding[] } {
  const appsDir = path.join(root, APPS_DIR);
  const charts: WrapperChart[] = [];
  const problems: Finding[] = [];
  if (!fs.existsSync(appsDir)) return { charts, problems };
  for (const name of fs.readdirSync(appsDir).sort()) {
    const dir = path.join(appsDir, name);
    if (!fs.existsSync(path.join(dir, 'Chart.yaml'))) continue;
    // A library chart (apps/isolation) is included by the wrapper charts, never deployed itself.
    if (isLibraryChart(dir)) continue;
    const all = listFiles(dir);
    const read = all.filter((file) => file === 'Chart.yaml' || isValueFile(file));
    const texts = Object.fromEntries(read.map((file) => [file, fs.readFileSync(path.join(dir, file), 'utf8')]));
    const parsed = parseWrapperChart(
      name,
      texts,
      all.filter((file) => !read.includes(file)),
    );
    for (const dependency of parsed.chart.dependencies) {
      if (!dependency.repository?.startsWith('file://')) continue;
      const local = path.resolve(dir, dependency.repository.slice('file://'.length), 'values.yaml');
      const values = fs.existsSync(local) ? parseYamlDocument(fs.readFileSync(local, 'utf8')) : undefined;
      dependency.localValues = values?.ok ? (values.value ?? {}) : {};
    }
    charts.push(parsed.chart);
    problems.push(...parsed.problems);
  }
  return { charts, problems };
}

/**
 * The environments' pre-release policies: from `<root>/environments` (validated against
 * `<root>/apps/catalog.ts`) when the root has them, else this checkout's (test fixtures have no
 * environments of their own).
 */
export function loadEnvironmentPolicies(root: string): EnvironmentPolicy[] | { error: string } {
  try {
    const own = path.join(root, 'environments', 'index.ts');
    const ownCatalog = path.join(root, 'apps', 'catalog.ts');
    const module =
      fs.existsSync(own) && fs.existsSync(ownCatalog)
        ? {
            ...(require(own) as { ENVIRONMENTS: typeof ENVIRONMENTS; loadEnvironments: typeof loadEnvironments }),
            ...(require(ownCatalog) as { CATALOG: typeof CATALOG }),
          }
        : { ENVIRONMENTS, loadEnvironments, CATALOG };
    return module.loadEnvironments(module.ENVIRONMENTS, module.CATALOG).map(({ name, allowPreReleases }) => ({ name, allowPreReleases }));
  } catch (error) {
    return { error: firstLine(error) };
  }
}

/** Stacks to check, or why there are none: a NOT CHECKED item, or a finding (synthesis failed). */
export type StacksResult =
  { ok: true; stacks: StackFile[]; problems: Finding[]; description: string } | { ok: false; notChecked?: NotChecked; problem?: Finding };

/** What goes unchecked without synthesized stacks; named in the NOT CHECKED line. */
const STACK_CHECKS = 'synthesized stacks (Argo CD manifests, Application values, helm_release and provider pins)';

/**
 * Reads `<dir>/stacks/<stack>/cdk.tf.json` for every stack (also accepts the `stacks` directory
 * itself). `displayDir` replaces `dir` in the file names shown in findings.
 */
function readSynthDir(dir: string, displayDir: string): { stacks: StackFile[]; problems: Finding[] } {
  const stacksDir = fs.existsSync(path.join(dir, 'stacks')) ? path.join(dir, 'stacks') : dir;
  const displayStacks = stacksDir === dir ? displayDir : `${displayDir}/stacks`;
  const stacks: StackFile[] = [];
  const problems: Finding[] = [];
  if (!fs.existsSync(stacksDir)) return { stacks, problems };
  for (const stack of fs.readdirSync(stacksDir).sort()) {
    const jsonFile = path.join(stacksDir, stack, 'cdk.tf.json');
    if (!fs.existsSync(jsonFile)) continue;
    const file = `${displayStacks}/${stack}/cdk.tf.json`;
    try {
      stacks.push({ stack, file, json: JSON.parse(fs.readFileSync(jsonFile, 'utf8')) });
    } catch (error) {
      problems.push({ file, path: '', message: `invalid JSON: ${(error as Error).message}` });
    }
  }
  return { stacks, problems };
}

/** Stacks from an existing synth output directory (`--synth-dir`). */
export function stacksFromDir(dir: string, displayDir: string): StacksResult {
  if (!fs.existsSync(dir)) return { ok: false, notChecked: { subject: STACK_CHECKS, reason: `${displayDir} does not exist` } };
  const { stacks, problems } = readSynthDir(dir, displayDir);
  if (stacks.length === 0 && problems.length === 0)
    return { ok: false, notChecked: { subject: STACK_CHECKS, reason: `no <stack>/cdk.tf.json under ${displayDir}` } };
  return { ok: true, stacks, problems, description: `read from ${displayDir}` };
}

/**
 * Synthesizes the app in-process: `require(<root>/main.ts).buildApp({ outdir, repoRoot }).synth()`
 * into a temporary directory, then reads the stacks. Findings name the files as
 * `cdktf.out/stacks/...`, where `cdktf synth` would write them. A missing main.ts or buildApp
 * export is NOT CHECKED; a throwing buildApp (invalid configuration) is a finding.
 */
export function synthesizeStacks(root: string): StacksResult {
  const mainFile = path.join(root, 'main.ts');
  if (!fs.existsSync(mainFile)) return { ok: false, notChecked: { subject: STACK_CHECKS, reason: `${mainFile} not found (or pass --synth-dir <cdktf.out>)` } };
  let buildApp: unknown;
  try {
    buildApp = withoutCreationStacks(() => (require(mainFile) as { buildApp?: unknown }).buildApp);
  } catch (error) {
    return { ok: false, problem: { file: 'main.ts', path: '', message: `cannot load main.ts: ${firstLine(error)}` } };
  }
  if (typeof buildApp !== 'function') {
    return {
      ok: false,
      notChecked: { subject: STACK_CHECKS, reason: 'main.ts does not export buildApp(options?: { outdir?: string; env?: NodeJS.ProcessEnv }): App' },
    };
  }
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-synth-'));
  try {
    withoutCreationStacks(() => (buildApp as (options: BuildAppOptions) => { synth(): void })({ outdir, repoRoot: root }).synth());
    const { stacks, problems } = readSynthDir(outdir, 'cdktf.out');
    if (stacks.length === 0) return { ok: false, notChecked: { subject: STACK_CHECKS, reason: 'buildApp().synth() produced no stacks' } };
    return { ok: true, stacks, problems, description: 'synthesized in-process from main.ts' };
  } catch (error) {
    return { ok: false, problem: { file: 'main.ts', path: '', message: `buildApp().synth() failed: ${firstLine(error)}` } };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

/** The repository this file belongs to. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** What to load: the CLI flags, resolved. */
export interface LoadOptions {
  /** Repository root holding `apps/` and `main.ts` (default: this checkout). */
  root?: string;
  /** Existing synth output to read instead of synthesizing main.ts (`--synth-dir`). */
  synthDir?: string;
  /** Facts file (default: tools/check/upstream-facts.json). */
  factsFile: string;
  /** Directory relative paths resolve against and messages are relative to. */
  cwd: string;
  /** Called after each phase, for `CHECK_TIMING`. */
  onPhase?: (phase: string) => void;
}

/** Loads everything the rules look at; the stacks' description says how they were obtained. */
export function loadInputs(options: LoadOptions): { inputs: CheckInputs; stacksDescription?: string } {
  const root = options.root ? path.resolve(options.cwd, options.root) : REPO_ROOT;
  const problems: Finding[] = [];
  const unavailable: NotChecked[] = [];
  const wrappers = loadWrapperCharts(root);
  problems.push(...wrappers.problems);
  if (wrappers.charts.length === 0) unavailable.push({ subject: 'wrapper charts', reason: `no ${APPS_DIR}/<name>/Chart.yaml under ${root}` });
  options.onPhase?.('apps/ loaded');
  const synthDir = options.synthDir && path.resolve(options.cwd, options.synthDir);
  const stacks = synthDir ? stacksFromDir(synthDir, displayPath(synthDir, root)) : synthesizeStacks(root);
  if (stacks.ok) problems.push(...stacks.problems);
  else if (stacks.problem) problems.push(stacks.problem);
  else if (stacks.notChecked) unavailable.push(stacks.notChecked);
  options.onPhase?.('stacks loaded');
  const factsFile = displayPath(options.factsFile, options.cwd);
  const facts = readFacts(options.factsFile);
  if (!facts.ok) unavailable.push({ subject: `upstream facts ${factsFile}`, reason: `${facts.error}; run ${FACTS_COMMAND}` });
  const inputs: CheckInputs = {
    charts: wrappers.charts,
    stacks: stacks.ok ? stacks.stacks : [],
    environments: loadEnvironmentPolicies(root),
    facts: facts.ok ? facts.value : emptyFacts(),
    factsFile,
    problems,
    unavailable,
    cacheDir: path.join(REPO_ROOT, '.cache', 'check'),
  };
  return { inputs, stacksDescription: stacks.ok ? stacks.description : undefined };
}

/**
 * Every exactly pinned upstream chart the inputs use, which the facts must cover: wrapper chart
 * dependencies, helm_release charts, Application chart sources (values facts), and the Argo CD
 * chart whose CRDs validate the manifests. Unpinned ones are left out: the pin policy reports them.
 */
export function pinnedCharts(inputs: Pick<CheckInputs, 'charts' | 'stacks'>): FactsPin[] {
  const found: FactsPin[] = [];
  const add = (chart: unknown, version: unknown, repository: unknown, kind: FactsPin['kind'] = 'values') => {
    if (typeof chart !== 'string' || typeof version !== 'string' || chartVersionProblem(version)) return;
    if (typeof repository === 'string' && repository.startsWith('file://')) return;
    if (found.some((pin) => pin.kind === kind && pin.chart === chart && pin.version === version)) return;
    found.push({ kind, chart, version, repository: typeof repository === 'string' ? repository : '' });
  };
  for (const chart of inputs.charts) for (const dependency of chart.dependencies) add(dependency.name, dependency.version, dependency.repository);
  for (const release of helmReleases(inputs.stacks)) if (release.chart) add(release.chart.name, release.version, release.chart.repository);
  for (const { source } of applicationSources(inputs.stacks)) if (typeof source.chart === 'string') add(source.chart, source.targetRevision, source.repoURL);
  const argoCd = argoCdChart(inputs.stacks);
  add(argoCd.name, argoCd.version, argoCd.repository, 'crds');
  return found;
}
