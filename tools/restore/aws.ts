/**
 * The AWS half of a restore: the recovery point of a claim's volume in the environment's vault,
 * a restore job into a zone where the app's pods can run, and the tags the EBS CSI driver and the
 * backup plan need on the new volume.
 */
import { createHash } from 'crypto';
import { RestoreError } from './errors';
import { Cli } from './exec';
import { CSI_DRIVER_TAGS, RestoreTarget, restoredPvName, restoredVolumeTags } from './target';

/** The claim a volume belongs to. */
export interface ClaimRef {
  readonly namespace: string;
  readonly name: string;
}

/** How long to wait for the restore job. */
export interface Polling {
  /** Milliseconds between two looks. */
  readonly intervalMs: number;
  /** Looks before giving up. */
  readonly attempts: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The restored volume. */
export interface RestoredVolume {
  /** `vol-…`, or a placeholder in a dry run. */
  readonly volumeId: string;
  readonly zone: string;
  readonly sizeGiB: number;
  readonly recoveryPointArn: string;
  /** The PersistentVolume that will hold it. */
  readonly pvName: string;
}

/** Recovery point states whose data is complete. */
const USABLE = new Set(['COMPLETED', 'AVAILABLE']);

/** The placeholder of the new volume's id in a dry run. */
export const DRY_RUN_VOLUME = '<restored-volume-id>';

const sleeper = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `aws` bound to the environment's region. */
export function awsCli(exec: ConstructorParameters<typeof Cli>[0], program: string, target: RestoreTarget, log: (line: string) => void, dryRun: boolean): Cli {
  return new Cli(exec, program, ['--region', target.region, '--output', 'json'], log, dryRun);
}

function what(target: RestoreTarget, claim: ClaimRef): string {
  return `${target.environment}/${target.app} claim ${claim.namespace}/${claim.name}`;
}

/** The latest usable recovery point in the vault of any volume created for `claim`. */
async function latestRecoveryPoint(aws: Cli, target: RestoreTarget, claim: ClaimRef): Promise<string> {
  const volumes: { VolumeId: string }[] =
    (
      await aws.read([
        'ec2',
        'describe-volumes',
        '--filters',
        `Name=tag:${CSI_DRIVER_TAGS.pvcNamespace},Values=${claim.namespace}`,
        `Name=tag:${CSI_DRIVER_TAGS.pvcName},Values=${claim.name}`,
        `Name=tag:${target.backupTag.key},Values=${target.backupTag.value}`,
      ])
    )?.Volumes ?? [];
  const list = `aws backup list-recovery-points-by-backup-vault --region ${target.region} --backup-vault-name ${target.vault} --by-resource-type EBS`;
  if (volumes.length === 0)
    throw new RestoreError(
      `${what(target, claim)}: no EBS volume in ${target.region} is tagged ${CSI_DRIVER_TAGS.pvcName}=${claim.name} and ${target.backupTag.key}=${target.backupTag.value}, so its recovery points cannot be found by volume; pick one with \`${list}\` and pass its ARN`,
    );
  const ids = new Set(volumes.map((v) => v.VolumeId));
  const points: { RecoveryPointArn: string; ResourceArn: string; Status: string; CreationDate: string }[] =
    (await aws.read(['backup', 'list-recovery-points-by-backup-vault', '--backup-vault-name', target.vault, '--by-resource-type', 'EBS']))?.RecoveryPoints ??
    [];
  const candidates = points
    .filter((p) => USABLE.has(p.Status) && ids.has(p.ResourceArn.slice(p.ResourceArn.lastIndexOf('/') + 1)))
    .sort((a, b) => Date.parse(b.CreationDate) - Date.parse(a.CreationDate));
  if (candidates.length === 0)
    throw new RestoreError(
      `${what(target, claim)}: the vault ${target.vault} has no completed recovery point of its volume(s) ${[...ids].join(', ')}; check that backups run (docs/eks.md#backups-and-restore) or pass a recovery point ARN from \`${list}\``,
    );
  return candidates[0].RecoveryPointArn;
}

/** Checks a given recovery point: in the vault, of an EBS volume, complete. */
async function checkRecoveryPoint(aws: Cli, target: RestoreTarget, claim: ClaimRef, arn: string): Promise<void> {
  const point = await aws.read(['backup', 'describe-recovery-point', '--backup-vault-name', target.vault, '--recovery-point-arn', arn]);
  if (point?.ResourceType !== 'EBS')
    throw new RestoreError(`${what(target, claim)}: recovery point ${arn} is of a ${point?.ResourceType ?? 'unknown'} resource, not an EBS volume`);
  if (!USABLE.has(point.Status)) throw new RestoreError(`${what(target, claim)}: recovery point ${arn} is ${point.Status}, not COMPLETED; pick another one`);
}

/**
 * The zone to restore into: the original volume's zone when the app's pods can run there (so
 * nothing moves), else the first zone of the node groups that run them.
 */
export function chooseZone(target: RestoreTarget, original: string | undefined): { zone: string; reason: string } {
  if (original && target.zones.includes(original))
    return { zone: original, reason: `the original volume's zone, where ${target.zonesReason.replace(/ \(.*$/, '')} has nodes` };
  return {
    zone: target.zones[0],
    reason: original
      ? `the original zone ${original} has no node that can run ${target.app}: ${target.zonesReason}`
      : `the recovery point names no zone: ${target.zonesReason}`,
  };
}

/** The restore metadata of an EBS recovery point, with the chosen zone and encryption on. */
export function restoreMetadata(original: Readonly<Record<string, string>>, zone: string): Record<string, string> {
  const metadata: Record<string, string> = { availabilityZone: zone, encrypted: 'true', volumeType: original.volumeType ?? 'gp3' };
  for (const key of ['kmsKeyId', 'volumeSize', 'iops', 'throughput']) if (original[key]) metadata[key] = original[key];
  return metadata;
}

/**
 * Restores the volume of `claim`: the given recovery point or the latest of its volumes, into a
 * zone of {@link chooseZone}, waits for the job (bounded), waits for the volume and tags it.
 */
export async function restoreVolume(
  aws: Cli,
  target: RestoreTarget,
  claim: ClaimRef,
  options: { readonly recoveryPointArn?: string; readonly polling: Polling; readonly log: (line: string) => void },
): Promise<RestoredVolume> {
  const log = options.log;
  let arn = options.recoveryPointArn;
  if (arn) await checkRecoveryPoint(aws, target, claim, arn);
  else arn = await latestRecoveryPoint(aws, target, claim);
  log(`recovery point: ${arn}${options.recoveryPointArn ? '' : ' (the latest completed one of the claim’s volumes)'}`);

  const original: Record<string, string> =
    (await aws.read(['backup', 'get-recovery-point-restore-metadata', '--backup-vault-name', target.vault, '--recovery-point-arn', arn]))?.RestoreMetadata ??
    {};
  const { zone, reason } = chooseZone(target, original.availabilityZone);
  log(`zone: ${zone} (${reason})`);
  const role: string = (await aws.read(['iam', 'get-role', '--role-name', target.roleName])).Role.Arn;
  const metadata = restoreMetadata(original, zone);
  // The same request within an hour starts no second job (AWS Backup's idempotency token).
  const token = createHash('sha256')
    .update(JSON.stringify([arn, target.cluster, claim.namespace, claim.name, zone]))
    .digest('hex')
    .slice(0, 32);

  log('restore job:');
  const started = await aws.change([
    'backup',
    'start-restore-job',
    '--recovery-point-arn',
    arn,
    '--resource-type',
    'EBS',
    '--iam-role-arn',
    role,
    '--metadata',
    JSON.stringify(metadata),
    '--idempotency-token',
    token,
  ]);
  const size = Number(original.volumeSize ?? 0);
  if (aws.dryRun) {
    const pvName = restoredPvName(claim, 'vol-restored');
    log(
      `  then: aws backup describe-restore-job --restore-job-id <id> until COMPLETED (${options.polling.attempts} looks, ${options.polling.intervalMs / 1000}s apart)`,
    );
    log(`  then: aws ec2 wait volume-available and aws ec2 create-tags --tags ${JSON.stringify(restoredVolumeTags(target, claim, pvName))}`);
    return { volumeId: DRY_RUN_VOLUME, zone, sizeGiB: size, recoveryPointArn: arn, pvName };
  }

  const jobId: string = started.RestoreJobId;
  const sleep = options.polling.sleep ?? sleeper;
  let volumeId: string | undefined;
  for (let attempt = 1; attempt <= options.polling.attempts && !volumeId; attempt++) {
    const job = await aws.read(['backup', 'describe-restore-job', '--restore-job-id', jobId]);
    if (job.Status === 'COMPLETED') volumeId = String(job.CreatedResourceArn).slice(String(job.CreatedResourceArn).lastIndexOf('/') + 1);
    else if (job.Status === 'FAILED' || job.Status === 'ABORTED')
      throw new RestoreError(
        `${what(target, claim)}: restore job ${jobId} ${job.Status}: ${job.StatusMessage ?? 'no message'}; nothing in the cluster was changed. Fix the cause (the role ${target.roleName}, the KMS key, the zone ${zone}) and run the command again`,
      );
    else if (attempt < options.polling.attempts) await sleep(options.polling.intervalMs);
  }
  if (!volumeId)
    throw new RestoreError(
      `${what(target, claim)}: restore job ${jobId} not finished after ${(options.polling.attempts * options.polling.intervalMs) / 1000}s; nothing in the cluster was changed. Follow it with \`aws backup describe-restore-job --region ${target.region} --restore-job-id ${jobId}\` and run the command again once it is COMPLETED (the same job is reused)`,
    );
  log(`restored volume: ${volumeId}`);
  await aws.read(['ec2', 'wait', 'volume-available', '--volume-ids', volumeId]);
  const volume = (await aws.read(['ec2', 'describe-volumes', '--volume-ids', volumeId])).Volumes[0];
  if (volume.AvailabilityZone !== zone)
    throw new RestoreError(
      `${what(target, claim)}: restore job ${jobId} created ${volumeId} in ${volume.AvailabilityZone}, not in ${zone}; delete it and run the command again`,
    );
  const pvName = restoredPvName(claim, volumeId);
  log('tags the driver and the backup plan need:');
  await aws.change(['ec2', 'create-tags', '--resources', volumeId, '--tags', JSON.stringify(restoredVolumeTags(target, claim, pvName))]);
  return { volumeId, zone, sizeGiB: Number(volume.Size), recoveryPointArn: arn, pvName };
}
