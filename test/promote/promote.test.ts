/**
 * `npm run promote`: every refusal (table, exact message) and every move, on temporary Git
 * repositories (a bare remote and a clone).
 */
import { ENVIRONMENTS } from '../../environments';
import { ChainLink, commitArgumentProblem, promotionChain } from '../../tools/promote/chain';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parsePromoteArgs, requireHealthy } from '../../tools/promote/cli';
import { checkRemote, configuredChain } from '../../tools/promote/config';
import { PromotionKind, PromotionRequest, applyPromotion, planPromotion } from '../../tools/promote/promote';
import { fetchWithRecords, readRecords } from '../../tools/promote/record';
import { CHAIN, GitFixture, PROD, STAGING, fromTemplate, gitFixture } from './git-fixture';

/** main: c1 - c2 - c3 (pushed); a feature branch off c1 with one commit. */
function history() {
  const { f, data } = fromTemplate('history', (f) => {
    const c1 = f.git('rev-parse', 'HEAD');
    const c2 = f.commit('c2');
    const c3 = f.commit('c3');
    f.git('push', '--quiet', 'origin', 'main');
    f.git('checkout', '--quiet', '-b', 'feature', c1);
    const feature = f.commit('feature work');
    f.git('push', '--quiet', 'origin', 'feature');
    f.git('checkout', '--quiet', 'main');
    return { c1, c2, c3, feature };
  });
  return { f, ...data };
}

const request = (f: GitFixture, r: Partial<PromotionRequest> & { env: string }): PromotionRequest => ({ repo: f.clone, remote: 'origin', chain: CHAIN, ...r });
const short = (sha: string) => sha.slice(0, 12);
const AT = new Date('2026-12-07T12:00:00Z');

/** Creates `env`'s ref at `commit` the way a user does: npm run promote -- <env> --init <commit>. */
function initAt(f: GitFixture, env: string, commit: string): void {
  applyPromotion(f.clone, planPromotion(request(f, { env, init: true, commit })));
}

/** The records of `env` as the remote holds them (fetched into a fresh clone). */
function remoteRecords(f: GitFixture, env: string) {
  fetchWithRecords(f.clone, 'origin');
  return readRecords(f.clone, env);
}

describe('the configured chain', () => {
  test('dev follows main; staging and prod follow their own fully qualified promotion refs, each after the one before', () => {
    expect(configuredChain({})).toEqual([
      { env: 'dev', revision: 'main', ref: 'refs/heads/main', followsMainline: true, previous: undefined },
      { env: 'staging', revision: STAGING, ref: STAGING, followsMainline: false, previous: 'dev' },
      { env: 'prod', revision: PROD, ref: PROD, followsMainline: false, previous: 'staging' },
    ]);
  });

  test('GITOPS_REVISION would point every environment at one revision: refused', () => {
    expect(() => configuredChain({ GITOPS_REVISION: 'main' })).toThrow(
      /^GITOPS_REVISION is set: it makes every environment follow one revision; unset it to promote or read status$/,
    );
  });

  test('the environment files are the chain (no name is hard-coded)', () => {
    expect(configuredChain({}).map((l) => l.env)).toEqual(ENVIRONMENTS.map((e) => e.name));
  });
});

describe('input validation', () => {
  test.each([
    ['0123abc', undefined],
    ['a'.repeat(40), undefined],
    ['main', undefined],
    ['v1.2.3', undefined],
    ['refs/heads/env/staging', undefined],
    ['main..evil', 'must be a commit SHA or a branch or tag name: must not contain ".."'],
    ['--upload-pack=touch /tmp/x', 'must be a commit SHA or a branch or tag name: must not start with "-"'],
    ['HEAD@{1}', 'must be a commit SHA or a branch or tag name: must not contain "@{" or be "@"'],
    ['a:b', 'must be a commit SHA or a branch or tag name: must be a branch, tag or commit, not a refspec ("+" or ":")'],
    ['x y', 'must be a commit SHA or a branch or tag name: must not contain whitespace'],
  ])('commit %j -> %s', (value, problem) => {
    expect(commitArgumentProblem(value)).toBe(problem);
  });

  test.each([['origin'], ['upstream-2']])('remote %s is accepted', (remote) => expect(checkRemote(remote)).toBe(remote));
  test.each([['--upload-pack=x'], ['https://evil.example/repo.git'], ['../x']])('remote %s is refused', (remote) => {
    expect(() => checkRemote(remote)).toThrow(/^--remote: must be a remote name such as origin \(got ".*"\)$/);
  });

  test.each([
    [[], 'expected <env> and at most one <commit>'],
    [['staging', 'a', 'b'], 'expected <env> and at most one <commit>'],
    [['staging', '--force'], 'unknown option --force'],
    [['staging', '--rollback-to'], '--rollback-to needs a value'],
    [['staging', '--rollback-to', '--init'], '--rollback-to needs a value'],
  ])('usage %j -> %s', (argv, message) => {
    expect(() => parsePromoteArgs(argv)).toThrow(message);
  });

  test('the record, hold and health options are parsed', () => {
    expect(parsePromoteArgs(['prod', '--release-hold', '--reason', 'fixed in 1a2b3c4', '--require-healthy', '--context', 'staging=ctx-1'])).toMatchObject({
      env: 'prod',
      releaseHold: true,
      reason: 'fixed in 1a2b3c4',
      requireHealthy: true,
      contexts: new Map([['staging', 'ctx-1']]),
    });
    expect(() => parsePromoteArgs(['prod', '--context', 'staging=$(id)'])).toThrow('--context: must be <env>=<kube-context> (got "staging=$(id)")');
    expect(() => parsePromoteArgs(['prod', '--reason'])).toThrow('--reason needs a value');
  });

  test.each([
    ['a\nb', '--reason: must be one line of 1 to 300 printable characters (got "a\\nb")'],
    ['x'.repeat(301), '--reason: must be one line of 1 to 300 printable characters'],
  ])('reason %j is refused', (reason, message) => {
    const { f } = history();
    expect(() => planPromotion(request(f, { env: 'staging', init: true, reason }))).toThrow(message);
  });

  test('options are parsed', () => {
    expect(parsePromoteArgs(['prod', 'abc1234', '--dry-run', '--remote', 'upstream'])).toMatchObject({
      env: 'prod',
      commit: 'abc1234',
      dryRun: true,
      remote: 'upstream',
      init: false,
      render: true,
    });
  });
});

describe('refusals', () => {
  const { f, c1, c2, c3, feature } = history();
  f.setRemoteRef(STAGING, c2);
  f.setRemoteRef(PROD, c1);
  const chainWith = (revision: string): ChainLink[] =>
    promotionChain([
      { name: 'dev', gitops: { targetRevision: 'main' } },
      { name: 'staging', gitops: { targetRevision: revision } },
    ]);

  test.each<[string, Partial<PromotionRequest> & { env: string }, RegExp]>([
    ['unknown environment', { env: 'qa' }, /^environment: unknown environment "qa" \(known: dev, staging, prod\)$/],
    ['an environment that follows main', { env: 'dev' }, /^dev follows main: merging to main deploys it, there is nothing to promote$/],
    [
      'an environment that tracks a tag',
      { env: 'staging', chain: chainWith('v1.0.0') },
      /^staging\.gitops\.targetRevision is "v1\.0\.0": only an environment that follows a fully qualified branch such as refs\/heads\/env\/staging can be promoted$/,
    ],
    [
      'an invalid commit',
      { env: 'staging', commit: 'main..x' },
      /^commit: must be a commit SHA or a branch or tag name: must not contain "\.\." \(got "main\.\.x"\)$/,
    ],
    [
      'an option as commit',
      { env: 'staging', rollbackTo: '--upload-pack=x' },
      /^--rollback-to: must be a commit SHA or a branch or tag name: must not start with "-" \(got "--upload-pack=x"\)$/,
    ],
    ['an unknown commit', { env: 'staging', commit: 'deadbeef' }, /^commit "deadbeef" is neither a commit of the clone nor a branch or tag of origin/],
    ['a commit not on main', { env: 'staging', commit: feature }, new RegExp(`^${short(feature)} is not on main: only commits merged to main are promoted$`)],
    ['a branch not on main', { env: 'staging', commit: 'feature' }, new RegExp(`^${short(feature)} is not on main: only commits merged to main are promoted$`)],
    [
      'not a fast-forward',
      { env: 'staging', commit: c1 },
      new RegExp(
        `^${short(c1)} is not a fast-forward of refs/heads/env/staging \\(at ${short(c2)}\\): it would drop commits staging runs; go back deliberately with --rollback-to$`,
      ),
    ],
    [
      'prod: a commit not yet in staging',
      { env: 'prod', commit: c3 },
      new RegExp(`^${short(c3)} never ran in staging \\(its promotion record and ref show only ${short(c2)}\\): promote it to staging first$`),
    ],
    [
      '--init of an existing ref',
      { env: 'staging', init: true },
      new RegExp(`^refs/heads/env/staging already exists in origin \\(at ${short(c2)}\\): --init only creates a missing ref$`),
    ],
    [
      'a rollback outside the history',
      { env: 'staging', rollbackTo: c3, reason: 'r' },
      new RegExp(`^${short(c3)} is not a commit staging ran \\(see its promotion record\\): --rollback-to returns only to a commit staging ran before$`),
    ],
    ['a rollback with a commit', { env: 'staging', rollbackTo: c1, commit: c2 }, /^--rollback-to <commit> takes no other commit and no --init$/],
  ])('%s', (_, r, message) => {
    expect(() => planPromotion(request(f, r))).toThrow(message);
  });

  test('a missing ref: a clear message with the --init hint', () => {
    const g = history();
    expect(() => planPromotion(request(g.f, { env: 'staging' }))).toThrow(
      /^refs\/heads\/env\/staging does not exist in origin: Argo CD cannot sync staging until it does; create it once with: npm run promote -- staging --init$/,
    );
    expect(() => planPromotion(request(g.f, { env: 'prod', init: true }))).toThrow(
      /^refs\/heads\/env\/staging does not exist in origin: Argo CD cannot sync staging until it does; create it once with: npm run promote -- staging --init$/,
    );
  });

  test('nothing moved by any refusal', () => {
    expect(f.remoteRef(STAGING)).toBe(c2);
    expect(f.remoteRef(PROD)).toBe(c1);
  });
});

describe('moves and their record', () => {
  test('first deploy: --init creates staging at main, then prod at what staging runs; each leaves a record', () => {
    const { f, c3 } = history();
    const staging = planPromotion(request(f, { env: 'staging', init: true, now: AT }));
    expect(staging).toMatchObject({ kind: PromotionKind.INIT, ref: STAGING, to: c3 });
    expect(staging.from).toBeUndefined();
    applyPromotion(f.clone, staging);
    expect(f.remoteRef(STAGING)).toBe(c3);
    applyPromotion(f.clone, planPromotion(request(f, { env: 'prod', init: true, now: AT })));
    expect(f.remoteRef(PROD)).toBe(c3);
    expect(remoteRecords(f, 'staging')).toEqual([
      {
        tag: 'refs/tags/promotions/staging/000001',
        env: 'staging',
        kind: 'init',
        from: undefined,
        to: c3,
        by: 'test <test@example.invalid>',
        at: '2026-12-07T12:00:00Z',
        reason: 'init',
        source: 'main',
      },
    ]);
    expect(remoteRecords(f, 'prod')).toEqual([expect.objectContaining({ kind: 'init', to: c3, source: 'staging (refs/heads/env/staging is at it)' })]);
  });

  test('promote: the default is what the previous environment runs; the commits are listed; the record says who, from, to and why', () => {
    const { f, c1, c2, c3 } = history();
    initAt(f, 'staging', c1);
    initAt(f, 'prod', c1);
    const staging = planPromotion(request(f, { env: 'staging', reason: 'weekly release', now: AT }));
    expect(staging).toMatchObject({ kind: PromotionKind.PROMOTE, from: c1, to: c3 });
    expect(staging.commits).toEqual([`${c3.slice(0, 7)} c3`, `${c2.slice(0, 7)} c2`]);
    expect(f.remoteRef(STAGING)).toBe(c1);
    applyPromotion(f.clone, staging);
    expect(f.remoteRef(STAGING)).toBe(c3);
    expect(remoteRecords(f, 'staging').at(-1)).toMatchObject({
      kind: 'promote',
      from: c1,
      to: c3,
      reason: 'weekly release',
      by: 'test <test@example.invalid>',
      source: 'main',
    });
    // Plain git reads the record.
    expect(f.git('for-each-ref', '--format=%(contents:subject)', 'refs/tags/promotions/staging/')).toContain(`promote staging: ${short(c1)} -> ${short(c3)}`);

    const prod = planPromotion(request(f, { env: 'prod', now: AT }));
    expect(prod).toMatchObject({ kind: PromotionKind.PROMOTE, from: c1, to: c3 });
    applyPromotion(f.clone, prod);
    expect(f.remoteRef(PROD)).toBe(c3);
    expect(planPromotion(request(f, { env: 'prod' })).kind).toBe(PromotionKind.CURRENT);
  });

  test('a commit the previous environment skipped never ran there: refused, although it is an ancestor', () => {
    const { f, c1, c2, c3 } = history();
    initAt(f, 'staging', c1);
    initAt(f, 'prod', c1);
    applyPromotion(f.clone, planPromotion(request(f, { env: 'staging', commit: c3 })));
    expect(() => planPromotion(request(f, { env: 'prod', commit: c2 }))).toThrow(
      new RegExp(`^${short(c2)} never ran in staging \\(its promotion record and ref show only ${short(c1)}, ${short(c3)}\\): promote it to staging first$`),
    );
    expect(planPromotion(request(f, { env: 'prod', commit: c3 })).to).toBe(c3);
  });

  test('rollback: only to a commit the environment ran, with a reason; it holds the environment until released', () => {
    const { f, c1, c2, c3 } = history();
    initAt(f, 'staging', c1);
    applyPromotion(f.clone, planPromotion(request(f, { env: 'staging', commit: c3 })));
    expect(() => planPromotion(request(f, { env: 'staging', rollbackTo: c2, reason: 'x' }))).toThrow(
      new RegExp(`^${short(c2)} is not a commit staging ran \\(see its promotion record\\): --rollback-to returns only to a commit staging ran before$`),
    );
    expect(() => planPromotion(request(f, { env: 'staging', rollbackTo: c1 }))).toThrow(
      /^--rollback-to needs --reason "<why>": it goes into staging's promotion record$/,
    );
    const rollback = planPromotion(request(f, { env: 'staging', rollbackTo: c1, reason: 'chat latency doubled', now: AT }));
    expect(rollback).toMatchObject({ kind: PromotionKind.ROLLBACK, from: c3, to: c1 });
    expect(rollback.commits).toEqual([`${c3.slice(0, 7)} c3`, `${c2.slice(0, 7)} c2`]);
    applyPromotion(f.clone, rollback);
    expect(f.remoteRef(STAGING)).toBe(c1);

    // Held: a plain promote (to anything) is refused until the hold is released.
    const held = new RegExp(
      `^staging is held at ${short(c1)} since 2026-12-07T12:00:00Z by test <test@example\\.invalid> \\(rollback: chat latency doubled\\): release it first with npm run promote -- staging --release-hold --reason "<why>"$`,
    );
    expect(() => planPromotion(request(f, { env: 'staging' }))).toThrow(held);
    expect(() => planPromotion(request(f, { env: 'staging', commit: c2 }))).toThrow(held);
    expect(() => planPromotion(request(f, { env: 'staging', releaseHold: true }))).toThrow(/^--release-hold needs --reason "<why>"/);
    const release = planPromotion(request(f, { env: 'staging', releaseHold: true, reason: 'fixed by c4', now: new Date('2026-12-07T13:00:00Z') }));
    expect(release).toMatchObject({ kind: PromotionKind.RELEASE_HOLD, from: c1, to: c1 });
    applyPromotion(f.clone, release);
    expect(f.remoteRef(STAGING)).toBe(c1);
    expect(remoteRecords(f, 'staging').map((r) => r.kind)).toEqual(['init', 'promote', 'rollback', 'release-hold']);
    expect(() => planPromotion(request(f, { env: 'staging', releaseHold: true, reason: 'again' }))).toThrow(
      /^staging is not held: no rollback since its last release$/,
    );
    applyPromotion(f.clone, planPromotion(request(f, { env: 'staging', commit: c2 })));
    expect(f.remoteRef(STAGING)).toBe(c2);
  });

  test('a lost race: the ref moved after the plan; nothing is overwritten, no record lands, the message says so', () => {
    const { f, c1, c2, c3 } = history();
    initAt(f, 'staging', c1);
    const plan = planPromotion(request(f, { env: 'staging', commit: c2 }));
    f.setRemoteRef(STAGING, c3);
    expect(() => applyPromotion(f.clone, plan)).toThrow(
      new RegExp(
        `^refs/heads/env/staging moved in origin while this promotion was decided \\(now ${short(c3)}, expected ${short(c1)}\\): someone else promoted or rolled back staging; nothing was changed — run the command again to decide anew$`,
      ),
    );
    expect(f.remoteRef(STAGING)).toBe(c3);
    expect(remoteRecords(f, 'staging').map((r) => r.kind)).toEqual(['init']);
    const init = planPromotion(request(f, { env: 'prod', init: true, commit: c3 }));
    f.setRemoteRef(PROD, c2);
    expect(() => applyPromotion(f.clone, init)).toThrow(
      /^refs\/heads\/env\/prod moved in origin while this promotion was decided \(now \w{12}, expected absent\)/,
    );
    expect(f.remoteRef(PROD)).toBe(c2);
  });

  test('a rollback loses a race too: the lease holds for a non-fast-forward', () => {
    const { f, c1, c2, c3 } = history();
    initAt(f, 'staging', c1);
    applyPromotion(f.clone, planPromotion(request(f, { env: 'staging', commit: c3 })));
    const rollback = planPromotion(request(f, { env: 'staging', rollbackTo: c1, reason: 'r' }));
    f.setRemoteRef(STAGING, c2);
    expect(() => applyPromotion(f.clone, rollback)).toThrow(/^refs\/heads\/env\/staging moved in origin while this promotion was decided/);
    expect(f.remoteRef(STAGING)).toBe(c2);
  });

  test('commits may be named by branch or tag of the remote', () => {
    const { f, c1, c2 } = history();
    initAt(f, 'staging', c1);
    f.setRemoteRef('refs/tags/release-1', c2);
    expect(planPromotion(request(f, { env: 'staging', commit: 'release-1' })).to).toBe(c2);
  });

  test('a tag or branch named like a commit id never shadows the commit: refused, naming both', () => {
    const { f, c1, c2, c3 } = history();
    initAt(f, 'staging', c1);
    const lookalike = c2.slice(0, 7);
    f.setRemoteRef(`refs/tags/${lookalike}`, c3);
    expect(() => planPromotion(request(f, { env: 'staging', commit: lookalike }))).toThrow(
      new RegExp(
        `^"${lookalike}" is both a commit id and the name of origin refs/tags/${lookalike}: pass the full 40-character commit SHA, or the ref fully qualified \\(refs/tags/${lookalike}\\)$`,
      ),
    );
    f.git('branch', c3.slice(0, 8), c1);
    expect(() => planPromotion(request(f, { env: 'staging', commit: c3.slice(0, 8) }))).toThrow(
      new RegExp(`^"${c3.slice(0, 8)}" is both a commit id and the name of refs/heads/${c3.slice(0, 8)}: `),
    );
    expect(planPromotion(request(f, { env: 'staging', commit: c2 })).to).toBe(c2);
    expect(planPromotion(request(f, { env: 'staging', commit: `refs/tags/${lookalike}` })).to).toBe(c3);
  });
});

describe('--require-healthy: Argo CD runs every Application of the commit, Synced and Healthy at it', () => {
  const f = gitFixture();
  const commit = f.commit('two apps for dev', { 'apps/ollama/generated/dev.yaml': '{}\n', 'apps/librechat/generated/dev.yaml': '{}\n' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'promote-kubectl-'));
  /** A kubectl that prints the Applications (or fails like an unreachable cluster). */
  const kubectl = (items: object[] | undefined) => {
    const file = path.join(dir, `kubectl-${Math.random().toString(36).slice(2)}`);
    const out = path.join(dir, `${path.basename(file)}.json`);
    fs.writeFileSync(out, JSON.stringify({ items: items ?? [] }));
    fs.writeFileSync(file, items ? `#!/bin/sh\ncat "${out}"\n` : '#!/bin/sh\necho "connection refused" >&2\nexit 1\n', { mode: 0o755 });
    return file;
  };
  const app = (name: string, revision: string, sync = 'Synced', health = 'Healthy') => ({
    metadata: { name },
    status: { sync: { status: sync, revision }, health: { status: health } },
  });
  const contexts = new Map([['dev', 'dev-ctx']]);
  jest.spyOn(console, 'log').mockImplementation(() => {});

  test('every app of the commit live, Synced and Healthy at it: accepted', () => {
    expect(() => requireHealthy(f.clone, 'dev', commit, contexts, kubectl([app('ollama', commit), app('librechat', commit)]))).not.toThrow();
  });

  test.each<[string, object[] | undefined, string]>([
    ['one Degraded', [app('ollama', commit), app('librechat', commit, 'Synced', 'Degraded')], `librechat Synced/Degraded at ${short(commit)}`],
    ['one at another revision', [app('ollama', commit), app('librechat', 'b'.repeat(40))], 'librechat Synced/Healthy at bbbbbbbbbbbb'],
    ['one absent', [app('ollama', commit)], 'librechat absent/? at (missing)'],
  ])('%s: refused, naming it', (_, items, named) => {
    expect(() => requireHealthy(f.clone, 'dev', commit, contexts, kubectl(items))).toThrow(
      `--require-healthy: dev does not run ${short(commit)} healthy: ${named}`,
    );
  });

  test('an unreachable cluster, or no context for an EKS environment: refused', () => {
    expect(() => requireHealthy(f.clone, 'dev', commit, contexts, kubectl(undefined))).toThrow(
      /^--require-healthy: cluster not reachable through context dev-ctx: connection refused$/,
    );
    expect(() => requireHealthy(f.clone, 'staging', commit, new Map())).toThrow(
      /^--require-healthy: no kubectl context for staging: pass --context staging=<context>$/,
    );
  });
});
