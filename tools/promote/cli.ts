/**
 * `npm run promote -- <env> [<commit>] [options]`: moves an environment's promotion ref to a
 * commit on main that the previous environment already runs, after printing the commits and the
 * render diff of every Application. See docs/promotion.md.
 */
import * as path from 'path';
import { findHelm } from '../render/helm';
import { checkRemote, configuredChain } from './config';
import { UsageError, runCli } from './run-cli';
import { PromoteError } from './git';
import { PromotionKind, PromotionPlan, applyPromotion, planPromotion } from './promote';
import { environmentApplications, renderDiff } from './render-diff';

const USAGE = `usage: npm run promote -- <env> [<commit>] [--dry-run] [--rollback-to <commit>] [--init]
                           [--remote <name>] [--repo <dir>] [--charts-dir <dir>] [--no-render]

  <env>                  environment to promote (from environments/*.ts)
  <commit>               commit SHA, branch or tag (default: what the previous environment runs)
  --dry-run              print the commits and the render diff; move nothing
  --rollback-to <commit> move the ref back to a commit of its history (the one non-fast-forward)
  --init                 create the environment's missing ref (first deploy)
  --remote <name>        remote holding main and the promotion refs (default: origin)
  --repo <dir>           the Git clone (default: the current directory)
  --charts-dir <dir>     dependency charts for the render, offline (see npm run render)
  --no-render            skip the render diff (helm not needed)

Exit status: 0 moved (or nothing to do, or a dry run), 1 refused, 2 usage error.`;

/** Parsed command line. */
export interface PromoteArgs {
  readonly env: string;
  readonly commit?: string;
  readonly dryRun: boolean;
  readonly rollbackTo?: string;
  readonly init: boolean;
  readonly remote: string;
  readonly repo: string;
  readonly chartsDir?: string;
  readonly render: boolean;
}

/** Parses `argv` (after the script name). */
export function parsePromoteArgs(argv: readonly string[]): PromoteArgs {
  const positional: string[] = [];
  const options: { -readonly [K in keyof PromoteArgs]?: PromoteArgs[K] } = { dryRun: false, init: false, remote: 'origin', repo: '.', render: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('-')) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    if (arg === '--dry-run') options.dryRun = true;
    else if (arg === '--init') options.init = true;
    else if (arg === '--no-render') options.render = false;
    else if (arg === '--rollback-to') options.rollbackTo = value();
    else if (arg === '--remote') options.remote = checkRemote(value());
    else if (arg === '--repo') options.repo = value();
    else if (arg === '--charts-dir') options.chartsDir = path.resolve(value());
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else positional.push(arg);
  }
  if (positional.length < 1 || positional.length > 2) throw new UsageError('expected <env> and at most one <commit>');
  return { ...(options as PromoteArgs), env: positional[0], commit: positional[1] };
}

const short = (sha: string | undefined) => (sha ? sha.slice(0, 12) : '(missing)');

function describe(plan: PromotionPlan): string {
  if (plan.kind === PromotionKind.CURRENT) return `${plan.env}: ${plan.ref} is already at ${short(plan.to)}; nothing to do\ntarget: ${plan.to}`;
  const lines = [`${plan.kind} ${plan.env}: ${plan.ref} ${short(plan.from)} -> ${short(plan.to)} in ${plan.remote}`, `target: ${plan.to}`];
  const heading =
    plan.kind === PromotionKind.ROLLBACK
      ? `commits ${plan.env} stops running (${plan.commits.length}):`
      : plan.kind === PromotionKind.INIT
        ? `${plan.env} starts at (latest commits):`
        : `commits promoted to ${plan.env} (${plan.commits.length}):`;
  lines.push(heading, ...plan.commits.map((c) => `  ${c}`));
  return lines.join('\n');
}

function main(argv: readonly string[]): number {
  const args = parsePromoteArgs(argv);
  const chain = configuredChain();
  const repo = path.resolve(args.repo);
  const plan = planPromotion({ repo, remote: args.remote, chain, env: args.env, commit: args.commit, rollbackTo: args.rollbackTo, init: args.init });
  console.log(describe(plan));
  if (plan.kind === PromotionKind.CURRENT) return 0;
  if (args.render) {
    const helm = findHelm();
    if (!helm) throw new PromoteError('helm not found: set RENDER_HELM or put helm on the PATH (or pass --no-render)');
    const diff = renderDiff(repo, environmentApplications(process.cwd(), args.env), plan.from, plan.to, helm, { chartsDir: args.chartsDir });
    console.log(`\nrender diff of the ${args.env} Applications (${short(plan.from)} -> ${short(plan.to)}):`);
    console.log(diff.trimEnd() || '  no change in the rendered manifests');
  }
  if (args.dryRun) {
    console.log(`\ndry run: ${plan.ref} not moved`);
    return 0;
  }
  applyPromotion(repo, plan);
  console.log(`\nmoved ${plan.ref} to ${short(plan.to)} in ${plan.remote}; Argo CD syncs ${plan.env} at its next refresh`);
  return 0;
}

if (require.main === module) runCli('promote', USAGE, main);
