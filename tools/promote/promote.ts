/**
 * Decides a promotion (which commit a promotion ref moves to, and whether it may) and carries it
 * out with one `git push` guarded by a lease, so a ref that moved meanwhile is never overwritten.
 */
import { ChainLink, MAINLINE, MAINLINE_REF, chainLink, commitArgumentProblem, notPromotable } from './chain';
import { PromoteError, commitLines, commitSha, git, isAncestor, remoteRefs } from './git';

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

/** The full SHA `value` names: a commit SHA present in the clone, or a branch/tag of the remote. */
function resolveCommit(repo: string, remote: string, refs: ReadonlyMap<string, string>, value: string): string {
  const named = [value, `refs/heads/${value}`, `refs/tags/${value}`].map((r) => refs.get(r)).find(Boolean);
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
  const modes = [request.commit !== undefined && !request.init, request.rollbackTo !== undefined, request.init === true].filter(Boolean);
  if (request.rollbackTo !== undefined && (request.commit !== undefined || request.init))
    throw new PromoteError('--rollback-to <commit> takes no other commit and no --init');
  if (modes.length > 1) throw new PromoteError('choose one of <commit>, --rollback-to <commit> and --init');

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
  git(repo, ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--end-of-options', remote, ...fetch]);

  const missing = (ref: string, of: string) => new PromoteError(`${ref} does not exist in ${remote}: Argo CD cannot sync ${of} until it does; ${initHint(of)}`);
  /** The default target: what the previous environment runs. */
  const upstream = (): string => {
    if (previousSha) return previousSha;
    throw missing(previous!.ref, previous!.env);
  };
  const target = (value: string | undefined): string => (value === undefined ? upstream() : resolveCommit(repo, remote, refs, value));
  const checkInChain = (to: string): void => {
    if (!isAncestor(repo, to, main)) throw new PromoteError(`${short(to)} is not on ${MAINLINE}: only commits merged to ${MAINLINE} are promoted`);
    if (previous && !previous.followsMainline) {
      const runs = refs.get(previous.ref);
      if (!runs) throw missing(previous.ref, previous.env);
      if (!isAncestor(repo, to, runs))
        throw new PromoteError(`${short(to)} is not yet in ${previous.env} (${previous.ref} is at ${short(runs)}): promote it to ${previous.env} first`);
    }
  };

  if (request.init) {
    if (current) throw new PromoteError(`${link.ref} already exists in ${remote} (at ${short(current)}): --init only creates a missing ref`);
    const to = target(request.commit);
    checkInChain(to);
    return { env, ref: link.ref, remote, kind: PromotionKind.INIT, to, commits: commitLines(repo, undefined, to, 20) };
  }
  if (!current) throw missing(link.ref, env);

  if (request.rollbackTo !== undefined) {
    const to = resolveCommit(repo, remote, refs, request.rollbackTo);
    if (to === current) return { env, ref: link.ref, remote, kind: PromotionKind.CURRENT, from: current, to, commits: [] };
    if (!isAncestor(repo, to, current))
      throw new PromoteError(`${short(to)} is not in the history of ${link.ref}: --rollback-to returns only to a commit ${env} ran before`);
    return { env, ref: link.ref, remote, kind: PromotionKind.ROLLBACK, from: current, to, commits: commitLines(repo, to, current) };
  }

  const to = target(request.commit);
  checkInChain(to);
  if (to === current) return { env, ref: link.ref, remote, kind: PromotionKind.CURRENT, from: current, to, commits: [] };
  if (!isAncestor(repo, current, to))
    throw new PromoteError(
      `${short(to)} is not a fast-forward of ${link.ref} (at ${short(current)}): it would drop commits ${env} runs; go back deliberately with --rollback-to`,
    );
  return { env, ref: link.ref, remote, kind: PromotionKind.PROMOTE, from: current, to, commits: commitLines(repo, current, to) };
}

/**
 * Moves the ref as `plan` says. The lease makes the push fail when the ref is no longer where the
 * plan found it (or, for init, when it exists); only a rollback forces.
 */
export function applyPromotion(repo: string, plan: PromotionPlan): void {
  if (plan.kind === PromotionKind.CURRENT) return;
  const lease = `--force-with-lease=${plan.ref}:${plan.from ?? ''}`;
  const refspec = `${plan.kind === PromotionKind.ROLLBACK ? '+' : ''}${plan.to}:${plan.ref}`;
  git(repo, ['push', '--quiet', '--no-verify', lease, '--end-of-options', plan.remote, refspec]);
}
