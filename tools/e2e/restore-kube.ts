/**
 * The e2e step of `npm run restore`'s Kubernetes half, against the e2e's real kube-apiserver and
 * kube-controller-manager (tools/e2e/restore.sh runs it inside tools/e2e/control-plane.sh):
 *
 *   restore-kube.ts <Argo CD CRDs dir>
 *
 * Creates what an EKS cluster holds for LibreChat's MongoDB: the retained StorageClass, the
 * Application (Argo CD's real CRD) with automated sync and the StatefulSet among its resources,
 * and the StatefulSet with its volumeClaimTemplate, whose claim the StatefulSet controller
 * creates. Then finds the claim the way `npm run restore` does and swaps it onto a fake EBS volume
 * id. There is no kubelet, scheduler, CSI driver or Argo CD controller here: the PV controller of
 * kube-controller-manager binds the claim the StatefulSet recreates to the pre-bound
 * PersistentVolume, and a stand-in for Argo CD's status reports the Application Synced once its
 * automated sync is back (recording whether the PersistentVolume existed by then).
 *
 * Asserts the PersistentVolume's driver, volume handle, zone affinity, class, reclaim policy and
 * claimRef, the claim Bound to it, the StatefulSet's replicas and the Application's automated
 * sync restored exactly. Last line: `restore: N passed, N failed`; exit 0, 1 on a failed check,
 * 3 when the CRDs are missing (skipped).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import { CATALOG } from '../../apps/catalog';
import { ENVIRONMENTS, loadEnvironments } from '../../environments';
import { Cli, spawnExec } from '../restore/exec';
import { findClaims, pickClaim, swapVolume } from '../restore/kube';
import { restoreTarget, restoredPvName } from '../restore/target';

const kubectl = process.env.E2E_KUBECTL_BIN ?? 'kubectl';
const context = process.env.E2E_KUBE_CONTEXT ?? 'e2e-local';
const k = (args: string[], input?: string) =>
  execFileSync(kubectl, ['--context', context, ...args], { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
const get = (args: string[]) => JSON.parse(k([...args, '-o', 'json']));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let passed = 0;
let failed = 0;
function check(name: string, ok: boolean, detail = ''): void {
  if (ok) passed++;
  else failed++;
  console.log(`restore: ${ok ? 'ok  ' : 'FAIL'} ${name}${ok || !detail ? '' : `: ${detail}`}`);
}

async function main(): Promise<number> {
  const crds = process.argv[2];
  const crd = crds && path.join(crds, 'application-crd.yaml');
  if (!crd || !fs.existsSync(crd)) {
    console.log(`restore: SKIPPED — Argo CD's Application CRD is not at ${crd} (../shared/upstream reference data)`);
    return 3;
  }
  // The staging environment's names and tags; this cluster stands in for its EKS cluster.
  const staging = loadEnvironments(ENVIRONMENTS, CATALOG).find((e) => e.name === 'staging')!;
  const target = restoreTarget(staging, CATALOG, 'librechat', context);
  const sts = 'librechat-mongodb';
  const automated = { prune: true, selfHeal: true, allowEmpty: false };

  k(['apply', '--server-side', '-f', crd]);
  // Polled: `kubectl wait` fails instead of waiting while the new CRD has no conditions yet.
  let established = false;
  for (let i = 0; i < 120 && !established; i++) {
    const conditions: { type: string; status: string }[] = get(['get', 'crd', 'applications.argoproj.io']).status?.conditions ?? [];
    established = conditions.some((c) => c.type === 'Established' && c.status === 'True');
    if (!established) await sleep(500);
  }
  if (!established) throw new Error('the Application CRD is not Established after 60s');
  const objects = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: target.application.namespace } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: target.namespace } },
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: target.storageClass },
      provisioner: 'ebs.csi.aws.com',
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'WaitForFirstConsumer',
      parameters: { type: 'gp3', encrypted: 'true', fsType: 'ext4' },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: sts, namespace: target.namespace },
      spec: {
        replicas: 1,
        serviceName: sts,
        selector: { matchLabels: { app: sts } },
        template: {
          metadata: { labels: { app: sts } },
          spec: { containers: [{ name: 'mongodb', image: 'mongo:8.0.15', volumeMounts: [{ name: 'datadir', mountPath: '/data/db' }] }] },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'datadir' },
            spec: { accessModes: ['ReadWriteOnce'], storageClassName: target.storageClass, resources: { requests: { storage: '1Gi' } } },
          },
        ],
      },
    },
  ];
  k(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
  // The Application as Terraform creates it, with the status Argo CD keeps (the CRD has no status subresource).
  k(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: target.application.name, namespace: target.application.namespace },
      spec: {
        project: 'llm-platform',
        source: { repoURL: 'https://git.example.com/platform.git', path: 'apps/librechat', targetRevision: 'refs/heads/env/staging' },
        destination: { server: 'https://kubernetes.default.svc', namespace: target.namespace },
        syncPolicy: { automated, syncOptions: ['CreateNamespace=false'] },
      },
      status: {
        sync: { status: 'Synced' },
        health: { status: 'Healthy' },
        reconciledAt: new Date(Date.now() - 3600_000).toISOString().replace(/\.\d+Z$/, 'Z'),
        resources: [{ group: 'apps', version: 'v1', kind: 'StatefulSet', namespace: target.namespace, name: sts }],
      },
    }),
  );

  // The StatefulSet controller creates the claim the chart expects.
  const claimName = `datadir-${sts}-0`;
  let created = false;
  for (let i = 0; i < 60 && !created; i++) {
    created = k(['get', 'pvc', claimName, '-n', target.namespace, '--ignore-not-found', '-o', 'name']).trim() !== '';
    if (!created) await sleep(500);
  }
  check(`the StatefulSet controller created ${claimName}`, created);
  const oldUid = created ? get(['get', 'pvc', claimName, '-n', target.namespace]).metadata.uid : '';

  const log = (line: string) => console.log(`restore:      ${line}`);
  const cli = new Cli(spawnExec, kubectl, ['--context', context], log, false);
  const claims = await findClaims(cli, target);
  check(
    'findClaims lists exactly the volumeClaimTemplate claim',
    isDeepStrictEqual(
      claims.map((c) => c.name),
      [claimName],
    ),
    JSON.stringify(claims),
  );
  const claim = pickClaim(target, claims, undefined);

  // Stand-in for Argo CD's status: Synced, reconciled now, while automated sync is on.
  let pvExistedWhenResumed: boolean | undefined;
  let standIn = true;
  const volume = {
    volumeId: 'vol-0e2e0000000000001',
    zone: target.zones[1] ?? target.zones[0],
    sizeGiB: 1,
    recoveryPointArn: 'arn:aws:ec2:eu-west-1::snapshot/snap-0e2e0000000000001',
    pvName: '',
  };
  const pvName = restoredPvName(claim, volume.volumeId);
  const argo = (async () => {
    let wasOff = false;
    while (standIn) {
      const app = get(['get', 'applications.argoproj.io', target.application.name, '-n', target.application.namespace]);
      if (!app.spec.syncPolicy?.automated) wasOff = true;
      else if (wasOff) {
        if (pvExistedWhenResumed === undefined) pvExistedWhenResumed = k(['get', 'pv', pvName, '--ignore-not-found', '-o', 'name']).trim() !== '';
        const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
        k([
          'patch',
          'applications.argoproj.io',
          target.application.name,
          '-n',
          target.application.namespace,
          '--type',
          'merge',
          '-p',
          JSON.stringify({ status: { sync: { status: 'Synced' }, reconciledAt: now } }),
        ]);
      }
      await sleep(300);
    }
  })();

  let error: Error | undefined;
  try {
    await swapVolume(cli, target, claim, { ...volume, pvName }, { polling: { intervalMs: 1000, attempts: 90 }, log });
  } catch (e) {
    error = e as Error;
  }
  standIn = false;
  await argo;
  check('swapVolume finished', error === undefined, error?.message);

  const pv = JSON.parse(k(['get', 'pv', pvName, '--ignore-not-found', '-o', 'json']) || '{}');
  const pvc = get(['get', 'pvc', claimName, '-n', target.namespace]);
  check('PV csi.driver is ebs.csi.aws.com', pv.spec?.csi?.driver === 'ebs.csi.aws.com', JSON.stringify(pv.spec?.csi));
  check('PV csi.volumeHandle is the restored volume', pv.spec?.csi?.volumeHandle === volume.volumeId);
  check('PV csi.fsType is the StorageClass fsType', pv.spec?.csi?.fsType === 'ext4');
  check(
    'PV nodeAffinity requires the volume’s zone',
    isDeepStrictEqual(pv.spec?.nodeAffinity, {
      required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: [volume.zone] }] }] },
    }),
    JSON.stringify(pv.spec?.nodeAffinity),
  );
  check('PV storageClassName is the retained class', pv.spec?.storageClassName === target.storageClass);
  check('PV reclaim policy is Retain', pv.spec?.persistentVolumeReclaimPolicy === 'Retain');
  check(
    'PV claimRef names the claim the chart expects',
    pv.spec?.claimRef?.namespace === target.namespace && pv.spec?.claimRef?.name === claimName,
    JSON.stringify(pv.spec?.claimRef),
  );
  check('PV claimRef.uid is the recreated claim (bound by the PV controller)', pv.spec?.claimRef?.uid === pvc.metadata.uid && pvc.metadata.uid !== oldUid);
  check('PV is Bound', pv.status?.phase === 'Bound', pv.status?.phase);
  check('the claim is Bound to the PV', pvc.status?.phase === 'Bound' && pvc.spec?.volumeName === pvName, `${pvc.status?.phase} ${pvc.spec?.volumeName}`);
  check('the StatefulSet is back at 1 replica', get(['get', 'statefulset', sts, '-n', target.namespace]).spec.replicas === 1);
  const app = get(['get', 'applications.argoproj.io', target.application.name, '-n', target.application.namespace]);
  check(
    'automated sync restored exactly',
    isDeepStrictEqual(app.spec.syncPolicy, { automated, syncOptions: ['CreateNamespace=false'] }),
    JSON.stringify(app.spec.syncPolicy),
  );
  check('automated sync came back only after the PV existed', pvExistedWhenResumed === true, String(pvExistedWhenResumed));

  console.log(`restore: ${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`restore: FAIL ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
