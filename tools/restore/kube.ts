/**
 * The Kubernetes half of a restore: which claims of an app hold backed-up data (read from the
 * objects its Argo CD Application manages, i.e. from the rendered chart), and the swap of one
 * claim onto a restored EBS volume while Argo CD's automated sync is suspended.
 */
import { RestoreError } from './errors';
import { Cli } from './exec';
import { Polling, RestoredVolume } from './aws';
import { RestoreTarget } from './target';

/** A workload whose pods mount a claim. */
export interface Workload {
  readonly kind: 'Deployment' | 'StatefulSet';
  readonly name: string;
  readonly replicas: number;
  /**
   * The controller that owns the workload and sets its replicas (the Prometheus Operator's
   * `Prometheus`, say): scaled instead of the workload, which it would scale back.
   */
  readonly owner?: { readonly apiVersion: string; readonly kind: string; readonly name: string; readonly replicas: number };
}

/** A claim of the app whose volume is backed up (its StorageClass is the retained one). */
export interface AppClaim {
  readonly namespace: string;
  readonly name: string;
  /** The workloads that mount it. */
  readonly consumers: readonly Workload[];
  /** Where the chart declares it: a PVC of the chart, or a StatefulSet's volumeClaimTemplate. */
  readonly source: string;
  /**
   * For a StatefulSet's volumeClaimTemplate: the same template's claims of the other replicas.
   * @default []
   */
  readonly members?: readonly string[];
}

/** The kube resource name of the Application kind. */
const APPLICATIONS = 'applications.argoproj.io';

/** `kubectl` bound to the environment's cluster. */
export function kubectlCli(
  exec: ConstructorParameters<typeof Cli>[0],
  program: string,
  target: RestoreTarget,
  log: (line: string) => void,
  dryRun: boolean,
): Cli {
  return new Cli(exec, program, ['--context', target.context], log, dryRun);
}

async function getApplication(kubectl: Cli, target: RestoreTarget): Promise<any> {
  const app = await kubectl.read(['get', APPLICATIONS, target.application.name, '-n', target.application.namespace, '--ignore-not-found', '-o', 'json']);
  if (!app)
    throw new RestoreError(
      `${target.environment}/${target.app}: no Argo CD Application ${target.application.namespace}/${target.application.name} in context ${target.context}; deploy the environment first (npm run deploy -- ${target.environment}) or pass --context`,
    );
  return app;
}

type Ref = { kind?: string; name?: string; namespace?: string };

/**
 * The claims of the app with the retained StorageClass: PVCs its Application manages, and the
 * volumeClaimTemplates of the StatefulSets it manages or that belong to an object it manages
 * (one per replica: `<template>-<statefulset>-<ordinal>`).
 */
export async function findClaims(kubectl: Cli, target: RestoreTarget): Promise<AppClaim[]> {
  const app = await getApplication(kubectl, target);
  const managed: Ref[] = (app.status?.resources ?? []).filter((r: Ref) => (r.namespace ?? target.namespace) === target.namespace);
  const isManaged = (kind: string, name: string) => managed.some((r) => r.kind === kind && r.name === name);
  const workloads: any[] = (await kubectl.read(['get', 'statefulsets,deployments', '-n', target.namespace, '-o', 'json']))?.items ?? [];
  const pvcs: any[] = (await kubectl.read(['get', 'persistentvolumeclaims', '-n', target.namespace, '-o', 'json']))?.items ?? [];

  const ours: Workload[] = [];
  const templates: { workload: Workload; claims: string[] }[] = [];
  const mounts = new Map<string, string[]>();
  for (const item of workloads) {
    const controller = (item.metadata.ownerReferences ?? []).find((o: any) => o.controller);
    if (!isManaged(item.kind, item.metadata.name) && !(controller && isManaged(controller.kind, controller.name))) continue;
    let owner: Workload['owner'];
    if (controller) {
      const group = String(controller.apiVersion).split('/')[0];
      const live = await kubectl.read(['get', `${controller.kind.toLowerCase()}.${group}`, controller.name, '-n', target.namespace, '-o', 'json']);
      owner = { apiVersion: controller.apiVersion, kind: controller.kind, name: controller.name, replicas: live?.spec?.replicas ?? 1 };
    }
    const workload: Workload = { kind: item.kind, name: item.metadata.name, replicas: item.spec.replicas ?? 1, owner };
    ours.push(workload);
    for (const volume of item.spec.template?.spec?.volumes ?? []) {
      const claim = volume.persistentVolumeClaim?.claimName;
      if (claim) mounts.set(claim, [...(mounts.get(claim) ?? []), item.metadata.name]);
    }
    if (item.kind === 'StatefulSet') {
      const replicas = Math.max(item.spec.replicas ?? 1, owner?.replicas ?? 0, 1);
      const claims = (item.spec.volumeClaimTemplates ?? [])
        .filter((t: any) => t.spec?.storageClassName === target.storageClass)
        .flatMap((t: any) => Array.from({ length: replicas }, (_, i) => `${t.metadata.name}-${item.metadata.name}-${i}`));
      templates.push({ workload, claims });
    }
  }
  const claims: AppClaim[] = [];
  for (const { workload, claims: names } of templates)
    for (const name of names) {
      const template = name.slice(0, name.lastIndexOf('-'));
      const members = names.filter((other) => other !== name && other.slice(0, other.lastIndexOf('-')) === template);
      claims.push({ namespace: target.namespace, name, consumers: [workload], source: `volumeClaimTemplate of StatefulSet ${workload.name}`, members });
    }
  // PVCs of the chart: of the retained class, or gone (Argo CD still lists them; their class is
  // unknown, and only a backed-up one has recovery points).
  for (const ref of managed.filter((r) => r.kind === 'PersistentVolumeClaim' && r.name)) {
    const name = ref.name!;
    const live = pvcs.find((p) => p.metadata.name === name);
    if (live && live.spec.storageClassName !== target.storageClass) continue;
    const consumers = ours.filter((w) => (mounts.get(name) ?? []).includes(w.name));
    claims.push({ namespace: target.namespace, name, consumers, source: `PersistentVolumeClaim of the chart${live ? '' : ', absent'}` });
  }
  return claims.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The claim to restore: the one named by `--volume`, or the app's only one.
 * @throws RestoreError listing the claims when the choice is missing or wrong.
 */
export function pickClaim(target: RestoreTarget, claims: readonly AppClaim[], volume: string | undefined): AppClaim {
  const listing = claims.map((c) => `  ${c.name} (${c.source})`).join('\n');
  if (claims.length === 0)
    throw new RestoreError(
      `${target.environment}/${target.app}: the Application manages no claim of StorageClass ${target.storageClass} in namespace ${target.namespace}, so nothing of it is backed up`,
    );
  if (volume === undefined) {
    if (claims.length === 1) return claims[0];
    throw new RestoreError(`${target.environment}/${target.app} has ${claims.length} backed-up claims; choose one with --volume <claim>:\n${listing}`);
  }
  const claim = claims.find((c) => c.name === volume);
  if (!claim) throw new RestoreError(`${target.environment}/${target.app}: --volume ${volume} is not one of its backed-up claims:\n${listing}`);
  return claim;
}

/** The PersistentVolume of a restored EBS volume, bound in advance to exactly `claim`. */
export function restoredPersistentVolume(
  target: RestoreTarget,
  claim: { namespace: string; name: string },
  volume: RestoredVolume,
  shape: { accessModes: readonly string[]; volumeMode: string; fsType: string },
): object {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name: volume.pvName,
      annotations: { 'llm-platform/recovery-point': volume.recoveryPointArn },
    },
    spec: {
      capacity: { storage: `${volume.sizeGiB}Gi` },
      accessModes: [...shape.accessModes],
      volumeMode: shape.volumeMode,
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: target.storageClass,
      csi: { driver: 'ebs.csi.aws.com', volumeHandle: volume.volumeId, fsType: shape.fsType },
      // No uid: the claim is recreated (by Argo CD or the StatefulSet) after this PV exists.
      claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: claim.namespace, name: claim.name },
      // The well-known label every node carries; the driver's example for static volumes uses it too.
      nodeAffinity: {
        required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: [volume.zone] }] }] },
      },
    },
  };
}

/** Options of {@link swapVolume}. */
export interface SwapOptions {
  readonly polling: Polling;
  readonly log: (line: string) => void;
  /** @default Date.now */
  readonly now?: () => number;
  /**
   * Also delete the claims of the StatefulSet's other members (their volumes are retained) while
   * its pods are stopped: they start on new, empty volumes and copy the restored member's data
   * (a MongoDB replica set's initial sync).
   * @default false
   */
  readonly resyncMembers?: boolean;
}

/**
 * The claims `--resync-members` empties besides `claim`: its StatefulSet's other members'.
 * @throws RestoreError when the claim has none (not a StatefulSet's, or one replica).
 */
export function memberClaims(target: RestoreTarget, claim: AppClaim): readonly string[] {
  const members = claim.members ?? [];
  if (members.length === 0)
    throw new RestoreError(
      `${target.environment}/${target.app}: --resync-members needs the claim of one member of a StatefulSet with several replicas; ${claim.name} is a ${claim.source} without other members`,
    );
  return members;
}

async function waitFor<T>(polling: Polling, look: () => Promise<T | undefined>): Promise<T | undefined> {
  const sleep = polling.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; attempt <= polling.attempts; attempt++) {
    const found = await look();
    if (found !== undefined) return found;
    if (attempt < polling.attempts) await sleep(polling.intervalMs);
  }
  return undefined;
}

/** `kubectl scale` (or a patch of the owning controller's replicas) of one workload. */
function scaleArgs(target: RestoreTarget, workload: Workload, replicas: number): string[] {
  if (workload.owner) {
    const group = workload.owner.apiVersion.split('/')[0];
    return [
      'patch',
      `${workload.owner.kind.toLowerCase()}.${group}`,
      workload.owner.name,
      '-n',
      target.namespace,
      '--type',
      'merge',
      '-p',
      JSON.stringify({ spec: { replicas } }),
    ];
  }
  return ['scale', `${workload.kind.toLowerCase()}/${workload.name}`, '-n', target.namespace, '--replicas', String(replicas)];
}

/**
 * Puts `volume` under `claim`: suspends the Application's automated sync (self-heal would scale
 * the workloads back and recreate the deleted claim on a new, empty volume), scales the claim's
 * workloads to 0, deletes the claim (its retained volume stays, Released), creates a
 * PersistentVolume bound in advance to the claim's name, scales the workloads back, restores the
 * automated sync exactly as it was, and waits until the recreated claim is Bound to the new
 * volume and Argo CD reports the Application Synced. Stops without restoring the sync when a step
 * fails after the claim was deleted, and says how to finish.
 */
export async function swapVolume(
  kubectl: Cli,
  target: RestoreTarget,
  claim: AppClaim,
  volume: RestoredVolume,
  options: SwapOptions,
): Promise<{ oldVolume?: string; memberVolumes: readonly string[] }> {
  const { log, polling } = options;
  const now = options.now ?? Date.now;
  const members = options.resyncMembers ? memberClaims(target, claim) : [];
  const ns = target.namespace;
  const appRef = ['-n', target.application.namespace];
  const where = `${target.environment}/${target.app} claim ${ns}/${claim.name}`;

  const app = await getApplication(kubectl, target);
  const automated = app.spec?.syncPolicy?.automated;
  const oldPvc = await kubectl.read(['get', 'persistentvolumeclaim', claim.name, '-n', ns, '--ignore-not-found', '-o', 'json']);
  const storageClass = await kubectl.read(['get', 'storageclass', target.storageClass, '--ignore-not-found', '-o', 'json']);
  const shape = {
    accessModes: oldPvc?.spec?.accessModes ?? ['ReadWriteOnce'],
    volumeMode: oldPvc?.spec?.volumeMode ?? 'Filesystem',
    fsType: storageClass?.parameters?.fsType ?? storageClass?.parameters?.['csi.storage.k8s.io/fstype'] ?? 'ext4',
  };
  /** `kubectl patch` of the Application with JSON patch `ops`. */
  const patchApplication = (ops: readonly object[]) => ['patch', APPLICATIONS, target.application.name, ...appRef, '--type', 'json', '-p', JSON.stringify(ops)];
  const restoreSync = automated ? patchApplication([{ op: 'add', path: '/spec/syncPolicy/automated', value: automated }]) : undefined;
  const finish = (step: string) =>
    `${where}: ${step}. Argo CD's automated sync stays suspended so that it cannot recreate the claim on an empty volume; fix the cause, then ${
      restoreSync ? `\`${kubectl.line(restoreSync)}\`` : 'sync the Application'
    } (or run the command again with the same recovery point)`;

  log(`1. suspend automated sync of Application ${target.application.name}${automated ? '' : ' (already off: left off)'}`);
  if (automated)
    await kubectl.change(
      patchApplication([
        { op: 'test', path: '/spec/syncPolicy/automated', value: automated },
        { op: 'remove', path: '/spec/syncPolicy/automated' },
      ]),
    );

  // A rerun after the swap (the wait timed out, say): the claim is already on the restored volume.
  const done = oldPvc?.spec?.volumeName === volume.pvName;
  const memberVolumes: string[] = [];
  if (done) log(`2.-5. ${claim.name} is already Bound to ${volume.pvName}: only Argo CD is left`);
  else {
    log(
      `2. stop the pods that mount ${claim.name}: ${claim.consumers.map((w) => `${w.kind} ${w.name}${w.owner ? ` (through ${w.owner.kind} ${w.owner.name})` : ''}`).join(', ') || 'none'}`,
    );
    for (const workload of claim.consumers) await kubectl.change(scaleArgs(target, workload, 0));
    if (!kubectl.dryRun) {
      const idle = await waitFor(polling, async () => {
        const pods: any[] = (await kubectl.read(['get', 'pods', '-n', ns, '-o', 'json']))?.items ?? [];
        const stopping = [claim.name, ...members];
        return pods.some((p) => (p.spec.volumes ?? []).some((v: any) => stopping.includes(v.persistentVolumeClaim?.claimName))) ? undefined : true;
      });
      if (!idle)
        throw new RestoreError(finish(`pods still mount the claim after ${(polling.attempts * polling.intervalMs) / 1000}s (kubectl -n ${ns} get pods)`));
    }

    log(`3. delete claim ${claim.name}${oldPvc ? ` (its volume ${oldPvc.spec?.volumeName ?? '-'} is retained: Released)` : ' (absent)'}`);
    if (oldPvc)
      await kubectl.change([
        'delete',
        'persistentvolumeclaim',
        claim.name,
        '-n',
        ns,
        '--wait=true',
        `--timeout=${Math.ceil((polling.attempts * polling.intervalMs) / 1000)}s`,
      ]);

    for (const member of members) {
      const live = await kubectl.read(['get', 'persistentvolumeclaim', member, '-n', ns, '--ignore-not-found', '-o', 'json']);
      log(
        `3. delete member claim ${member}${live ? ` (its volume ${live.spec?.volumeName ?? '-'} is retained: Released); the member starts empty and copies the restored one` : ' (absent)'}`,
      );
      if (live) {
        if (live.spec?.volumeName) memberVolumes.push(live.spec.volumeName);
        await kubectl.change([
          'delete',
          'persistentvolumeclaim',
          member,
          '-n',
          ns,
          '--ignore-not-found',
          '--wait=true',
          `--timeout=${Math.ceil((polling.attempts * polling.intervalMs) / 1000)}s`,
        ]);
      }
    }

    log(`4. PersistentVolume ${volume.pvName} for ${volume.volumeId} in ${volume.zone}, bound in advance to ${ns}/${claim.name}`);
    const existing = await kubectl.read(['get', 'persistentvolume', volume.pvName, '--ignore-not-found', '-o', 'json']);
    if (existing && existing.spec?.csi?.volumeHandle !== volume.volumeId)
      throw new RestoreError(finish(`PersistentVolume ${volume.pvName} exists for another volume (${existing.spec?.csi?.volumeHandle})`));
    if (existing) log(`   (exists from an earlier run: kept)`);
    else
      try {
        await kubectl.change(['create', '-f', '-', '-o', 'name'], `${JSON.stringify(restoredPersistentVolume(target, claim, volume, shape), null, 2)}\n`);
      } catch (error) {
        throw new RestoreError(finish(`creating the PersistentVolume failed: ${(error as Error).message}`));
      }

    log(`5. start the pods again${claim.consumers.length ? '' : ' (none)'}`);
    for (const workload of claim.consumers) await kubectl.change(scaleArgs(target, workload, workload.owner?.replicas ?? workload.replicas));
  }

  log(`6. restore automated sync${restoreSync ? '' : ' (it was off: nothing to restore)'}`);
  const resumed = Math.floor(now() / 1000) * 1000;
  if (restoreSync) await kubectl.change(restoreSync);

  log(`7. wait until ${claim.name} is Bound to ${volume.pvName} and Argo CD reports ${target.application.name} Synced`);
  const oldVolume: string | undefined = done ? undefined : oldPvc?.spec?.volumeName;
  if (kubectl.dryRun) return { oldVolume, memberVolumes };
  const bound = await waitFor(polling, async () => {
    const pvc = await kubectl.read(['get', 'persistentvolumeclaim', claim.name, '-n', ns, '--ignore-not-found', '-o', 'json']);
    if (pvc?.spec?.volumeName && pvc.spec.volumeName !== volume.pvName)
      throw new RestoreError(
        `${where}: the claim was recreated on ${pvc.spec.volumeName}, not on ${volume.pvName}; scale its workloads to 0, delete the claim and run the command again`,
      );
    return pvc?.status?.phase === 'Bound' ? true : undefined;
  });
  if (!bound)
    throw new RestoreError(
      `${where}: not Bound to ${volume.pvName} after ${(polling.attempts * polling.intervalMs) / 1000}s; \`kubectl -n ${ns} describe pvc ${claim.name}\` says why (Argo CD recreates a claim of the chart once its sync runs: \`argocd app sync ${target.application.name}\`)`,
    );
  const synced = await waitFor(polling, async () => {
    const live = await getApplication(kubectl, target);
    const reconciled = Date.parse(live.status?.reconciledAt ?? '');
    return live.status?.sync?.status === 'Synced' && reconciled >= resumed ? true : undefined;
  });
  if (!synced)
    throw new RestoreError(
      `${where}: the volume is restored and Bound, but Argo CD has not reported ${target.application.name} Synced since; \`kubectl -n ${target.application.namespace} get application ${target.application.name} -o jsonpath='{.status.sync.status} {.status.conditions}'\` shows why`,
    );
  return { oldVolume, memberVolumes };
}
