/**
 * Decides a promotion (which commit a promotion ref moves to, and whether it may) and carries it
 * out with one atomic `git push` of the ref, guarded by a lease so a ref that moved meanwhile is
 * never overwritten, and of its record (tools/promote/record.ts): who, when, from which commit to
 * which and why.
 */
import { COMMIT_SHA, ChainLink, MAINLINE, MAINLINE_REF, chainLink, commitArgumentProblem, notPromotable } from './chain';
import { PromoteError, commitLines, commitSha, git, isAncestor, remoteRefs } from './git';
import {
  PromotionRecord,
  RecordKind,
  activeHold,
  commitsRan,
  createRecordTag,
  fetchWithRecords,
  promoter,
  readRecords,
  reasonProblem,
  recordTag,
} from './record';

/** What a promotion does. */
export enum PromotionKind {
  /** Fast-forward the ref to a newer commit. */
  PROMOTE = 'promote',
  /** Move the ref back to a commit of its history (the one deliberate non-fast-forward). */
  ROLLBACK = 'rollback',
  /** Create the missing ref (first deploy). */
  INIT = 'init',
  /** The ref is already at the commit: nothing to do. */
  CURRENT = 'current',
  /** Release the hold a rollback left; the ref stays where it is. */
  RELEASE_HOLD = 'release-hold',
}

/** Options of {@link planPromotion}. */
export interface PromotionRequest {
  /** The Git clone to work in. */
  readonly repo: string;
  /** Remote holding the mainline and the promotion refs (the repository Argo CD reads). */
  readonly remote: string;
  /** The promotion chain from the configuration. */
  readonly chain: readonly ChainLink[];
  /** Environment to promote. */
  readonly env: string;
  /**
   * Commit to promote to (SHA, branch or tag).
   * @default what the previous environment runs (the mainline's head for the first one)
   */
  readonly commit?: string;
  /** Roll back to this commit of the environment's history instead of promoting. */
  readonly rollbackTo?: string;
  /** Create the missing ref instead of moving it. */
  readonly init?: boolean;
  /** Release the hold of the environment's last rollback (no move). */
  readonly releaseHold?: boolean;
  /**
   * Why, for the record: one line.
   * @default required for a rollback and a hold release; `promote` otherwise
   */
  readonly reason?: string;
  /**
   * Who, for the record.
   * @default the clone's Git identity (and the CI actor and run)
   */
  readonly by?: string;
  /**
   * When, for the record.
   * @default now
   */
  readonly now?: Date;
}

/** A decided promotion. */
export interface PromotionPlan {
  readonly env: string;
  /** The fully qualified ref that moves. */
  readonly ref: string;
  readonly remote: string;
  readonly kind: PromotionKind;
  /** Where the ref is now (undefined: it does not exist yet). */
  readonly from?: string;
  /** Where the ref goes. */
  readonly to: string;
  /**
   * `<short sha> <subject>` of the commits the environment gains (promote, init: at most 200), or
   * loses (rollback), newest first.
   */
  readonly commits: readonly string[];
  /** The record pushed with the move (none when there is nothing to do). */
  readonly record?: PromotionRecord;
  /** The hold the environment is under (a rollback not yet released). */
  readonly hold?: PromotionRecord;
}

const short = (sha: string) => sha.slice(0, 12);

/** `npm run promote -- <env> --init`, the hint every missing-ref message carries. */
export function initHint(env: string): string {
  return `create it once with: npm run promote -- ${env} --init`;
}

function checkArgument(name: string, value: string | undefined): void {
  if (value === undefined) return;
  const problem = commitArgumentProblem(value);
  if (problem) throw new PromoteError(`${name}: ${problem} (got "${value}")`);
}

/** Local refs whose short name is `value` (a branch, tag or remote-tracking branch). */
function localRefsNamed(repo: string, value: string): string[] {
  const out = git(repo, ['for-each-ref', '--format=%(refname)', `refs/heads/${value}`, `refs/tags/${value}`, `refs/remotes/*/${value}`]);
  return out ? out.split('\n').filter((ref) => ref.endsWith(`/${value}`)) : [];
}

/**
 * The full SHA `value` names: a commit SHA present in the clone, or a branch/tag of the remote. A
 * hex abbreviation that is also a ref's name is refused: git would take the ref, the user meant
 * one of the two, and a promotion must not guess which.
 */
function resolveCommit(repo: string, remote: string, refs: ReadonlyMap<string, string>, value: string): string {
  const remoteNamed = [value, `refs/heads/${value}`, `refs/tags/${value}`].filter((r) => refs.has(r));
  if (COMMIT_SHA.test(value) && value.length < 40) {
    const remoteFull = remoteNamed.map((r) => (r.startsWith('refs/') ? r : `refs/heads/${r}`));
    const shadows = [...remoteFull.map((r) => `${remote} ${r}`), ...localRefsNamed(repo, value).filter((r) => !remoteFull.includes(r))];
    if (shadows.length > 0)
      throw new PromoteError(
        `"${value}" is both a commit id and the name of ${shadows.join(', ')}: pass the full 40-character commit SHA, or the ref fully qualified (refs/tags/${value})`,
      );
  }
  const named = COMMIT_SHA.test(value) && value.length >= 40 ? undefined : remoteNamed.map((r) => refs.get(r)).find(Boolean);
  const sha = commitSha(repo, named ?? value);
  if (!sha)
    throw new PromoteError(
      `commit "${value}" is neither a commit of the clone nor a branch or tag of ${remote} (fetched: ${MAINLINE} and the environment refs)`,
    );
  return sha;
}

/**
 * Decides what promoting `request.env` does, after reading the remote's refs (`git ls-remote`)
 * and fetching them.
 * @throws PromoteError with the reason, when the promotion is refused.
 */
export function planPromotion(request: PromotionRequest): PromotionPlan {
  const { repo, remote, chain, env } = request;
  const link = chainLink(chain, env);
  const refusal = notPromotable(link);
  if (refusal) throw new PromoteError(refusal);
  checkArgument('commit', request.commit);
  checkArgument('--rollback-to', request.rollbackTo);
  const modes = [request.commit !== undefined && !request.init, request.rollbackTo !== undefined, request.init === true, request.releaseHold === true].filter(
    Boolean,
  );
  if (request.rollbackTo !== undefined && (request.commit !== undefined || request.init))
    throw new PromoteError('--rollback-to <commit> takes no other commit and no --init');
  if (modes.length > 1) throw new PromoteError('choose one of <commit>, --rollback-to <commit>, --init and --release-hold');
  if (request.reason !== undefined) {
    const problem = reasonProblem(request.reason);
    if (problem) throw new PromoteError(`--reason: ${problem}`);
  }
  if ((request.rollbackTo !== undefined || request.releaseHold) && request.reason === undefined)
    throw new PromoteError(`${request.releaseHold ? '--release-hold' : '--rollback-to'} needs --reason "<why>": it goes into ${env}'s promotion record`);

  const refs = remoteRefs(repo, remote);
  const main = refs.get(MAINLINE_REF);
  if (!main) throw new PromoteError(`${remote} has no ${MAINLINE_REF}`);
  const previous = link.previous ? chainLink(chain, link.previous) : undefined;
  const previousSha = previous ? refs.get(previous.ref) : main;
  const current = refs.get(link.ref);
  const named = [request.commit, request.rollbackTo]
    .filter((v): v is string => v !== undefined)
    .flatMap((v) => [v, `refs/heads/${v}`, `refs/tags/${v}`])
    .filter((r) => refs.has(r));
  const fetch = [...new Set([MAINLINE_REF, link.ref, ...(previous ? [previous.ref] : []), ...named])].filter((r) => refs.has(r));
  fetchWithRecords(repo, remote, fetch);
  const records = readRecords(repo, env);
  const hold = activeHold(records);
  const now = request.now ?? new Date();
  const record = (kind: RecordKind, to: string, from: string | undefined, source?: string): PromotionRecord => {
    const entry = {
      env,
      kind,
      from,
      to,
      by: request.by ?? promoter(repo),
      at: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      reason: request.reason ?? kind,
      source,
    };
    return { tag: recordTag(env, records), ...entry };
  };

  const missing = (ref: string, of: string) => new PromoteError(`${ref} does not exist in ${remote}: Argo CD cannot sync ${of} until it does; ${initHint(of)}`);
  /** The default target: what the previous environment runs. */
  const upstream = (): string => {
    if (previousSha) return previousSha;
    throw missing(previous!.ref, previous!.env);
  };
  const target = (value: string | undefined): string => (value === undefined ? upstream() : resolveCommit(repo, remote, refs, value));
  /** Where the commit comes from, for the record; refuses a commit the previous environment never ran. */
  const checkInChain = (to: string): string => {
    if (!isAncestor(repo, to, main)) throw new PromoteError(`${short(to)} is not on ${MAINLINE}: only commits merged to ${MAINLINE} are promoted`);
    if (!previous || previous.followsMainline) return MAINLINE;
    const runs = refs.get(previous.ref);
    if (!runs) throw missing(previous.ref, previous.env);
    // Ran there means promoted there (or its ref is at it now), not merely an ancestor: a commit
    // the previous environment skipped was never tested there.
    const ran = commitsRan(readRecords(repo, previous.env), runs);
    if (!ran.has(to)) {
      const known = [...ran].slice(-5).map(short).join(', ');
      throw new PromoteError(
        `${short(to)} never ran in ${previous.env} (its promotion record and ref show only ${known}): promote it to ${previous.env} first`,
      );
    }
    return `${previous.env} (${to === runs ? `${previous.ref} is at it` : 'ran it, per its promotion record'})`;
  };
  const held = () =>
    new PromoteError(
      `${env} is held at ${short(hold!.to)} since ${hold!.at} by ${hold!.by} (rollback: ${hold!.reason}): release it first with npm run promote -- ${env} --release-hold --reason "<why>"`,
    );

  if (request.init) {
    if (current) throw new PromoteError(`${link.ref} already exists in ${remote} (at ${short(current)}): --init only creates a missing ref`);
    const to = target(request.commit);
    const source = checkInChain(to);
    return {
      env,
      ref: link.ref,
      remote,
      kind: PromotionKind.INIT,
      to,
      commits: commitLines(repo, undefined, to, 20),
      record: record('init', to, undefined, source),
    };
  }
  if (!current) throw missing(link.ref, env);

  if (request.releaseHold) {
    if (!hold) throw new PromoteError(`${env} is not held: no rollback since its last release`);
    return {
      env,
      ref: link.ref,
      remote,
      kind: PromotionKind.RELEASE_HOLD,
      from: current,
      to: current,
      commits: [],
      hold,
      record: record('release-hold', current, current),
    };
  }

  if (request.rollbackTo !== undefined) {
    const to = resolveCommit(repo, remote, refs, request.rollbackTo);
    if (to === current) return { env, ref: link.ref, remote, kind: PromotionKind.CURRENT, from: current, to, commits: [], hold };
    if (!commitsRan(records, current).has(to))
      throw new PromoteError(`${short(to)} is not a commit ${env} ran (see its promotion record): --rollback-to returns only to a commit ${env} ran before`);
    return {
      env,
      ref: link.ref,
      remote,
      kind: PromotionKind.ROLLBACK,
      from: current,
      to,
      commits: isAncestor(repo, to, current) ? commitLines(repo, to, current) : commitLines(repo, current, to),
      hold,
      record: record('rollback', to, current),
    };
  }

  const to = target(request.commit);
  if (to === current) return { env, ref: link.ref, remote, kind: PromotionKind.CURRENT, from: current, to, commits: [], hold };
  if (hold) throw held();
  const source = checkInChain(to);
  if (!isAncestor(repo, current, to))
    throw new PromoteError(
      `${short(to)} is not a fast-forward of ${link.ref} (at ${short(current)}): it would drop commits ${env} runs; go back deliberately with --rollback-to`,
    );
  return {
    env,
    ref: link.ref,
    remote,
    kind: PromotionKind.PROMOTE,
    from: current,
    to,
    commits: commitLines(repo, current, to),
    record: record('promote', to, current, source),
  };
}

/**
 * Moves the ref as `plan` says and pushes its record with it, atomically: both land or neither.
 * The lease makes the push fail when the ref is no longer where the plan found it (or, for init,
 * when it exists); only a rollback forces. A hold release pushes its record alone.
 * @throws PromoteError saying plainly that another promotion won the race, when the ref moved
 */
export function applyPromotion(repo: string, plan: PromotionPlan): void {
  if (plan.kind === PromotionKind.CURRENT || !plan.record) return;
  const { tag, ...record } = plan.record;
  createRecordTag(repo, record, tag);
  const lease = `--force-with-lease=${plan.ref}:${plan.from ?? ''}`;
  // No "+": a forced refspec overrides the lease; the explicit lease alone allows the rollback's non-fast-forward.
  const refspec = `${plan.to}:${plan.ref}`;
  const moves = plan.kind === PromotionKind.RELEASE_HOLD ? [] : [refspec];
  try {
    git(repo, ['push', '--quiet', '--no-verify', '--atomic', lease, '--end-of-options', plan.remote, ...moves, `${tag}:${tag}`]);
  } catch (error) {
    git(repo, ['tag', '--delete', tag.slice('refs/tags/'.length)]);
    const now = remoteRefs(repo, plan.remote).get(plan.ref);
    if (now !== plan.from)
      throw new PromoteError(
        `${plan.ref} moved in ${plan.remote} while this promotion was decided (now ${now ? short(now) : 'absent'}, expected ${plan.from ? short(plan.from) : 'absent'}): someone else promoted or rolled back ${plan.env}; nothing was changed — run the command again to decide anew`,
      );
    throw error;
  }
}
