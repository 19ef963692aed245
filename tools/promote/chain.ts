/**
 * The promotion chain, read from the environment configuration: the environments in their
 * configured order, each following either the mainline branch or its own promotion ref.
 */
import { gitRevisionProblem } from '../../environments/rules';
import { PromoteError } from './git';

/** The branch every change is merged into; the first environments follow it. */
export const MAINLINE = 'main';

/** What Argo CD follows for one environment. */
export interface ChainLink {
  /** Environment name. */
  readonly env: string;
  /** `gitops.targetRevision` as configured. */
  readonly revision: string;
  /** The fully qualified ref the environment follows (`refs/heads/main` for the mainline). */
  readonly ref: string;
  /** Whether the environment follows the mainline (a merge deploys it) rather than a promotion ref. */
  readonly followsMainline: boolean;
  /** The environment before it in the chain, whose commits it may receive. */
  readonly previous?: string;
}

/** Fully qualified branch ref of the mainline. */
export const MAINLINE_REF = `refs/heads/${MAINLINE}`;

/**
 * The chain of `environments` (in configuration order).
 * @throws PromoteError when an environment tracks something that is neither the mainline nor a
 *   fully qualified branch (a short branch name, a tag or a commit cannot be promoted).
 */
export function promotionChain(environments: readonly { name: string; gitops: { targetRevision: string } }[]): ChainLink[] {
  return environments.map((environment, i) => {
    const revision = environment.gitops.targetRevision;
    const followsMainline = revision === MAINLINE || revision === MAINLINE_REF;
    const ref = followsMainline ? MAINLINE_REF : revision;
    return { env: environment.name, revision, ref, followsMainline, previous: i > 0 ? environments[i - 1].name : undefined };
  });
}

/** The link of `env`, or a PromoteError naming the known environments. */
export function chainLink(chain: readonly ChainLink[], env: string): ChainLink {
  const link = chain.find((l) => l.env === env);
  if (!link) throw new PromoteError(`environment: unknown environment "${env}" (known: ${chain.map((l) => l.env).join(', ')})`);
  return link;
}

/**
 * Why `link` cannot be promoted, or undefined: it follows the mainline, or it follows something
 * other than a fully qualified branch ref.
 */
export function notPromotable(link: ChainLink): string | undefined {
  if (link.followsMainline) return `${link.env} follows ${MAINLINE}: merging to ${MAINLINE} deploys it, there is nothing to promote`;
  if (!link.ref.startsWith('refs/heads/') || gitRevisionProblem(link.ref))
    return `${link.env}.gitops.targetRevision is "${link.revision}": only an environment that follows a fully qualified branch such as refs/heads/env/${link.env} can be promoted`;
  return undefined;
}

/** A commit SHA as the tools accept it: 7-40 hex characters (SHA-1) or 64 (SHA-256). */
export const COMMIT_SHA = /^(?:[0-9a-f]{7,40}|[0-9a-f]{64})$/;

/**
 * Why `value` (user input: a commit) is not acceptable, or undefined: a hex SHA, or a branch/tag
 * name that passes the configuration's Git-revision rule.
 */
export function commitArgumentProblem(value: string): string | undefined {
  if (COMMIT_SHA.test(value)) return undefined;
  const problem = gitRevisionProblem(value);
  return problem ? `must be a commit SHA or a branch or tag name: ${problem}` : undefined;
}
