/**
 * `npm run render`: every Application rendered as Argo CD's repo-server would, from the
 * synthesized stacks, with offline stand-in dependency charts (test/render/fixtures/charts), and
 * each semantic check proved by a fixture that breaks it. Needs helm (RENDER_HELM or the PATH);
 * without it the suite is skipped with a warning.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vm from 'vm';
import { parse } from 'yaml';
import { CATALOG, DCGM_EXPORTER, LIBRECHAT, OLLAMA } from '../../apps/catalog';
import { COOLDOWN_SECONDS, GATEWAY_FRONTEND, gatewayName, gatewayPodLabels, startingMessage, wakeQuery } from '../../apps/ollama-scaling';
import { AppDefinition } from '../../contracts/app-definition';
import { ENVIRONMENTS, loadEnvironments } from '../../environments';
import { writeGeneratedValues } from '../../stacks/generated-values';
import { writeStandIns } from '../../tools/e2e/argocd/stand-ins';
import { formatFinding } from '../../tools/render/checks';
import { findHelm } from '../../tools/render/helm';
import { EnvironmentRender, renderRepository } from '../../tools/render/render';
import { appContexts } from '../../stacks/app-contexts';

const FIXTURES = path.join(__dirname, 'fixtures');
const helm = findHelm();
if (!helm) {
  console.warn('SKIPPED test/render: no helm (set RENDER_HELM or put helm on the PATH; tools/e2e/argocd/build.sh builds one)');
}

/** A third app whose dependency renders its values: proves precedence, release name, namespace. */
const PROBE: AppDefinition = {
  name: 'probe',
  namespace: 'probe-ns',
  values: () => ({ probe: { fromObject: 'generated' } }),
};

/** A copy of the repository's apps/ plus the probe app, with `edit` applied to it. */
function repoCopy(edit: (root: string) => void = () => {}): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'render-test-'));
  fs.cpSync('apps', path.join(root, 'apps'), { recursive: true });
  fs.cpSync(path.join(FIXTURES, 'probe-app'), path.join(root, 'apps', 'probe'), { recursive: true });
  edit(root);
  return root;
}

function render(options: { catalog?: readonly AppDefinition[]; environments?: string[]; edit?: (root: string) => void } = {}): EnvironmentRender[] {
  const repoRoot = repoCopy(options.edit);
  const catalog = options.catalog ?? [...CATALOG, PROBE];
  // Apps of the catalog without a stand-in here (an app added by the README recipe) get the
  // e2e's generic stand-in.
  const chartsDir = path.join(repoRoot, 'stand-ins');
  fs.cpSync(path.join(FIXTURES, 'charts'), chartsDir, { recursive: true });
  writeStandIns(
    repoRoot,
    chartsDir,
    chartsDir,
    catalog.filter((app) => fs.existsSync(path.join(repoRoot, 'apps', app.name, 'Chart.yaml'))),
  );
  // What `npm run values` writes for the copy's catalog (the probe app included).
  const environments = ENVIRONMENTS.filter((e) => !options.environments || options.environments.includes(e.name));
  writeGeneratedValues(repoRoot, loadEnvironments(environments, catalog, {}), catalog);
  try {
    return renderRepository({
      repoRoot,
      helm: helm!,
      chartsDir,
      catalog,
      environments,
      env: {},
    });
  } finally {
    fs.rmSync(repoRoot, { recursive: true, force: true });
  }
}

/**
 * The catalog with `app` in place of the entry of the same name: every other app stays, so the
 * environments (which configure them all) still validate.
 */
const replacing = (app: AppDefinition): AppDefinition[] => CATALOG.map((entry) => (entry.name === app.name ? app : entry));

const findings = (renders: EnvironmentRender[]) => renders.flatMap((r) => r.findings.map((f) => formatFinding(r.environment, f)));
const objects = (renders: EnvironmentRender[], env: string, app: string) =>
  renders.find((r) => r.environment === env)!.apps.find((a) => a.app === app)!.objects;
const find = (renders: EnvironmentRender[], env: string, app: string, kind: string, name: string) =>
  objects(renders, env, app).find((o) => o.kind === kind && o.metadata.name === name)!;
const appendYaml = (root: string, file: string, text: string) => fs.appendFileSync(path.join(root, 'apps', file), text);

/** The render of the shipped repository plus the probe app, once for the suites that read it. */
let shipped: EnvironmentRender[] | undefined;
const shippedRenders = () => (shipped ??= render());

(helm ? describe : describe.skip)('render of the shipped repository', () => {
  let renders: EnvironmentRender[];
  beforeAll(() => {
    renders = shippedRenders();
  });

  test('renders every Application of every environment with no findings', () => {
    const names = [...CATALOG.map((app) => app.name), PROBE.name].sort();
    expect(names).toEqual(expect.arrayContaining(['librechat', 'ollama', 'probe']));
    expect(renders.map((r) => [r.environment, r.apps.map((a) => a.app)])).toEqual(
      ENVIRONMENTS.map((e) => e.name)
        .sort()
        .map((env) => [env, names]),
    );
    expect(findings(renders)).toEqual([]);
  });

  test.each(['dev', 'staging', 'prod'])(
    '%s: value files in order, the generated one last; release name, namespace and Kubernetes version of the Application',
    (env) => {
      const probe = find(renders, env, 'probe', 'ConfigMap', 'probe-probe');
      expect(probe.metadata.namespace).toBe('probe-ns');
      expect(probe.data).toEqual({
        fromBase: 'base',
        fromEnv: `values-${env}`,
        fromObject: 'generated',
        kubeVersion: env === 'dev' ? 'v1.34.0' : 'v1.35.0',
      });
    },
  );

  test('the generated values reach the chart as written: librechat.yaml reads ${OLLAMA_BASE_URL}', () => {
    const config = parse(find(renders, 'dev', 'librechat', 'ConfigMap', 'librechat-librechat-config').data['librechat.yaml']);
    expect(config.endpoints.custom[0].baseURL).toBe('${OLLAMA_BASE_URL}/v1/');
  });

  test.each(['dev', 'staging', 'prod'])(
    "%s: MongoDB is the official image, exact-pinned, with authentication from the Terraform Secret and LibreChat's user",
    (env) => {
      const all = objects(renders, env, 'librechat');
      expect(all.filter((o) => JSON.stringify(o).includes('bitnami'))).toEqual([]);
      expect(all.filter((o) => o.kind === 'Deployment' && o.metadata.name === 'librechat-mongodb')).toEqual([]);
      const mongodb = find(renders, env, 'librechat', 'StatefulSet', 'librechat-mongodb');
      const container = mongodb.spec.template.spec.containers[0];
      expect(container.image).toBe('docker.io/library/mongo:8.0.13');
      const env_ = Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom.secretKeyRef]));
      expect(env_).toMatchObject({
        MONGO_INITDB_ROOT_USERNAME: 'root',
        MONGO_INITDB_ROOT_PASSWORD: { name: 'librechat-mongodb', key: 'mongodb-root-password' },
        MONGO_INITDB_DATABASE: 'LibreChat',
        MONGODB_APPLICATION_PASSWORD: { name: 'librechat-mongodb', key: 'mongodb-passwords' },
      });
      const init = find(renders, env, 'librechat', 'ConfigMap', 'librechat-mongodb-init').data['10-application-user.js'];
      expect(init).toContain('db.getSiblingDB("LibreChat").createUser({');
      expect(init).toContain('user: "librechat",');
      expect(init).toContain('pwd: process.env.MONGODB_APPLICATION_PASSWORD,');
      expect(init).toContain(`roles: [{ role: 'readWrite', db: "LibreChat" }]`);
      expect(container.volumeMounts).toContainEqual({ name: 'init', mountPath: '/docker-entrypoint-initdb.d', readOnly: true });
      expect(container.volumeMounts).toContainEqual({ name: 'datadir', mountPath: '/data/db' });
      // LibreChat's MONGO_URI (mongodb://librechat:…@librechat-mongodb…:27017/LibreChat) names this Service.
      expect(find(renders, env, 'librechat', 'Service', 'librechat-mongodb').spec).toMatchObject({
        ports: [{ name: 'mongodb', port: 27017, targetPort: 'mongodb', protocol: 'TCP' }],
        selector: mongodb.spec.selector.matchLabels,
      });
      // The NetworkPolicy that admits LibreChat selects these pods.
      expect(find(renders, env, 'librechat', 'NetworkPolicy', 'librechat-mongodb-from-librechat').spec.podSelector.matchLabels).toEqual(
        mongodb.spec.template.metadata.labels,
      );
    },
  );

  test('MongoDB passes Pod Security "restricted" as the image\'s mongodb user (uid 999)', () => {
    const pod = find(renders, 'prod', 'librechat', 'StatefulSet', 'librechat-mongodb').spec.template.spec;
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 999,
      runAsGroup: 999,
      fsGroup: 999,
      fsGroupChangePolicy: 'OnRootMismatch',
      seccompProfile: { type: 'RuntimeDefault' },
    });
    for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
      expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      expect((container.ports ?? []).every((p: any) => p.hostPort === undefined)).toBe(true);
    }
    expect(pod.hostNetwork ?? pod.hostPID ?? pod.hostIPC).toBeUndefined();
    expect(pod.volumes.every((v: any) => v.hostPath === undefined)).toBe(true);
  });

  test('dev (replicas 1): a standalone MongoDB, as before the replica set', () => {
    // dev keeps the default (apps.librechat.mongodb.replicas: 1).
    expect((ENVIRONMENTS.find((e) => e.name === 'dev')!.apps as any).librechat.mongodb).toBeUndefined();
    const sts = find(renders, 'dev', 'librechat', 'StatefulSet', 'librechat-mongodb').spec;
    expect(sts.replicas).toBe(1);
    expect(sts.serviceName).toBe('librechat-mongodb');
    const pod = sts.template.spec;
    expect(pod.containers.map((c: any) => c.name)).toEqual(['mongodb']);
    expect(pod.containers[0].args).toEqual(['--wiredTigerCacheSizeGB', '0.25']);
    expect(pod.containers[0].env.map((e: any) => e.name)).toEqual([
      'HOME',
      'MONGO_INITDB_ROOT_USERNAME',
      'MONGO_INITDB_ROOT_PASSWORD',
      'MONGO_INITDB_DATABASE',
      'MONGODB_APPLICATION_PASSWORD',
    ]);
    expect(pod.initContainers).toBeUndefined();
    expect(pod.topologySpreadConstraints).toBeUndefined();
    expect(pod.volumes.map((v: any) => v.name)).toEqual(['configdb', 'tmp', 'init']);
    const kinds = objects(renders, 'dev', 'librechat').map((o) => `${o.kind}/${o.metadata.name}`);
    expect(kinds.filter((k) => k.startsWith('PodDisruptionBudget/') || k === 'Service/librechat-mongodb-headless')).toEqual([]);
    expect(kinds).not.toContain('NetworkPolicy/librechat-mongodb-from-mongodb');
  });

  test.each(['staging', 'prod'])('%s (replicas 3): a replica set with key-file auth, one member per zone, a disruption budget', (env) => {
    const replicas = (ENVIRONMENTS.find((e) => e.name === env)!.apps as any).librechat.mongodb.replicas;
    expect(replicas).toBe(3);
    const sts = find(renders, env, 'librechat', 'StatefulSet', 'librechat-mongodb').spec;
    expect(sts.replicas).toBe(replicas);
    expect(sts.serviceName).toBe('librechat-mongodb-headless');
    const pod = sts.template.spec;
    const labels = sts.template.metadata.labels;
    const [mongod, reconciler] = pod.containers;
    expect(mongod.args).toEqual(['--wiredTigerCacheSizeGB', expect.any(String), '--replSet', 'rs0', '--keyFile', '/key/replica-set.key']);
    expect(mongod.volumeMounts).toContainEqual({ name: 'key', mountPath: '/key', readOnly: true });
    // The key comes from the same Secret as the passwords, copied so that only mongod's user reads it.
    expect(pod.volumes.find((v: any) => v.name === 'key-secret')).toEqual({
      name: 'key-secret',
      secret: { secretName: 'librechat-mongodb', items: [{ key: 'mongodb-replica-set-key', path: 'key' }] },
    });
    expect(pod.initContainers.map((c: any) => [c.name, c.command])).toEqual([['key-file', ['install', '-m', '0400', '/secret/key', '/key/replica-set.key']]]);
    expect(pod.volumes.map((v: any) => v.name)).toEqual(['configdb', 'tmp', 'init', 'key-secret', 'key', 'replica-set', 'replica-set-tmp']);
    // The member reconciler knows the set's name, size and members' names.
    expect(reconciler.name).toBe('replica-set');
    const reconcilerEnv = Object.fromEntries(reconciler.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(reconcilerEnv).toMatchObject({
      REPLICA_SET_NAME: 'rs0',
      REPLICAS: String(replicas),
      STATEFULSET: 'librechat-mongodb',
      MEMBER_DOMAIN: 'librechat-mongodb-headless.librechat.svc.cluster.local',
      MONGO_ROOT_PASSWORD: { secretKeyRef: { name: 'librechat-mongodb', key: 'mongodb-root-password' } },
      POD_NAME: { fieldRef: { fieldPath: 'metadata.name' } },
    });
    const script = find(renders, env, 'librechat', 'ConfigMap', 'librechat-mongodb-replica-set').data['reconcile.js'];
    expect(script).toContain('rs.initiate(');
    expect(script).toContain('rs.add(missing)');
    expect(script).toContain('rs.remove(extra)');
    expect(pod.topologySpreadConstraints).toEqual([
      { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: labels } },
    ]);
    expect(find(renders, env, 'librechat', 'Service', 'librechat-mongodb-headless').spec).toMatchObject({
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: labels,
    });
    expect(find(renders, env, 'librechat', 'PodDisruptionBudget', 'librechat-mongodb').spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: labels } });
    // Members replicate from each other, through the namespace's default-deny policy.
    const peers = find(renders, env, 'librechat', 'NetworkPolicy', 'librechat-mongodb-from-mongodb').spec;
    expect(peers.podSelector.matchLabels).toEqual(labels);
    expect(peers.ingress[0].from).toEqual([{ podSelector: { matchLabels: labels } }]);
  });

  describe("the replica set's reconcile.js, run against a stand-in of mongosh's rs and db", () => {
    const DOMAIN = 'librechat-mongodb-headless.librechat.svc.cluster.local';
    const host = (i: number) => `librechat-mongodb-${i}.${DOMAIN}:27017`;
    /** Runs the rendered script as pod `pod`; returns the rs calls it made. */
    const run = (pod: number, state: { members?: number[]; primary?: boolean; error?: object }) => {
      const script = find(renders, 'prod', 'librechat', 'ConfigMap', 'librechat-mongodb-replica-set').data['reconcile.js'];
      const calls: unknown[][] = [];
      const QUIT = Symbol('quit');
      const rs = {
        conf: () => {
          if (state.error) throw state.error;
          if (!state.members) throw Object.assign(new Error('no replset config has been received'), { code: 94, codeName: 'NotYetInitialized' });
          return { members: state.members.map((i) => ({ host: host(i) })) };
        },
        initiate: (config: unknown) => calls.push(['initiate', config]),
        add: (member: unknown) => calls.push(['add', member]),
        remove: (member: unknown) => calls.push(['remove', member]),
      };
      const env = { REPLICA_SET_NAME: 'rs0', REPLICAS: '3', STATEFULSET: 'librechat-mongodb', MEMBER_DOMAIN: DOMAIN, POD_NAME: `librechat-mongodb-${pod}` };
      const context = {
        process: { env },
        rs,
        db: { hello: () => ({ isWritablePrimary: state.primary ?? false }) },
        printjson: () => undefined,
        quit: () => {
          throw QUIT;
        },
      };
      try {
        vm.runInNewContext(script, context);
      } catch (error) {
        if (error !== QUIT) throw error;
      }
      return calls;
    };

    test.each([
      ['pod 0 of a new set initiates it with itself alone', 0, {}, [['initiate', { _id: 'rs0', members: [{ _id: 0, host: host(0) }] }]]],
      ['another pod of a new set waits for pod 0', 1, {}, []],
      ['a secondary changes nothing', 1, { members: [0], primary: false }, []],
      ['the primary adds the first missing member', 0, { members: [0], primary: true }, [['add', host(1)]]],
      ['then the next one, one per run', 0, { members: [0, 1], primary: true }, [['add', host(2)]]],
      ['a formed set is left alone', 2, { members: [0, 1, 2], primary: true }, []],
      ['a member beyond the replica count is removed, one per run', 0, { members: [0, 1, 2, 3, 4], primary: true }, [['remove', host(3)]]],
    ] as [string, number, { members?: number[]; primary?: boolean }, unknown[][]][])('%s', (_name, pod, state, expected) => {
      expect(run(pod, state)).toEqual(expected);
    });

    test('any other error fails the run (retried 30 s later) instead of initiating a second set', () => {
      const error = Object.assign(new Error('Authentication failed.'), { code: 18, codeName: 'AuthenticationFailed' });
      expect(() => run(0, { error })).toThrow('Authentication failed.');
    });
  });

  test.each(['dev', 'staging', 'prod'])("%s: nothing stops LibreChat from rebuilding Meilisearch's index from MongoDB at start", (env) => {
    // LibreChat syncs unindexed messages and conversations when SEARCH is on, unless MEILI_NO_SYNC is.
    const configEnv = find(renders, env, 'librechat', 'ConfigMap', 'librechat-librechat-configenv').data;
    expect(configEnv.SEARCH).toBe('true');
    expect(configEnv.MEILI_HOST).toBe('http://librechat-meilisearch.librechat.svc.cluster.local:7700');
    const pod = find(renders, env, 'librechat', 'Deployment', 'librechat-librechat').spec.template.spec;
    const names = [...Object.keys(configEnv), ...pod.containers.flatMap((c: any) => (c.env ?? []).map((e: any) => e.name))];
    expect(names.filter((name) => /^MEILI_(NO_SYNC|SYNC_THRESHOLD)$/.test(name))).toEqual([]);
  });

  test('LibreChat sign-up: closed on the public EKS hosts, open only in dev, which opts in', () => {
    const registration = (env: string) => find(renders, env, 'librechat', 'ConfigMap', 'librechat-librechat-configenv').data.ALLOW_REGISTRATION;
    expect([registration('dev'), registration('staging'), registration('prod')]).toEqual(['true', 'false', 'false']);
  });

  test.each(['staging', 'prod'])("%s: MongoDB and Meilisearch keep retained, backed-up claims; no claim holds LibreChat's uploads", (env) => {
    const mongodb = find(renders, env, 'librechat', 'StatefulSet', 'librechat-mongodb');
    expect(mongodb.spec.volumeClaimTemplates[0].spec.storageClassName).toBe('gp3-retain');
    const claims = objects(renders, env, 'librechat').filter((o) => o.kind === 'PersistentVolumeClaim');
    expect(claims.map((c) => [c.metadata.name, c.spec.storageClassName])).toEqual([['librechat-meilisearch', 'gp3-retain']]);
    const meilisearch = find(renders, env, 'librechat', 'StatefulSet', 'librechat-meilisearch').spec.template.spec;
    expect(meilisearch.volumes).toContainEqual(expect.objectContaining({ persistentVolumeClaim: { claimName: 'librechat-meilisearch' } }));
  });

  test.each(['staging', 'prod'])('%s: LibreChat runs its replicas one per zone, with a disruption budget, on no volume', (env) => {
    const replicas = (ENVIRONMENTS.find((e) => e.name === env)!.apps as any).librechat.replicas;
    expect(replicas).toBeGreaterThan(1);
    const deployment = find(renders, env, 'librechat', 'Deployment', 'librechat-librechat').spec;
    expect(deployment.replicas).toBe(replicas);
    const labels = deployment.selector.matchLabels;
    expect(deployment.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
      { topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: labels } },
    ]);
    expect(deployment.template.spec.serviceAccountName).toBe(LIBRECHAT.objectStorage!.serviceAccount('librechat'));
    expect(deployment.template.spec.volumes.map((v: any) => v.name)).not.toContain('image-volume');
    expect(find(renders, env, 'librechat', 'PodDisruptionBudget', 'librechat-librechat').spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: labels },
    });
  });

  test('dev: one LibreChat pod on its images volume, no disruption budget for it', () => {
    expect(find(renders, 'dev', 'librechat', 'Deployment', 'librechat-librechat').spec.replicas).toBe(1);
    expect(find(renders, 'dev', 'librechat', 'PodDisruptionBudget', 'librechat-librechat')).toBeUndefined();
    expect(find(renders, 'dev', 'librechat', 'PersistentVolumeClaim', 'librechat-librechat-images')).toBeDefined();
  });

  test.each(['staging', 'prod'])("%s: GPU nodes from Karpenter in any zone, so Ollama's models live on the shared EFS volume, bound by name", (env) => {
    const cluster = loadEnvironments(ENVIRONMENTS, CATALOG).find((e) => e.name === env)!.cluster;
    expect(cluster.kind === 'eks' && cluster.gpuCapacity !== undefined).toBe(true);
    const claim = find(renders, env, 'ollama', 'PersistentVolumeClaim', 'ollama');
    expect(claim.spec).toMatchObject({ accessModes: ['ReadWriteMany'], storageClassName: 'efs-models', volumeName: 'ollama-models' });
    const pod = find(renders, env, 'ollama', 'Deployment', 'ollama').spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'ollama-data', persistentVolumeClaim: { claimName: 'ollama' } });
    // No per-pod volume any more: every pod reads the same models.
    expect(pod.volumes.filter((v: any) => v.ephemeral)).toEqual([]);
  });

  test("dev: one GPU host, the models on the chart's claim", () => {
    const pod = find(renders, 'dev', 'ollama', 'Deployment', 'ollama').spec.template.spec;
    expect(pod.volumes.map((v: any) => v.name)).toEqual(['ollama-data']);
    expect(find(renders, 'dev', 'ollama', 'PersistentVolumeClaim', 'ollama').spec.resources.requests.storage).toBe('20Gi');
  });

  test.each(['staging', 'prod'])('%s: every claim the charts render asks for the retained class, except the listed one', (env) => {
    const claims = CATALOG.map((app) => app.name).flatMap((app) =>
      objects(renders, env, app).flatMap((o) => [
        ...(o.kind === 'PersistentVolumeClaim' ? [{ name: o.metadata.name, spec: o.spec }] : []),
        ...(o.spec?.volumeClaimTemplates ?? []).map((t: any) => ({ name: `${t.metadata.name}-${o.metadata.name}-0`, spec: t.spec })),
      ]),
    );
    // Ollama's claim binds the shared model volume (EFS, retained by its PersistentVolume); the models can be pulled again.
    expect(claims.filter((c) => c.spec.storageClassName !== 'gp3-retain').map((c) => [c.name, c.spec.storageClassName])).toEqual([['ollama', 'efs-models']]);
    // LibreChat's uploads are in S3; Meilisearch's index keeps its retained claim.
    expect(claims.map((c) => c.name).sort()).toEqual(['datadir-librechat-mongodb-0', 'librechat-meilisearch', 'ollama']);
  });

  test("dev: the stateful volumes use minikube's default class", () => {
    expect(find(renders, 'dev', 'librechat', 'StatefulSet', 'librechat-mongodb').spec.volumeClaimTemplates[0].spec.storageClassName).toBeUndefined();
    expect(find(renders, 'dev', 'librechat', 'PersistentVolumeClaim', 'librechat-meilisearch').spec.storageClassName).toBeUndefined();
    expect(find(renders, 'dev', 'ollama', 'PersistentVolumeClaim', 'ollama').spec.storageClassName).toBeUndefined();
  });

  test('every workload with a ReadWriteOnce volume is recreated, never rolled', () => {
    // MongoDB's pods each have a claim of their own (volumeClaimTemplates), none shared.
    const mongodb = find(renders, 'prod', 'librechat', 'StatefulSet', 'librechat-mongodb').spec;
    expect(mongodb.volumeClaimTemplates.map((t: any) => t.metadata.name)).toEqual(['datadir']);
    expect(mongodb.template.spec.volumes.filter((v: any) => v.persistentVolumeClaim)).toEqual([]);
    // LibreChat on its images volume (dev) is recreated; with its files in S3 (prod) it rolls.
    expect(find(renders, 'dev', 'librechat', 'Deployment', 'librechat-librechat').spec.strategy).toEqual({ type: 'Recreate' });
    const prod = find(renders, 'prod', 'librechat', 'Deployment', 'librechat-librechat').spec;
    expect(prod.template.spec.volumes.filter((v: any) => v.persistentVolumeClaim)).toEqual([]);
    expect(prod.strategy).toEqual({ type: 'RollingUpdate' });
    expect(find(renders, 'prod', 'ollama', 'Deployment', 'ollama').spec.strategy).toEqual({ type: 'Recreate' });
  });

  test('the wrapper charts ship default-deny ingress plus one allow rule per connection', () => {
    const policies = (env: string, app: string) =>
      objects(renders, env, app)
        .filter((o) => o.kind === 'NetworkPolicy')
        .map((o) => o.metadata.name);
    expect(policies('dev', 'librechat')).toEqual([
      'librechat-default-deny-ingress',
      'librechat-librechat-from-ingress',
      'librechat-librechat-from-chat-probe',
      'librechat-mongodb-from-librechat',
      'librechat-meilisearch-from-librechat',
    ]);
    expect(policies('dev', 'ollama')).toEqual(['ollama-default-deny-ingress', 'ollama-api', 'ollama-api-from-chat-probe']);
    // Isolation by default: an app whose catalog entry admits nothing gets default-deny alone.
    expect(policies('dev', 'probe')).toEqual(['probe-default-deny-ingress']);
    for (const app of CATALOG) expect([app.name, policies('staging', app.name)[0]]).toEqual([app.name, `${app.name}-default-deny-ingress`]);
    // On EKS the ALB reaches LibreChat from VPC addresses; Ollama is not published there, so only
    // LibreChat's pods may reach it.
    expect(find(renders, 'prod', 'librechat', 'NetworkPolicy', 'librechat-librechat-from-ingress').spec.ingress[0].from).toEqual([
      { ipBlock: { cidr: '10.30.0.0/16' } },
    ]);
    expect(find(renders, 'prod', 'ollama', 'NetworkPolicy', 'ollama-api').spec.ingress[0].from).not.toContainEqual({ ipBlock: { cidr: '10.30.0.0/16' } });
  });
});

(helm ? describe : describe.skip)('render of the monitoring apps', () => {
  let renders: EnvironmentRender[];
  beforeAll(() => {
    renders = shippedRenders();
  });

  test.each(['staging', 'prod'])('%s: the DCGM exporter runs on the GPU node group only, taking no GPU', (env) => {
    const pod = find(renders, env, 'dcgm-exporter', 'DaemonSet', 'dcgm-exporter').spec.template.spec;
    expect(pod.nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
    expect(pod.containers[0].resources.limits['nvidia.com/gpu']).toBeUndefined();
  });

  test('dev: the DCGM exporter runs on the one minikube node, the GPU host', () => {
    expect(find(renders, 'dev', 'dcgm-exporter', 'DaemonSet', 'dcgm-exporter').spec.template.spec.nodeSelector).toBeUndefined();
  });

  test("the exporter's ServiceMonitor keeps the pod and namespace labels of the GPU's user", () => {
    expect(find(renders, 'prod', 'dcgm-exporter', 'ServiceMonitor', 'dcgm-exporter').spec.endpoints[0].honorLabels).toBe(true);
  });

  test('Grafana reads its admin user and password from the Secret Terraform creates', () => {
    const env = find(renders, 'prod', 'kube-prometheus-stack', 'Deployment', 'kube-prometheus-stack-grafana').spec.template.spec.containers[0].env;
    expect(env).toEqual([
      { name: 'GF_SECURITY_ADMIN_USER', valueFrom: { secretKeyRef: { name: 'grafana-admin', key: 'admin-user' } } },
      { name: 'GF_SECURITY_ADMIN_PASSWORD', valueFrom: { secretKeyRef: { name: 'grafana-admin', key: 'admin-password' } } },
    ]);
  });

  test('Prometheus keeps metrics on the pod in dev and on a retained gp3 volume in staging and prod', () => {
    const prometheus = (env: string) => find(renders, env, 'kube-prometheus-stack', 'Prometheus', 'kube-prometheus-stack-prometheus').spec;
    expect(prometheus('dev')).toMatchObject({ retention: '2d' });
    expect(prometheus('dev').storage).toBeUndefined();
    for (const env of ['staging', 'prod']) {
      expect(prometheus(env).storage.volumeClaimTemplate.spec).toMatchObject({ storageClassName: 'gp3-retain', accessModes: ['ReadWriteOnce'] });
      expect(prometheus(env).resources.requests).toEqual(expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }));
    }
  });

  test('the platform content: one dashboard ConfigMap per file for the Grafana sidecar, the alerts, the Argo CD ServiceMonitor', () => {
    const content = objects(renders, 'dev', 'platform-monitoring');
    const dashboards = content.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard);
    expect(dashboards.map((o) => [o.metadata.name, o.metadata.labels!.grafana_dashboard, Object.keys(o.data)])).toEqual([
      ['platform-monitoring-argocd', '1', ['argocd.json']],
      ['platform-monitoring-gpus', '1', ['gpus.json']],
    ]);
    const gpus = JSON.parse(dashboards[1].data['gpus.json']);
    const expressions = gpus.panels.flatMap((p: any) => p.targets.map((t: any) => t.expr)).join('\n');
    for (const metric of ['DCGM_FI_DEV_GPU_UTIL', 'DCGM_FI_DEV_FB_USED', 'DCGM_FI_DEV_FB_FREE', 'DCGM_FI_DEV_GPU_TEMP', 'DCGM_FI_DEV_XID_ERRORS'])
      expect(expressions).toContain(metric);
    expect(expressions).toContain('sum by (namespace, pod)');
    const rules = content.find((o) => o.kind === 'PrometheusRule')!.spec.groups.flatMap((g: any) => g.rules);
    expect(Object.fromEntries(rules.map((r: any) => [r.alert, r.expr.trim()]))).toMatchObject({
      DcgmExporterTargetMissing: 'absent(up{job="dcgm-exporter", namespace="monitoring"} == 1)',
      OllamaUnavailable: expect.stringContaining('kube_deployment_status_replicas_available{namespace="ollama", deployment="ollama"} < 1'),
      ArgoCdApplicationNotSynced: 'argocd_app_info{sync_status!="Synced"} == 1',
      ArgoCdApplicationDegraded: 'argocd_app_info{health_status=~"Degraded|Missing"} == 1',
    });
    expect(rules.map((r: any) => r.alert)).toEqual(expect.arrayContaining(['GpuMemoryNearlyFull', 'GpuXidError']));
    const monitor = content.find((o) => o.kind === 'ServiceMonitor')!.spec;
    expect(monitor.namespaceSelector).toEqual({ matchNames: ['argocd'] });
    expect(monitor.endpoints).toEqual([{ port: 'http-metrics', interval: '30s' }]);
  });

  test.each(['dev', 'prod'])(
    "%s: the chat probe asks Ollama's and LibreChat's rendered Services; their NetworkPolicies admit exactly the probe's pods",
    (env) => {
      const probe = find(renders, env, 'platform-monitoring', 'Probe', 'platform-monitoring-chat').spec;
      const deployment = find(renders, env, 'platform-monitoring', 'Deployment', 'platform-monitoring-blackbox-exporter').spec;
      const service = find(renders, env, 'platform-monitoring', 'Service', 'platform-monitoring-blackbox-exporter').spec;
      expect(probe.prober.url).toBe('platform-monitoring-blackbox-exporter.monitoring.svc:9115');
      expect(service.selector).toEqual(deployment.template.metadata.labels);
      expect(probe).toMatchObject({ interval: '60s', module: 'http_2xx', jobName: 'chat-probe' });
      const targets: string[] = probe.targets.staticConfig.static;
      expect(targets.map((t) => new URL(t).pathname)).toEqual(['/api/tags', '/health']);
      for (const [target, app] of [
        [targets[0], OLLAMA],
        [targets[1], LIBRECHAT],
      ] as const) {
        const url = new URL(target);
        const [name, namespace] = url.hostname.split('.');
        expect(namespace).toBe(app.namespace);
        const svc = find(renders, env, app.name, 'Service', name);
        expect([target, svc?.spec.ports.map((p: any) => p.port)]).toEqual([target, expect.arrayContaining([Number(url.port)])]);
        // The policy that admits the probe selects the Service's pods, only from the probe's pods, on the Service's target port.
        const port = svc.spec.ports.find((p: any) => p.port === Number(url.port));
        const policies = objects(renders, env, app.name).filter(
          (o) =>
            o.kind === 'NetworkPolicy' &&
            o.spec.ingress?.some((r: any) => r.from?.some((f: any) => f.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'monitoring')),
        );
        expect(policies).toHaveLength(1);
        expect(policies[0].spec.podSelector.matchLabels).toEqual(expect.objectContaining(svc.spec.selector));
        expect(policies[0].spec.ingress).toEqual([
          {
            from: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
                podSelector: { matchLabels: deployment.template.metadata.labels },
              },
            ],
            ports: [{ port: port.targetPort, protocol: 'TCP' }],
          },
        ]);
      }
      // The probe pod passes the restricted Pod Security level (the namespace warns at restricted).
      const pod = deployment.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.containers[0].securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      expect(pod.containers[0].image).toBe('quay.io/prometheus/blackbox-exporter:v0.26.0');
    },
  );

  test('the monitoring namespace denies ingress by default; Grafana admits the ingress controller only where published', () => {
    const policies = objects(renders, 'dev', 'kube-prometheus-stack').filter((o) => o.kind === 'NetworkPolicy');
    expect(policies.map((o) => o.metadata.name)).toEqual(['kube-prometheus-stack-default-deny-ingress', 'kube-prometheus-stack-same-namespace']);
    // Every pod of the namespace, from every pod of the namespace, on every port (no `ports`).
    expect(policies[1].spec.podSelector).toEqual({ matchLabels: {} });
    expect(policies[1].spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: {} } }], ports: null }]);
  });
});

(helm ? describe : describe.skip)('render findings, each from a fixture that breaks one rule', () => {
  test('a mapping key given twice: an annotation the template writes itself and again from values', () => {
    const template = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: probe-owner',
      '  annotations:',
      '    example.com/owner: chart',
      '    {{- range $key, $value := .Values.ownerAnnotations }}',
      '    {{ $key }}: {{ $value | quote }}',
      '    {{- end }}',
      '',
    ].join('\n');
    const result = render({
      environments: ['dev'],
      edit: (root) => {
        fs.writeFileSync(path.join(root, 'apps', 'probe', 'templates', 'owner.yaml'), template);
        appendYaml(root, 'probe/values-dev.yaml', 'ownerAnnotations:\n  example.com/owner: values\n');
      },
    });
    expect(find(result, 'dev', 'probe', 'ConfigMap', 'probe-owner').metadata.annotations).toEqual({ 'example.com/owner': 'values' });
    expect(findings(result)).toEqual([
      'dev/probe: ConfigMap probe-ns/probe-owner: metadata.annotations["example.com/owner"]: key given twice; YAML and the API server keep the last value and drop the other silently',
    ]);
  });

  test('a DCGM exporter without the GPU node scheduling, and with an unpinned image', () => {
    const unscheduled: AppDefinition = { ...DCGM_EXPORTER, values: () => ({ 'dcgm-exporter': { image: { tag: 'latest' } } }) };
    const result = render({ environments: ['staging'], catalog: replacing(unscheduled) });
    expect(findings(result)).toEqual([
      'staging/dcgm-exporter: DaemonSet monitoring/dcgm-exporter: spec.template.spec.nodeSelector.nvidia.com/gpu.present: expected "true" (the GPU node group\'s label), found null',
      'staging/dcgm-exporter: DaemonSet monitoring/dcgm-exporter: spec.template.spec.tolerations: no toleration of the GPU taint nvidia.com/gpu=true:NoSchedule',
      'staging/dcgm-exporter: DaemonSet monitoring/dcgm-exporter: spec.template.spec.containers[0].image: "nvcr.io/nvidia/k8s/dcgm-exporter:latest": tag "latest" is not a version; pin a version',
    ]);
  });

  test('a Deployment with a ReadWriteOnce claim that rolls', () => {
    const result = render({
      environments: ['dev'],
      edit: (root) => appendYaml(root, 'librechat/values-dev.yaml', '  updateStrategy:\n    type: RollingUpdate\n'),
    });
    expect(findings(result)).toEqual([
      'dev/librechat: Deployment librechat/librechat-librechat: spec.strategy.type: rolls with two pods while spec.template.spec.volumes[1] mounts ReadWriteOnce claim librechat-librechat-images; set strategy Recreate (or use a StatefulSet)',
    ]);
  });

  test('a URL of the Terraform Secret and of librechat.yaml naming a port the Service lacks', () => {
    const result = render({ environments: ['dev'], edit: (root) => appendYaml(root, 'ollama/values-dev.yaml', '  service:\n    port: 8080\n') });
    // Every client of Ollama's API (LibreChat, and any app that depends on Ollama) names the port.
    const clients = CATALOG.filter((app) => (app.dependsOn ?? []).includes('ollama')).map((app) => `dev/${app.name}`);
    expect(findings(result).filter((f) => !clients.includes(f.split(':')[0]))).toEqual([]);
    expect(
      findings(result).filter((f) => !f.includes('names port 11434 of Service ollama/ollama, but Service ollama/ollama has no port 11434 (ports: 8080)')),
    ).toEqual([]);
    expect(findings(result).filter((f) => f.startsWith('dev/librechat: '))).toEqual([
      'dev/librechat: Secret librechat/librechat-credentials-env (Terraform): data.OLLAMA_BASE_URL: URL http://ollama.ollama.svc.cluster.local:11434 names port 11434 of Service ollama/ollama, but Service ollama/ollama has no port 11434 (ports: 8080); Services in ollama: ollama:8080',
      'dev/librechat: ConfigMap librechat/librechat-librechat-config: data.librechat.yaml: endpoints.custom[0].baseURL: URL ${OLLAMA_BASE_URL}/v1/ (= http://ollama.ollama.svc.cluster.local:11434/v1/) names port 11434 of Service ollama/ollama, but Service ollama/ollama has no port 11434 (ports: 8080); Services in ollama: ollama:8080',
    ]);
  });

  test("a MONGO_URI naming replica set members the render lacks (the chart's member count differs)", () => {
    const standalone: AppDefinition = {
      ...LIBRECHAT,
      values: (context) => {
        const values = LIBRECHAT.values!(context) as any;
        return { ...values, mongodb: { ...values.mongodb, replicas: 1 } };
      },
    };
    const result = render({ environments: ['prod'], catalog: replacing(standalone) });
    const uri = (i: number) => `librechat-mongodb-${i}.librechat-mongodb-headless.librechat.svc.cluster.local:27017`;
    const url = `mongodb://librechat:***@${[0, 1, 2].map(uri).join(',')}/LibreChat?replicaSet=rs0`;
    expect(findings(result)).toEqual(
      [0, 1, 2].map(
        () =>
          `prod/librechat: Secret librechat/librechat-credentials-env (Terraform): data.MONGO_URI: URL ${url} names port 27017 of Service librechat/librechat-mongodb-headless, but the render has no Service librechat/librechat-mongodb-headless; Services in librechat: librechat-librechat:3080, librechat-meilisearch:7700, librechat-mongodb:27017`,
      ),
    );
  });

  test('an Ollama workload without the GPU limit, node selector and toleration (values at the wrong depth)', () => {
    // The double-hierarchy mistake: gpu and nodeSelector one level too high, tolerations dropped.
    const misplaced: AppDefinition = {
      ...OLLAMA,
      values: (context) => {
        const values = OLLAMA.values!(context) as any;
        const { gpu, ...ollama } = values.ollama.ollama;
        const { nodeSelector, tolerations: _tolerations, ...chart } = values.ollama;
        return { ...values, ollama: { ...chart, ollama: { ...ollama, gpu: { enabled: false } }, gpu, ollama_nodeSelector: nodeSelector } };
      },
    };
    const result = render({ environments: ['staging'], catalog: replacing(misplaced) });
    expect(findings(result)).toEqual([
      'staging/ollama: Deployment ollama/ollama: spec.template.spec.containers[*].resources.limits.nvidia.com/gpu: expected 1 (apps.ollama of the environment), found none',
      'staging/ollama: Deployment ollama/ollama: spec.template.spec.nodeSelector.nvidia.com/gpu.present: expected "true" (the GPU node group\'s label), found null',
      'staging/ollama: Deployment ollama/ollama: spec.template.spec.tolerations: no toleration of the GPU taint nvidia.com/gpu=true:NoSchedule',
    ]);
  });

  test("Pod Security: a root-running container in a restricted namespace, and Ollama's root image in a namespace made restricted", () => {
    const result = render({
      environments: ['dev'],
      catalog: replacing({ ...OLLAMA, podSecurity: 'restricted' }),
      edit: (root) => appendYaml(root, 'librechat/values-dev.yaml', '  securityContext:\n    runAsNonRoot: false\n    runAsUser: 0\n'),
    });
    expect(findings(result)).toEqual([
      'dev/librechat: Deployment librechat/librechat-librechat: spec.template.spec.containers[0].securityContext.runAsNonRoot: must be true (restricted; got false)',
      'dev/librechat: Deployment librechat/librechat-librechat: spec.template.spec.containers[0].securityContext.runAsUser: must not be 0 (restricted; got 0)',
      'dev/ollama: Deployment ollama/ollama: spec.template.spec.containers[0].securityContext.capabilities.drop: must include ALL (restricted; unset)',
      'dev/ollama: Deployment ollama/ollama: spec.template.spec.containers[0].securityContext.runAsNonRoot: must be true (restricted; unset)',
    ]);
  });

  test('a Secret neither rendered nor created by Terraform, and a key the Secret lacks', () => {
    const withoutMeilisearchSecret: AppDefinition = {
      ...LIBRECHAT,
      secrets: LIBRECHAT.secrets!.filter((s) => s.name !== 'librechat-meilisearch').map((s) =>
        s.name === 'librechat-credentials-env' ? { ...s, settings: (context, credential) => ({ MONGO_URI: s.settings!(context, credential).MONGO_URI }) } : s,
      ),
    };
    const result = render({ environments: ['dev'], catalog: replacing(withoutMeilisearchSecret) });
    expect(findings(result)).toEqual([
      'dev/librechat: Deployment librechat/librechat-librechat: spec.template.spec.containers[0].env[5] (OLLAMA_BASE_URL): Secret librechat/librechat-credentials-env has no key OLLAMA_BASE_URL (keys: CREDS_IV, CREDS_KEY, JWT_REFRESH_SECRET, JWT_SECRET, MONGO_URI)',
      'dev/librechat: Deployment librechat/librechat-librechat: spec.template.spec.containers[0].env[6] (MEILI_MASTER_KEY): Secret librechat/librechat-meilisearch is neither rendered nor created by Terraform',
      'dev/librechat: StatefulSet librechat/librechat-meilisearch: spec.template.spec.containers[0].envFrom[1].secretRef: Secret librechat/librechat-meilisearch is neither rendered nor created by Terraform',
    ]);
  });
});

(helm ? describe : describe.skip)('render of the GPU capacity and the scale to zero', () => {
  let renders: EnvironmentRender[];
  beforeAll(() => {
    renders = shippedRenders();
  });
  const eks = (env: string) => {
    const cluster = loadEnvironments(ENVIRONMENTS, CATALOG).find((e) => e.name === env)!.cluster;
    if (cluster.kind !== 'eks' || !cluster.gpuCapacity) throw new Error(`${env} has no gpuCapacity`);
    return { cluster, capacity: cluster.gpuCapacity };
  };

  test.each(['staging', 'prod'])(
    "%s: the EC2NodeClass pins the node groups' AMI release, finds this cluster by tag, IMDSv2 hop 1, encrypted root volume",
    (env) => {
      const { cluster, capacity } = eks(env);
      const nodeClass = find(renders, env, 'gpu-capacity', 'EC2NodeClass', 'gpu');
      expect(nodeClass.apiVersion).toBe('karpenter.k8s.aws/v1');
      const date = /-(\d{8})$/.exec(cluster.gpuNodes.releaseVersion)![1];
      expect(nodeClass.spec).toEqual({
        role: `${cluster.name}-karpenter-node`,
        amiSelectorTerms: [{ alias: `al2023@v${date}` }],
        subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': cluster.name } }],
        securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': cluster.name } }],
        metadataOptions: { httpEndpoint: 'enabled', httpProtocolIPv6: 'disabled', httpPutResponseHopLimit: 1, httpTokens: 'required' },
        blockDeviceMappings: [
          { deviceName: '/dev/xvda', ebs: { volumeSize: `${capacity.diskSizeGiB}Gi`, volumeType: 'gp3', encrypted: true, deleteOnTermination: true } },
        ],
      });
    },
  );

  test.each(['staging', 'prod'])(
    '%s: the GPU NodePool: its instance and capacity types in every zone, the GPU taint and label, the GPU limit, consolidation when empty',
    (env) => {
      const { cluster, capacity } = eks(env);
      const pool = find(renders, env, 'gpu-capacity', 'NodePool', 'gpu');
      expect(pool.apiVersion).toBe('karpenter.sh/v1');
      expect(pool.spec.template.metadata.labels).toEqual({ 'nvidia.com/gpu.present': 'true', 'llm-platform/pool': 'gpu' });
      expect(pool.spec.template.spec.taints).toEqual([{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }]);
      expect(pool.spec.template.spec.nodeClassRef).toEqual({ group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'gpu' });
      expect(pool.spec.template.spec.requirements).toEqual([
        { key: 'node.kubernetes.io/instance-type', operator: 'In', values: capacity.instanceTypes },
        { key: 'karpenter.sh/capacity-type', operator: 'In', values: capacity.capacityTypes },
        { key: 'topology.kubernetes.io/zone', operator: 'In', values: cluster.vpc.availabilityZones },
      ]);
      expect(pool.spec.limits).toEqual({ 'nvidia.com/gpu': String(capacity.maxGpus) });
      expect(pool.spec.disruption).toEqual({ consolidationPolicy: 'WhenEmpty', consolidateAfter: capacity.consolidateAfter, budgets: [{ nodes: '1' }] });
      // The pods the NodePool serves tolerate and select exactly what it puts on its nodes.
      const ollama = find(renders, env, 'ollama', 'Deployment', 'ollama').spec.template.spec;
      expect(ollama.nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
      expect(ollama.tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' });
    },
  );

  test("staging: no environment depends on one zone's spot capacity: spot and on-demand, three zones", () => {
    const pool = find(renders, 'staging', 'gpu-capacity', 'NodePool', 'gpu');
    const values = (key: string) => pool.spec.template.spec.requirements.find((r: any) => r.key === key).values;
    expect(values('karpenter.sh/capacity-type')).toEqual(['spot', 'on-demand']);
    expect(values('topology.kubernetes.io/zone').length).toBeGreaterThanOrEqual(2);
  });

  test('dev renders no Karpenter object', () => {
    expect(objects(renders, 'dev', 'gpu-capacity').map((o) => o.kind)).not.toEqual(expect.arrayContaining(['NodePool']));
    expect(objects(renders, 'dev', 'gpu-capacity').filter((o) => o.kind === 'EC2NodeClass' || o.kind === 'NodePool')).toEqual([]);
  });

  test("staging: KEDA holds Ollama's Deployment at one replica during the active hours and while requests pass the gateway, at zero otherwise", () => {
    const staging = loadEnvironments(ENVIRONMENTS, CATALOG).find((e) => e.name === 'staging')!;
    const settings = (staging.apps as any).ollama;
    const contexts = appContexts(staging, CATALOG);
    const scaled = find(renders, 'staging', 'ollama', 'ScaledObject', 'ollama');
    expect(scaled.apiVersion).toBe('keda.sh/v1alpha1');
    expect(scaled.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'ollama' },
      minReplicaCount: 0,
      maxReplicaCount: 1,
      cooldownPeriod: COOLDOWN_SECONDS,
      triggers: [
        {
          type: 'cron',
          metadata: { timezone: settings.activeHours.timezone, start: settings.activeHours.start, end: settings.activeHours.end, desiredReplicas: '1' },
        },
        {
          type: 'prometheus',
          metadata: {
            serverAddress: contexts.get('ollama')!.serviceUrl('kube-prometheus-stack', 'prometheus'),
            query: wakeQuery(OLLAMA.namespace, settings.idleAfterMinutes),
            threshold: '1',
            activationThreshold: '0',
            ignoreNullValues: 'true',
          },
        },
      ],
    });
    // The query counts the frontend the gateway's configuration names, over the environment's idle window.
    expect(scaled.spec.triggers[1].metadata.query).toContain(`proxy="${GATEWAY_FRONTEND}"}[${settings.idleAfterMinutes}m]`);
    // The target is the Deployment the chart renders.
    expect(find(renders, 'staging', 'ollama', 'Deployment', 'ollama')).toBeDefined();
  });

  describe('staging: the wake gateway between LibreChat and Ollama', () => {
    const gateway = gatewayName(OLLAMA.name);
    const labels = gatewayPodLabels(OLLAMA.name);
    const staging = () => loadEnvironments(ENVIRONMENTS, CATALOG).find((e) => e.name === 'staging')!;

    test("answers while Ollama has no ready pod (HAProxy's own 503) with a 409 in the OpenAI error format carrying the environment's message", () => {
      const config = find(renders, 'staging', 'ollama', 'ConfigMap', gateway).data;
      const [head, body] = config['starting.http'].split('\r\n\r\n');
      const lines = head.split('\r\n');
      // Not a 503: LibreChat's model client would retry it for about 80 s before showing anything.
      expect(lines[0]).toBe('HTTP/1.1 409 Conflict');
      expect(lines).toContain('Content-Type: application/json');
      // HAProxy sends the file as it is: the length must be the body's, in bytes.
      expect(lines).toContain(`Content-Length: ${Buffer.byteLength(body)}`);
      expect(JSON.parse(body)).toEqual({
        error: { message: startingMessage((staging().apps as any).ollama), type: 'model_starting', code: 'model_starting' },
      });
      // The file the configuration serves for 503 is this one, in the directory the Deployment mounts.
      expect(config['haproxy.cfg']).toContain('errorfile 503 /usr/local/etc/haproxy/starting.http');
      const pod = find(renders, 'staging', 'ollama', 'Deployment', gateway).spec.template.spec;
      expect(pod.containers[0].volumeMounts).toEqual([{ name: 'config', mountPath: '/usr/local/etc/haproxy', readOnly: true }]);
      expect(pod.volumes).toEqual([{ name: 'config', configMap: { name: gateway } }]);
    });

    test("passes requests to the Service the chart renders for Ollama, counted on the frontend KEDA's query reads", () => {
      const cfg: string = find(renders, 'staging', 'ollama', 'ConfigMap', gateway).data['haproxy.cfg'];
      const service = find(renders, 'staging', 'ollama', 'Service', OLLAMA.name);
      const port = service.spec.ports.find((p: any) => p.name === 'http').port;
      expect(cfg).toMatch(new RegExp(`^  server ollama ${service.metadata.name}\\.${OLLAMA.namespace}\\.svc\\.cluster\\.local:${port} check `, 'm'));
      expect(cfg).toMatch(new RegExp(`^frontend ${GATEWAY_FRONTEND}\\n  bind :8080\\n`, 'm'));
      expect(cfg).toMatch(
        /^frontend metrics\n {2}bind :8405\n {2}monitor-uri \/healthz\n {2}http-request use-service prometheus-exporter if \{ path \/metrics \}/m,
      );
      // LibreChat's Ollama URL is the gateway's Service, on the container port HAProxy binds.
      const svc = find(renders, 'staging', 'ollama', 'Service', gateway);
      expect(svc.spec.selector).toEqual(labels);
      expect(svc.spec.ports).toEqual([{ name: 'http', port, targetPort: 'http' }]);
      const container = find(renders, 'staging', 'ollama', 'Deployment', gateway).spec.template.spec.containers[0];
      expect(container.ports).toEqual([
        { name: 'http', containerPort: 8080 },
        { name: 'metrics', containerPort: 8405 },
      ]);
      // Prometheus scrapes the metrics port of exactly these pods.
      expect(find(renders, 'staging', 'ollama', 'PodMonitor', gateway).spec).toEqual({
        selector: { matchLabels: labels },
        podMetricsEndpoints: [{ port: 'metrics', path: '/metrics', interval: '30s' }],
      });
    });

    test('runs off the GPU nodes, one per zone, unprivileged', () => {
      const deployment = find(renders, 'staging', 'ollama', 'Deployment', gateway);
      const pod = deployment.spec.template.spec;
      expect(deployment.spec.replicas).toBe(2);
      expect(pod.nodeSelector).toBeUndefined();
      expect(pod.tolerations).toBeUndefined();
      expect(pod.topologySpreadConstraints[0]).toMatchObject({ topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: labels } });
      expect(pod.containers[0].resources.limits['nvidia.com/gpu']).toBeUndefined();
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 99 });
      expect(pod.containers[0].image).toMatch(/^docker\.io\/library\/haproxy:\d+\.\d+\.\d+-alpine$/);
      expect(find(renders, 'staging', 'ollama', 'PodDisruptionBudget', gateway).spec).toEqual({ minAvailable: 1, selector: { matchLabels: labels } });
    });

    test("the NetworkPolicies: LibreChat reaches the gateway only, the gateway Ollama, Prometheus the gateway's metrics and KEDA Prometheus", () => {
      const policies = (app: string) => objects(renders, 'staging', app).filter((o) => o.kind === 'NetworkPolicy');
      const sameLabels = (a: Record<string, string> | undefined, b: Record<string, string>) =>
        JSON.stringify(Object.entries(a ?? {}).sort()) === JSON.stringify(Object.entries(b).sort());
      const admitting = (app: string, podLabels: Record<string, string>) => policies(app).filter((p) => sameLabels(p.spec.podSelector.matchLabels, podLabels));
      const librechatPods = LIBRECHAT.clientPodLabels!(LIBRECHAT.name);
      const ollamaPods = { 'app.kubernetes.io/name': 'ollama', 'app.kubernetes.io/instance': OLLAMA.name };
      const peers = (ps: any[]) => ps.flatMap((p) => p.spec.ingress.flatMap((rule: any) => rule.from ?? []));
      expect(peers(admitting('ollama', labels))).toContainEqual({
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': LIBRECHAT.namespace } },
        podSelector: { matchLabels: librechatPods },
      });
      expect(peers(admitting('ollama', labels))).toContainEqual({
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
      });
      const toOllama = peers(admitting('ollama', ollamaPods));
      expect(toOllama).toContainEqual({ podSelector: { matchLabels: labels } });
      expect(toOllama.filter((peer: any) => sameLabels(peer.podSelector?.matchLabels, librechatPods))).toEqual([]);
      expect(peers(admitting('kube-prometheus-stack', { 'app.kubernetes.io/name': 'prometheus' }))).toContainEqual({
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'keda-operator' } },
      });
    });
  });

  test.each(['dev', 'prod'])('%s: no wake gateway, LibreChat calls Ollama directly', (env) => {
    expect(objects(renders, env, 'ollama').filter((o) => o.metadata?.name === gatewayName(OLLAMA.name))).toEqual([]);
  });

  test.each(['dev', 'prod'])('%s: Ollama always runs (no ScaledObject)', (env) => {
    expect(objects(renders, env, 'ollama').filter((o) => o.kind === 'ScaledObject')).toEqual([]);
  });
});
