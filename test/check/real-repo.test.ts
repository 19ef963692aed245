import { main } from '../../tools/check/cli';

/** What `npm run check` reports on the repository itself: nothing. Any problem fails the suite. */
describe('the repository itself (apps/, the environments and the stacks main.ts synthesizes)', () => {
  const out: string[] = [];
  let status: number;
  // In beforeAll, so that a synth failure shows as a test failure.
  beforeAll(() => {
    status = main([], {}, { out: (line) => out.push(line), err: (line) => out.push(`stderr: ${line}`) });
  });

  it('synthesizes the stacks in-process from main.ts and leaves nothing unchecked', () => {
    const summary = out.find((line) => line.startsWith('check: '));
    expect(summary).toMatch(/^check: \d+ charts checked, 0 not checked; .*; [1-9]\d* manifests validated; .*; stacks synthesized in-process from main\.ts; /);
    expect(out.filter((line) => line.startsWith('NOT CHECKED') || line.startsWith('FAILED') || line.startsWith('stderr'))).toEqual([]);
  });

  it('has no problems', () => {
    expect(out.filter((line) => !line.startsWith('check: '))).toEqual([]);
    expect(status).toBe(0);
  });
});
