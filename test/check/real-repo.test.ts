import { main } from '../../tools/check/cli';

/**
 * What `npm run check` reports on the repository itself. Expected today: prod runs LibreChat chart
 * 2.0.4, whose appVersion is a release candidate. This line goes away when apps/librechat pins a
 * GA release (a GA chart version, or a GA librechat.image.tag for prod); then this list is empty.
 * Anything else appearing here fails the suite.
 */
const EXPECTED_PROBLEMS = [
  'apps/librechat/Chart.yaml:dependencies[0].version: prod: librechat 2.0.4 runs appVersion v0.8.6-rc1, a pre-release; pin a GA release (image.tag or chart version) for environments with allowPreReleases false',
];

describe('the repository itself (apps/, the environments and the stacks main.ts synthesizes)', () => {
  const out: string[] = [];
  let status: number;
  // In beforeAll, so that a synth failure shows as a test failure.
  beforeAll(() => {
    status = main(['--require-upstream'], {}, { out: (line) => out.push(line), err: (line) => out.push(`stderr: ${line}`) });
  });

  it('synthesizes the stacks in-process from main.ts and leaves nothing unchecked', () => {
    const summary = out.find((line) => line.startsWith('check: '));
    expect(summary).toMatch(/^check: \d+ charts checked, 0 not checked; .*; [1-9]\d* manifests validated; .*; stacks synthesized in-process from main\.ts; /);
    expect(out.filter((line) => line.startsWith('NOT CHECKED') || line.startsWith('FAILED') || line.startsWith('stderr'))).toEqual([]);
  });

  it('has no problems but the known ones', () => {
    expect(out.filter((line) => !line.startsWith('check: '))).toEqual(EXPECTED_PROBLEMS);
    expect(status).toBe(EXPECTED_PROBLEMS.length > 0 ? 1 : 0);
  });
});
