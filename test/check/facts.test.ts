import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chartFacts, deriveFacts, factsKey, FactsPin, factsSource, readFacts, withTemplateKeys } from '../../tools/check/facts';
import { TEMPLATE_READ_KEYS } from '../../tools/check/template-keys';
import { fetchUpstream } from '../../tools/check/fetch-upstream';
import { describeWithUpstream, notRederivedWarning, SHARED_UPSTREAM_DIR, skippedWithoutUpstream } from '../support/upstream';
import { COMMITTED_FACTS } from './rule-tester';

const FIXTURES = path.join(__dirname, 'fixtures');
const FIXTURE_UPSTREAM = path.join(FIXTURES, 'upstream');

const pin = (kind: FactsPin['kind'], chart: string, version: string): FactsPin => ({ kind, chart, version, repository: '' });

/** Runs `npm run fetch-upstream` in-process; returns exit status and printed lines. */
function fetch(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const status = fetchUpstream(argv, {}, { out: (l) => out.push(l), err: (l) => err.push(l) }, FIXTURES);
  return { status, out, err };
}

describe('facts derived from an upstream directory', () => {
  const { facts, missing } = deriveFacts(
    [pin('values', 'ollama', '1.77.0'), pin('values', 'librechat', '2.0.4'), pin('crds', 'argo-cd', '10.1.1'), pin('values', 'redis', '1.0.0')],
    [FIXTURE_UPSTREAM],
    FIXTURES,
  );

  it('keeps the key tree of the defaults with list and leaf markers, never a value', () => {
    const ollama = facts.charts['ollama@1.77.0'];
    expect(ollama.keys.image).toEqual({ repository: 'leaf', pullPolicy: 'leaf', tag: 'leaf' });
    expect(ollama.keys.ollama).toEqual({ port: 'leaf', gpu: { enabled: 'leaf', type: 'leaf', number: 'leaf' }, models: { pull: 'list', run: 'list' } });
    expect(ollama.keys.nodeSelector).toEqual({});
    expect(JSON.stringify(facts)).not.toMatch(/example-only|11434|nvidia"|ClusterIP/);
  });

  it('takes appVersion and the subcharts from Chart.yaml, and a non-empty default image.tag', () => {
    expect(facts.charts['ollama@1.77.0']).toMatchObject({ appVersion: '0.32.15', subcharts: [] });
    expect(facts.charts['librechat@2.0.4']).toMatchObject({ appVersion: 'v0.8.6-rc1', subcharts: ['mongodb', 'meilisearch'] });
    expect(facts.charts['librechat@2.0.4'].defaultImageTag).toBeUndefined();
  });

  it('says which pins it has no data for, and where it looked', () => {
    expect(missing.map(({ pin: p, reason }) => `${p.chart} ${p.version}: ${reason}`)).toEqual([
      'argo-cd 10.1.1: no argo-cd-10.1.1/crds in upstream',
      'redis 1.0.0: no redis-1.0.0/values.yaml in upstream',
    ]);
  });

  it('records in its header that it is generated, from which inputs, by which command', () => {
    expect(facts.generated).toMatchObject({
      command: 'npm run fetch-upstream',
      from: ['upstream'],
      inputs: [
        'upstream/librechat-2.0.4/values.yaml',
        'upstream/librechat-2.0.4/Chart.yaml',
        'upstream/ollama-1.77.0/values.yaml',
        'upstream/ollama-1.77.0/Chart.yaml',
      ],
    });
    expect(facts.generated.note).toMatch(/^Generated, do not edit/);
  });
});

describe('npm run fetch-upstream', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facts-test-'));
    fs.cpSync(path.join(FIXTURE_UPSTREAM, 'ollama-1.77.0'), path.join(dir, 'upstream', 'ollama-1.77.0'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'upstream', 'argo-cd-10.1.1', 'crds'), { recursive: true });
    const crd = {
      kind: 'CustomResourceDefinition',
      spec: {
        group: 'argoproj.io',
        names: { kind: 'Application' },
        versions: [
          {
            name: 'v1alpha1',
            served: true,
            schema: {
              openAPIV3Schema: {
                description: 'x',
                type: 'object',
                properties: { spec: { type: 'object', properties: { project: { type: 'string' } } }, status: { type: 'object' } },
              },
            },
          },
        ],
      },
    };
    fs.writeFileSync(path.join(dir, 'upstream', 'argo-cd-10.1.1', 'crds', 'application-crd.yaml'), JSON.stringify(crd));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("writes the facts of a repository's pins, with the CRD schemas closed and trimmed", () => {
    const out = path.join(dir, 'facts.json');
    const run = fetch(['--root', 'repo-clean', '--upstream', path.join(dir, 'upstream'), '--offline', '--out', out]);
    expect(run).toMatchObject({ status: 0, err: [] });
    const written = readFacts(out);
    if (!written.ok) throw new Error(written.error);
    expect(Object.keys(written.value.charts)).toEqual(['ollama@1.77.0']);
    expect(written.value.crds['argo-cd@10.1.1']).toEqual({
      Application: {
        group: 'argoproj.io',
        versions: {
          v1alpha1: {
            served: true,
            schema: {
              type: 'object',
              properties: { spec: { type: 'object', properties: { project: { type: 'string' } }, additionalProperties: false } },
              additionalProperties: false,
            },
          },
        },
      },
    });
  });

  it('writes nothing and exits 1 when a pin has no upstream data', () => {
    const out = path.join(dir, 'none.json');
    const run = fetch(['--root', 'repo-clean', '--upstream', FIXTURE_UPSTREAM, '--offline', '--out', out]);
    expect(run.status).toBe(1);
    expect(run.err[0]).toBe('fetch-upstream: no upstream data for crds argo-cd 10.1.1: no argo-cd-10.1.1/crds in test/check/fixtures/upstream');
    expect(fs.existsSync(out)).toBe(false);
  });

  it('fetches pins missing from the upstream directories with helm, then derives their facts', () => {
    // A stand-in helm on PATH: `show values|chart` print the fixture files, `pull` unpacks a chart
    // whose CRDs are templates, `template --show-only` prints one of them.
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    const crd = path.join(dir, 'upstream', 'argo-cd-10.1.1', 'crds', 'application-crd.yaml');
    const ollama = path.join(FIXTURE_UPSTREAM, 'ollama-1.77.0');
    const script = [
      '#!/usr/bin/env bash',
      `echo "$*" >> "${path.join(dir, 'helm.log')}"`,
      'case "$1 $2" in',
      `  "version --short") echo v3.16.0 ;;`,
      `  "show values") cat "${ollama}/values.yaml" ;;`,
      `  "show chart") cat "${ollama}/Chart.yaml" ;;`,
      `  pull*) shift; while [ "$1" != --untardir ]; do shift; done; mkdir -p "$2/argo-cd/templates/crds" && cp "${crd}" "$2/argo-cd/templates/crds/" ;;`,
      `  template*) cat "$3/\${7}" ;;`,
      '  *) exit 1 ;;',
      'esac',
    ].join('\n');
    fs.writeFileSync(path.join(bin, 'helm'), `${script}\n`, { mode: 0o755 });
    const cache = path.join(dir, 'cache');
    const out = path.join(dir, 'fetched.json');
    const env = { PATH: `${bin}${path.delimiter}${process.env.PATH}`, CHECK_FETCH_DIR: cache };
    const run = {
      status: fetchUpstream(
        ['--root', 'repo-clean', '--upstream', path.join(dir, 'empty'), '--out', out],
        env,
        { out: () => undefined, err: (l) => console.error(l) },
        FIXTURES,
      ),
    };
    expect(run.status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'helm.log'), 'utf8')).toContain('show values ollama --repo https://helm.otwld.com/ --version 1.77.0');
    expect(fs.readdirSync(cache).sort()).toEqual(['argo-cd-10.1.1', 'ollama-1.77.0']);
    const written = readFacts(out);
    if (!written.ok) throw new Error(written.error);
    expect(Object.keys(written.value.crds['argo-cd@10.1.1'])).toEqual(['Application']);
    expect(written.value.charts['ollama@1.77.0'].appVersion).toBe('0.32.15');
  });

  it('rejects unknown arguments with exit 2', () => {
    expect(fetch(['--upstrem', 'x']).status).toBe(2);
  });
});

describe('the committed facts (tools/check/upstream-facts.json)', () => {
  it('say they are generated, and by which command', () => {
    expect(COMMITTED_FACTS.generated).toMatchObject({ command: 'npm run fetch-upstream' });
    expect(COMMITTED_FACTS.generated.from).toContain('../shared/upstream');
  });

  it('hold no CRD descriptions and no Kubernetes extensions', () => {
    // A property may be named description (AppProject spec.description); documentation is a string.
    const text = JSON.stringify(COMMITTED_FACTS.crds);
    expect([/"description":"/.test(text), /x-kubernetes-/.test(text), /"status"|"operation"/.test(text)]).toEqual([false, false, false]);
  });
});

describeWithUpstream('the committed facts against ../shared/upstream', () => {
  // Every committed entry names its chart version; re-derive those ../shared/upstream holds. (That
  // every pin of the repository has facts is the real-repo test's "0 not checked".)
  const pinOf = (key: string, kind: FactsPin['kind']): FactsPin => {
    const at = key.lastIndexOf('@');
    return { kind, chart: key.slice(0, at), version: key.slice(at + 1), repository: '' };
  };
  const pins = [...Object.keys(COMMITTED_FACTS.charts).map((k) => pinOf(k, 'values')), ...Object.keys(COMMITTED_FACTS.crds).map((k) => pinOf(k, 'crds'))];
  const fromShared = deriveFacts(pins, [SHARED_UPSTREAM_DIR], process.cwd());

  it('equal what npm run fetch-upstream derives from it (run it and commit the file if not)', () => {
    expect(Object.keys(fromShared.facts.charts).length + Object.keys(fromShared.facts.crds).length).toBeGreaterThan(0);
    for (const [key, chart] of Object.entries(fromShared.facts.charts)) expect([key, COMMITTED_FACTS.charts[key]]).toEqual([key, chart]);
    for (const [key, crds] of Object.entries(fromShared.facts.crds)) expect([key, COMMITTED_FACTS.crds[key]]).toEqual([key, crds]);
    const missing = [...new Map(fromShared.missing.map(({ pin }) => [factsKey(pin.chart, pin.version), pin])).values()];
    if (missing.length > 0) process.emitWarning(notRederivedWarning(COMMITTED_FACTS.generated, missing));
  });
});

describe('the warnings about upstream reference data speak of what the checkout has', () => {
  const header = {
    ...COMMITTED_FACTS.generated,
    inputs: [
      '../shared/upstream/ollama-1.77.0/values.yaml',
      'test/apps/fixture-upstream/vectordb:/vectordb-0.3.0/values.yaml',
      '.cache/upstream/webui-16.0.0/values.yaml',
      'charts-mirror/tool-1.0.0/values.yaml',
    ],
  };

  it('a chart added with --from is re-derived with --from, one fetched with helm without it', () => {
    const pins = ['vectordb@0.3.0', 'webui@16.0.0', 'tool@1.0.0', 'gone@2.0.0'].map((key) => ({ chart: key.split('@')[0], version: key.split('@')[1] }));
    expect(notRederivedWarning(header, pins)).toBe(
      'NOT RE-DERIVED from ../shared/upstream, which has no copy of: ' +
        'vectordb@0.3.0 (from test/apps/fixture-upstream/vectordb; npm run fetch-upstream -- vectordb --from test/apps/fixture-upstream/vectordb derives it again); ' +
        'webui@16.0.0 (fetched with helm; npm run fetch-upstream -- webui derives it again); ' +
        'tool@1.0.0 (from charts-mirror; npm run fetch-upstream -- tool --upstream charts-mirror derives it again); ' +
        'gone@2.0.0 (its source is not recorded in the facts file; npm run fetch-upstream -- gone derives it again)',
    );
    expect(factsSource(header, 'ollama', '1.77.0')).toEqual({ kind: 'directory', path: '../shared/upstream' });
  });

  it('a clone without ../shared/upstream: the suite is skipped, and the committed facts are what is used', () => {
    expect(skippedWithoutUpstream('the committed facts against ../shared/upstream')).toBe(
      'SKIPPED "the committed facts against ../shared/upstream": it compares with the maintainers\' upstream reference data (../shared/upstream), ' +
        'which is not part of a clone; npm run check and the other tests use the committed facts (tools/check/upstream-facts.json) as they are',
    );
  });

  it('npm run fetch-upstream -- <chart> --from records the source it read (outside the repository: its name only, no path of this machine), which the warning names', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facts-from-'));
    try {
      const out = path.join(dir, 'facts.json');
      fs.cpSync(path.join(FIXTURE_UPSTREAM, 'ollama-1.77.0'), path.join(dir, 'ollama'), { recursive: true });
      const status = fetchUpstream(['ollama', '--from', path.join(dir, 'ollama'), '--out', out], {}, { out: () => undefined, err: () => undefined });
      expect(status).toBe(0);
      const written = readFacts(out);
      if (!written.ok) throw new Error(written.error);
      expect(factsSource(written.value.generated, 'ollama', '1.77.0')).toEqual({ kind: 'from', path: 'ollama' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('npm run fetch-upstream -- <chart>: one chart, the others kept', () => {
  let dir: string;
  let out: string;
  const keep = { appVersion: '9', subcharts: [], keys: { kept: 'leaf' as const } };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facts-chart-'));
    out = path.join(dir, 'facts.json');
    fs.writeFileSync(
      out,
      JSON.stringify({
        generated: { note: '', command: 'npm run fetch-upstream', from: ['elsewhere'], inputs: ['elsewhere/keep-1.0.0/values.yaml'], keyMarkers: '' },
        charts: { 'keep@1.0.0': keep },
        crds: {},
      }),
    );
    fs.cpSync(path.join(FIXTURE_UPSTREAM, 'ollama-1.77.0'), path.join(dir, 'ollama'), { recursive: true });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const expectMerged = () => {
    const written = readFacts(out);
    if (!written.ok) throw new Error(written.error);
    expect(Object.keys(written.value.charts)).toEqual(['keep@1.0.0', 'ollama@1.77.0']);
    expect(written.value.charts['keep@1.0.0']).toEqual(keep);
    expect(written.value.charts['ollama@1.77.0'].appVersion).toBe('0.32.15');
    expect(written.value.generated.from).toContain('elsewhere');
  };

  it.each([
    { source: 'an upstream directory', args: () => ['--upstream', FIXTURE_UPSTREAM, '--offline'] },
    { source: 'a chart folder (--from)', args: () => ['--from', path.join(dir, 'ollama')] },
    {
      source: 'a chart archive (--from .tgz)',
      args: () => {
        execFileSync('tar', ['-czf', path.join(dir, 'ollama-1.77.0.tgz'), '-C', dir, 'ollama']);
        return ['--from', path.join(dir, 'ollama-1.77.0.tgz')];
      },
    },
  ])('updates ollama from $source, offline, without the other pins (argo-cd CRDs) having data', ({ args }) => {
    const run = fetch(['--root', 'repo-clean', '--out', out, 'ollama', ...args()]);
    expect(run).toMatchObject({ status: 0, err: [] });
    expectMerged();
    // No path of this machine in the header that gets committed.
    expect(fs.readFileSync(out, 'utf8')).not.toContain(dir);
  });

  it.each([
    { args: ['--from', 'x'], status: 2, message: /^fetch-upstream: --from <path> needs exactly one <chart>/ },
    { args: ['nosuch'], status: 1, message: /^fetch-upstream: not a pinned chart: nosuch \(pinned: argo-cd, ollama\)$/ },
    { args: ['ollama', '--from', 'missing-dir'], status: 1, message: /^fetch-upstream: --from \S*missing-dir: no ollama\/Chart\.yaml in it; nothing written$/ },
  ])('refuses $args with exit $status and writes nothing', ({ args, status, message }) => {
    const before = fs.readFileSync(out, 'utf8');
    const run = fetch(['--root', 'repo-clean', '--out', out, ...args]);
    expect(run.status).toBe(status);
    expect(run.err[0]).toMatch(message);
    expect(fs.readFileSync(out, 'utf8')).toBe(before);
  });

  it('refuses a --from chart of another version than the pinned one', () => {
    fs.writeFileSync(
      path.join(dir, 'ollama', 'Chart.yaml'),
      fs.readFileSync(path.join(dir, 'ollama', 'Chart.yaml'), 'utf8').replace(/^version: .*$/m, 'version: 1.78.0'),
    );
    const run = fetch(['--root', 'repo-clean', '--out', out, 'ollama', '--from', path.join(dir, 'ollama')]);
    expect(run.status).toBe(1);
    expect(run.err[0]).toMatch(/: it is chart ollama 1\.78\.0, the repository pins ollama 1\.77\.0; nothing written$/);
  });
});

describe('keys templates read that values.yaml only mentions in a comment (tools/check/template-keys.ts)', () => {
  const facts = chartFacts({ librechat: { imageVolume: { enabled: true, size: '10G' } }, image: { tag: '' } }, {});
  const reason = 'templates/pvc.yaml';

  test.each([
    ['a commented key becomes a leaf of its map', 'librechat.imageVolume.storageClassName', { enabled: 'leaf', size: 'leaf', storageClassName: 'leaf' }],
    [
      'a key already declared is stale',
      'librechat.imageVolume.size',
      'template-read key librechat.imageVolume.size is declared in values.yaml: drop it from tools/check/template-keys.ts',
    ],
    ['a key below a scalar', 'image.tag.name', 'template-read key image.tag.name: tag is not a map of values.yaml (tools/check/template-keys.ts)'],
    [
      'a key below a missing map',
      'librechat.volume.size',
      'template-read key librechat.volume.size: volume is not a map of values.yaml (tools/check/template-keys.ts)',
    ],
  ])('%s', (_name, key, expected) => {
    const result = withTemplateKeys(facts, [{ key, reason }]);
    expect(typeof result === 'string' ? result : (result.keys.librechat as Record<string, unknown>).imageVolume).toEqual(expected);
  });

  test('the committed facts hold every declared key, and each names the template that reads it', () => {
    for (const [chart, keys] of Object.entries(TEMPLATE_READ_KEYS)) {
      for (const { key, reason } of keys) {
        expect(reason).toMatch(/^templates\/[\w.-]+\.yaml: /);
        const leaf = key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], COMMITTED_FACTS.charts[chart]?.keys);
        expect([chart, key, leaf]).toEqual([chart, key, 'leaf']);
      }
    }
  });
});
