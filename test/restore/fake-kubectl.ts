/**
 * A fake kubectl holding LibreChat's objects as its Application manages them on EKS, for the
 * restore's tests: answers the calls of tools/restore/kube.ts, records them, and plays the
 * controllers and Argo CD just enough (the claim comes back Bound, the Application Synced, once
 * automated sync is restored).
 */
import { ExecResult } from '../../tools/restore/exec';
import { Call } from './fake-aws';

const ok = (value: unknown): ExecResult => ({ code: 0, stdout: value === undefined ? '' : JSON.stringify(value), stderr: '' });

/** LibreChat as its Application manages it: the wrapper's MongoDB StatefulSet, Meilisearch with the chart's PVC, LibreChat's own volume of another class. */
export function cluster(CLASS: string) {
  const automated = { prune: true, selfHeal: true, allowEmpty: false };
  const state = {
    application: {
      metadata: { name: 'librechat', namespace: 'argocd' },
      spec: { syncPolicy: { automated, syncOptions: ['CreateNamespace=false'] } },
      status: {
        sync: { status: 'Synced' },
        reconciledAt: '2026-12-07T10:00:00Z',
        resources: [
          { group: 'apps', kind: 'StatefulSet', namespace: 'librechat', name: 'librechat-mongodb' },
          { group: 'apps', kind: 'StatefulSet', namespace: 'librechat', name: 'librechat-meilisearch' },
          { group: 'apps', kind: 'Deployment', namespace: 'librechat', name: 'librechat-librechat' },
          { kind: 'PersistentVolumeClaim', namespace: 'librechat', name: 'librechat-meilisearch' },
          { kind: 'PersistentVolumeClaim', namespace: 'librechat', name: 'librechat-librechat-images' },
        ],
      } as any,
    },
    workloads: [
      {
        kind: 'StatefulSet',
        metadata: { name: 'librechat-mongodb' },
        spec: {
          replicas: 1,
          template: { spec: { volumes: [] } },
          volumeClaimTemplates: [{ metadata: { name: 'datadir' }, spec: { storageClassName: CLASS } }],
        },
      },
      {
        kind: 'StatefulSet',
        metadata: { name: 'librechat-meilisearch' },
        spec: { replicas: 1, template: { spec: { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'librechat-meilisearch' } }] } } },
      },
      {
        kind: 'Deployment',
        metadata: { name: 'librechat-librechat' },
        spec: { replicas: 1, template: { spec: { volumes: [{ name: 'images', persistentVolumeClaim: { claimName: 'librechat-librechat-images' } }] } } },
      },
      // Not the Application's: ignored.
      {
        kind: 'StatefulSet',
        metadata: { name: 'stray' },
        spec: { replicas: 1, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { storageClassName: CLASS } }] },
      },
    ],
    pvcs: new Map<string, any>([
      [
        'datadir-librechat-mongodb-0',
        {
          metadata: { name: 'datadir-librechat-mongodb-0' },
          spec: { storageClassName: CLASS, accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem', volumeName: 'pvc-old' },
          status: { phase: 'Bound' },
        },
      ],
      [
        'librechat-meilisearch',
        { metadata: { name: 'librechat-meilisearch' }, spec: { storageClassName: CLASS, volumeName: 'pvc-meili' }, status: { phase: 'Bound' } },
      ],
      [
        'librechat-librechat-images',
        { metadata: { name: 'librechat-librechat-images' }, spec: { storageClassName: 'gp3', volumeName: 'pvc-img' }, status: { phase: 'Bound' } },
      ],
    ]),
    pods: [{ metadata: { name: 'librechat-mongodb-0' }, spec: { volumes: [{ persistentVolumeClaim: { claimName: 'datadir-librechat-mongodb-0' } }] } }],
    pvs: [] as any[],
  };
  const calls: Call[] = [];
  const exec = async (program: string, args: readonly string[], input?: string): Promise<ExecResult> => {
    calls.push({ program, args, input });
    const [verb, what, name] = args.slice(2);
    if (verb === 'get' && what === 'applications.argoproj.io') return ok(state.application);
    if (verb === 'get' && what === 'statefulsets,deployments') return ok({ items: state.workloads });
    if (verb === 'get' && what === 'persistentvolumeclaims') return ok({ items: [...state.pvcs.values()] });
    if (verb === 'get' && what === 'persistentvolumeclaim') return ok(state.pvcs.get(name));
    if (verb === 'get' && what === 'persistentvolume') return ok(state.pvs.find((pv) => pv.metadata.name === name));
    if (verb === 'get' && what === 'storageclass') return ok({ parameters: { type: 'gp3', fsType: 'ext4' } });
    if (verb === 'get' && what === 'pods') return ok({ items: state.pods });
    if (verb === 'patch' && what === 'applications.argoproj.io') {
      const ops = JSON.parse(args[args.indexOf('-p') + 1]);
      for (const op of ops) {
        if (op.op === 'remove') delete (state.application.spec.syncPolicy as { automated?: unknown }).automated;
        if (op.op === 'add') {
          state.application.spec.syncPolicy.automated = op.value;
          // Argo CD self-heals: the StatefulSet recreates the claim, the PV controller binds it.
          const pv = state.pvs[0];
          state.pvcs.set(pv.spec.claimRef.name, {
            metadata: { name: pv.spec.claimRef.name },
            spec: { volumeName: pv.metadata.name },
            status: { phase: 'Bound' },
          });
          state.application.status = { ...state.application.status, sync: { status: 'Synced' }, reconciledAt: '2099-01-01T00:00:00Z' };
        }
      }
      return ok(undefined);
    }
    if (verb === 'scale') {
      if (args.includes('0')) state.pods = [];
      return ok(undefined);
    }
    if (verb === 'delete') {
      state.pvcs.delete(args[4]);
      return ok(undefined);
    }
    if (verb === 'create') {
      state.pvs.push(JSON.parse(input!));
      return ok(undefined);
    }
    return { code: 1, stdout: '', stderr: `fake kubectl: unexpected ${args.join(' ')}` };
  };
  return { state, calls, exec, automated };
}
