import { CATALOG } from '../../apps/catalog';
import { ENVIRONMENTS, loadEnvironments } from '../../environments';
import { ExecResult } from '../../tools/restore/exec';
import { findClaims, kubectlCli, pickClaim, restoredPersistentVolume, swapVolume } from '../../tools/restore/kube';
import { restoreTarget } from '../../tools/restore/target';
import { cluster as fakeCluster } from './fake-kubectl';

const staging = loadEnvironments(ENVIRONMENTS, CATALOG).find((e) => e.name === 'staging')!;
const target = restoreTarget(staging, CATALOG, 'librechat');
const CLASS = target.storageClass;
const ok = (value: unknown): ExecResult => ({ code: 0, stdout: value === undefined ? '' : JSON.stringify(value), stderr: '' });
const cluster = () => fakeCluster(CLASS);

const polling = { intervalMs: 1000, attempts: 3, sleep: async () => undefined };

describe('findClaims and pickClaim', () => {
  it('lists the claims of the retained class that the Application’s objects declare', async () => {
    const { exec } = cluster();
    const claims = await findClaims(
      kubectlCli(exec, 'kubectl', target, () => undefined, false),
      target,
    );
    expect(claims.map((c) => [c.name, c.source, c.consumers.map((w) => w.name)])).toEqual([
      ['datadir-librechat-mongodb-0', 'volumeClaimTemplate of StatefulSet librechat-mongodb', ['librechat-mongodb']],
      ['librechat-meilisearch', 'PersistentVolumeClaim of the chart', ['librechat-meilisearch']],
    ]);
  });

  it('lists a claim of the chart that is gone', async () => {
    const { exec, state } = cluster();
    state.pvcs.delete('librechat-meilisearch');
    const claims = await findClaims(
      kubectlCli(exec, 'kubectl', target, () => undefined, false),
      target,
    );
    expect(claims.map((c) => [c.name, c.source])).toEqual([
      ['datadir-librechat-mongodb-0', 'volumeClaimTemplate of StatefulSet librechat-mongodb'],
      ['librechat-meilisearch', 'PersistentVolumeClaim of the chart, absent'],
    ]);
  });

  it('one claim per replica of a StatefulSet', async () => {
    const { exec, state } = cluster();
    state.workloads[0].spec.replicas = 3;
    const claims = await findClaims(
      kubectlCli(exec, 'kubectl', target, () => undefined, false),
      target,
    );
    expect(claims.map((c) => c.name).filter((n) => n.startsWith('datadir'))).toEqual([0, 1, 2].map((i) => `datadir-librechat-mongodb-${i}`));
  });

  it('asks for --volume when the app has several, listing them', async () => {
    const { exec } = cluster();
    const claims = await findClaims(
      kubectlCli(exec, 'kubectl', target, () => undefined, false),
      target,
    );
    const listing =
      '  datadir-librechat-mongodb-0 (volumeClaimTemplate of StatefulSet librechat-mongodb)\n  librechat-meilisearch (PersistentVolumeClaim of the chart)';
    expect(() => pickClaim(target, claims, undefined)).toThrow(`staging/librechat has 2 backed-up claims; choose one with --volume <claim>:\n${listing}`);
    expect(() => pickClaim(target, claims, 'librechat-librechat-images')).toThrow(
      `staging/librechat: --volume librechat-librechat-images is not one of its backed-up claims:\n${listing}`,
    );
    expect(pickClaim(target, claims, 'librechat-meilisearch').name).toBe('librechat-meilisearch');
    expect(pickClaim(target, claims.slice(0, 1), undefined).name).toBe('datadir-librechat-mongodb-0');
    expect(() => pickClaim(target, [], undefined)).toThrow(
      `staging/librechat: the Application manages no claim of StorageClass ${CLASS} in namespace librechat, so nothing of it is backed up`,
    );
  });

  it('names the fix when the Application is missing', async () => {
    const exec = async () => ok(undefined);
    await expect(
      findClaims(
        kubectlCli(exec, 'kubectl', target, () => undefined, false),
        target,
      ),
    ).rejects.toThrow(
      'staging/librechat: no Argo CD Application argocd/librechat in context llm-staging; deploy the environment first (npm run deploy -- staging) or pass --context',
    );
  });
});

describe('swapVolume (call order against a fake kubectl)', () => {
  const volume = {
    volumeId: 'vol-0new',
    zone: 'eu-west-1b',
    sizeGiB: 20,
    recoveryPointArn: 'arn:aws:ec2:eu-west-1::snapshot/snap-00000001',
    pvName: 'librechat-datadir-librechat-mongodb-0-vol-0new',
  };

  it('suspends auto-sync, stops the pods, swaps the claim’s volume, restores auto-sync exactly and waits for Bound and Synced', async () => {
    const { exec, calls, state, automated } = cluster();
    const kubectl = kubectlCli(exec, 'kubectl', target, () => undefined, false);
    const claim = (await findClaims(kubectl, target))[0];
    calls.length = 0;
    const result = await swapVolume(kubectl, target, claim, volume, { polling, log: () => undefined });
    const changes = calls.map((c) => c.args.slice(2)).filter((a) => a[0] !== 'get');
    expect(changes).toEqual([
      [
        'patch',
        'applications.argoproj.io',
        'librechat',
        '-n',
        'argocd',
        '--type',
        'json',
        '-p',
        JSON.stringify([
          { op: 'test', path: '/spec/syncPolicy/automated', value: automated },
          { op: 'remove', path: '/spec/syncPolicy/automated' },
        ]),
      ],
      ['scale', 'statefulset/librechat-mongodb', '-n', 'librechat', '--replicas', '0'],
      ['delete', 'persistentvolumeclaim', 'datadir-librechat-mongodb-0', '-n', 'librechat', '--wait=true', '--timeout=3s'],
      ['create', '-f', '-', '-o', 'name'],
      ['scale', 'statefulset/librechat-mongodb', '-n', 'librechat', '--replicas', '1'],
      [
        'patch',
        'applications.argoproj.io',
        'librechat',
        '-n',
        'argocd',
        '--type',
        'json',
        '-p',
        JSON.stringify([{ op: 'add', path: '/spec/syncPolicy/automated', value: automated }]),
      ],
    ]);
    expect(calls.every((c) => c.args[0] === '--context' && c.args[1] === 'llm-staging')).toBe(true);
    expect(state.pvs).toEqual([restoredPersistentVolume(target, claim, volume, { accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem', fsType: 'ext4' })]);
    expect(state.application.spec.syncPolicy).toEqual({ automated, syncOptions: ['CreateNamespace=false'] });
    expect(result).toEqual({ oldVolume: 'pvc-old', memberVolumes: [] });
  });

  it('on a rerun after the swap, only resumes Argo CD and waits', async () => {
    const { exec, calls, state, automated } = cluster();
    const kubectl = kubectlCli(exec, 'kubectl', target, () => undefined, false);
    const claim = (await findClaims(kubectl, target))[0];
    state.pvcs.get(claim.name).spec.volumeName = volume.pvName;
    state.pvs.push(restoredPersistentVolume(target, claim, volume, { accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem', fsType: 'ext4' }));
    calls.length = 0;
    expect(await swapVolume(kubectl, target, claim, volume, { polling, log: () => undefined })).toEqual({ oldVolume: undefined, memberVolumes: [] });
    expect(
      calls
        .map((c) => c.args.slice(2))
        .filter((a) => a[0] !== 'get')
        .map((a) => a[0]),
    ).toEqual(['patch', 'patch']);
    expect(state.application.spec.syncPolicy.automated).toEqual(automated);
  });

  it('keeps auto-sync suspended and says how to finish when a step after the deletion fails', async () => {
    const { exec } = cluster();
    const failing = async (program: string, args: readonly string[], input?: string) =>
      args[2] === 'create' ? { code: 1, stdout: '', stderr: 'persistentvolumes "x" already exists' } : exec(program, args, input);
    const kubectl = kubectlCli(failing, 'kubectl', target, () => undefined, false);
    const claim = (await findClaims(kubectl, target))[0];
    await expect(swapVolume(kubectl, target, claim, volume, { polling, log: () => undefined })).rejects.toThrow(
      /^staging\/librechat claim librechat\/datadir-librechat-mongodb-0: creating the PersistentVolume failed: .*already exists\. Argo CD's automated sync stays suspended so that it cannot recreate the claim on an empty volume; fix the cause, then `kubectl --context llm-staging patch applications.argoproj.io librechat -n argocd --type json -p '\[\{"op":"add"/,
    );
  });

  it("--resync-members: a replica set member's claim is restored, the other members' claims are emptied while the pods are stopped", async () => {
    const { exec, calls, state } = cluster();
    state.workloads[0].spec.replicas = 3;
    for (const i of [1, 2])
      state.pvcs.set(`datadir-librechat-mongodb-${i}`, {
        metadata: { name: `datadir-librechat-mongodb-${i}` },
        spec: { storageClassName: CLASS, volumeName: `pvc-member-${i}` },
        status: { phase: 'Bound' },
      });
    const kubectl = kubectlCli(exec, 'kubectl', target, () => undefined, false);
    const claim = (await findClaims(kubectl, target))[0];
    expect(claim.members).toEqual(['datadir-librechat-mongodb-1', 'datadir-librechat-mongodb-2']);
    calls.length = 0;
    const result = await swapVolume(kubectl, target, claim, volume, { polling, log: () => undefined, resyncMembers: true });
    const changes = calls.map((c) => c.args.slice(2)).filter((a) => a[0] !== 'get');
    expect(changes.map((a) => a.slice(0, 3).join(' '))).toEqual([
      'patch applications.argoproj.io librechat',
      'scale statefulset/librechat-mongodb -n',
      'delete persistentvolumeclaim datadir-librechat-mongodb-0',
      'delete persistentvolumeclaim datadir-librechat-mongodb-1',
      'delete persistentvolumeclaim datadir-librechat-mongodb-2',
      'create -f -',
      'scale statefulset/librechat-mongodb -n',
      'patch applications.argoproj.io librechat',
    ]);
    // All three members start again: 0 on the restored volume, 1 and 2 on new, empty ones.
    expect(changes[6]).toEqual(['scale', 'statefulset/librechat-mongodb', '-n', 'librechat', '--replicas', '3']);
    expect(result).toEqual({ oldVolume: 'pvc-old', memberVolumes: ['pvc-member-1', 'pvc-member-2'] });
  });

  it('--resync-members refuses a claim without other members, before changing anything', async () => {
    const { exec, calls } = cluster();
    const kubectl = kubectlCli(exec, 'kubectl', target, () => undefined, false);
    const claims = await findClaims(kubectl, target);
    calls.length = 0;
    for (const claim of claims)
      await expect(swapVolume(kubectl, target, claim, volume, { polling, log: () => undefined, resyncMembers: true })).rejects.toThrow(
        `staging/librechat: --resync-members needs the claim of one member of a StatefulSet with several replicas; ${claim.name} is a ${claim.source} without other members`,
      );
    expect(calls).toEqual([]);
  });

  it('--dry-run prints the changes and makes none', async () => {
    const { exec, calls } = cluster();
    const lines: string[] = [];
    const kubectl = kubectlCli(exec, 'kubectl', target, (l) => lines.push(l), true);
    const claim = (await findClaims(kubectl, target))[0];
    await swapVolume(kubectl, target, claim, volume, { polling, log: (l) => lines.push(l) });
    expect(calls.filter((c) => c.args[2] !== 'get')).toEqual([]);
    expect(lines.filter((l) => l.startsWith('  $ kubectl')).map((l) => l.split(' ').slice(6, 8).join(' '))).toEqual([
      'patch applications.argoproj.io',
      'scale statefulset/librechat-mongodb',
      'delete persistentvolumeclaim',
      'create -f',
      'scale statefulset/librechat-mongodb',
      'patch applications.argoproj.io',
    ]);
  });
});

describe('restoredPersistentVolume', () => {
  it('binds the EBS volume in advance to the claim, in its zone, on the retained class', () => {
    const pv: any = restoredPersistentVolume(
      target,
      { namespace: 'librechat', name: 'datadir-librechat-mongodb-0' },
      { volumeId: 'vol-0new', zone: 'eu-west-1b', sizeGiB: 20, recoveryPointArn: 'arn:x', pvName: 'pv-1' },
      { accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem', fsType: 'ext4' },
    );
    expect(pv.spec).toEqual({
      capacity: { storage: '20Gi' },
      accessModes: ['ReadWriteOnce'],
      volumeMode: 'Filesystem',
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: 'gp3-retain',
      csi: { driver: 'ebs.csi.aws.com', volumeHandle: 'vol-0new', fsType: 'ext4' },
      claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'librechat', name: 'datadir-librechat-mongodb-0' },
      nodeAffinity: {
        required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-west-1b'] }] }] },
      },
    });
  });
});
