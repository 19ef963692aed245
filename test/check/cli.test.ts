import * as path from 'path';
import { main } from '../../tools/check/cli-main';
import { parseCliOptions } from '../../tools/check/cli-options';
import { describeWithUpstream, SHARED_UPSTREAM_DIR } from '../support/upstream';
import { FIXTURE_UPSTREAM, FIXTURES } from './check-fixtures';

/** Runs the CLI in-process on a fixture repository; returns exit status and printed lines. */
function run(repo: string, flags: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const root = path.join(FIXTURES, repo);
  const status = main(['--root', root, '--synth-dir', path.join(root, 'cdktf.out'), ...flags], env, { out: (l) => out.push(l), err: (l) => err.push(l) }, FIXTURES);
  return { status, out, err };
}

describe('npm run check (CLI)', () => {
  it('prints NOT CHECKED lines and exits 0 when upstream data is missing', () => {
    const { status, out } = run('repo-clean', ['--upstream', FIXTURE_UPSTREAM]);
    expect(out).toEqual([
      'NOT CHECKED: Argo CD manifests (1 Application, 1 AppProject) against the argo-cd 10.1.1 CRDs: no CRDs; looked in upstream/argo-cd-10.1.1/crds',
      'NOT CHECKED: chart argo-cd 10.1.1 (used by helm_release.argocd): no upstream values; looked in upstream/argo-cd-10.1.1/values.yaml',
      'check: 1 chart checked, 1 not checked; 4 values documents; 0 manifests validated; 5 pins checked; stacks read from cdktf.out; 0 problems',
      'WARNING: 2 items NOT CHECKED — not a pass for them. Run tools/check/fetch-upstream.sh to fetch upstream data; CI fails on this (CHECK_REQUIRE_UPSTREAM=1).',
    ]);
    expect(status).toBe(0);
  });

  it('exits 1 on anything NOT CHECKED with --require-upstream or CHECK_REQUIRE_UPSTREAM=1', () => {
    const flagged = run('repo-clean', ['--upstream', FIXTURE_UPSTREAM, '--require-upstream']);
    expect(flagged.status).toBe(1);
    expect(flagged.out[flagged.out.length - 1]).toBe('FAILED: 2 items NOT CHECKED and upstream data is required (--require-upstream / CHECK_REQUIRE_UPSTREAM=1)');
    expect(run('repo-clean', ['--upstream', FIXTURE_UPSTREAM], { CHECK_REQUIRE_UPSTREAM: '1' }).status).toBe(1);
  });

  it('names every chart NOT CHECKED when no upstream data exists at all', () => {
    const { status, out } = run('repo-clean', [], { CHECK_UPSTREAM_DIR: path.join(FIXTURES, 'no-such-dir') });
    expect(out).toContain('NOT CHECKED: chart ollama 1.77.0 (used by apps/ollama): no upstream values; looked in no-such-dir/ollama-1.77.0/values.yaml');
    expect(status).toBe(0);
  });

  it('prints one file:path: message line per problem and exits 1', () => {
    const { status, out } = run('repo-broken', ['--upstream', FIXTURE_UPSTREAM]);
    expect(out).toContain('apps/ollama/values-dev.yaml:ollama.gpu: unknown key for chart ollama 1.77.0 → did you mean ollama.ollama.gpu?');
    expect(out).toContain('apps/extras/Chart.yaml:dependencies[0].version: redis: "^1.0" is a version range ("^"), not an exact version');
    expect(out.find((line) => line.startsWith('check: '))).toMatch(/; 15 problems$/);
    expect(status).toBe(1);
  });

  it('lists the pinned charts for fetch-upstream.sh', () => {
    const { status, out } = run('repo-broken', ['--list-charts']);
    expect(out).toEqual([
      'values\tlibrechat\t2.0.4\toci://ghcr.io/danny-avila/librechat-chart',
      'values\tollama\t1.77.0\thttps://helm.otwld.com/',
      'values\targo-cd\t10.1.1\thttps://argoproj.github.io/argo-helm',
      'crds\targo-cd\t10.1.1\thttps://argoproj.github.io/argo-helm',
    ]);
    expect(status).toBe(0);
  });

  it('rejects unknown options with exit 2', () => {
    const out: string[] = [];
    const err: string[] = [];
    expect(main(['--upstrem', 'x'], {}, { out: (l) => out.push(l), err: (l) => err.push(l) })).toBe(2);
    expect(err[0]).toMatch(/^check: unknown option --upstrem/);
  });

  it('reads flags in both forms and the environment', () => {
    expect(parseCliOptions(['--upstream=up', '--synth-dir', 'out'], { CHECK_REQUIRE_UPSTREAM: 'true' })).toEqual({
      upstreamDir: 'up',
      synthDir: 'out',
      requireUpstream: true,
      listCharts: false,
      help: false,
    });
  });
});

describeWithUpstream('npm run check (CLI) with ../shared/upstream', () => {
  it('passes a clean repository with everything checked, even with --require-upstream', () => {
    const { status, out } = run('repo-clean', ['--upstream', SHARED_UPSTREAM_DIR, '--require-upstream']);
    expect(out).toEqual(['check: 2 charts checked, 0 not checked; 4 values documents; 2 manifests validated; 5 pins checked; stacks read from cdktf.out; 0 problems']);
    expect(status).toBe(0);
  });
});
