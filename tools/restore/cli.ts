/**
 * `npm run restore -- <env> <app> [--volume <claim>] [<recovery point ARN>] [--resync-members] [--context <ctx>] [--dry-run]`:
 * restores one backed-up volume of an app from the environment's AWS Backup vault and puts it
 * under exactly the claim the chart expects, leaving Argo CD in sync (docs/eks.md#restore).
 *
 * `aws` is AWS_CLI (default `aws`), kubectl is KUBECTL (default `kubectl`). Exit status 0 when
 * restored (or planned, with --dry-run), 1 when a step failed (the message says what to do), 2 for
 * bad usage.
 */
import { CATALOG } from '../../apps/catalog';
import { AppDefinition } from '../../contracts/app-definition';
import { ENVIRONMENTS, EnvironmentConfig, loadEnvironments } from '../../environments';
import { parseRestoreArgs, RestoreArgs } from './args';
import { Polling, awsCli, restoreVolume } from './aws';
import { RestoreError } from './errors';
import { Exec, spawnExec } from './exec';
import { findClaims, kubectlCli, memberClaims, pickClaim, swapVolume } from './kube';
import { restoreTarget } from './target';

/** What {@link runRestore} runs with. */
export interface RestoreDeps {
  readonly exec: Exec;
  /** @default 'aws' */
  readonly aws?: string;
  /** @default 'kubectl' */
  readonly kubectl?: string;
  /** @default ENVIRONMENTS */
  readonly environments?: readonly EnvironmentConfig[];
  /** @default CATALOG */
  readonly catalog?: readonly AppDefinition[];
  /** Waits for the restore job (default 15 s × 240) and for the cluster (default 5 s × 60). */
  readonly polling?: { readonly job?: Polling; readonly kube?: Polling };
  readonly log: (line: string) => void;
  /** Synth-time overrides (`PLATFORM_OVERRIDES_FILE`, …). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs one restore; throws {@link RestoreError} (or a config error) when it cannot go on. */
export async function runRestore(args: RestoreArgs, deps: RestoreDeps): Promise<void> {
  const catalog = deps.catalog ?? CATALOG;
  const vars = deps.env ?? process.env;
  const environments = loadEnvironments(deps.environments ?? ENVIRONMENTS, catalog, { PLATFORM_OVERRIDES_FILE: vars.PLATFORM_OVERRIDES_FILE });
  const env = environments.find((e) => e.name === args.env);
  if (!env) throw new RestoreError(`no environment "${args.env}" (environments: ${environments.map((e) => e.name).join(', ')})`);
  const target = restoreTarget(env, catalog, args.app, args.context);
  const arnRegion = args.recoveryPointArn?.split(':')[3];
  if (arnRegion !== undefined && arnRegion !== target.region)
    throw new RestoreError(`recovery point: is in ${arnRegion}, but ${env.name}.cluster.region is ${target.region} (got "${args.recoveryPointArn}")`);
  const log = deps.log;
  const kube = deps.polling?.kube ?? { intervalMs: 5000, attempts: 60 };
  const job = deps.polling?.job ?? { intervalMs: 15000, attempts: 240 };
  const kubectl = kubectlCli(deps.exec, deps.kubectl ?? 'kubectl', target, log, args.dryRun);
  const aws = awsCli(deps.exec, deps.aws ?? 'aws', target, log, args.dryRun);

  log(
    `${args.dryRun ? 'dry run: nothing is changed. ' : ''}restore of ${target.environment}/${target.app}: cluster ${target.cluster} (context ${target.context}), vault ${target.vault} in ${target.region}`,
  );
  const claim = pickClaim(target, await findClaims(kubectl, target), args.volume);
  log(`claim: ${claim.namespace}/${claim.name} (${claim.source})`);
  // Checked before anything changes: the members' claims must exist in the chart.
  if (args.resyncMembers) log(`members that start empty and copy it: ${memberClaims(target, claim).join(', ')}`);
  const volume = await restoreVolume(aws, target, claim, { recoveryPointArn: args.recoveryPointArn, polling: job, log });
  const { oldVolume, memberVolumes } = await swapVolume(kubectl, target, claim, volume, { polling: kube, log, resyncMembers: args.resyncMembers });
  if (args.dryRun) return;
  log(`restored: ${claim.namespace}/${claim.name} is Bound to ${volume.pvName} (${volume.volumeId} in ${volume.zone}); ${target.application.name} is Synced.`);
  if (oldVolume)
    log(
      `The former volume stays (PersistentVolume ${oldVolume}, Released, and its EBS volume): once the restored data is verified, \`${kubectl.line(['delete', 'persistentvolume', oldVolume])}\` and delete its EBS volume.`,
    );
  for (const member of memberVolumes)
    log(
      `A former member's volume stays too (PersistentVolume ${member}, Released): once the members have copied the restored data, \`${kubectl.line(['delete', 'persistentvolume', member])}\` and delete its EBS volume.`,
    );
}

async function main(): Promise<number> {
  let args: RestoreArgs;
  try {
    args = parseRestoreArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  try {
    await runRestore(args, { exec: spawnExec, aws: process.env.AWS_CLI || 'aws', kubectl: process.env.KUBECTL || 'kubectl', log: (line) => console.log(line) });
    return 0;
  } catch (err) {
    console.error(`\n✗ ${err instanceof Error ? err.message : String(err)}`);
    return err instanceof RestoreError ? 1 : 2;
  }
}

if (require.main === module) {
  main().then((code) => process.exit(code));
}
