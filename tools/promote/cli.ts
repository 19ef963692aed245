/**
 * `npm run promote -- <env> [<commit>] [options]`: moves an environment's promotion ref to a
 * commit on main that the previous environment ran, after printing the commits, the apps it adds
 * or drops and the render diff of every Application, and records who moved it, when, from which
 * commit to which and why. See docs/promotion.md.
 */
import * as os from 'os';
import * as path from 'path';
import { findHelm } from '../render/helm';
import { appsAt, appsChange } from './apps-at';
import { checkRemote, configuredChain, configuredEnvironments } from './config';
import { UsageError, runCli } from './run-cli';
import { PromoteError } from './git';
import { PromotionKind, PromotionPlan, applyPromotion, planPromotion } from './promote';
import { formatRecords } from './record';
import { KubeTarget, liveApplications } from './status';

const USAGE = `usage: npm run promote -- <env> [<commit>] [--dry-run] [--reason <why>] [--rollback-to <commit>]
                           [--release-hold] [--init] [--require-healthy] [--context <env>=<kube-context>]
                           [--remote <name>] [--repo <dir>] [--charts-dir <dir>] [--no-render]

  <env>                  environment to promote (from environments/*.ts)
  <commit>               commit SHA, branch or tag (default: what the previous environment runs);
                         it must have been promoted to the previous environment (its record)
  --dry-run              print the commits and the render diff; move nothing
  --reason <why>         one line for the promotion record (required with --rollback-to and --release-hold)
  --rollback-to <commit> move the ref back to a commit the environment ran; holds the environment
  --release-hold         release the hold of the last rollback (the ref stays)
  --init                 create the environment's missing ref (first deploy)
  --require-healthy      refuse unless Argo CD reports every Application of the previous environment
                         Synced and Healthy at the commit (kubectl; see --context)
  --context <env>=<ctx>  the kubectl context of an environment's cluster (EKS environments)
  --remote <name>        remote holding main and the promotion refs (default: origin)
  --repo <dir>           the Git clone (default: the current directory)
  --charts-dir <dir>     dependency charts for the render, offline (see npm run render)
  --no-render            skip the render diff (helm not needed)

Exit status: 0 moved (or nothing to do, or a dry run), 1 refused, 2 usage error.`;

const CONTEXT = /^([a-z][a-z0-9-]*)=([A-Za-z0-9][A-Za-z0-9._:@/-]{0,252})$/;

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
  readonly reason?: string;
  readonly releaseHold: boolean;
  readonly requireHealthy: boolean;
  /** Environment → kubectl context. */
  readonly contexts: ReadonlyMap<string, string>;
}

/** Parses `argv` (after the script name). */
export function parsePromoteArgs(argv: readonly string[]): PromoteArgs {
  const positional: string[] = [];
  const contexts = new Map<string, string>();
  const options: { -readonly [K in keyof PromoteArgs]?: PromoteArgs[K] } = {
    dryRun: false,
    init: false,
    remote: 'origin',
    repo: '.',
    render: true,
    releaseHold: false,
    requireHealthy: false,
    contexts,
  };
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
    else if (arg === '--release-hold') options.releaseHold = true;
    else if (arg === '--require-healthy') options.requireHealthy = true;
    else if (arg === '--reason') options.reason = value();
    else if (arg === '--context') {
      const match = CONTEXT.exec(value());
      if (!match) throw new UsageError(`--context: must be <env>=<kube-context> (got "${argv[i]}")`);
      contexts.set(match[1], match[2]);
    } else if (arg === '--rollback-to') options.rollbackTo = value();
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

/** The kubectl target of `env`: its `--context`, or a kubeconfig cluster's own context. */
function kubeTarget(env: string, contexts: ReadonlyMap<string, string>): KubeTarget {
  const context = contexts.get(env);
  if (context) return { context };
  const cluster = configuredEnvironments().find((e) => e.name === env)?.cluster;
  if (cluster?.kind === 'kubeconfig') return { context: cluster.context, kubeconfig: cluster.configPath.replace(/^~(?=\/)/, os.homedir()) };
  throw new PromoteError(`--require-healthy: no kubectl context for ${env}: pass --context ${env}=<context>`);
}

/** Refuses unless Argo CD runs every Application `commit` holds for `env`, Synced and Healthy at `commit`. */
export function requireHealthy(repo: string, env: string, commit: string, contexts: ReadonlyMap<string, string>, kubectl?: string): void {
  const live = liveApplications(kubeTarget(env, contexts), appsAt(repo, commit, env), commit, kubectl);
  if (typeof live === 'string') throw new PromoteError(`--require-healthy: ${live}`);
  const unhealthy = live.filter((a) => a.sync !== 'Synced' || a.health !== 'Healthy' || a.revision !== commit);
  if (unhealthy.length > 0)
    throw new PromoteError(
      `--require-healthy: ${env} does not run ${short(commit)} healthy: ${unhealthy.map((a) => `${a.app} ${a.sync ?? '?'}/${a.health ?? '?'} at ${short(a.revision)}`).join(', ')}`,
    );
  console.log(`${env} runs ${short(commit)}: every Application Synced and Healthy`);
}

function main(argv: readonly string[]): number {
  const args = parsePromoteArgs(argv);
  const chain = configuredChain();
  const repo = path.resolve(args.repo);
  const plan = planPromotion({
    repo,
    remote: args.remote,
    chain,
    env: args.env,
    commit: args.commit,
    rollbackTo: args.rollbackTo,
    init: args.init,
    releaseHold: args.releaseHold,
    reason: args.reason,
  });
  console.log(describe(plan));
  if (plan.hold && plan.kind !== PromotionKind.RELEASE_HOLD) console.log(`held since: ${formatRecords([plan.hold], 1)[0]}`);
  if (plan.kind === PromotionKind.CURRENT) return 0;
  if (plan.kind === PromotionKind.RELEASE_HOLD) {
    if (args.dryRun) {
      console.log('\ndry run: hold not released');
      return 0;
    }
    applyPromotion(repo, plan);
    console.log(`\nreleased the hold of ${plan.env} (${plan.record!.tag}); plain promotions go ahead again`);
    return 0;
  }
  const previous = chain.find((l) => l.env === args.env)?.previous;
  if (args.requireHealthy && plan.kind !== PromotionKind.ROLLBACK && previous) requireHealthy(repo, previous, plan.to, args.contexts);
  // A first deploy (init) creates every app's Application anyway: only a move can leave one behind.
  const change = plan.from ? appsChange(repo, args.env, plan.from, plan.to) : { added: [], removed: [] };
  if (change.added.length > 0)
    console.log(
      `apps this adds to ${args.env}: ${change.added.join(', ')} — Terraform creates their namespace, Secrets and Application: deploy ${args.env} after this (npm run deploy -- ${args.env}); until then Argo CD does not run them`,
    );
  if (change.removed.length > 0)
    console.log(
      `apps this drops from ${args.env}: ${change.removed.join(', ')} — their Applications no longer render at ${short(plan.to)}: deploy ${args.env} from a checkout without them to remove them`,
    );
  if (args.render) {
    const helm = findHelm();
    if (!helm) throw new PromoteError('helm not found: set RENDER_HELM or put helm on the PATH (or pass --no-render)');
    // The render diff synthesizes the stacks (cdktf and the providers): loaded only when asked for
    // (by a path a bundler leaves alone), so that a promotion without it starts in a fraction of the time.
    const { environmentApplications, renderDiff } = require(path.join(__dirname, 'render-diff')) as typeof import('./render-diff');
    const diff = renderDiff(repo, environmentApplications(process.cwd(), args.env), plan.from, plan.to, helm, { chartsDir: args.chartsDir });
    console.log(`\nrender diff of the ${args.env} Applications (${short(plan.from)} -> ${short(plan.to)}):`);
    console.log(diff.trimEnd() || '  no change in the rendered manifests');
  }
  if (args.dryRun) {
    console.log(`\ndry run: ${plan.ref} not moved`);
    return 0;
  }
  applyPromotion(repo, plan);
  console.log(`\nmoved ${plan.ref} to ${short(plan.to)} in ${plan.remote} (record ${plan.record!.tag}); Argo CD syncs ${plan.env} at its next refresh`);
  if (plan.kind === PromotionKind.ROLLBACK)
    console.log(`${plan.env} is held at ${short(plan.to)}: promote refuses until npm run promote -- ${plan.env} --release-hold --reason "<why>"`);
  return 0;
}

if (require.main === module) runCli('promote', USAGE, main);
