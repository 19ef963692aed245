import { CATALOG } from '../../apps/catalog';
import { ENVIRONMENTS } from '../../environments';
import { runRestore } from '../../tools/restore/cli';
import { RestoreError } from '../../tools/restore/errors';
import { Exec } from '../../tools/restore/exec';
import { STATEFUL_STORAGE_CLASS } from '../../constructs/platform/names';
import { Call, fakeAws } from './fake-aws';
import { cluster as fakeCluster } from './fake-kubectl';

const dev = ENVIRONMENTS.find((e) => e.name === 'dev')!;
const staging = ENVIRONMENTS.find((e) => e.name === 'staging')!;
const noExec = async () => {
  throw new Error('no command may run before the arguments are checked against the configuration');
};

describe('runRestore: checks against the configuration before anything runs', () => {
  it.each([
    [{ env: 'qa', app: 'ollama' }, `no environment "qa" (environments: ${ENVIRONMENTS.map((e) => e.name).join(', ')})`],
    [{ env: 'dev', app: 'ollama' }, `dev.cluster.kind: restore needs an EKS cluster backed up by AWS Backup (got "${dev.cluster.kind}")`],
    [{ env: 'staging', app: 'grafana' }, `staging: no app "grafana" in the catalog (apps: ${CATALOG.map((a) => a.name).join(', ')})`],
    [
      { env: 'staging', app: 'librechat', recoveryPointArn: 'arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0' },
      `recovery point: is in us-east-1, but staging.cluster.region is ${staging.cluster.kind === 'eks' ? staging.cluster.region : ''} (got "arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0")`,
    ],
  ])('%j', async (args, message) => {
    const run = runRestore({ dryRun: false, ...args }, { exec: noExec, log: () => undefined, env: {} });
    await expect(run).rejects.toThrow(new RestoreError(message));
  });
});

describe('runRestore: the whole restore against a recording aws and kubectl', () => {
  if (staging.cluster.kind !== 'eks') throw new Error('staging must be on EKS');
  const { name, region, vpc } = staging.cluster;
  const setup = () => {
    const kube = fakeCluster(STATEFUL_STORAGE_CLASS);
    const awsCalls: Call[] = [];
    const aws = fakeAws(
      {
        taggedVolumes: ['vol-0aaa'],
        recoveryPoints: [
          {
            RecoveryPointArn: `arn:aws:ec2:${region}::snapshot/snap-00000001`,
            ResourceArn: `arn:aws:ec2:${region}:111122223333:volume/vol-0aaa`,
            Status: 'COMPLETED',
            CreationDate: '2026-12-06T03:10:00Z',
            metadata: { availabilityZone: vpc.availabilityZones[2], volumeSize: '20' },
          },
        ],
        roleArn: `arn:aws:iam::111122223333:role/${name}-backup`,
        jobStatuses: [{ Status: 'COMPLETED' }],
        created: { VolumeId: 'vol-0new', AvailabilityZone: vpc.availabilityZones[2], Size: 20 },
      },
      awsCalls,
    );
    const order: string[] = [];
    const exec: Exec = (program, args, input) => {
      order.push(`${program} ${program === 'aws' ? args[5] : args[2]}`);
      return program === 'aws' ? aws(program, args, input) : kube.exec(program, args, input);
    };
    return { kube, awsCalls, exec, order };
  };
  const fast = { job: { intervalMs: 1, attempts: 3, sleep: async () => undefined }, kube: { intervalMs: 1, attempts: 3, sleep: async () => undefined } };

  it('asks for --volume when the app has several claims, before anything changes', async () => {
    const { exec, order } = setup();
    await expect(runRestore({ env: 'staging', app: 'librechat', dryRun: false }, { exec, log: () => undefined, env: {}, polling: fast })).rejects.toThrow(
      'staging/librechat has 2 backed-up claims; choose one with --volume <claim>:',
    );
    expect(order.every((o) => o.startsWith('kubectl get'))).toBe(true);
  });

  it('restores the volume in AWS first, then swaps the claim, and reports the former volume', async () => {
    const { exec, order, kube } = setup();
    const lines: string[] = [];
    await runRestore(
      { env: 'staging', app: 'librechat', volume: 'datadir-librechat-mongodb-0', dryRun: false },
      { exec, log: (l) => lines.push(l), env: {}, polling: fast },
    );
    const firstKubeChange = order.findIndex((o) => o.startsWith('kubectl') && !o.endsWith(' get'));
    const lastAws = order.map((o) => o.startsWith('aws')).lastIndexOf(true);
    expect(order[lastAws]).toBe('aws create-tags');
    expect(lastAws).toBeLessThan(firstKubeChange);
    expect(kube.state.pvs.map((pv) => [pv.spec.csi.volumeHandle, pv.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values])).toEqual([
      ['vol-0new', [vpc.availabilityZones[2]]],
    ]);
    expect(lines.at(-1)).toBe(
      'The former volume stays (PersistentVolume pvc-old, Released, and its EBS volume): once the restored data is verified, `kubectl --context llm-staging delete persistentvolume pvc-old` and delete its EBS volume.',
    );
  });

  it('--dry-run runs only reads', async () => {
    const { exec, order } = setup();
    const lines: string[] = [];
    await runRestore(
      { env: 'staging', app: 'librechat', volume: 'librechat-meilisearch', dryRun: true },
      { exec, log: (l) => lines.push(l), env: {}, polling: fast },
    );
    expect(
      order.filter((o) => !/^(kubectl get|aws (describe-volumes|list-recovery-points-by-backup-vault|get-recovery-point-restore-metadata|get-role))$/.test(o)),
    ).toEqual([]);
    expect(lines[0]).toBe(`dry run: nothing is changed. restore of staging/librechat: cluster ${name} (context ${name}), vault ${name}-volumes in ${region}`);
    expect(lines.filter((l) => l.startsWith('  $ ')).length).toBeGreaterThanOrEqual(7);
  });
});
