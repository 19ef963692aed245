/**
 * Modules that need names, not resources, load no cdktf and no provider: loading those is most of
 * a tool's start (and of a test file's). Each module is loaded alone, with cdktf replaced by a
 * stand-in that records the load (every provider module requires cdktf).
 */
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');

/** What loading `module` alone pulls in: whether cdktf is among it. */
function loadsCdktf(module: string): boolean {
  let loaded = false;
  jest.isolateModules(() => {
    jest.doMock('cdktf', () => {
      loaded = true;
      return {};
    });
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(path.join(ROOT, module));
    } catch {
      // A module that extends a cdktf class fails on the stand-in: it loaded cdktf, which is the finding.
    }
  });
  return loaded;
}

describe('provider-free modules', () => {
  test.each([
    // The CLIs' start: `npm run restore`, `npm run docs`, `npm run status` and `npm run promote`
    // (both synthesize only once their arguments are checked), `npm run check`.
    'tools/restore/cli.ts',
    'tools/docs/readme.ts',
    'tools/promote/status-cli.ts',
    'tools/promote/cli.ts',
    'tools/check/cli.ts',
    // The environments, their schema and the apps' contexts: data and names.
    'environments/index.ts',
    'stacks/app-contexts.ts',
    'stacks/generated-values.ts',
    'constructs/platform/names.ts',
    'constructs/cluster/names.ts',
  ])('%s', (module) => {
    expect(loadsCdktf(module)).toBe(false);
  });

  test('the probe sees a load: a construct module does load cdktf', () => {
    expect(loadsCdktf('constructs/platform/stateful-storage-class.ts')).toBe(true);
  });
});
