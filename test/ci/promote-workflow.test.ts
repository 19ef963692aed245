/**
 * The promote workflow's scripts, run as the workflow runs them against a local remote: the
 * preview job's "prepare" step (the real `npm run promote`, pushing to a local outbox) and the
 * push job's "check" and "push" steps (plain git, in a clone of their own, as on a new runner).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { applyPromotion, planPromotion } from '../../tools/promote/promote';
import { CHAIN, GitFixture, STAGING, fromTemplate } from '../promote/git-fixture';
import { bundleCli } from '../support/cli-bundle';

const ROOT = path.resolve(__dirname, '../..');
const promote = parse(fs.readFileSync(path.join(ROOT, '.github/workflows/promote.yml'), 'utf8')) as {
  jobs: Record<string, { steps: { name?: string; run?: string }[] }>;
};
const script = (job: string, name: string) => {
  const step = promote.jobs[job].steps.find((s) => s.name?.startsWith(name));
  if (!step?.run) throw new Error(`no step "${name}" in job ${job}`);
  return step.run;
};
const PREPARE = script('preview', 'prepare the push');
const CHECK = script('push', 'check the prepared updates');
const PUSH = script('push', 'push');

/** The repository's promote CLI (tools/promote/cli.ts), bundled once for the suite. */
let promoteCli: string;
beforeAll(async () => {
  promoteCli = await bundleCli('tools/promote/cli.ts');
});

/** `npm run --silent promote -- <args>` runs the repository's CLI (which pushes the ref and its record). */
const NPM = `#!/usr/bin/env bash
set -euo pipefail
[ "$1 $2 $3 $4" = "run --silent promote --" ] || { echo "unexpected npm $*" >&2; exit 97; }
shift 4
"${process.execPath}" "$TEST_PROMOTE_CLI" "$@"
`;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  output: string;
}

function runner(fx: GitFixture, name: string) {
  const temp = path.join(fx.root, `${name}-temp`);
  fs.mkdirSync(path.join(temp, 'tmp'), { recursive: true });
  const bin = path.join(fx.root, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, 'npm'), NPM, { mode: 0o755 });
  return (cwd: string, code: string, env: Record<string, string>): Run => {
    const outputFile = path.join(temp, 'output');
    fs.writeFileSync(outputFile, '');
    const r = spawnSync('bash', ['-c', code], {
      cwd,
      encoding: 'utf8',
      env: {
        ...process.env,
        PATH: `${bin}:${process.env.PATH}`,
        TEST_PROMOTE_CLI: promoteCli,
        RUNNER_TEMP: temp,
        TMPDIR: path.join(temp, 'tmp'),
        GITHUB_OUTPUT: outputFile,
        GITHUB_STEP_SUMMARY: path.join(temp, 'summary'),
        // git@github.com:<repository>.git is the local remote here.
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: `url.${fx.remote}.insteadOf`,
        GIT_CONFIG_VALUE_0: 'git@github.com:o/r.git',
        ...env,
      },
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, output: fs.readFileSync(outputFile, 'utf8') };
  };
}

/** main: c1 ← c2; staging and prod created at c1 (records 000001); the preview's checkout and the push job's own clone. */
function setUp() {
  const { f: fx, data } = fromTemplate('promote-workflow', (fx) => {
    const c1 = fx.remoteRef('refs/heads/main')!;
    for (const env of ['staging', 'prod']) applyPromotion(fx.clone, planPromotion({ repo: fx.clone, remote: 'origin', chain: CHAIN, env, init: true }));
    const c2 = fx.commit('second');
    fx.git('push', '--quiet', 'origin', 'main');
    spawnSync('git', ['clone', '--quiet', fx.remote, path.join(fx.root, 'push-clone')]);
    return { c1, c2 };
  });
  const { c1, c2 } = data;
  const pushClone = path.join(fx.root, 'push-clone');
  const preview = runner(fx, 'preview');
  const push = runner(fx, 'push');
  const updates = () => fs.readFileSync(path.join(fx.root, 'preview-temp/promotion/updates.txt'), 'utf8');
  // The artifact: what the preview uploads is what the push job downloads.
  const handOver = () => fs.cpSync(path.join(fx.root, 'preview-temp/promotion'), path.join(fx.root, 'push-temp/promotion'), { recursive: true });
  return { fx, c1, c2, pushClone, preview, push, updates, handOver };
}

const STAGING_ENV = { ENVIRONMENT: 'staging', ACTION: 'promote' };
const PUSH_ENV = { ENVIRONMENT: 'staging', REPOSITORY: 'o/r', DEPLOY_KEY: 'not a key: the local remote needs none' };

test('promote: the preview prepares the update without moving the remote; the push job moves exactly it', () => {
  const { fx, c1, c2, pushClone, preview, push, updates, handOver } = setUp();
  const prepared = preview(fx.clone, PREPARE, { ...STAGING_ENV, TARGET: c2 });
  expect(prepared).toMatchObject({ status: 0, output: 'changes=true\n' });
  expect(updates()).toMatch(new RegExp(`^${c1} ${c2} ${STAGING}\n0 [0-9a-f]{40} refs/tags/promotions/staging/000002\n$`));
  expect(fx.remoteRef(STAGING)).toBe(c1);
  expect(fx.git('remote', 'get-url', '--push', 'origin')).toBe(fx.remote);
  expect(fx.git('for-each-ref', 'refs/seed/')).toBe('');

  handOver();
  expect(push(pushClone, CHECK, { ENVIRONMENT: 'staging' })).toMatchObject({ status: 0 });
  const pushed = push(pushClone, PUSH, PUSH_ENV);
  expect(pushed.stderr).not.toContain('refused');
  expect(pushed.status).toBe(0);
  expect(fx.remoteRef(STAGING)).toBe(c2);
  expect(fx.remoteRef('refs/heads/env/prod')).toBe(c1);
  // The key file lived in a temporary folder of the push step, removed on exit.
  expect(fs.readdirSync(path.join(fx.root, 'push-temp/tmp'))).toEqual([]);
});

test('the record the program writes (an annotated tag) travels in the bundle and is pushed atomically with the ref', () => {
  const { fx, c2, pushClone, preview, push, handOver } = setUp();
  expect(preview(fx.clone, PREPARE, { ...STAGING_ENV, TARGET: c2, REASON: 'weekly' })).toMatchObject({ status: 0 });
  expect(fs.existsSync(path.join(fx.root, 'preview-temp/promotion/objects.bundle'))).toBe(true);
  expect(fx.git('ls-remote', 'origin', 'refs/tags/promotions/staging/000002')).toBe('');
  handOver();
  expect(push(pushClone, CHECK, { ENVIRONMENT: 'staging' })).toMatchObject({ status: 0 });
  expect(push(pushClone, PUSH, PUSH_ENV)).toMatchObject({ status: 0 });
  expect(fx.remoteRef(STAGING)).toBe(c2);
  fx.git('fetch', '--quiet', 'origin', '+refs/tags/promotions/*:refs/tags/promotions/*');
  expect(fx.git('for-each-ref', '--format=%(contents)', 'refs/tags/promotions/staging/000002')).toMatch(/^kind: promote$[\s\S]*^reason: weekly$/m);
});

test('rollback with its reason: the lease alone lets the ref move back; then release-hold pushes only its record', () => {
  const { fx, c1, c2, pushClone, preview, push, updates, handOver } = setUp();
  applyPromotion(fx.clone, planPromotion({ repo: fx.clone, remote: 'origin', chain: CHAIN, env: 'staging', commit: c2 }));
  const rollback = { ENVIRONMENT: 'staging', ACTION: 'rollback', TARGET: c1, REASON: 'latency' };
  expect(preview(fx.clone, PREPARE, rollback)).toMatchObject({ status: 0, output: 'changes=true\n' });
  expect(updates()).toMatch(new RegExp(`^${c2} ${c1} ${STAGING}\n0 [0-9a-f]{40} refs/tags/promotions/staging/000003\n$`));
  handOver();
  expect(push(pushClone, CHECK, { ENVIRONMENT: 'staging' }).status).toBe(0);
  expect(push(pushClone, PUSH, PUSH_ENV).status).toBe(0);
  expect(fx.remoteRef(STAGING)).toBe(c1);

  fs.rmSync(path.join(fx.root, 'push-temp/promotion'), { recursive: true });
  expect(preview(fx.clone, PREPARE, { ENVIRONMENT: 'staging', ACTION: 'release-hold', TARGET: c1, REASON: 'fixed' })).toMatchObject({
    status: 0,
    output: 'changes=true\n',
  });
  expect(updates()).toMatch(/^0 [0-9a-f]{40} refs\/tags\/promotions\/staging\/000004\n$/);
  handOver();
  expect(push(pushClone, CHECK, { ENVIRONMENT: 'staging' }).status).toBe(0);
  expect(push(pushClone, PUSH, PUSH_ENV).status).toBe(0);
  expect(fx.git('ls-remote', 'origin', 'refs/tags/promotions/staging/000004')).toMatch(/refs\/tags\/promotions\/staging\/000004$/);
  expect(fx.remoteRef(STAGING)).toBe(c1);
});

test('nothing to do: no update, no push job', () => {
  const { fx, c1, preview } = setUp();
  const prepared = preview(fx.clone, PREPARE, { ...STAGING_ENV, TARGET: c1 });
  expect(prepared).toMatchObject({ status: 0, output: 'changes=false\n' });
});

test('an environment ref that moved after the preview: the push job refuses before the key exists', () => {
  const { fx, c2, pushClone, preview, push, handOver } = setUp();
  expect(preview(fx.clone, PREPARE, { ...STAGING_ENV, TARGET: c2 }).status).toBe(0);
  handOver();
  fx.setRemoteRef('refs/heads/env/prod', c2);
  const checked = push(pushClone, CHECK, { ENVIRONMENT: 'staging' });
  expect(checked.status).toBe(1);
  expect(checked.stderr).toContain('an environment ref moved since the preview: run the promote workflow again');
});

test('the lease: a ref that moved between the check and the push is not overwritten', () => {
  const { fx, c1, c2, pushClone, preview, push, handOver } = setUp();
  expect(preview(fx.clone, PREPARE, { ...STAGING_ENV, TARGET: c2 }).status).toBe(0);
  handOver();
  expect(push(pushClone, CHECK, { ENVIRONMENT: 'staging' }).status).toBe(0);
  const c3 = fx.commit('third');
  fx.git('push', '--quiet', 'origin', 'main');
  fx.setRemoteRef(STAGING, c3);
  const pushed = push(pushClone, PUSH, PUSH_ENV);
  expect(pushed.status).toBe(1);
  expect(pushed.stderr).toContain(
    'the push was refused: a ref moved since the preview (or the key may not push there); nothing changed, run the promote workflow again',
  );
  expect(fx.remoteRef(STAGING)).toBe(c3);
  expect(c1).not.toBe(c3);
});

describe('the push job refuses prepared updates that touch', () => {
  const { fx, c2, pushClone, preview, push, handOver } = setUp();
  beforeAll(() => expect(preview(fx.clone, PREPARE, { ...STAGING_ENV, TARGET: c2 }).status).toBe(0));
  test.each([
    ['another branch', (u: string) => u.replace(STAGING, 'refs/heads/main'), 'the promotion of staging may not update refs/heads/main'],
    ['another environment', (u: string) => u.replace(STAGING, 'refs/heads/env/prod'), 'the promotion of staging may not update refs/heads/env/prod'],
    ['a line that is not an update', (u: string) => `${u}$(touch pwned) x y\n`, 'unexpected update line'],
    ['a ref name with ..', (u: string) => u.replace(STAGING, 'refs/tags/../heads/main'), 'unexpected ref name'],
    [
      "another environment's record",
      (u: string) => u.replace('refs/tags/promotions/staging/', 'refs/tags/promotions/prod/'),
      'the promotion of staging may not update refs/tags/promotions/prod/000002',
    ],
    [
      'any other tag',
      (u: string) => u.replace('refs/tags/promotions/staging/000002', 'refs/tags/v1.0.0'),
      'the promotion of staging may not update refs/tags/v1.0.0',
    ],
  ])('%s', (_, tamper, message) => {
    handOver();
    const file = path.join(fx.root, 'push-temp/promotion/updates.txt');
    fs.writeFileSync(file, tamper(fs.readFileSync(file, 'utf8')));
    const checked = push(pushClone, CHECK, { ENVIRONMENT: 'staging' });
    expect(checked.status).toBe(1);
    expect(checked.stderr.trim()).toBe(message);
    expect(fs.existsSync(path.join(pushClone, 'pwned'))).toBe(false);
  });
});

test('the push step refuses without the environment’s own key', () => {
  const { fx, c1, c2, pushClone, push } = setUp();
  fs.mkdirSync(path.join(fx.root, 'push-temp/promotion'), { recursive: true });
  fs.writeFileSync(path.join(fx.root, 'push-temp/promotion/updates.txt'), `${c1} ${c2} ${STAGING}\n`);
  const pushed = push(pushClone, PUSH, { ...PUSH_ENV, DEPLOY_KEY: '' });
  expect(pushed.status).toBe(1);
  expect(pushed.stderr.trim()).toBe('the staging environment has no deploy key secret (STAGING_DEPLOY_KEY / PROD_DEPLOY_KEY): see docs/promotion.md');
  expect(fx.remoteRef(STAGING)).toBe(c1);
});
