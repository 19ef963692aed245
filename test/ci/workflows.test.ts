/**
 * The GitHub workflows, parsed: review sees every change that alters an environment, the pull
 * request comment comes from code the pull request cannot change, and the promotion's deploy keys
 * reach only the push, one key per environment.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { parse } from 'yaml';
import { CATALOG } from '../../apps/catalog';
import { ENVIRONMENTS, loadEnvironments } from '../../environments';
import { generatedValueFiles } from '../../stacks/generated-values';
import { changeAreas } from '../../tools/ci/review-comment';
import { configuredChain } from '../../tools/promote/config';

const ROOT = path.resolve(__dirname, '../..');
const WORKFLOWS = path.join(ROOT, '.github/workflows');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  permissions?: Record<string, string>;
  environment?: string;
  if?: string;
  steps: Step[];
}
interface Workflow {
  on: Record<string, any>;
  permissions?: unknown;
  jobs: Record<string, Job>;
}
const workflow = (file: string): Workflow => parse(fs.readFileSync(path.join(WORKFLOWS, file), 'utf8'));
const workflowFiles = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
const stepText = (step: Step) => JSON.stringify(step);

/** A GitHub path filter pattern as a RegExp (`*`: within a path segment; `**`: anything; `?`: one character). */
function filterPattern(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      re += pattern[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += pattern[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** The files of `files` a `pull_request` trigger would not run for (paths-ignore, paths; `!` re-includes). */
function skippedByPullRequestFilter(on: Workflow['on'], files: readonly string[]): string[] {
  const pr = on.pull_request ?? {};
  const matches = (file: string, patterns: string[]) =>
    patterns.reduce((hit, p) => (p.startsWith('!') ? (filterPattern(p.slice(1)).test(file) ? false : hit) : filterPattern(p).test(file) || hit), false);
  return files.filter((f) => (pr['paths-ignore'] && matches(f, pr['paths-ignore'])) || (pr.paths && !matches(f, pr.paths)));
}

/** Repository files reachable by relative imports from `entries`. */
function importClosure(entries: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const queue = entries.map((e) => path.join(ROOT, e));
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const { fileName } of ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const base = path.resolve(path.dirname(file), fileName);
      const found = [`${base}.ts`, path.join(base, 'index.ts'), base].find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
      if (found) queue.push(found);
    }
  }
  return new Set([...seen].map((f) => path.relative(ROOT, f)));
}

function filesUnder(entry: string): string[] {
  const full = path.join(ROOT, entry);
  if (fs.statSync(full).isFile()) return [entry];
  return fs.readdirSync(full, { withFileTypes: true }).flatMap((d) => (d.name === 'node_modules' ? [] : filesUnder(path.join(entry, d.name))));
}

// What the synth (cdktf.json's app) and the render (`npm run render`) read: the top-level entries
// of their import closure (the catalog brings apps/, whose charts and values the render reads),
// plus the files that pick the program, its dependencies and its compiler settings.
const cdktf = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdktf.json'), 'utf8')) as { app: string };
const synthEntry = /(\S+\.ts)$/.exec(cdktf.app)![1];
const renderEntry = /tsx (\S+\.ts)/.exec(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.render)![1];
const topLevel = (files: Iterable<string>) => [...new Set([...files].map((f) => f.split(path.sep)[0]))];
const CONFIG_FILES = ['cdktf.json', 'package.json', 'package-lock.json', 'tsconfig.json'];
const closure = importClosure([synthEntry, renderEntry]);
const TOP_LEVEL = topLevel(closure).concat(CONFIG_FILES).sort();
const INPUTS = TOP_LEVEL.flatMap(filesUnder);
/** What decides what an environment runs: the synth's inputs (the render tool only shows it). */
const SYNTH_INPUTS = topLevel(importClosure([synthEntry]))
  .concat(CONFIG_FILES)
  .flatMap(filesUnder);

describe('review sees every change that alters an environment', () => {
  test('the synth and the render read the catalog, the apps, the environments and the program', () => {
    expect(closure).toContain('apps/catalog.ts');
    for (const entry of ['apps', 'environments', 'constructs', 'stacks', 'contracts', 'main.ts']) expect(TOP_LEVEL).toContain(entry);
    expect(INPUTS).toEqual(expect.arrayContaining(['apps/catalog.ts', expect.stringMatching(/^apps\/ollama\/values.*\.yaml$/), 'environments/prod.ts']));
  });

  test.each([
    [{ pull_request: { 'paths-ignore': ['apps/**'] } }, 'apps/catalog.ts', true],
    [{ pull_request: { 'paths-ignore': ['**/*.yaml'] } }, 'apps/ollama/Chart.yaml', true],
    [{ pull_request: { 'paths-ignore': ['environments/*.ts'] } }, 'environments/prod.ts', true],
    [{ pull_request: { paths: ['stacks/**', 'constructs/**'] } }, 'apps/ollama/Chart.yaml', true],
    [{ pull_request: { 'paths-ignore': ['apps/**', '!apps/catalog.ts'] } }, 'apps/catalog.ts', false],
    [{ pull_request: { 'paths-ignore': ['docs/**', '*.md'] } }, 'README.md', true],
    [{ pull_request: { 'paths-ignore': ['docs/**', '*.md'] } }, 'apps/ollama/README.md', false],
    [{ pull_request: {} }, 'apps/catalog.ts', false],
  ])('filter %j skips %s: %s', (on, file, skipped) => {
    expect(skippedByPullRequestFilter(on, [file])).toEqual(skipped ? [file] : []);
  });

  test('plan.yml runs for every pull request that touches a file the synth or the render reads', () => {
    const on = workflow('plan.yml').on;
    expect(Object.keys(on)).toEqual(['pull_request']);
    expect(skippedByPullRequestFilter(on, INPUTS)).toEqual([]);
  });

  test('the generated value files are among those files, reviewed, and shown as Argo CD changes', () => {
    const generated = generatedValueFiles(loadEnvironments(ENVIRONMENTS, CATALOG, {}), CATALOG).map((f) => f.file);
    expect(generated.length).toBeGreaterThan(0);
    expect(INPUTS).toEqual(expect.arrayContaining(generated));
    expect(skippedByPullRequestFilter(workflow('plan.yml').on, generated)).toEqual([]);
    expect(changeAreas(generated).argoCd).toEqual(generated);
  });

  test('the comment classifies every file the synth or the render reads as altering an environment', () => {
    expect(topLevel(importClosure([synthEntry])).sort()).toEqual(
      expect.arrayContaining(['apps', 'constructs', 'contracts', 'environments', 'main.ts', 'stacks']),
    );
    const areas = changeAreas(SYNTH_INPUTS);
    const unclassified = SYNTH_INPUTS.filter((f) => !areas.argoCd.includes(f) && !areas.terraform.includes(f));
    expect(unclassified).toEqual(['tsconfig.json']);
  });
});

describe('plan.yml runs the pull request with read-only tokens and posts nothing', () => {
  const plan = workflow('plan.yml');
  test('no job asks for a write permission other than the OIDC token', () => {
    expect(plan.permissions).toEqual({});
    for (const [name, job] of Object.entries(plan.jobs))
      for (const [scope, level] of Object.entries(job.permissions ?? {}))
        expect([name, scope, level]).toEqual([name, scope, scope === 'id-token' ? 'write' : 'read']);
  });
  test('no step uses a token to talk to GitHub', () => {
    for (const job of Object.values(plan.jobs)) for (const step of job.steps) expect(stepText(step)).not.toMatch(/github\.token|GH_TOKEN|gh api/);
  });
});

describe('plan-comment.yml: the default branch writes the comment from the artifacts as data', () => {
  const comment = workflow('plan-comment.yml');
  const job = comment.jobs.comment;
  test('runs on workflow_run of plan (the default branch’s definition), never on pull_request_target', () => {
    expect(comment.on).toEqual({ workflow_run: { workflows: ['plan'], types: ['completed'] } });
    expect(Object.keys(comment.jobs)).toEqual(['comment']);
  });
  test('only the permissions it needs', () => {
    expect(comment.permissions).toEqual({});
    expect(job.permissions).toEqual({ actions: 'read', contents: 'read', 'pull-requests': 'write' });
  });
  test('checks out only the default branch, without persisted credentials', () => {
    const checkouts = job.steps.filter((s) => s.uses?.startsWith('actions/checkout@'));
    expect(checkouts.map((s) => s.with)).toEqual([{ ref: '${{ github.event.repository.default_branch }}', 'persist-credentials': false }]);
    expect(job.steps.indexOf(checkouts[0])).toBe(0);
    for (const step of job.steps) expect(stepText(step)).not.toContain('pull_request.head');
    for (const step of job.steps) if (step.with) expect(Object.keys(step.with)).not.toContain('repository');
  });
  test('installs without install scripts; artifacts land outside the workspace', () => {
    const installs = job.steps.filter((s) => /\bnpm (ci|install)\b/.test(s.run ?? ''));
    expect(installs.map((s) => s.run!.trim())).toEqual(['npm ci --no-audit --no-fund --ignore-scripts']);
    const downloads = job.steps.filter((s) => s.uses?.startsWith('actions/download-artifact@'));
    expect(downloads.length).toBeGreaterThan(0);
    for (const d of downloads) {
      expect(d.with!.path).toMatch(/^\$\{\{ runner\.temp \}\}\/evidence\//);
      expect(d.with!['run-id']).toBe('${{ github.event.workflow_run.id }}');
    }
  });
  test('no expression is interpolated into a script: event data reaches scripts through env only', () => {
    for (const step of job.steps) expect(step.run ?? '').not.toContain('${{');
  });
});

describe('promote.yml: the deploy key reaches only the push, one key per environment', () => {
  const promote = workflow('promote.yml');
  const jobs = Object.entries(promote.jobs);
  const withSecret = jobs.flatMap(([name, job]) =>
    job.steps.map((step, i) => ({ name, job, step, i })).filter(({ step }) => stepText(step).includes('secrets.')),
  );

  test('exactly one step reads a secret, through its env, and runs no npm, node or program', () => {
    expect(withSecret).toHaveLength(1);
    const { step } = withSecret[0];
    expect(Object.keys(step).sort()).toEqual(['env', 'name', 'run']);
    expect(
      Object.entries(step.env!)
        .filter(([, v]) => v.includes('secrets.'))
        .map(([k]) => k),
    ).toEqual(['DEPLOY_KEY']);
    expect(step.run).not.toMatch(/\b(npm|npx|node|tsx)\b/);
    expect(step.run).toMatch(/trap 'rm -rf "\$ssh_dir"' EXIT/);
    expect(step.run).toContain('unset DEPLOY_KEY');
  });

  test('the job that pushes runs no npm, node or program in any step, and checks out with no key', () => {
    const { job } = withSecret[0];
    for (const step of job.steps) {
      expect(step.run ?? '').not.toMatch(/\b(npm|npx|node|tsx)\b/);
      if (step.uses) expect(step.uses).toMatch(/^actions\/(checkout|download-artifact)@/);
      expect(Object.keys(step.with ?? {})).not.toContain('ssh-key');
    }
  });

  test('the jobs that run the program have no secret, install without scripts, and check out with no key', () => {
    for (const [name, job] of jobs) {
      if (job === withSecret[0].job) continue;
      expect([name, job.environment]).toEqual([name, undefined]);
      for (const step of job.steps) {
        expect(stepText(step)).not.toContain('secrets.');
        expect(Object.keys(step.with ?? {})).not.toContain('ssh-key');
        if (/\bnpm (ci|install)\b/.test(step.run ?? '')) expect(step.run).toContain('--ignore-scripts');
      }
    }
  });

  test('staging and prod push with different secrets, each behind its own environment', () => {
    const { job, step } = withSecret[0];
    expect(job.environment).toBe('${{ inputs.environment }}');
    const promoted = configuredChain({})
      .filter((l) => !l.followsMainline)
      .map((l) => l.env);
    expect(promote.on.workflow_dispatch.inputs.environment.options).toEqual(promoted);
    const pairs = [...step.env!.DEPLOY_KEY.matchAll(/inputs\.environment == '([a-z]+)' && secrets\.([A-Z_]+)/g)].map((m) => [m[1], m[2]]);
    expect(pairs.map(([env]) => env).sort()).toEqual([...promoted].sort());
    expect(new Set(pairs.map(([, secret]) => secret)).size).toBe(promoted.length);
    // No fallback: an environment without its own secret gets the empty string, not another's key.
    expect(step.env!.DEPLOY_KEY).toMatch(/\|\| '' }}$/);
  });
});

test('every action of every workflow is pinned by commit SHA', () => {
  for (const file of workflowFiles)
    for (const job of Object.values(workflow(file).jobs))
      for (const step of job.steps) if (step.uses) expect([file, step.uses]).toEqual([file, expect.stringMatching(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/)]);
});
