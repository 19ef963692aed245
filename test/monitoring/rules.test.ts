/**
 * The platform's alerting rules through promtool: the PrometheusRule apps/platform-monitoring
 * renders for each environment passes `promtool check rules`, and `promtool test rules` runs the
 * unit tests of rule-tests.yaml against it (each alert fires when it should, stays silent
 * otherwise, and an XID clears after its window). Needs helm (RENDER_HELM) and PROMTOOL
 * (tools/monitoring/build.sh; .ci/run exports both); skipped with a warning without them.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments, stringify } from 'yaml';
import { findHelm } from '../../tools/render/helm';

const helm = findHelm();
const promtool = process.env.PROMTOOL;
if (!helm || !promtool)
  console.warn(
    `SKIPPED test/monitoring/rules: ${[!helm && 'no helm (RENDER_HELM)', !promtool && 'no PROMTOOL (tools/monitoring/build.sh)'].filter(Boolean).join(', ')}`,
  );

/** The rule groups of the PrometheusRule that apps/platform-monitoring renders for `env`. */
function renderedRuleGroups(env: string): unknown[] {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rules-'));
  try {
    const chart = path.join(root, 'platform-monitoring');
    fs.cpSync(path.join('apps', 'platform-monitoring'), chart, { recursive: true });
    fs.cpSync(path.join('apps', 'isolation'), path.join(chart, 'charts', 'isolation'), { recursive: true });
    const files = ['values.yaml', `values-${env}.yaml`, path.join('generated', `${env}.yaml`)].flatMap((f) => ['-f', path.join(chart, f)]);
    const out = execFileSync(helm!, ['template', 'platform-monitoring', chart, '-n', 'monitoring', ...files], { encoding: 'utf8' });
    const rule = parseAllDocuments(out)
      .map((d) => d.toJS())
      .find((o) => o?.kind === 'PrometheusRule');
    return rule.spec.groups;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

function promtoolRun(args: string[], cwd: string): string {
  try {
    return execFileSync(promtool!, args, { encoding: 'utf8', cwd, stdio: 'pipe' });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

(helm && promtool ? describe : describe.skip)('promtool: the alerting rules', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'promtool-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each(['dev', 'staging', 'prod'])('%s: promtool check rules accepts every rule', (env) => {
    fs.writeFileSync(path.join(dir, 'rules.yaml'), stringify({ groups: renderedRuleGroups(env) }));
    expect(promtoolRun(['check', 'rules', 'rules.yaml'], dir)).toMatch(/SUCCESS: \d+ rules found/);
  });

  test('promtool test rules: each alert fires when it should and stays silent otherwise', () => {
    fs.writeFileSync(path.join(dir, 'rules.yaml'), stringify({ groups: renderedRuleGroups('prod') }));
    fs.copyFileSync(path.join(__dirname, 'rule-tests.yaml'), path.join(dir, 'rule-tests.yaml'));
    expect(promtoolRun(['test', 'rules', 'rule-tests.yaml'], dir)).toContain('SUCCESS');
  });

  test('promtool test rules, staging: Ollama at zero or waking on purpose pages nobody; a wake that does not finish does', () => {
    fs.writeFileSync(path.join(dir, 'rules.yaml'), stringify({ groups: renderedRuleGroups('staging') }));
    fs.copyFileSync(path.join(__dirname, 'rule-tests-scale-to-zero.yaml'), path.join(dir, 'rule-tests.yaml'));
    expect(promtoolRun(['test', 'rules', 'rule-tests.yaml'], dir)).toContain('SUCCESS');
    // The same tests against prod's rules (Ollama always on) fail: the silence above is staging's rule, not the data.
    fs.writeFileSync(path.join(dir, 'rules.yaml'), stringify({ groups: renderedRuleGroups('prod') }));
    expect(() => promtoolRun(['test', 'rules', 'rule-tests.yaml'], dir)).toThrow(/FAILED/);
  });

  test('and reports a failure when an expectation is wrong (the tests can fail)', () => {
    fs.writeFileSync(path.join(dir, 'rules.yaml'), stringify({ groups: renderedRuleGroups('prod') }));
    const tests = fs
      .readFileSync(path.join(__dirname, 'rule-tests.yaml'), 'utf8')
      .replace(
        'exp_labels: { severity: critical, gpu: "0", UUID: GPU-a, node: gpu-1, instance',
        'exp_labels: { severity: warning, gpu: "0", UUID: GPU-a, node: gpu-1, instance',
      );
    fs.writeFileSync(path.join(dir, 'rule-tests.yaml'), tests);
    expect(() => promtoolRun(['test', 'rules', 'rule-tests.yaml'], dir)).toThrow(/FAILED/);
  });
});
