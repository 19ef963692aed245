import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main, parseCliOptions } from '../../tools/check/cli';
import { deriveFacts, displayPath, serializeFacts } from '../../tools/check/facts';

const FIXTURES = path.join(__dirname, 'fixtures');

/** Runs the CLI in-process on a fixture repository and its hand-written stacks; returns exit status and printed lines. */
function run(repo: string, flags: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const root = path.join(FIXTURES, repo);
  const status = main(
    ['--root', root, '--synth-dir', path.join(root, 'cdktf.out'), ...flags],
    env,
    { out: (l) => out.push(l), err: (l) => err.push(l) },
    FIXTURES,
  );
  return { status, out, err };
}

const FAILED =
  'FAILED: 2 items NOT CHECKED. Derive the missing facts with the command each line names (npm run fetch-upstream -- <chart>, offline with --from <chart .tgz or folder>); --allow-unchecked only for a local experiment.';
const WARNING =
  'WARNING: 2 items NOT CHECKED — not a pass for them (--allow-unchecked). Run the command each line names before committing; without the flag this fails.';

describe('npm run check (CLI)', () => {
  let partialFacts: string;
  // Facts of the fixture stand-ins: ollama and librechat, no Argo CD chart or CRDs.
  beforeAll(() => {
    partialFacts = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cli-test-')), 'facts.json');
    const pins = ['ollama@1.77.0', 'librechat@2.0.4'].map((key) => ({
      kind: 'values' as const,
      chart: key.split('@')[0],
      version: key.split('@')[1],
      repository: '',
    }));
    fs.writeFileSync(partialFacts, serializeFacts(deriveFacts(pins, [path.join(FIXTURES, 'upstream')], FIXTURES).facts));
  });
  afterAll(() => fs.rmSync(path.dirname(partialFacts), { recursive: true, force: true }));

  it('passes a clean repository with everything checked from the committed facts, even with --require-upstream', () => {
    expect(run('repo-clean', ['--require-upstream'])).toEqual({
      status: 0,
      out: ['check: 2 charts checked, 0 not checked; 4 values documents; 2 manifests validated; 5 pins checked; stacks read from cdktf.out; 0 problems'],
      err: [],
    });
  });

  it.each([
    { flags: [], status: 1, last: FAILED },
    { flags: ['--require-upstream'], status: 1, last: FAILED },
    { flags: ['--allow-unchecked'], status: 0, last: WARNING },
  ])('prints a NOT CHECKED line naming the command per pin without facts, and with flags $flags exits $status', ({ flags, status, last }) => {
    const run1 = run('repo-clean', ['--facts', partialFacts, ...flags]);
    expect(run1.out).toEqual([
      `NOT CHECKED: Argo CD manifests (1 Application, 1 AppProject) against the argo-cd 10.1.1 CRDs: no CRD facts for argo-cd 10.1.1 in ${displayPath(partialFacts, FIXTURES)}; run npm run fetch-upstream`,
      `NOT CHECKED: chart argo-cd 10.1.1 (used by helm_release.argocd): no facts for it in ${displayPath(partialFacts, FIXTURES)}; run npm run fetch-upstream -- argo-cd`,
      'check: 1 chart checked, 1 not checked; 4 values documents; 0 manifests validated; 5 pins checked; stacks read from cdktf.out; 0 problems',
      last,
    ]);
    expect(run1.status).toBe(status);
  });

  it('ignores CHECK_REQUIRE_UPSTREAM: failing on NOT CHECKED is the default', () => {
    expect(run('repo-clean', ['--facts', partialFacts, '--allow-unchecked'], { CHECK_REQUIRE_UPSTREAM: '1' }).status).toBe(0);
  });

  it('names the missing facts file and every chart NOT CHECKED without it', () => {
    const { status, out } = run('repo-clean', ['--facts', 'no-such-facts.json']);
    expect(out).toContain('NOT CHECKED: upstream facts no-such-facts.json: file not found; run npm run fetch-upstream');
    expect(out).toContain(
      'NOT CHECKED: chart ollama 1.77.0 (used by apps/ollama): no facts for it in no-such-facts.json; run npm run fetch-upstream -- ollama',
    );
    expect(status).toBe(1);
  });

  it('prints one file:path: message line per problem, sorted by file, and exits 1', () => {
    const { status, out } = run('repo-broken', []);
    expect(out).toEqual(
      expect.arrayContaining([
        'apps/extras/Chart.yaml:dependencies[0].version: redis: "^1.0" is a version range ("^"), not an exact version',
        'apps/ollama/values-dev.yaml:ollama.gpu: unknown key for chart ollama 1.77.0 → did you mean ollama.ollama.gpu?',
        'cdktf.out/stacks/dev-apps/cdk.tf.json:kubernetes_manifest.ollama.manifest.spec.syncPolicy.automated.selfheal: unknown field (not in Application CRD schema) → did you mean selfHeal?',
        'NOT CHECKED: chart redis ^1.0 (used by apps/extras): not an exact version, so there is no single upstream chart to compare with',
      ]),
    );
    const problems = out.filter((line) => /^(apps|cdktf\.out)\//.test(line));
    expect(problems.map((line) => line.split(':')[0])).toEqual(problems.map((line) => line.split(':')[0]).sort());
    expect(out.find((line) => line.startsWith('check: '))).toBe(
      'check: 3 charts checked, 1 not checked; 8 values documents; 3 manifests validated; 12 pins checked; stacks read from cdktf.out; 18 problems',
    );
    expect(status).toBe(1);
  });

  it('lists the pinned charts the facts must cover', () => {
    expect(run('repo-broken', ['--list-charts'])).toEqual({
      status: 0,
      out: [
        'values\tlibrechat\t2.0.4\toci://ghcr.io/danny-avila/librechat-chart',
        'values\tollama\t1.77.0\thttps://helm.otwld.com/',
        'values\targo-cd\t10.1.1\thttps://argoproj.github.io/argo-helm',
        'crds\targo-cd\t10.1.1\thttps://argoproj.github.io/argo-helm',
      ],
      err: [],
    });
  });

  it('reads a missing synth dir as NOT CHECKED stacks', () => {
    const { out } = run('repo-clean', ['--synth-dir', 'repo-clean/no-such-out']);
    expect(out[0]).toBe('NOT CHECKED: synthesized stacks (Argo CD manifests, Application values, helm_release and provider pins): no-such-out does not exist');
  });

  it('prints the usage with every rule on --help, and exits 2 on bad usage', () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    expect(main(['--help'], {}, io)).toBe(0);
    expect(out[0]).toMatch(/^Usage: npm run check/);
    for (const id of ['readable-inputs', 'values-keys', 'argo-crd-schema', 'argo-app-sources', 'pinned-versions', 'ga-releases'])
      expect(out[0]).toContain(`  ${id} `);
    expect(main(['--upstrem', 'x'], {}, io)).toBe(2);
    expect(err[0]).toMatch(/^check: unknown option --upstrem/);
    expect(main(['--upstream', 'x'], {}, io)).toBe(2);
    expect(err[1]).toMatch(/^check: --upstream moved to npm run fetch-upstream -- --upstream <dir>/);
  });

  it('reads flags in both forms, and warns that CHECK_UPSTREAM_DIR no longer applies', () => {
    expect(parseCliOptions(['--facts=f.json', '--synth-dir', 'out', '--root', 'r'])).toEqual({
      facts: 'f.json',
      synthDir: 'out',
      root: 'r',
      requireUpstream: true,
      listCharts: false,
      help: false,
    });
    expect(run('repo-clean', [], { CHECK_UPSTREAM_DIR: '/x' }).err).toEqual([
      'check: CHECK_UPSTREAM_DIR is ignored; the check reads only the upstream facts (npm run fetch-upstream reads upstream directories)',
    ]);
  });
});
