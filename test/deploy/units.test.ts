import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from '../../tools/deploy/cli';
import { parseStatus, verdict } from '../../tools/deploy/cli-status';
import { planAdoption } from '../../tools/deploy/adoption';
import { pendingRecovery } from '../../tools/deploy/helm-pending';
import { StackInfo, orderedStacks } from '../../tools/deploy/stack-order';
import { MANAGED } from './fake-cli';

const s = (name: string, ...dependencies: string[]): StackInfo => ({ name, dependencies, workingDirectory: `stacks/${name}` });
const ALL = [s('prod-apps', 'prod-platform'), s('prod-platform', 'prod-cluster'), s('prod-cluster'), s('dev-apps', 'dev-platform'), s('dev-platform')];

describe('stack order', () => {
  test.each([
    ['prod', 'deploy', ['prod-cluster', 'prod-platform', 'prod-apps']],
    ['prod', 'destroy', ['prod-apps', 'prod-platform', 'prod-cluster']],
    ['dev', 'deploy', ['dev-platform', 'dev-apps']],
  ] as const)('%s %s', (env, direction, expected) => {
    expect(orderedStacks(ALL, env, direction).map((x) => x.name)).toEqual(expected);
  });

  test.each([
    [ALL, 'qa', /^unknown environment "qa": the synthesized stacks belong to dev, prod$/],
    [[s('dev-apps', 'prod-platform')], 'dev', /^dev-apps depends on prod-platform, which is not a stack of dev$/],
    [[s('dev-a', 'dev-b'), s('dev-b', 'dev-a')], 'dev', /^the stacks dev-a, dev-b depend on each other in a cycle$/],
  ])('rejects %#', (stacks, env, message) => {
    expect(() => orderedStacks(stacks, env, 'deploy')).toThrow(message);
  });
});

describe('exit status', () => {
  const start = { id: 'a', event: 'start' as const, args: ['apply', '-auto-approve'] };
  test.each([
    [{ code: 0, signal: null }, [start, { id: 'a', event: 'exit', code: 0, signal: null }], true],
    [{ code: 0, signal: null }, [start, { id: 'a', event: 'exit', code: null, signal: 'SIGKILL' }], false],
    [{ code: 0, signal: null }, [start], false],
    [{ code: 0, signal: null }, [], false],
    [{ code: null, signal: 'SIGINT' }, [start, { id: 'a', event: 'exit', code: 0, signal: null }], false],
  ] as const)('verdict %#', (cdktf, lines, ok) => {
    expect(verdict(cdktf, lines as any).ok).toBe(ok);
  });

  test('a torn last line of the status file leaves its invocation without an exit', () => {
    const lines = parseStatus(`${JSON.stringify(start)}\n{"id":"a","ev`);
    expect(verdict({ code: 0, signal: null }, lines).reasons).toEqual(['`apply -auto-approve` did not finish (no exit status recorded)']);
  });

  test.each([
    ['exit 3', 'exit 3', { code: 3, signal: null }, 3],
    ['killed', 'kill -9 $$', { code: null, signal: 'SIGKILL' }, 137],
    ['fine', 'exit 0', { code: 0, signal: null }, 0],
  ])('record-exit.js records a real child that ends with %s, and exits non-zero unless it exited 0', (_what, script, recorded, exitCode) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'record-exit-'));
    const statusFile = path.join(dir, 'status.jsonl');
    const cli = path.join(dir, 'cli.sh');
    fs.writeFileSync(cli, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    const result = spawnSync(path.join(__dirname, '../../tools/deploy/record-exit.js'), ['apply', '-auto-approve'], {
      env: { ...process.env, LLM_PLATFORM_TF_BINARY: cli, LLM_PLATFORM_TF_STATUS_FILE: statusFile },
    });
    expect(result.status).toBe(exitCode);
    const lines = parseStatus(fs.readFileSync(statusFile, 'utf8'));
    expect(lines.map((l) => l.event)).toEqual(['start', 'exit']);
    expect(lines[1]).toMatchObject(recorded);
    expect(lines[0].args).toEqual(['apply', '-auto-approve']);
  });
});

describe('ownership and Helm records', () => {
  const ns = { address: 'kubernetes_namespace_v1.a', resource: 'namespace', name: 'a', importId: 'a' };
  test.each([
    [MANAGED, 1, 0],
    [{ ...MANAGED, extra: 'x' }, 1, 0],
    [{ 'app.kubernetes.io/managed-by': 'terraform' }, 0, 1],
    [{ 'app.kubernetes.io/managed-by': 'Helm', 'app.kubernetes.io/part-of': 'llm-platform' }, 0, 1],
    [{}, 0, 1],
  ])('labels %j: %d imported, %d foreign', (labels, imported, foreign) => {
    const plan = planAdoption([ns], new Set(), () => ({ exists: true, labels }));
    expect([plan.imports.length, plan.foreign.length]).toEqual([imported, foreign]);
  });

  test('an object in state or absent from the cluster is left alone', () => {
    expect(planAdoption([ns], new Set([ns.address]), () => ({ exists: true, labels: MANAGED })).imports).toEqual([]);
    expect(planAdoption([ns], new Set(), () => ({ exists: false })).imports).toEqual([]);
  });

  const r = (version: number, status: string) => ({ secret: `sh.helm.release.v1.x.v${version}`, version, status });
  test.each([
    [[r(1, 'deployed')], { action: 'none' }],
    [[], { action: 'none' }],
    [[r(1, 'pending-install')], { action: 'forget', pending: 'pending-install', remove: ['sh.helm.release.v1.x.v1'] }],
    [[r(2, 'pending-upgrade'), r(1, 'deployed')], { action: 'rollback', to: 1, pending: 'pending-upgrade', remove: ['sh.helm.release.v1.x.v2'] }],
    [
      [r(1, 'superseded'), r(2, 'deployed'), r(3, 'failed'), r(4, 'pending-upgrade')],
      { action: 'rollback', to: 2, pending: 'pending-upgrade', remove: ['sh.helm.release.v1.x.v3', 'sh.helm.release.v1.x.v4'] },
    ],
    [
      [r(1, 'failed'), r(2, 'pending-install')],
      { action: 'forget', pending: 'pending-install', remove: ['sh.helm.release.v1.x.v1', 'sh.helm.release.v1.x.v2'] },
    ],
  ])('pending recovery %#', (revisions, expected) => {
    expect(pendingRecovery(revisions)).toEqual(expected);
  });
});

describe('command line', () => {
  test('flags', () => {
    expect(parseArgs(['destroy', 'dev', '--remove-finalizers', '--wait-seconds', '5'])).toMatchObject({
      command: 'destroy',
      env: 'dev',
      removeFinalizers: true,
      waitSeconds: 5,
      hintFlags: ['--wait-seconds', '5'],
    });
    expect(parseArgs(['deploy', 'staging', '--recover-helm', '--context', 'arn:aws:eks:eu-west-1:1:cluster/llm'])).toMatchObject({
      recoverHelm: true,
      context: 'arn:aws:eks:eu-west-1:1:cluster/llm',
    });
  });

  test('plan and deploy --plan', () => {
    expect(parseArgs(['plan', 'staging', '--out', 'review/staging', '--context', 'llm-staging'])).toMatchObject({
      command: 'plan',
      env: 'staging',
      planDir: 'review/staging',
      hintFlags: ['--out', 'review/staging', '--context', 'llm-staging'],
    });
    expect(parseArgs(['plan', 'dev'])).toMatchObject({ command: 'plan', planDir: undefined });
    expect(parseArgs(['deploy', 'prod', '--plan', 'plans/prod'])).toMatchObject({ command: 'deploy', planDir: 'plans/prod', recoverHelm: false });
  });

  test.each([
    [['apply', 'dev'], /^unknown command "apply": expected plan, deploy or destroy\nusage: npm run plan -- <env>/],
    [['plan', 'dev', '--out'], /^--out: needs a value\n/],
    [['plan', 'dev', '--out', 'a b'], /^--out: must be a directory path of letters, digits, "\.", "_", "-" and "\/" \(got "a b"\)$/],
    [['plan', 'dev', '--plan', 'x'], /^unknown argument "--plan" for plan\n/],
    [['plan', 'dev', '--remove-finalizers'], /^unknown argument "--remove-finalizers" for plan\n/],
    [['deploy', 'dev', '--plan'], /^--plan: needs a value\n/],
    [['deploy', 'dev', '--out', 'x'], /^unknown argument "--out" for deploy\n/],
    [['destroy', 'dev', '--plan', 'x'], /^unknown argument "--plan" for destroy\n/],
    [
      ['deploy', 'dev', '--plan', 'plans/dev', '--recover-helm'],
      /^--recover-helm: not with --plan: a saved plan applies to the state it was planned against; recover with npm run plan -- dev --recover-helm$/,
    ],
    [['deploy'], /^missing environment/],
    [['deploy', 'Dev'], /^environment: must be lowercase letters and digits \(got "Dev"\)$/],
    [['deploy', 'dev', '--remove-finalizers'], /^unknown argument "--remove-finalizers" for deploy/],
    [['destroy', 'dev', '--recover-helm'], /^unknown argument "--recover-helm" for destroy/],
    [['destroy', 'dev', '--wait-seconds', '1m'], /^--wait-seconds: must be a whole number of seconds \(got "1m"\)$/],
    [['deploy', 'dev', '--context'], /^--context: needs a value/],
    [['deploy', 'dev', '--context', 'a b'], /^--context: must be a kube context name \(got "a b"\)$/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });
});
