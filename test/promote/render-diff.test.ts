/**
 * The render diff a promotion prints: the environment's Applications (as the configuration creates
 * them) rendered from the charts of two commits. Needs helm (RENDER_HELM or the PATH); without it
 * the suite is skipped with a warning, like test/render.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeStandIns } from '../../tools/e2e/argocd/stand-ins';
import { findHelm } from '../../tools/render/helm';
import { environmentApplications, renderDiff } from '../../tools/promote/render-diff';
import { gitFixture } from './git-fixture';

const helm = findHelm();
if (!helm) console.warn('SKIPPED test/promote/render-diff: no helm (set RENDER_HELM or put helm on the PATH)');
/**
 * The render tests' stand-in charts, plus the e2e's generic stand-in for an app of the catalog
 * that has none (one added by the README recipe).
 */
function standInCharts(): { chartsDir: string } {
  const chartsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'render-diff-charts-'));
  fs.cpSync('test/render/fixtures/charts', chartsDir, { recursive: true });
  writeStandIns(process.cwd(), chartsDir, chartsDir);
  return { chartsDir };
}

(helm ? describe : describe.skip)('render diff between two commits', () => {
  const f = gitFixture();
  const CHARTS = standInCharts();
  afterAll(() => fs.rmSync(CHARTS.chartsDir, { recursive: true, force: true }));
  fs.cpSync('apps', path.join(f.clone, 'apps'), { recursive: true });
  const c1 = f.commit('the wrapper charts');
  const staging = path.join(f.clone, 'apps/ollama/values-staging.yaml');
  const before = fs.readFileSync(staging, 'utf8');
  expect(before).toContain('memory: 14Gi');
  const c2 = f.commit('more memory for Ollama in staging', { 'apps/ollama/values-staging.yaml': before.replace('memory: 14Gi', 'memory: 15Gi') });
  const applications = environmentApplications(process.cwd(), 'staging', {});

  test('only what the commits change, in the Application that changes, named by commit', () => {
    const diff = renderDiff(f.clone, applications, c1, c2, helm!, CHARTS);
    expect(diff).toContain(`--- ${c1.slice(0, 12)}/ollama.yaml`);
    expect(diff).toContain(`+++ ${c2.slice(0, 12)}/ollama.yaml`);
    expect(diff).toMatch(/^-\s+memory: 14Gi$/m);
    expect(diff).toMatch(/^\+\s+memory: 15Gi$/m);
    expect(diff).not.toContain('librechat.yaml');
  });

  test('the environment values travel with the commit: a volume size changed in the generated file is in the diff', () => {
    const generated = path.join(f.clone, 'apps/ollama/generated/staging.yaml');
    const text = fs.readFileSync(generated, 'utf8');
    // Staging's models live on the shared volume: the claim asks for that size.
    expect(text).toContain('size: 50Gi');
    const c3 = f.commit('a larger model volume in staging', { 'apps/ollama/generated/staging.yaml': text.replace('size: 50Gi', 'size: 60Gi') });
    const diff = renderDiff(f.clone, applications, c2, c3, helm!, CHARTS);
    expect(diff).toMatch(/^-.*50Gi/m);
    expect(diff).toMatch(/^\+.*60Gi/m);
    f.git('reset', '--quiet', '--hard', c2);
  });

  test('first deploy: everything is new', () => {
    const diff = renderDiff(f.clone, applications, undefined, c1, helm!, CHARTS);
    expect(diff).toContain('--- /dev/null');
    expect(diff).toContain(`+++ ${c1.slice(0, 12)}/librechat.yaml`);
  });

  test('a chart that fails to render fails the diff (and so the promotion), naming chart and commit', () => {
    const broken = f.commit('a broken template', { 'apps/ollama/templates/broken.yaml': '{{ .Values.nope.nope }}\n' });
    expect(() => renderDiff(f.clone, applications, c2, broken, helm!, CHARTS)).toThrow(
      new RegExp(`^render failed: apps/ollama cannot be rendered at ${broken.slice(0, 12)}: `),
    );
    f.git('reset', '--quiet', '--hard', c2);
  });

  test('an app dropped at a commit is a removal in the diff, the others still render', () => {
    f.git('rm', '-r', '--quiet', 'apps/librechat');
    f.git('commit', '--quiet', '--no-gpg-sign', '-m', 'drop LibreChat');
    const c4 = f.git('rev-parse', 'HEAD');
    const diff = renderDiff(f.clone, applications, c2, c4, helm!, CHARTS);
    expect(diff).toContain(`--- ${c2.slice(0, 12)}/librechat.yaml`);
    expect(diff).toContain('+++ /dev/null');
    expect(diff).not.toContain('ollama.yaml');
  });
});
