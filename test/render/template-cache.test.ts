/**
 * The `helm template` cache: a stand-in helm (a shell script that logs each run) shows which
 * renders reach helm and which come from the cache; the key's and the pruning's rules are checked
 * one by one.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RenderedApplication } from '../../tools/render/applications';
import { renderApplication } from '../../tools/render/helm';
import { readTemplate, templateKey, writeTemplate } from '../../tools/render/template-cache';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'template-cache-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A stand-in helm: `template` prints its arguments' values files, fails when one says `fail`. */
function fakeHelm(name: string): { helm: string; runs: () => number } {
  const log = path.join(tmp, `${name}.log`);
  const helm = path.join(tmp, name);
  fs.writeFileSync(
    helm,
    `#!/bin/sh
echo "$1" >> '${log}'
[ "$1" = template ] || exit 0
shift
while [ $# -gt 0 ]; do
  if [ "$1" = --values ]; then
    if grep -q fail "$2"; then echo "boom" >&2; exit 1; fi
    cat "$2"; echo; shift
  fi
  shift
done
`,
    { mode: 0o755 },
  );
  return {
    helm,
    runs: () =>
      fs.existsSync(log)
        ? fs
            .readFileSync(log, 'utf8')
            .split('\n')
            .filter((l) => l === 'template').length
        : 0,
  };
}

/** A repository with one wrapper chart, `apps/demo`, and its staging value file. */
function repo(values = 'size: 1\n'): string {
  const root = fs.mkdtempSync(path.join(tmp, 'repo-'));
  fs.mkdirSync(path.join(root, 'apps', 'demo'), { recursive: true });
  fs.writeFileSync(path.join(root, 'apps', 'demo', 'Chart.yaml'), 'apiVersion: v2\nname: demo\nversion: 0.1.0\n');
  fs.writeFileSync(path.join(root, 'apps', 'demo', 'values-staging.yaml'), values);
  return root;
}

const APP: RenderedApplication = {
  name: 'demo',
  path: 'apps/demo',
  releaseName: 'demo',
  namespace: 'demo',
  valueFiles: ['values-staging.yaml'],
  valuesObject: { from: 'object' },
};

describe('renderApplication with the cache', () => {
  const previous = process.env.RENDER_CACHE;
  beforeEach(() => delete process.env.RENDER_CACHE);
  afterEach(() => {
    if (previous === undefined) delete process.env.RENDER_CACHE;
    else process.env.RENDER_CACHE = previous;
  });

  test('the same chart and values in another checkout come from the cache; a changed byte reaches helm', () => {
    const { helm, runs } = fakeHelm('helm-hit');
    const first = renderApplication(helm, repo(), APP, '1.35', {});
    expect(first).toContain('size: 1');
    expect(runs()).toBe(1);
    expect(renderApplication(helm, repo(), APP, '1.35', {})).toBe(first);
    expect(runs()).toBe(1);
    expect(renderApplication(helm, repo('size: 2\n'), APP, '1.35', {})).toContain('size: 2');
    expect(runs()).toBe(2);
    expect(renderApplication(helm, repo(), { ...APP, valuesObject: { from: 'changed' } }, '1.35', {})).toContain('changed');
    expect(runs()).toBe(3);
    expect(renderApplication(helm, repo(), APP, '1.36', {})).toBe(first);
    expect(runs()).toBe(4);
  });

  test('a failed render is not stored: it fails again, through helm', () => {
    const { helm, runs } = fakeHelm('helm-fail');
    const root = repo('fail: true\n');
    expect(() => renderApplication(helm, root, APP, '1.35', {})).toThrow('helm template failed: boom');
    expect(() => renderApplication(helm, root, APP, '1.35', {})).toThrow('helm template failed: boom');
    expect(runs()).toBe(2);
  });

  test('RENDER_CACHE=off renders every time', () => {
    const { helm, runs } = fakeHelm('helm-off');
    process.env.RENDER_CACHE = 'off';
    renderApplication(helm, repo(), APP, '1.35', {});
    renderApplication(helm, repo(), APP, '1.35', {});
    expect(runs()).toBe(2);
  });
});

describe('templateKey', () => {
  const { helm } = fakeHelm('helm-key');
  const work = (files: Record<string, string>): string => {
    const dir = fs.mkdtempSync(path.join(tmp, 'work-'));
    for (const [file, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), content);
    }
    return dir;
  };
  const key = (files: Record<string, string>, args: (dir: string) => string[] = (dir) => ['template', 'x', `${dir}/x`]) => {
    const dir = work(files);
    return templateKey(helm, args(dir), dir);
  };
  const base = key({ 'x/Chart.yaml': 'a', 'x/charts/dep/values.yaml': 'b' });

  test.each([
    ['the staging folder is named differently', true, { 'x/Chart.yaml': 'a', 'x/charts/dep/values.yaml': 'b' }],
    ['a dependency file changes', false, { 'x/Chart.yaml': 'a', 'x/charts/dep/values.yaml': 'c' }],
    ['a file is renamed', false, { 'x/Chart.yaml': 'a', 'x/charts/dep/values.yml': 'b' }],
    ['a file is added', false, { 'x/Chart.yaml': 'a', 'x/charts/dep/values.yaml': 'b', 'x/templates/a.yaml': '' }],
    ['content moves between files', false, { 'x/Chart.yaml': 'ab', 'x/charts/dep/values.yaml': '' }],
  ] as const)('%s: same key %s', (_, same, files) => {
    expect(key(files) === base).toBe(same);
  });

  test('a linked folder counts with its content', () => {
    const dir = work({ 'x/Chart.yaml': 'a', 'shared/values.yaml': 'b' });
    fs.symlinkSync(path.join(dir, 'shared'), path.join(dir, 'x', 'linked'));
    const before = templateKey(helm, ['template'], dir);
    fs.writeFileSync(path.join(dir, 'shared', 'values.yaml'), 'c');
    expect(templateKey(helm, ['template'], dir)).not.toBe(before);
  });

  test('helm named bare (found on the PATH) is keyed by the binary the PATH finds', () => {
    const dir = work({ 'x/Chart.yaml': 'a' });
    const previous = process.env.PATH;
    process.env.PATH = `${tmp}${path.delimiter}${previous}`;
    try {
      const bare = templateKey('helm-key', ['template'], dir);
      fs.utimesSync(helm, new Date(2021, 0, 1), new Date(2021, 0, 1));
      expect(templateKey('helm-key', ['template'], dir)).not.toBe(bare);
      process.env.PATH = previous;
      expect(() => templateKey('helm-key', ['template'], dir)).toThrow('helm-key is not on the PATH');
    } finally {
      process.env.PATH = previous;
    }
  });

  test('an argument changes the key', () => {
    expect(key({ 'x/Chart.yaml': 'a', 'x/charts/dep/values.yaml': 'b' }, (dir) => ['template', 'y', `${dir}/x`])).not.toBe(base);
  });

  test('a rebuilt helm binary changes the key', () => {
    const dir = work({ 'x/Chart.yaml': 'a' });
    const before = templateKey(helm, ['template'], dir);
    fs.utimesSync(helm, new Date(2020, 0, 1), new Date(2020, 0, 1));
    expect(templateKey(helm, ['template'], dir)).not.toBe(before);
  });
});

describe('the cache folder', () => {
  test('reads what was written, and nothing for an unknown key', () => {
    const dir = path.join(tmp, 'cache-rw');
    writeTemplate('k1', 'kind: A\n', dir);
    expect(readTemplate('k1', dir)).toBe('kind: A\n');
    expect(readTemplate('k2', dir)).toBeUndefined();
  });

  test('keeps the most recently used entries beyond its size', () => {
    const dir = path.join(tmp, 'cache-prune');
    fs.mkdirSync(dir);
    for (const [i, name] of ['old', 'used', 'newer'].entries()) {
      fs.writeFileSync(path.join(dir, name), name);
      fs.utimesSync(path.join(dir, name), new Date(2020, 0, 1 + i), new Date(2020, 0, 1 + i));
    }
    readTemplate('used', dir);
    writeTemplate('newest', 'x', dir, 3);
    expect(fs.readdirSync(dir).sort()).toEqual(['newer', 'newest', 'used']);
  });

  test('a folder that cannot be written leaves the render alone', () => {
    const file = path.join(tmp, 'not-a-folder');
    fs.writeFileSync(file, '');
    expect(() => writeTemplate('k', 'x', file)).not.toThrow();
  });
});
