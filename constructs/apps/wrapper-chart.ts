import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { EXACT_VERSION } from '../../contracts/versions';

/** Folder of the wrapper charts, relative to the repository root. */
export const APPS_DIR = 'apps';

/** The base value file every wrapper chart has. */
export const BASE_VALUE_FILE = 'values.yaml';

/** The value file of one environment: `values-<env>.yaml`. */
export function environmentValueFile(environment: string): string {
  return `values-${environment}.yaml`;
}

/** Folder of a wrapper chart holding the values the program derives per environment (`npm run values`). */
export const GENERATED_VALUES_DIR = 'generated';

/**
 * The generated value file of one environment, relative to the wrapper chart: `generated/<env>.yaml`,
 * what the catalog entry and the environment file give the app (settings, hosts, ingress, GPU
 * scheduling, storage classes, NetworkPolicy allow rules). Committed, so it travels with the
 * environment's Git revision like every other value.
 */
export function generatedValueFile(environment: string): string {
  return `${GENERATED_VALUES_DIR}/${environment}.yaml`;
}

/**
 * The value files an Application of `environment` passes to Helm, lowest precedence first: the
 * base, the hand-written environment file, then the generated one (the program's derived values win).
 */
export function valueFilesFor(environment: string): string[] {
  return [BASE_VALUE_FILE, environmentValueFile(environment), generatedValueFile(environment)];
}

/** Names a value file may have: `values.yaml` or `values-<env>.yaml`. */
export const VALUE_FILE_PATTERN = /^values(?:-([a-z][a-z0-9]*))?\.yaml$/;

/** Paths a generated value file has within its wrapper chart: `generated/<env>.yaml`. */
export const GENERATED_VALUE_FILE_PATTERN = /^generated\/([a-z][a-z0-9]*)\.yaml$/;

/** An https:// or oci:// chart repository URL: printable, no braces, bounded. */
const CHART_REPOSITORY = /^(?:https|oci):\/\/[A-Za-z0-9._~:/?#@!&'()*+,;=%-]{1,500}$/;

/** A chart folder of the same Git repository, next to the wrapper charts: `file://../<folder>`. */
const LOCAL_CHART = /^file:\/\/\.\.\/[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** True for a `file://` dependency (a chart of the same repository, which Argo CD renders from the checkout). */
export function isLocalChart(repository: string): boolean {
  return repository.startsWith('file://');
}

/**
 * The shared library chart `apps/isolation` every wrapper chart depends on: it renders the
 * default-deny ingress NetworkPolicy of the app's namespace and the allow rules the catalog
 * injects (`isolation.allow`), through one include in the wrapper's templates.
 */
export const ISOLATION_CHART = {
  folder: 'isolation',
  name: 'isolation',
  version: '1.0.0',
  repository: 'file://../isolation',
  /** The named template a wrapper includes. */
  template: 'isolation.networkpolicies',
} as const;

/** What a wrapper chart needs to use {@link ISOLATION_CHART}, as the error message says it. */
function isolationFix(relative: string): string {
  const { name, version, repository, template } = ISOLATION_CHART;
  return (
    `every app's wrapper chart depends on the shared isolation chart (default-deny ingress NetworkPolicy): ` +
    `add "- { name: ${name}, version: ${version}, repository: ${repository} }" to ${relative}/Chart.yaml dependencies ` +
    `and a file ${relative}/templates/isolation.yaml holding {{ include "${template}" . }}`
  );
}

/** True when a template of the chart in `dir` includes the isolation chart's named template. */
function includesIsolation(dir: string): boolean {
  const templates = path.join(dir, 'templates');
  if (!fs.existsSync(templates)) return false;
  const pattern = new RegExp(`include\\s+"${ISOLATION_CHART.template.replace(/\./g, '\\.')}"`);
  return fs
    .readdirSync(templates)
    .filter((f) => /\.(ya?ml|tpl)$/.test(f))
    .some((f) => pattern.test(fs.readFileSync(path.join(templates, f), 'utf8')));
}

/** A dependency of a wrapper chart, as written in its `Chart.yaml`. */
export interface ChartDependency {
  readonly name: string;
  readonly version: string;
  readonly repository: string;
  /** `alias:` when set: the values key the dependency's values live under. */
  readonly alias?: string;
}

/** What the stacks need to know about a wrapper chart under `apps/<name>`. */
export interface WrapperChart {
  /** Path relative to the repository root, e.g. `apps/ollama`. */
  readonly path: string;
  readonly dependencies: readonly ChartDependency[];
  /** Value files present in the chart folder (the generated ones as `generated/<env>.yaml`), sorted. */
  readonly valueFiles: readonly string[];
}

/** The path of the wrapper chart of app `name`, relative to the repository root. */
export function wrapperChartPath(name: string): string {
  return `${APPS_DIR}/${name}`;
}

/**
 * Reads `apps/<name>/Chart.yaml` and lists its value files, failing with the file and the
 * problem when the chart is missing or malformed (an Application pointing at it could never sync).
 * A wrapper chart depends on its upstream chart; with `ownTemplates` it is a chart of the
 * platform's own objects, which needs templates instead.
 */
export function readWrapperChart(repoRoot: string, name: string, options: { readonly ownTemplates?: boolean } = {}): WrapperChart {
  const relative = wrapperChartPath(name);
  const dir = path.join(repoRoot, relative);
  const chartFile = path.join(dir, 'Chart.yaml');
  if (!fs.existsSync(chartFile)) throw new Error(`${relative}/Chart.yaml: wrapper chart not found`);
  const chart = parse(fs.readFileSync(chartFile, 'utf8')) as { dependencies?: unknown };
  const dependencies = Array.isArray(chart?.dependencies) ? (chart.dependencies as ChartDependency[]) : [];
  if (options.ownTemplates) {
    // A chart of the platform's own objects (dashboards, rules): its templates are the point.
    if (!hasTemplates(dir)) throw new Error(`${relative}/templates: the chart of the platform's own objects has no templates`);
  } else if (dependencies.filter((dep) => typeof dep?.repository !== 'string' || !isLocalChart(dep.repository)).length === 0) {
    throw new Error(`${relative}/Chart.yaml: dependencies must list the upstream chart`);
  }
  for (const [i, dep] of dependencies.entries()) {
    for (const field of ['name', 'version', 'repository'] as const) {
      if (typeof dep[field] !== 'string' || dep[field] === '') {
        throw new Error(`${relative}/Chart.yaml: dependencies[${i}].${field} must be a non-empty string`);
      }
    }
    if (isLocalChart(dep.repository)) {
      if (!LOCAL_CHART.test(dep.repository))
        throw new Error(
          `${relative}/Chart.yaml: dependencies[${i}].repository must be a chart folder beside the wrapper charts, file://../<folder> (got ${JSON.stringify(dep.repository.slice(0, 80))})`,
        );
    }
    // These strings reach the AppProject in the synthesized JSON: nothing template-like passes.
    else if (!CHART_REPOSITORY.test(dep.repository)) {
      throw new Error(
        `${relative}/Chart.yaml: dependencies[${i}].repository must be an https:// or oci:// URL of at most 512 characters without "{" or "}" (got ${JSON.stringify(dep.repository.slice(0, 80))})`,
      );
    }
    if (!EXACT_VERSION.test(dep.version)) {
      throw new Error(
        `${relative}/Chart.yaml: dependencies[${i}].version must be an exact version such as 1.2.3 (got ${JSON.stringify(String(dep.version).slice(0, 40))})`,
      );
    }
  }
  const isolation = dependencies.find((dep) => dep.name === ISOLATION_CHART.name && dep.repository === ISOLATION_CHART.repository);
  if (!isolation || !includesIsolation(dir)) throw new Error(`${relative}: ${isolationFix(relative)}`);
  const generatedDir = path.join(dir, GENERATED_VALUES_DIR);
  const generated = fs.existsSync(generatedDir) ? fs.readdirSync(generatedDir).map((f) => `${GENERATED_VALUES_DIR}/${f}`) : [];
  const valueFiles = [
    ...fs.readdirSync(dir).filter((f) => VALUE_FILE_PATTERN.test(f)),
    ...generated.filter((f) => GENERATED_VALUE_FILE_PATTERN.test(f)),
  ].sort();
  return { path: relative, dependencies, valueFiles };
}

/** Whether the chart folder has a `templates/` folder with at least one file. */
function hasTemplates(dir: string): boolean {
  const templates = path.join(dir, 'templates');
  return fs.existsSync(templates) && fs.statSync(templates).isDirectory() && fs.readdirSync(templates).length > 0;
}

/**
 * The repository URL as Argo CD records it for a chart dependency: OCI registries without the
 * `oci://` scheme, classic Helm repositories unchanged.
 */
export function argoRepositoryUrl(repository: string): string {
  return repository.replace(/^oci:\/\//, '');
}
