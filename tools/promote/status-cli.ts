/**
 * `npm run status -- [options]`: per environment the ref it follows and its commit, what the commit
 * pins, how far it is behind the previous environment; with `--live`, Argo CD's revision, sync and
 * health per Application, flagging drift. See docs/promotion.md.
 */
import * as os from 'os';
import * as path from 'path';
import { synthesizeApplications } from '../render/applications';
import { checkRemote, configuredEnvironments } from './config';
import { promotionChain } from './chain';
import { PromoteError } from './git';
import { EnvironmentStatus, KubeTarget, cloneRefSource, environmentStatuses, formatStatus, remoteRefSource } from './status';
import { UsageError, runCli } from './run-cli';

const USAGE = `usage: npm run status -- [--env <name>]... [--offline] [--live] [--context <env>=<kube-context>]...
                          [--remote <name>] [--repo <dir>] [--json]

  --env <name>               only this environment (repeatable; default: all)
  --offline                  read the clone's refs/remotes/<remote>/* (as of the last fetch), no network
  --live                     also read Argo CD's Applications from each cluster with kubectl: kubeconfig
                             clusters through their configured context, others through --context
  --context <env>=<context>  the kubectl context of an environment's cluster (implies --live)
  --remote <name>            remote holding main and the promotion refs (default: origin)
  --repo <dir>               the Git clone (default: the current directory)
  --json                     print the status as JSON

Exit status: 0; 1 when Applications lag or drift from their environment's ref (an app the ref expects
has no Application, or Argo CD runs another revision); 2 usage; 3 with --live, when a cluster cannot
be reached.`;

const CONTEXT = /^([a-z][a-z0-9-]*)=([A-Za-z0-9][A-Za-z0-9._:@/-]{0,252})$/;

/** Parsed command line of `npm run status`. */
export interface StatusArgs {
  readonly only: readonly string[];
  /** Environment → kubectl context. */
  readonly contexts: ReadonlyMap<string, string>;
  readonly offline: boolean;
  readonly live: boolean;
  readonly json: boolean;
  readonly remote: string;
  readonly repo: string;
}

/** Parses `argv` (after the script name). */
export function parseStatusArgs(argv: readonly string[]): StatusArgs {
  const only: string[] = [];
  const contexts = new Map<string, string>();
  let offline = false;
  let live = false;
  let json = false;
  let remote = 'origin';
  let repo = '.';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('-')) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    if (arg === '--offline') offline = true;
    else if (arg === '--live') live = true;
    else if (arg === '--json') json = true;
    else if (arg === '--env') only.push(value());
    else if (arg === '--remote') remote = checkRemote(value());
    else if (arg === '--repo') repo = value();
    else if (arg === '--context') {
      const match = CONTEXT.exec(value());
      if (!match) throw new UsageError(`--context: must be <env>=<kube-context> (got "${argv[i]}")`);
      contexts.set(match[1], match[2]);
      live = true;
    } else throw new UsageError(`unknown argument ${arg}`);
  }
  return { only, contexts, offline, live, json, remote, repo };
}

function main(argv: readonly string[]): number {
  const { only, contexts, offline, live, json, remote, repo } = parseStatusArgs(argv);
  const environments = configuredEnvironments();
  const names = environments.map((e) => e.name);
  for (const name of [...only, ...contexts.keys()])
    if (!names.includes(name)) throw new PromoteError(`environment: unknown environment "${name}" (known: ${names.join(', ')})`);
  const chain = promotionChain(environments);
  const root = path.resolve(repo);
  const refs = offline ? cloneRefSource(root, remote) : remoteRefSource(root, remote, chain);
  // cdktf and the providers load here, not at start: the argument checks and --help stay instant.
  const { buildApp } = require(path.join(__dirname, '..', '..', 'main')) as typeof import('../../main');
  const applications = synthesizeApplications((o) => buildApp({ ...o, repoRoot: process.cwd() }));
  const checkoutApps = (env: string) => applications.find((a) => a.environment === env)?.applications.map((a) => a.name) ?? [];
  const kube = (env: string): KubeTarget | string | undefined => {
    if (!live || (only.length > 0 && !only.includes(env))) return undefined;
    const context = contexts.get(env);
    if (context) return { context };
    const cluster = environments.find((e) => e.name === env)!.cluster;
    if (cluster.kind === 'kubeconfig') return { context: cluster.context, kubeconfig: cluster.configPath.replace(/^~(?=\/)/, os.homedir()) };
    return `no kubectl context for ${env}: pass --context ${env}=<context>`;
  };
  const statuses = environmentStatuses(root, chain, refs, checkoutApps, kube).filter((s) => only.length === 0 || only.includes(s.env));
  console.log(json ? JSON.stringify(statuses, null, 2) : formatStatus(statuses));
  return statusExit(statuses);
}

/** The exit status of `npm run status` for `statuses` (see USAGE). */
export function statusExit(statuses: readonly EnvironmentStatus[]): number {
  if (statuses.some((s) => typeof s.live === 'string')) return 3;
  const lag = statuses.some(
    (s) => (Array.isArray(s.live) && s.live.some((a) => a.drift)) || (s.missingApplications?.length ?? 0) > 0 || (s.aheadOfRef?.length ?? 0) > 0,
  );
  return lag ? 1 : 0;
}

if (require.main === module) runCli('status', USAGE, main);
