/**
 * `npm run render [-- options]`: renders every Application of every environment as Argo CD's
 * repo-server would into `rendered/<env>/<app>.yaml`, runs the semantic checks, and with
 * `--diff <git-ref>` prints a unified diff against the same render of that ref.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EnvironmentApplications } from './applications';
import { formatFinding } from './checks';
import { RenderError, findHelm } from './helm';
import { renderApplications, renderRepository } from './render';

const USAGE = `usage: npm run render -- [--env <name>]... [--out <dir>] [--charts-dir <dir>] [--diff <git-ref>]

  --env <name>        render only this environment (repeatable; default: all)
  --out <dir>         output directory (default: rendered); files are <dir>/<env>/<app>.yaml
  --charts-dir <dir>  dependency charts as <dir>/<name>/ or <dir>/<name>-<version>.tgz, instead of
                      \`helm dependency build\` (offline)
  --diff <git-ref>    also render <git-ref> (a git worktree synthesized with its own main.ts) and
                      print a unified diff of the rendered manifests

helm comes from RENDER_HELM or the PATH. Exit status: 0 clean, 1 semantic findings, 2 usage or
render errors.`;

interface CliOptions {
  environments: string[];
  out: string;
  chartsDir?: string;
  diff?: string;
}

function parseArgs(argv: string[]): CliOptions {
  const options: CliOptions = { environments: [], out: 'rendered' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw new RenderError(`${arg} needs a value\n\n${USAGE}`);
      return next;
    };
    if (arg === '--env') options.environments.push(value());
    else if (arg === '--out') options.out = value();
    else if (arg === '--charts-dir') options.chartsDir = path.resolve(value());
    else if (arg === '--diff') options.diff = value();
    else if (arg === '-h' || arg === '--help') {
      console.log(USAGE);
      process.exit(0);
    } else throw new RenderError(`unknown argument ${arg}\n\n${USAGE}`);
  }
  return options;
}

function write(out: string, environment: string, app: string, text: string): void {
  fs.mkdirSync(path.join(out, environment), { recursive: true });
  fs.writeFileSync(path.join(out, environment, `${app}.yaml`), text);
}

/** Renders `ref` in a temporary git worktree, synthesized by its own main.ts in a child process. */
function renderRef(repoRoot: string, ref: string, helm: string, options: CliOptions, out: string): void {
  const worktree = fs.mkdtempSync(path.join(os.tmpdir(), 'render-ref-'));
  execFileSync('git', ['-C', repoRoot, 'worktree', 'add', '--detach', '--quiet', worktree, ref], { stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    fs.symlinkSync(fs.realpathSync(path.join(repoRoot, 'node_modules')), path.join(worktree, 'node_modules'));
    const child = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), path.join(__dirname, 'applications.ts'), worktree], {
      cwd: worktree,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (child.status !== 0) throw new RenderError(`synth of ${ref} failed: ${child.stderr.trim()}`);
    const environments = (JSON.parse(child.stdout) as EnvironmentApplications[]).filter(
      (e) => options.environments.length === 0 || options.environments.includes(e.environment),
    );
    for (const rendered of renderApplications(environments, worktree, helm, options)) {
      for (const app of rendered.apps) write(out, rendered.environment, app.app, app.text);
    }
  } finally {
    execFileSync('git', ['-C', repoRoot, 'worktree', 'remove', '--force', worktree], { stdio: 'ignore' });
  }
}

function main(): number {
  const options = parseArgs(process.argv.slice(2));
  const helm = findHelm();
  if (!helm) throw new RenderError('helm not found: set RENDER_HELM or put helm on the PATH (tools/e2e/argocd/build.sh builds one)');
  const repoRoot = process.cwd();
  const renders = renderRepository({ repoRoot, helm, chartsDir: options.chartsDir }).filter(
    (r) => options.environments.length === 0 || options.environments.includes(r.environment),
  );
  const unknown = options.environments.find((e) => !renders.some((r) => r.environment === e));
  if (unknown) throw new RenderError(`no environment ${unknown}`);

  fs.rmSync(options.out, { recursive: true, force: true });
  for (const render of renders) for (const app of render.apps) write(options.out, render.environment, app.app, app.text);
  const findings = renders.flatMap((r) => r.findings.map((f) => formatFinding(r.environment, f)));
  for (const render of renders)
    console.error(
      `rendered ${render.environment} (Kubernetes ${render.kubeVersion}): ${render.apps.map((a) => `${options.out}/${render.environment}/${a.app}.yaml`).join(', ')}`,
    );

  if (options.diff) {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'render-base-'));
    try {
      renderRef(repoRoot, options.diff, helm, options, base);
      const diff = spawnSync('git', ['diff', '--no-index', '--no-color', '--src-prefix=a/', '--dst-prefix=b/', base, path.resolve(options.out)], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      // Absolute temp paths follow the a/ and b/ prefixes: show the ref and the working tree instead.
      const text = diff.stdout.split(base).join(`/${options.diff}`).split(path.resolve(options.out)).join('/working-tree');
      process.stdout.write(text || `no differences between ${options.diff} and the working tree\n`);
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  }
  for (const line of findings) console.error(line);
  if (findings.length > 0) console.error(`${findings.length} problem(s) in the rendered manifests`);
  return findings.length > 0 ? 1 : 0;
}

try {
  process.exitCode = main();
} catch (error) {
  console.error(error instanceof RenderError ? error.message : (error as Error).stack);
  process.exitCode = 2;
}
