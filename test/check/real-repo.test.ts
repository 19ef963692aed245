import { checkRepository } from '../../tools/check/cli-main';
import { describeWithUpstream, SHARED_UPSTREAM_DIR } from '../support/upstream';

describeWithUpstream('the repository itself (apps/ and the stacks main.ts synthesizes)', () => {
  let result: ReturnType<typeof checkRepository>;
  // In beforeAll, not the describe body: jest runs the body of a skipped describe too.
  beforeAll(() => {
    result = checkRepository({ upstreamDir: SHARED_UPSTREAM_DIR, env: {} });
  });

  it('synthesizes the stacks in-process from main.ts', () => {
    expect(result.stacks).toBe('synthesized in-process from main.ts');
  });

  it('has no problems', () => {
    expect(result.report.findings).toEqual([]);
  });

  it('leaves nothing unchecked', () => {
    expect(result.report.notChecked).toEqual([]);
    expect(result.report.stats.chartsChecked).toBeGreaterThanOrEqual(2);
    expect(result.report.stats.manifestsValidated).toBeGreaterThan(0);
  });
});
