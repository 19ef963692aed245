import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';

/** A dependency of a wrapper chart, as written in its `Chart.yaml`. */
export interface ChartDependency {
  readonly name: string;
  readonly version: string;
  readonly repository: string;
}

/** What the stacks need to know about a wrapper chart under `apps/<name>`. */
export interface WrapperChart {
  /** Path relative to the repository root, e.g. `apps/ollama`. */
  readonly path: string;
  readonly dependencies: readonly ChartDependency[];
  /** Value files present in the chart folder. */
  readonly valueFiles: readonly string[];
}

/**
 * Reads `apps/<name>/Chart.yaml` and lists its value files, failing with the file and the
 * problem when the chart is missing or malformed (an Application pointing at it could never sync).
 */
export function readWrapperChart(repoRoot: string, name: string): WrapperChart {
  const relative = `apps/${name}`;
  const dir = path.join(repoRoot, relative);
  const chartFile = path.join(dir, 'Chart.yaml');
  if (!fs.existsSync(chartFile)) throw new Error(`${relative}/Chart.yaml: wrapper chart not found`);
  const chart = parse(fs.readFileSync(chartFile, 'utf8')) as { dependencies?: unknown };
  const dependencies = Array.isArray(chart?.dependencies) ? (chart.dependencies as ChartDependency[]) : [];
  if (dependencies.length === 0) throw new Error(`${relative}/Chart.yaml: dependencies must list the upstream chart`);
  for (const [i, dep] of dependencies.entries()) {
    for (const field of ['name', 'version', 'repository'] as const) {
      if (typeof dep[field] !== 'string' || dep[field] === '') {
        throw new Error(`${relative}/Chart.yaml: dependencies[${i}].${field} must be a non-empty string`);
      }
    }
  }
  const valueFiles = fs.readdirSync(dir).filter((f) => /^values(?:-[a-z0-9]+)?\.yaml$/.test(f)).sort();
  return { path: relative, dependencies, valueFiles };
}

/**
 * The repository URL as Argo CD records it for a chart dependency: OCI registries without the
 * `oci://` scheme, classic Helm repositories unchanged.
 */
export function argoRepositoryUrl(repository: string): string {
  return repository.replace(/^oci:\/\//, '');
}
