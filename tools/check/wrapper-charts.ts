import * as fs from 'fs';
import * as path from 'path';
import { Finding } from './findings';
import { isPlainObject } from './object-path';
import { parseYamlDocument } from './yaml-files';

/** One entry of a Chart.yaml `dependencies:` list. */
export interface ChartDependency {
  /** Upstream chart name (`name:`), used to find its default values. */
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
}

/** A values document of a wrapper chart: `values.yaml` or `values-<env>.yaml`. */
export interface ValuesFile {
  /** Path relative to the repository root, e.g. `apps/ollama/values-dev.yaml`. */
  file: string;
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
  valuesFiles: ValuesFile[];
  /** True when the chart has its own `templates/`, which may read top-level keys of its values.yaml. */
  hasTemplates: boolean;
  /** Every file in the chart directory (relative to the repository root), except under `charts/`. */
  files: string[];
}

/** The values key a dependency's values live under: its alias, else its name. */
export function dependencyKey(dependency: ChartDependency): string {
  return dependency.alias ?? dependency.name;
}

const VALUES_FILE = /^values(-[A-Za-z0-9_.-]+)?\.ya?ml$/;

/**
 * Parses a Chart.yaml text into its dependencies. Problems (invalid YAML, a dependency without a
 * name) become findings.
 */
export function parseChartDependencies(text: string, file: string): { dependencies: ChartDependency[]; findings: Finding[] } {
  const parsed = parseYamlDocument(text);
  if (!parsed.ok) return { dependencies: [], findings: [{ file, path: '', message: `invalid YAML: ${parsed.error}` }] };
  const list = isPlainObject(parsed.value) ? parsed.value.dependencies : undefined;
  if (list === undefined) return { dependencies: [], findings: [] };
  if (!Array.isArray(list)) return { dependencies: [], findings: [{ file, path: 'dependencies', message: 'must be a list' }] };
  const dependencies: ChartDependency[] = [];
  const findings: Finding[] = [];
  list.forEach((entry, index) => {
    if (!isPlainObject(entry) || typeof entry.name !== 'string' || entry.name === '') {
      findings.push({ file, path: `dependencies[${index}].name`, message: 'dependency without a name' });
      return;
    }
    const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
    dependencies.push({
      name: entry.name,
      alias: text(entry.alias),
      version: entry.version,
      repository: text(entry.repository),
      conditions: (text(entry.condition) ?? '').split(',').map((c) => c.trim()).filter(Boolean),
      tags: Array.isArray(entry.tags) ? entry.tags.filter((t): t is string => typeof t === 'string') : [],
      index,
    });
  });
  return { dependencies, findings };
}

/**
 * Loads every wrapper chart under `<repoRoot>/apps/*` (directories holding a Chart.yaml) with its
 * values files. YAML errors become findings; the chart is still returned with what could be read.
 */
export function loadWrapperCharts(repoRoot: string): { charts: WrapperChart[]; findings: Finding[] } {
  const appsDir = path.join(repoRoot, 'apps');
  if (!fs.existsSync(appsDir)) return { charts: [], findings: [] };
  const charts: WrapperChart[] = [];
  const findings: Finding[] = [];
  for (const name of fs.readdirSync(appsDir).sort()) {
    const dir = path.join(appsDir, name);
    const chartPath = path.join(dir, 'Chart.yaml');
    if (!fs.existsSync(chartPath)) continue;
    const relDir = `apps/${name}`;
    const chartFile = `${relDir}/Chart.yaml`;
    const parsedChart = parseChartDependencies(fs.readFileSync(chartPath, 'utf8'), chartFile);
    findings.push(...parsedChart.findings);
    const valuesNames = fs
      .readdirSync(dir)
      .filter((file) => VALUES_FILE.test(file))
      .sort((a, b) => Number(b.startsWith('values.')) - Number(a.startsWith('values.')) || a.localeCompare(b));
    const valuesFiles: ValuesFile[] = [];
    for (const valuesName of valuesNames) {
      const file = `${relDir}/${valuesName}`;
      const parsed = parseYamlDocument(fs.readFileSync(path.join(dir, valuesName), 'utf8'));
      if (parsed.ok) valuesFiles.push({ file, values: parsed.value ?? {} });
      else findings.push({ file, path: '', message: `invalid YAML: ${parsed.error}` });
    }
    charts.push({
      name,
      dir: relDir,
      chartFile,
      dependencies: parsedChart.dependencies,
      valuesFiles,
      hasTemplates: fs.existsSync(path.join(dir, 'templates')),
      files: listFiles(dir, relDir),
    });
  }
  return { charts, findings };
}

/** Files below `dir` (as `relDir/...`), skipping `charts/` (downloaded dependency archives). */
function listFiles(dir: string, relDir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const rel = `${relDir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === 'charts' ? [] : listFiles(path.join(dir, entry.name), rel);
    return [rel];
  });
}
