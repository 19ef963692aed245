import * as fs from 'fs';
import * as path from 'path';
import { Call, FakeWorld, fakeExec, fakeRoot } from './fake-cli';
import { RunStacksOptions } from '../../tools/deploy/run-stacks';
import { PLAN_MANIFEST, PLAN_SUMMARY, PlanManifest, applyPlans, planStacks } from '../../tools/deploy/saved-plans';

function options(root: string, command: 'plan' | 'deploy', extra: Partial<RunStacksOptions> = {}) {
  const log: string[] = [];
  const o: RunStacksOptions = {
    command,
    env: 'dev',
    root,
    skipSynth: true,
    tfBinary: 'terraform',
    kubectl: 'kubectl',
    log: (l) => log.push(l),
    sleep: async () => {},
    ...extra,
  };
  return { o, log };
}

async function attempt<T>(run: () => Promise<T>): Promise<{ value?: T; error?: Error }> {
  try {
    return { value: await run() };
  } catch (err) {
    return { error: err as Error };
  }
}

async function plan(root: string, world: FakeWorld, extra: Partial<RunStacksOptions> = {}) {
  const calls: Call[] = [];
  const { o, log } = options(root, 'plan', extra);
  const result = await attempt(() => planStacks(o, fakeExec(world, calls)));
  return { ...result, calls, log };
}

async function deploy(root: string, world: FakeWorld, extra: Partial<RunStacksOptions> = {}) {
  const calls: Call[] = [];
  const { o, log } = options(root, 'deploy', { planDir: 'plans/dev', ...extra });
  const result = await attempt(() => applyPlans(o, fakeExec(world, calls)));
  return { ...result, calls, log };
}

const tfCalls = (calls: Call[], verb: string) => calls.filter((c) => c.tool === 'terraform' && c.args[0] === verb).map((c) => path.basename(c.cwd!));
const manifestOf = (root: string): PlanManifest => JSON.parse(fs.readFileSync(path.join(root, 'plans/dev', PLAN_MANIFEST), 'utf8'));

describe('npm run plan', () => {
  test('plans the first stack with changes and records the stacks planned against it as waiting', async () => {
    const root = fakeRoot();
    const { error, calls } = await plan(root, {});
    expect(error).toBeUndefined();
    expect(tfCalls(calls, 'plan')).toEqual(['dev-platform']);
    const planCall = calls.find((c) => c.args[0] === 'plan')!;
    expect(planCall.args).toEqual(['plan', '-input=false', '-detailed-exitcode', `-out=${path.join(root, 'plans/dev/dev-platform.tfplan')}`]);
    expect(calls.some((c) => c.tool === 'cdktf')).toBe(false);

    const dir = path.join(root, 'plans/dev');
    expect(fs.readdirSync(dir).sort()).toEqual([PLAN_SUMMARY, 'dev-platform.plan.txt', 'dev-platform.tfplan', PLAN_MANIFEST].sort());
    // Saved plans hold secrets: only the owner reads them.
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dir, 'dev-platform.tfplan')).mode & 0o777).toBe(0o600);
    const manifest = manifestOf(root);
    expect(manifest).toMatchObject({ version: 1, env: 'dev', tfVersion: 'Terraform v1.10.5' });
    expect(manifest.stacks).toEqual([
      {
        name: 'dev-platform',
        status: 'planned',
        planFile: 'dev-platform.tfplan',
        showFile: 'dev-platform.plan.txt',
        summary: 'Plan: 2 to add, 1 to change, 0 to destroy.',
        stackJsonSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        inputsSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        inputs: { tfVersion: 'Terraform v1.10.5', providerLockSha256: null, context: null },
      },
      { name: 'dev-apps', status: 'waiting', waitsFor: ['dev-platform'] },
    ]);
    expect(fs.readFileSync(path.join(dir, PLAN_SUMMARY), 'utf8').split('\n').slice(2)).toEqual([
      'dev-platform: Plan: 2 to add, 1 to change, 0 to destroy. (dev-platform.plan.txt)',
      'dev-apps: not planned: it plans against dev-platform, which has changes to apply first',
      '',
      'Review the plans, then apply exactly them: npm run deploy -- dev --plan plans/dev',
      'Then plan again for dev-apps: npm run plan -- dev',
      '',
    ]);
  });

  test('plans every stack whose dependencies are current; a stack without changes keeps no plan file', async () => {
    const root = fakeRoot();
    const { error, calls } = await plan(root, { plan: { 'dev-platform': { changes: false } } }, { planDir: 'review' });
    expect(error).toBeUndefined();
    expect(tfCalls(calls, 'plan')).toEqual(['dev-platform', 'dev-apps']);
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'review', PLAN_MANIFEST), 'utf8')) as PlanManifest;
    expect(manifest.stacks.map((s) => [s.name, s.status, s.planFile])).toEqual([
      ['dev-platform', 'current', undefined],
      ['dev-apps', 'planned', 'dev-apps.tfplan'],
    ]);
    expect(fs.existsSync(path.join(root, 'review/dev-platform.tfplan'))).toBe(false);
    expect(fs.readFileSync(path.join(root, 'review', PLAN_SUMMARY), 'utf8')).toMatch(
      /Review the plans, then apply exactly them: npm run deploy -- dev --plan review\n$/,
    );
    const stale = await deploy(root, { apply: { 'dev-apps': 'stale' } }, { planDir: path.join(root, 'review') });
    expect(stale.error!.message).toMatch(/\n {2}npm run plan -- dev --out review$/);
  });

  test('refuses a plan directory others can read, before planning anything', async () => {
    const root = fakeRoot();
    fs.mkdirSync(path.join(root, 'shared'), { mode: 0o755 });
    fs.chmodSync(path.join(root, 'shared'), 0o755);
    const { error, calls } = await plan(root, {}, { planDir: 'shared' });
    expect(error!.message).toBe(
      `${path.join(root, 'shared')}: must be private to its owner (mode 755): saved plans hold secrets; run chmod 700 on it or choose another --out`,
    );
    expect(calls.filter((c) => c.tool === 'terraform')).toEqual([]);
  });

  test('a fresh plan replaces the files of the last one', async () => {
    const root = fakeRoot();
    await plan(root, {});
    await plan(root, { plan: { 'dev-platform': { changes: false } } });
    expect(fs.readdirSync(path.join(root, 'plans/dev')).filter((f) => f.endsWith('.tfplan'))).toEqual(['dev-apps.tfplan']);
  });

  test.each([
    ['killed by SIGKILL', { code: null, signal: 'SIGKILL' } as const, '`terraform plan` was killed by SIGKILL'],
    ['failing', { code: 1 } as const, '`terraform plan` exited with 1'],
  ])('a plan %s stops with the command that plans again, and writes no manifest', async (_what, end, reason) => {
    const root = fakeRoot();
    const { error } = await plan(root, { plan: { 'dev-platform': { end } } }, { context: 'kind-llm' });
    expect(error!.message).toBe(
      `dev-platform: plan did not finish: ${reason}. No plan was written for it or the stacks after it. To plan again, run:\n  npm run plan -- dev --context kind-llm`,
    );
    expect(fs.existsSync(path.join(root, 'plans/dev', PLAN_MANIFEST))).toBe(false);
  });
});

describe('npm run deploy -- <env> --plan <dir>', () => {
  test('applies exactly the saved plans, in order, without cdktf or auto-approve, and names the stacks to plan next', async () => {
    const root = fakeRoot();
    await plan(root, {});
    const { error, value, calls, log } = await deploy(root, {});
    expect(error).toBeUndefined();
    expect(value).toEqual(['dev-platform']);
    const applies = calls.filter((c) => c.args[0] === 'apply');
    expect(applies).toEqual([
      {
        tool: 'terraform',
        args: ['apply', '-input=false', path.join(root, 'plans/dev/dev-platform.tfplan')],
        cwd: path.join(root, 'cdktf.out/stacks/dev-platform'),
      },
    ]);
    expect(calls.some((c) => c.tool === 'cdktf' || c.args.includes('-auto-approve'))).toBe(false);
    // A saved plan applies once and holds secrets: it is gone, and the manifest says so.
    expect(fs.existsSync(path.join(root, 'plans/dev/dev-platform.tfplan'))).toBe(false);
    expect(manifestOf(root).stacks.map((s) => s.status)).toEqual(['applied', 'waiting']);
    expect(log.join('\n')).toMatch(/dev-apps plan against what was just applied: plan them now and review:\n {2}npm run plan -- dev$/);
  });

  test('refuses a plan made from other synthesized JSON, before applying anything', async () => {
    const root = fakeRoot();
    await plan(root, { plan: { 'dev-platform': { changes: false } } });
    const file = path.join(root, 'cdktf.out/stacks/dev-apps/cdk.tf.json');
    fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), variable: { x: {} } }));
    const { error, calls } = await deploy(root, {});
    expect(error!.message).toMatch(
      /^dev-apps: the plan was made from other synthesized JSON \(cdk\.tf\.json sha256 [0-9a-f]{12} planned, [0-9a-f]{12} now\): the code or the configuration changed since the plan\. Nothing was applied\. Plan again and review:\n {2}npm run plan -- dev$/,
    );
    expect(tfCalls(calls, 'apply')).toEqual([]);
  });

  test('refuses the plans when a stack that was current when they were made has changed since', async () => {
    const root = fakeRoot();
    await plan(root, { plan: { 'dev-platform': { changes: false } } });
    const file = path.join(root, 'cdktf.out/stacks/dev-platform/cdk.tf.json');
    fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), output: { x: { value: 1 } } }));
    const { error, calls } = await deploy(root, {});
    expect(error!.message).toMatch(/^dev-platform: the plan was made from other synthesized JSON .*\n {2}npm run plan -- dev$/s);
    expect(tfCalls(calls, 'apply')).toEqual([]);
  });

  test('the summary names --context in both commands', async () => {
    const root = fakeRoot();
    await plan(root, {}, { context: 'kind-llm' });
    expect(fs.readFileSync(path.join(root, 'plans/dev', PLAN_SUMMARY), 'utf8')).toMatch(
      /Review the plans, then apply exactly them: npm run deploy -- dev --plan plans\/dev --context kind-llm\nThen plan again for dev-apps: npm run plan -- dev --context kind-llm\n$/,
    );
  });

  test('refuses a plan made with another terraform version', async () => {
    const root = fakeRoot();
    await plan(root, {});
    const { error, calls } = await deploy(root, { version: 'Terraform v1.11.0' });
    expect(error!.message).toBe(
      'dev-platform: the plan was made with other inputs (Terraform v1.10.5 planned, Terraform v1.11.0 now). Nothing was applied. Plan again and review:\n  npm run plan -- dev',
    );
    expect(tfCalls(calls, 'apply')).toEqual([]);
  });

  test('refuses a plan made for another kube context or with other providers', async () => {
    const root = fakeRoot();
    await plan(root, {});
    const other = await deploy(root, {}, { context: 'kind-llm' });
    expect(other.error!.message).toBe(
      'dev-platform: the plan was made with other inputs (--context (none) planned, kind-llm now). Nothing was applied. Plan again and review:\n  npm run plan -- dev --context kind-llm',
    );
    fs.writeFileSync(path.join(root, 'cdktf.out/stacks/dev-platform/.terraform.lock.hcl'), 'provider "registry.terraform.io/hashicorp/aws" {}\n');
    const providers = await deploy(root, {});
    expect(providers.error!.message).toMatch(/^dev-platform: the plan was made with other inputs \(another provider lock file \(\.terraform\.lock\.hcl\)\)\./);
    expect(tfCalls([...other.calls, ...providers.calls], 'apply')).toEqual([]);
  });

  test("reports terraform's refusal of a plan whose state moved, naming the command that plans again", async () => {
    const root = fakeRoot();
    await plan(root, {}, { context: 'kind-llm' });
    const { error } = await deploy(root, { apply: { 'dev-platform': 'stale' } }, { context: 'kind-llm' });
    expect(error!.message).toBe(
      'dev-platform: terraform refused the saved plan: the state changed after it was planned (Saved plan is stale). Nothing of dev-platform was applied. Plan again and review:\n  npm run plan -- dev --context kind-llm',
    );
    expect(manifestOf(root).stacks[0].status).toBe('planned');
  });

  test('an apply killed by a signal stops the deploy and names the command that plans again', async () => {
    const root = fakeRoot();
    await plan(root, { plan: { 'dev-platform': { changes: false } } });
    const { error } = await deploy(root, { apply: { 'dev-apps': { code: null, signal: 'SIGKILL' } } });
    expect(error!.message).toBe(
      'dev-apps: apply did not finish: `terraform apply dev-apps.tfplan` was killed by SIGKILL. Later stacks were not applied. A saved plan applies at most once: plan again (it adopts what the interrupted apply created) and review:\n  npm run plan -- dev',
    );
  });

  test.each([
    ['no plans written', () => undefined, /^\S+\/plans\/dev\/plans\.json does not exist: write the plans first with npm run plan -- dev$/],
    [
      'the plans of another environment',
      (root: string) => {
        fs.mkdirSync(path.join(root, 'plans/dev'), { recursive: true });
        fs.writeFileSync(path.join(root, 'plans/dev', PLAN_MANIFEST), JSON.stringify({ version: 1, env: 'prod', stacks: [] }));
      },
      /^\S+\/plans\/dev\/plans\.json holds the plans of prod, not of dev$/,
    ],
  ])('refuses %s', async (_what, prepare, message) => {
    const root = fakeRoot();
    prepare(root);
    const { error, calls } = await deploy(root, {});
    expect(error!.message).toMatch(message);
    expect(calls).toEqual([]);
  });

  test('refuses a directory whose plans are all applied', async () => {
    const root = fakeRoot();
    await plan(root, {});
    await deploy(root, {});
    const { error } = await deploy(root, {});
    expect(error!.message).toBe(`${path.join(root, 'plans/dev')} holds no plan to apply (dev-apps still to plan). Plan again:\n  npm run plan -- dev`);
  });
});
