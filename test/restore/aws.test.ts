import { CATALOG } from '../../apps/catalog';
import { ENVIRONMENTS, loadEnvironments } from '../../environments';
import { PUBLISHED_EBS_CSI_POLICY, PolicyStatement, scopeEbsCsiPolicy } from '../../constructs/cluster/ebs-csi-policy';
import { DRY_RUN_VOLUME, awsCli, chooseZone, restoreVolume } from '../../tools/restore/aws';
import { Cli } from '../../tools/restore/exec';
import { RestoreTarget, Tag, restoreTarget, restoredPvName } from '../../tools/restore/target';
import { AwsWorld, Call, fakeAws, option } from './fake-aws';

// staging as it was before Karpenter (a managed GPU group, models on an EBS volume per zone): the
// restore of a GPU app's volume picks a zone of that group. On Karpenter's nodes there is nothing
// to restore (target.test.ts).
const raw = structuredClone(ENVIRONMENTS.find((e) => e.name === 'staging')!) as any;
delete raw.cluster.gpuCapacity;
raw.cluster.gpuNodes.managedGroup = true;
delete raw.apps.ollama.activeHours;
delete raw.apps.ollama.idleAfterMinutes;
const environments = loadEnvironments([...ENVIRONMENTS.filter((e) => e.name !== 'staging'), raw], CATALOG);
const staging = environments.find((e) => e.name === 'staging')!;
if (staging.cluster.kind !== 'eks') throw new Error('staging must be on EKS');
const cluster = staging.cluster;
const librechat = restoreTarget(staging, CATALOG, 'librechat');
const ollama = restoreTarget(staging, CATALOG, 'ollama');
const claim = { namespace: 'librechat', name: 'datadir-librechat-mongodb-0' };
const region = cluster.region;
const gpuZones = cluster.gpuNodes.availabilityZones;
const gpuZone = gpuZones[0];
const otherZone = cluster.vpc.availabilityZones.find((z) => !gpuZones.includes(z))!;

const snap = (n: number) => `arn:aws:ec2:${region}::snapshot/snap-0000000000000000${n}`;
const volumeArn = (id: string) => `arn:aws:ec2:${region}:111122223333:volume/${id}`;
const world = (over: Partial<AwsWorld> = {}): AwsWorld => ({
  taggedVolumes: ['vol-0aaa', 'vol-0bbb'],
  recoveryPoints: [
    { RecoveryPointArn: snap(1), ResourceArn: volumeArn('vol-0aaa'), Status: 'COMPLETED', CreationDate: '2026-12-01T03:10:00Z' },
    {
      RecoveryPointArn: snap(2),
      ResourceArn: volumeArn('vol-0bbb'),
      Status: 'COMPLETED',
      CreationDate: '2026-12-06T03:10:00Z',
      metadata: { availabilityZone: otherZone, volumeSize: '20', volumeType: 'gp3', encrypted: 'true', volumeId: 'vol-0bbb' },
    },
    // Newer, but not complete; and newer still, of another claim's volume.
    { RecoveryPointArn: snap(3), ResourceArn: volumeArn('vol-0bbb'), Status: 'PARTIAL', CreationDate: '2026-12-07T03:10:00Z' },
    { RecoveryPointArn: snap(4), ResourceArn: volumeArn('vol-0ccc'), Status: 'COMPLETED', CreationDate: '2026-12-07T04:10:00Z' },
  ],
  roleArn: `arn:aws:iam::111122223333:role/${cluster.name}-backup`,
  jobStatuses: [{ Status: 'RUNNING' }, { Status: 'COMPLETED' }],
  created: { VolumeId: 'vol-0new', AvailabilityZone: otherZone, Size: 20 },
  ...over,
});

const polling = { intervalMs: 1000, attempts: 5, sleep: async () => undefined };

async function run(target: RestoreTarget, w: AwsWorld, options: { recoveryPointArn?: string; dryRun?: boolean } = {}) {
  const calls: Call[] = [];
  const lines: string[] = [];
  const aws: Cli = awsCli(fakeAws(w, calls), 'aws', target, (l) => lines.push(l), options.dryRun ?? false);
  const result = restoreVolume(aws, target, claim, { recoveryPointArn: options.recoveryPointArn, polling, log: (l) => lines.push(l) });
  return { calls, lines, result };
}

const args = (calls: Call[]) => calls.map((c) => c.args.slice(4).join(' '));
const prefix = ['--region', region, '--output', 'json'];

describe('restoreVolume (AWS half, against a recording aws)', () => {
  it('restores the latest completed recovery point of the claim’s volumes into the original zone and tags the volume', async () => {
    const { calls, result } = await run(librechat, world());
    const restored = await result;
    expect(calls.every((c) => c.program === 'aws' && c.args.slice(0, 4).join(' ') === prefix.join(' '))).toBe(true);
    const pvName = restoredPvName(claim, 'vol-0new');
    const startArgs = calls.find((c) => c.args[5] === 'start-restore-job')!.args;
    expect(args(calls)).toEqual([
      `ec2 describe-volumes --filters Name=tag:kubernetes.io/created-for/pvc/namespace,Values=librechat Name=tag:kubernetes.io/created-for/pvc/name,Values=datadir-librechat-mongodb-0 Name=tag:llm-platform/backup,Values=${cluster.name}`,
      `backup list-recovery-points-by-backup-vault --backup-vault-name ${cluster.name}-volumes --by-resource-type EBS`,
      `backup get-recovery-point-restore-metadata --backup-vault-name ${cluster.name}-volumes --recovery-point-arn ${snap(2)}`,
      `iam get-role --role-name ${cluster.name}-backup`,
      `backup start-restore-job --recovery-point-arn ${snap(2)} --resource-type EBS --iam-role-arn arn:aws:iam::111122223333:role/${cluster.name}-backup --metadata ${option(startArgs, '--metadata')} --idempotency-token ${option(startArgs, '--idempotency-token')}`,
      'backup describe-restore-job --restore-job-id job-1',
      'backup describe-restore-job --restore-job-id job-1',
      'ec2 wait volume-available --volume-ids vol-0new',
      'ec2 describe-volumes --volume-ids vol-0new',
      `ec2 create-tags --resources vol-0new --tags ${option(calls.at(-1)!.args, '--tags')}`,
    ]);
    expect(JSON.parse(option(startArgs, '--metadata')!)).toEqual({ availabilityZone: otherZone, encrypted: 'true', volumeType: 'gp3', volumeSize: '20' });
    expect(option(startArgs, '--idempotency-token')).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.parse(option(calls.at(-1)!.args, '--tags')!)).toEqual([
      { Key: `kubernetes.io/cluster/${cluster.name}`, Value: 'owned' },
      { Key: 'ebs.csi.aws.com/cluster', Value: 'true' },
      { Key: 'KubernetesCluster', Value: cluster.name },
      { Key: 'CSIVolumeName', Value: pvName },
      { Key: 'kubernetes.io/created-for/pv/name', Value: pvName },
      { Key: 'kubernetes.io/created-for/pvc/name', Value: claim.name },
      { Key: 'kubernetes.io/created-for/pvc/namespace', Value: claim.namespace },
      { Key: 'llm-platform/backup', Value: cluster.name },
      { Key: 'Name', Value: `${cluster.name}-restored-${pvName}` },
    ]);
    expect(restored).toEqual({ volumeId: 'vol-0new', zone: otherZone, sizeGiB: 20, recoveryPointArn: snap(2), pvName });
  });

  it('restores a GPU app into the GPU node group’s zone when the original zone has no GPU node', async () => {
    expect(otherZone).not.toBe(gpuZone);
    const { calls, lines, result } = await run(ollama, world({ created: { VolumeId: 'vol-0new', AvailabilityZone: gpuZone, Size: 20 } }));
    await result;
    const metadata = JSON.parse(option(calls.find((c) => c.args[5] === 'start-restore-job')!.args, '--metadata')!);
    expect(metadata.availabilityZone).toBe(gpuZone);
    expect(lines).toContain(
      `zone: ${gpuZone} (the original zone ${otherZone} has no node that can run ollama: ollama runs on the GPU node group (staging.cluster.gpuNodes))`,
    );
  });

  it.each([
    ['in a zone of the app', 'librechat', otherZone, otherZone],
    ['outside the VPC zones', 'librechat', 'eu-west-1z', cluster.vpc.availabilityZones[0]],
    ['unknown', 'librechat', undefined, cluster.vpc.availabilityZones[0]],
    ['GPU app, in the GPU zone', 'ollama', gpuZone, gpuZone],
    ['GPU app, elsewhere', 'ollama', otherZone, gpuZone],
    ...cluster.gpuNodes.availabilityZones.map((zone) => [`GPU app, in GPU zone ${zone}`, 'ollama', zone, zone] as [string, string, string, string]),
  ])('chooseZone: original %s', (_, app, original, expected) => {
    expect(chooseZone(app === 'ollama' ? ollama : librechat, original).zone).toBe(expected);
  });

  it('restores a given recovery point after checking it', async () => {
    // snap(1) has no zone in its metadata: the first zone of the app's node groups.
    const first = cluster.vpc.availabilityZones[0];
    const { calls, result } = await run(librechat, world({ created: { VolumeId: 'vol-0new', AvailabilityZone: first, Size: 20 } }), {
      recoveryPointArn: snap(1),
    });
    expect((await result).zone).toBe(first);
    expect(args(calls).slice(0, 2)).toEqual([
      `backup describe-recovery-point --backup-vault-name ${cluster.name}-volumes --recovery-point-arn ${snap(1)}`,
      `backup get-recovery-point-restore-metadata --backup-vault-name ${cluster.name}-volumes --recovery-point-arn ${snap(1)}`,
    ]);
  });

  it.each([
    [snap(3), `staging/librechat claim librechat/datadir-librechat-mongodb-0: recovery point ${snap(3)} is PARTIAL, not COMPLETED; pick another one`],
    [
      snap(9),
      `aws --region ${region} --output json backup describe-recovery-point --backup-vault-name ${cluster.name}-volumes --recovery-point-arn ${snap(9)} failed: An error occurred (ResourceNotFoundException) when calling the DescribeRecoveryPoint operation`,
    ],
  ])('refuses the given recovery point %s', async (arn, message) => {
    const { calls, result } = await run(librechat, world(), { recoveryPointArn: arn });
    await expect(result).rejects.toThrow(message);
    expect(calls.some((c) => c.args.includes('start-restore-job'))).toBe(false);
  });

  it('reports a failed restore job with its message and changes nothing else', async () => {
    const { calls, result } = await run(
      librechat,
      world({ jobStatuses: [{ Status: 'RUNNING' }, { Status: 'FAILED', StatusMessage: 'Access denied to KMS key' }] }),
    );
    await expect(result).rejects.toThrow(
      `staging/librechat claim librechat/datadir-librechat-mongodb-0: restore job job-1 FAILED: Access denied to KMS key; nothing in the cluster was changed. Fix the cause (the role ${cluster.name}-backup, the KMS key, the zone ${otherZone}) and run the command again`,
    );
    expect(calls.some((c) => c.args.includes('create-tags'))).toBe(false);
  });

  it('refuses a volume the job created in another zone than asked', async () => {
    const { result } = await run(librechat, world({ created: { VolumeId: 'vol-0new', AvailabilityZone: 'eu-west-1z', Size: 20 } }));
    await expect(result).rejects.toThrow(`restore job job-1 created vol-0new in eu-west-1z, not in ${otherZone}; delete it and run the command again`);
  });

  it('gives up on a restore job after the bounded number of looks', async () => {
    const { calls, result } = await run(librechat, world({ jobStatuses: [{ Status: 'RUNNING' }] }));
    await expect(result).rejects.toThrow(
      `restore job job-1 not finished after 5s; nothing in the cluster was changed. Follow it with \`aws backup describe-restore-job --region ${region} --restore-job-id job-1\``,
    );
    expect(calls.filter((c) => c.args.includes('describe-restore-job'))).toHaveLength(polling.attempts);
  });

  it('says how to go on when no volume carries the claim’s tags', async () => {
    const { result } = await run(librechat, world({ taggedVolumes: [] }));
    await expect(result).rejects.toThrow(
      `staging/librechat claim librechat/datadir-librechat-mongodb-0: no EBS volume in ${region} is tagged kubernetes.io/created-for/pvc/name=datadir-librechat-mongodb-0 and llm-platform/backup=${cluster.name}, so its recovery points cannot be found by volume; pick one with \`aws backup list-recovery-points-by-backup-vault --region ${region} --backup-vault-name ${cluster.name}-volumes --by-resource-type EBS\` and pass its ARN`,
    );
  });

  it('says so when the vault has no completed recovery point of the claim’s volumes', async () => {
    const { result } = await run(librechat, world({ taggedVolumes: ['vol-0ddd'] }));
    await expect(result).rejects.toThrow(`the vault ${cluster.name}-volumes has no completed recovery point of its volume(s) vol-0ddd`);
  });

  it('--dry-run reads, prints the restore job and the tags, and changes nothing', async () => {
    const { calls, lines, result } = await run(librechat, world(), { dryRun: true });
    expect((await result).volumeId).toBe(DRY_RUN_VOLUME);
    expect(calls.map((c) => c.args[5])).toEqual([
      'describe-volumes',
      'list-recovery-points-by-backup-vault',
      'get-recovery-point-restore-metadata',
      'get-role',
    ]);
    expect(lines.find((l) => l.includes('start-restore-job'))).toMatch(
      new RegExp(
        `^ {2}\\$ aws --region ${region} --output json backup start-restore-job --recovery-point-arn ${snap(2).replace(/[/.]/g, '\\$&')} --resource-type EBS`,
      ),
    );
    expect(lines.some((l) => l.includes('create-tags'))).toBe(true);
  });
});

/** Whether `tags` satisfy every resource-tag condition of `statement` (StringEquals, StringLike with `*`). */
function resourceTagsAllow(statement: PolicyStatement, tags: readonly Tag[]): boolean {
  return Object.entries(statement.Condition ?? {}).every(([operator, block]) =>
    Object.entries(block).every(([key, expected]) => {
      const match = /^(?:aws|ec2):ResourceTag\/(.+)$/.exec(key);
      if (!match) return true;
      const value = tags.find((t) => t.Key === match[1])?.Value;
      const values = typeof expected === 'string' ? [expected] : expected;
      if (value === undefined) return false;
      if (operator === 'StringEquals') return values.includes(value);
      if (operator === 'StringLike')
        return values.some((v) =>
          new RegExp(
            `^${v
              .split('*')
              .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
              .join('.*')}$`,
          ).test(value),
        );
      return false;
    }),
  );
}

describe('the restored volume’s tags and the scoped EBS CSI policy', () => {
  const policy = scopeEbsCsiPolicy(PUBLISHED_EBS_CSI_POLICY, cluster.name);
  const allows = (action: string, tags: readonly Tag[]) =>
    policy.Statement.filter((s) => (typeof s.Action === 'string' ? [s.Action] : s.Action).includes(action)).some((s) => resourceTagsAllow(s, tags));

  it('lets the driver attach, detach and delete the restored volume', async () => {
    const { calls, result } = await run(librechat, world());
    await result;
    const tags: Tag[] = JSON.parse(option(calls.at(-1)!.args, '--tags')!);
    for (const action of ['ec2:AttachVolume', 'ec2:DetachVolume', 'ec2:DeleteVolume', 'ec2:ModifyVolume'])
      expect([action, allows(action, tags)]).toEqual([action, true]);
  });

  it('would not with the backup tag alone (what AWS Backup leaves on a restored volume)', () => {
    const backupOnly = [{ Key: librechat.backupTag.key, Value: librechat.backupTag.value }];
    expect(allows('ec2:AttachVolume', backupOnly)).toBe(false);
  });
});
