/**
 * Renders one Application's wrapper chart with `helm template`, the way Argo CD's repo-server
 * does: dependencies built into `charts/`, the value files in the Application's order, then its
 * valuesObject (highest precedence), its release name, destination namespace and the cluster's
 * Kubernetes version.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { RenderedApplication } from './applications';
import { readTemplate, templateCacheEnabled, templateKey, writeTemplate } from './template-cache';

/**
 * The helm binary: `RENDER_HELM`, else `helm` on the PATH; undefined when neither runs.
 */
export function findHelm(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = env.RENDER_HELM ? [env.RENDER_HELM] : ['helm'];
  for (const candidate of candidates) {
    try {
      execFileSync(candidate, ['version', '--short'], { stdio: 'pipe', env });
      return candidate;
    } catch {
      // Not runnable: try the next one.
    }
  }
  return undefined;
}

/** How to get a wrapper chart's dependencies. */
export interface DependencySource {
  /**
   * A directory of dependency charts (`<dir>/<name>/` or `<dir>/<name>-<version>.tgz`), for
   * offline use; without it `helm dependency build` downloads them.
   */
  readonly chartsDir?: string;
}

interface ChartDependency {
  readonly name: string;
  readonly version: string;
  readonly repository?: string;
}

/** An error of the render itself (not a semantic finding): helm failed, a dependency is missing. */
export class RenderError extends Error {}

/** Copies the pinned dependencies of `chartDir` from `chartsDir` into its `charts/`. */
function copyDependencies(chartDir: string, dependencies: readonly ChartDependency[], chartsDir: string): void {
  fs.mkdirSync(path.join(chartDir, 'charts'), { recursive: true });
  for (const dependency of dependencies) {
    if (dependency.repository?.startsWith('file://')) {
      // Staged beside the chart by renderApplication, as in the repository.
      fs.cpSync(path.resolve(chartDir, dependency.repository.slice('file://'.length)), path.join(chartDir, 'charts', dependency.name), { recursive: true });
      continue;
    }
    const dir = path.join(chartsDir, dependency.name);
    const tgz = path.join(chartsDir, `${dependency.name}-${dependency.version}.tgz`);
    if (fs.existsSync(path.join(dir, 'Chart.yaml'))) {
      const found = parse(fs.readFileSync(path.join(dir, 'Chart.yaml'), 'utf8'))?.version;
      if (String(found) !== dependency.version) {
        throw new RenderError(`${dir}: chart version ${found}, but ${path.basename(chartDir)} pins ${dependency.name} ${dependency.version}`);
      }
      fs.cpSync(dir, path.join(chartDir, 'charts', dependency.name), { recursive: true });
    } else if (fs.existsSync(tgz)) {
      fs.copyFileSync(tgz, path.join(chartDir, 'charts', path.basename(tgz)));
    } else {
      throw new RenderError(
        `dependency ${dependency.name} ${dependency.version} not found in ${chartsDir} (neither ${dependency.name}/ nor ${path.basename(tgz)})`,
      );
    }
  }
}

function helmRun(helm: string, args: string[], env: NodeJS.ProcessEnv): string {
  try {
    return execFileSync(helm, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '').trim();
    throw new RenderError(`helm ${args[0]} failed: ${stderr || (error as Error).message}`);
  }
}

/** Helm state (repositories, cache) outside the user's own configuration. */
function helmEnv(): NodeJS.ProcessEnv {
  const home = path.join(process.env.GITOPS_LLM_CACHE ?? path.join(os.homedir(), '.cache', 'gitops-llm-platform'), 'render', 'helm');
  return {
    ...process.env,
    HELM_CONFIG_HOME: path.join(home, 'config'),
    HELM_CACHE_HOME: path.join(home, 'cache'),
    HELM_DATA_HOME: path.join(home, 'data'),
  };
}

/**
 * `helm template` of `application` from the repository at `repoRoot`: the chart is copied to a
 * temporary directory (the checkout never gets `charts/` or `Chart.lock`). The output of the same
 * staged chart, values and helm comes from the template cache (`RENDER_CACHE=off` skips it); with
 * dependencies downloaded, the pinned versions in Chart.yaml stand for their content.
 */
export function renderApplication(helm: string, repoRoot: string, application: RenderedApplication, kubeVersion: string, source: DependencySource): string {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'render-chart-'));
  try {
    const chartDir = path.join(work, path.basename(application.path));
    fs.cpSync(path.join(repoRoot, application.path), chartDir, { recursive: true });
    fs.rmSync(path.join(chartDir, 'charts'), { recursive: true, force: true });
    const chart = parse(fs.readFileSync(path.join(chartDir, 'Chart.yaml'), 'utf8')) as { dependencies?: ChartDependency[] };
    const env = helmEnv();
    // file:// dependencies (the apps/isolation library) are folders of the same repository, as
    // for Argo CD's repo-server: staged at the same relative place.
    for (const dependency of chart.dependencies ?? []) {
      if (!dependency.repository?.startsWith('file://')) continue;
      const relative = dependency.repository.slice('file://'.length);
      const target = path.resolve(chartDir, relative);
      if (!target.startsWith(`${work}${path.sep}`)) throw new RenderError(`${application.path}/Chart.yaml: ${dependency.repository} leaves the apps/ folder`);
      fs.cpSync(path.resolve(repoRoot, application.path, relative), target, { recursive: true });
    }
    if (source.chartsDir) copyDependencies(chartDir, chart.dependencies ?? [], source.chartsDir);
    const valuesObject = path.join(work, 'values-object.json');
    fs.writeFileSync(valuesObject, JSON.stringify(application.valuesObject));
    const args = [
      'template',
      application.releaseName,
      chartDir,
      '--namespace',
      application.namespace,
      '--kube-version',
      // `1.35` → `1.35.0`: charts compare Capabilities.KubeVersion as a full semantic version.
      /^v?\d+\.\d+$/.test(kubeVersion) ? `${kubeVersion}.0` : kubeVersion,
      '--include-crds',
      ...application.valueFiles.flatMap((file) => ['--values', path.join(chartDir, file)]),
      '--values',
      valuesObject,
    ];
    const key = templateCacheEnabled() ? templateKey(helm, args, work) : undefined;
    const cached = key ? readTemplate(key) : undefined;
    if (cached !== undefined) return cached;
    if (!source.chartsDir) {
      (chart.dependencies ?? []).forEach((dependency, i) => {
        if (dependency.repository?.startsWith('https://'))
          helmRun(helm, ['repo', 'add', '--force-update', `dep-${i}-${dependency.name}`, dependency.repository], env);
      });
      helmRun(helm, ['dependency', 'build', chartDir, '--skip-refresh'], env);
    }
    const text = helmRun(helm, args, env);
    if (key) writeTemplate(key, text);
    return text;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
