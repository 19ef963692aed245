/**
 * A fake `aws` CLI for the restore's tests: answers the calls of tools/restore/aws.ts from a small
 * world (volumes, recovery points, restore jobs) and records every call, so tests assert the
 * exact commands and their JSON arguments.
 */
import { Exec, ExecResult } from '../../tools/restore/exec';

/** One recorded call. */
export interface Call {
  readonly program: string;
  readonly args: readonly string[];
  readonly input?: string;
}

/** A recovery point of the vault. */
export interface FakeRecoveryPoint {
  readonly RecoveryPointArn: string;
  readonly ResourceArn: string;
  readonly ResourceType?: string;
  readonly Status: string;
  readonly CreationDate: string;
  /** What get-recovery-point-restore-metadata returns for it. */
  readonly metadata?: Record<string, string>;
}

/** What the fake account holds. */
export interface AwsWorld {
  /** Volumes describe-volumes finds by the claim's tags. */
  readonly taggedVolumes: readonly string[];
  readonly recoveryPoints: readonly FakeRecoveryPoint[];
  readonly roleArn: string;
  /** Statuses describe-restore-job returns, one per look; the last one repeats. */
  readonly jobStatuses: readonly { Status: string; StatusMessage?: string }[];
  /** The volume the job creates. */
  readonly created: { readonly VolumeId: string; readonly AvailabilityZone: string; readonly Size: number };
}

const ok = (value: unknown): ExecResult => ({ code: 0, stdout: value === undefined ? '' : JSON.stringify(value), stderr: '' });

/** The option value after `flag`. */
export function option(args: readonly string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i < 0 ? undefined : args[i + 1];
}

/** A fake `aws` over `world`, recording into `calls`. */
export function fakeAws(world: AwsWorld, calls: Call[]): Exec {
  let looks = 0;
  return async (program, args, input) => {
    calls.push({ program, args, input });
    const rest = args.slice(4); // --region r --output json
    const [service, command] = rest;
    const point = (arn?: string) => world.recoveryPoints.find((p) => p.RecoveryPointArn === arn);
    switch (`${service} ${command}`) {
      case 'ec2 describe-volumes':
        if (rest.includes('--volume-ids')) return ok({ Volumes: [{ ...world.created, State: 'available' }] });
        return ok({ Volumes: world.taggedVolumes.map((VolumeId) => ({ VolumeId })) });
      case 'backup list-recovery-points-by-backup-vault':
        return ok({ RecoveryPoints: world.recoveryPoints.map(({ metadata: _m, ...p }) => p) });
      case 'backup describe-recovery-point': {
        const p = point(option(rest, '--recovery-point-arn'));
        if (!p) return { code: 254, stdout: '', stderr: 'An error occurred (ResourceNotFoundException) when calling the DescribeRecoveryPoint operation' };
        return ok({ RecoveryPointArn: p.RecoveryPointArn, ResourceArn: p.ResourceArn, ResourceType: p.ResourceType ?? 'EBS', Status: p.Status });
      }
      case 'backup get-recovery-point-restore-metadata':
        return ok({ RestoreMetadata: point(option(rest, '--recovery-point-arn'))?.metadata ?? {} });
      case 'iam get-role':
        return ok({ Role: { Arn: world.roleArn } });
      case 'backup start-restore-job':
        return ok({ RestoreJobId: 'job-1' });
      case 'backup describe-restore-job': {
        const status = world.jobStatuses[Math.min(looks++, world.jobStatuses.length - 1)];
        return ok({
          RestoreJobId: 'job-1',
          ...status,
          ...(status.Status === 'COMPLETED' ? { CreatedResourceArn: `arn:aws:ec2:eu-west-1:111122223333:volume/${world.created.VolumeId}` } : {}),
        });
      }
      case 'ec2 wait':
      case 'ec2 create-tags':
        return ok(undefined);
      default:
        return { code: 252, stdout: '', stderr: `fake aws: unexpected ${rest.join(' ')}` };
    }
  };
}
