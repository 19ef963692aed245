/**
 * `npm run promote`: every refusal (table, exact message) and every move, on temporary Git
 * repositories (a bare remote and a clone).
 */
import { ENVIRONMENTS } from '../../environments';
import { ChainLink, commitArgumentProblem, promotionChain } from '../../tools/promote/chain';
import { parsePromoteArgs } from '../../tools/promote/cli';
import { checkRemote, configuredChain } from '../../tools/promote/config';
import { PromotionKind, PromotionRequest, applyPromotion, planPromotion } from '../../tools/promote/promote';
import { CHAIN, GitFixture, PROD, STAGING, gitFixture } from './git-fixture';

/** main: c1 - c2 - c3 (pushed); a feature branch off c1 with one commit. */
function history() {
  const f = gitFixture();
  const c1 = f.git('rev-parse', 'HEAD');
  const c2 = f.commit('c2');
  const c3 = f.commit('c3');
  f.git('push', '--quiet', 'origin', 'main');
  f.git('checkout', '--quiet', '-b', 'feature', c1);
  const feature = f.commit('feature work');
  f.git('push', '--quiet', 'origin', 'feature');
  f.git('checkout', '--quiet', 'main');
  return { f, c1, c2, c3, feature };
}

const request = (f: GitFixture, r: Partial<PromotionRequest> & { env: string }): PromotionRequest => ({ repo: f.clone, remote: 'origin', chain: CHAIN, ...r });
const short = (sha: string) => sha.slice(0, 12);

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
      new RegExp(`^${short(c3)} is not yet in staging \\(refs/heads/env/staging is at ${short(c2)}\\): promote it to staging first$`),
    ],
    [
      '--init of an existing ref',
      { env: 'staging', init: true },
      new RegExp(`^refs/heads/env/staging already exists in origin \\(at ${short(c2)}\\): --init only creates a missing ref$`),
    ],
    [
      'a rollback outside the history',
      { env: 'staging', rollbackTo: c3 },
      new RegExp(`^${short(c3)} is not in the history of refs/heads/env/staging: --rollback-to returns only to a commit staging ran before$`),
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

describe('moves', () => {
  test('first deploy: --init creates staging at main, then prod at what staging runs', () => {
    const { f, c1, c3 } = history();
    const staging = planPromotion(request(f, { env: 'staging', init: true }));
    expect(staging).toMatchObject({ kind: PromotionKind.INIT, ref: STAGING, to: c3 });
    expect(staging.from).toBeUndefined();
    applyPromotion(f.clone, staging);
    expect(f.remoteRef(STAGING)).toBe(c3);
    const prod = planPromotion(request(f, { env: 'prod', init: true, commit: c1 }));
    applyPromotion(f.clone, prod);
    expect(f.remoteRef(PROD)).toBe(c1);
  });

  test('promote: the default is what the previous environment runs; the commits are listed; a dry run is just the plan', () => {
    const { f, c1, c2, c3 } = history();
    f.setRemoteRef(STAGING, c1);
    f.setRemoteRef(PROD, c1);
    const staging = planPromotion(request(f, { env: 'staging' }));
    expect(staging).toMatchObject({ kind: PromotionKind.PROMOTE, from: c1, to: c3 });
    expect(staging.commits).toEqual([`${c3.slice(0, 7)} c3`, `${c2.slice(0, 7)} c2`]);
    expect(f.remoteRef(STAGING)).toBe(c1);
    applyPromotion(f.clone, staging);
    expect(f.remoteRef(STAGING)).toBe(c3);

    const prod = planPromotion(request(f, { env: 'prod', commit: c2 }));
    expect(prod).toMatchObject({ kind: PromotionKind.PROMOTE, from: c1, to: c2 });
    applyPromotion(f.clone, prod);
    expect(f.remoteRef(PROD)).toBe(c2);
    expect(planPromotion(request(f, { env: 'prod', commit: c2 })).kind).toBe(PromotionKind.CURRENT);
  });

  test('rollback: back to a commit of the history, the one non-fast-forward; promoting forward works again', () => {
    const { f, c1, c2, c3 } = history();
    f.setRemoteRef(STAGING, c3);
    const rollback = planPromotion(request(f, { env: 'staging', rollbackTo: c1 }));
    expect(rollback).toMatchObject({ kind: PromotionKind.ROLLBACK, from: c3, to: c1 });
    expect(rollback.commits).toEqual([`${c3.slice(0, 7)} c3`, `${c2.slice(0, 7)} c2`]);
    applyPromotion(f.clone, rollback);
    expect(f.remoteRef(STAGING)).toBe(c1);
    applyPromotion(f.clone, planPromotion(request(f, { env: 'staging', commit: c2 })));
    expect(f.remoteRef(STAGING)).toBe(c2);
  });

  test('the lease: a ref moved after the plan is not overwritten', () => {
    const { f, c1, c2, c3 } = history();
    f.setRemoteRef(STAGING, c1);
    const plan = planPromotion(request(f, { env: 'staging', commit: c2 }));
    f.setRemoteRef(STAGING, c3);
    expect(() => applyPromotion(f.clone, plan)).toThrow(/^git push failed: .*stale info/s);
    expect(f.remoteRef(STAGING)).toBe(c3);
    const init = planPromotion(request(f, { env: 'prod', init: true, commit: c1 }));
    f.setRemoteRef(PROD, c2);
    expect(() => applyPromotion(f.clone, init)).toThrow(/^git push failed: /);
    expect(f.remoteRef(PROD)).toBe(c2);
  });

  test('commits may be named by branch or tag of the remote', () => {
    const { f, c1, c2 } = history();
    f.setRemoteRef(STAGING, c1);
    f.setRemoteRef('refs/tags/release-1', c2);
    expect(planPromotion(request(f, { env: 'staging', commit: 'release-1' })).to).toBe(c2);
  });
});
