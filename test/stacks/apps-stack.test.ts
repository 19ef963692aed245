import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { Testing } from 'cdktf';
import { appContexts } from '../../stacks/app-contexts';
import { CATALOG, DCGM_EXPORTER, KUBE_PROMETHEUS_STACK, LIBRECHAT } from '../../apps/catalog';
import { appBucketName } from '../../contracts/object-storage';
import { ingressAnnotationSets } from '../../environments/ingress-controllers';
import { clientsOf, inSyncOrder, serviceUrl } from '../../contracts/app-catalog';
import { AppDefinition } from '../../contracts/app-definition';
import { AppsStack } from '../../stacks/apps-stack';
import { argoRepositoryUrl, isLocalChart, readWrapperChart } from '../../constructs/apps/wrapper-chart';
import { environment, manifests, synthEnvironment } from '../support/synth';
import { appValues } from '../support/app-values';

const stacks = {
  dev: synthEnvironment('dev').apps,
  staging: synthEnvironment('staging').apps,
  prod: synthEnvironment('prod').apps,
};
/** dev follows main; staging and prod follow their promotion refs, fully qualified. */
/** The chat probe's pods (platform-monitoring's blackbox exporter) and the peer that admits them. */
const CHAT_PROBE_PODS = { 'app.kubernetes.io/name': 'chat-probe', 'app.kubernetes.io/instance': 'platform-monitoring' };
const CHAT_PROBE_PEER = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: CHAT_PROBE_PODS } };

const TRACKED_REVISION = { dev: 'main', staging: 'refs/heads/env/staging', prod: 'refs/heads/env/prod' };
const apps = (env: keyof typeof stacks) => manifests(stacks[env].json, 'Application');
const project = (env: keyof typeof stacks) => manifests(stacks[env].json, 'AppProject')['llm-platform'];
const values = (env: keyof typeof stacks, app: string) => appValues(environment(env), app);
/** Whether KEDA scales the environment's Ollama to zero (on a schedule, when idle, or both): then LibreChat calls it through the wake gateway. */
const atZero = (env: keyof typeof stacks) => {
  const ollama = (environment(env).apps as any).ollama;
  return ollama.activeHours !== undefined || ollama.idleAfterMinutes !== undefined;
};
const GATEWAY_PODS = { 'app.kubernetes.io/name': 'ollama-gateway', 'app.kubernetes.io/instance': 'ollama' };
const PROMETHEUS_PEER = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
  podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
};
const KEDA_PEER = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
  podSelector: { matchLabels: { 'app.kubernetes.io/name': 'keda-operator' } },
};

// The one snapshot of the apps stack; targeted assertions below cover every environment.
test('staging-apps defaults snapshot', () => {
  expect(stacks.staging.json).toMatchSnapshot();
});

/** The Deployments whose replicas an autoscaler owns in an environment, as the catalog says. */
const autoscaled = (env: keyof typeof stacks, name: string) =>
  CATALOG.find((definition) => definition.name === name)!.autoscaledDeployments?.(appContexts(environment(env), CATALOG).get(name)! as never) ?? [];

describe.each(Object.keys(stacks) as (keyof typeof stacks)[])('%s-apps', (env) => {
  test('an AppProject (not default) allows only the Git repository, the wrapper chart repositories and the namespaces of its apps, no cluster-scoped kind', () => {
    expect(project(env).metadata).toEqual({
      name: 'llm-platform',
      namespace: 'argocd',
      labels: { 'app.kubernetes.io/managed-by': 'terraform', 'app.kubernetes.io/part-of': 'llm-platform' },
    });
    // The Git repository, then every wrapper chart's upstream repository (not the file://
    // isolation library: it is part of the Git repository).
    const upstream = [
      ...new Set(
        inSyncOrder(CATALOG).flatMap((app) =>
          readWrapperChart('.', app.name, { ownTemplates: app.chart === 'own' })
            .dependencies.filter((d) => !isLocalChart(d.repository))
            .map((d) => argoRepositoryUrl(d.repository)),
        ),
      ),
    ];
    expect(project(env).spec.sourceRepos).toEqual(['https://github.com/example-org/gitops-llm-platform.git', ...upstream]);
    expect(upstream).toEqual(expect.arrayContaining(['https://helm.otwld.com/', 'ghcr.io/danny-avila/librechat-chart']));
    const namespaced = inSyncOrder(CATALOG).filter((app) => (app.clusterResources ?? []).length === 0);
    expect(project(env).spec.destinations).toEqual(
      [...new Set(namespaced.map((app) => app.namespace))].map((namespace) => ({ server: 'https://kubernetes.default.svc', namespace })),
    );
    expect(project(env).spec.clusterResourceWhitelist).toBeUndefined();
    for (const app of ['ollama', 'librechat', 'dcgm-exporter', 'platform-monitoring']) expect(apps(env)[app].spec.project).toBe('llm-platform');
  });

  test('the Prometheus stack and the GPU capacity are the platform components: their project grants exactly their cluster-scoped kinds, in their namespaces', () => {
    const components = manifests(stacks[env].json, 'AppProject')['llm-platform-components'];
    expect(components.spec.clusterResourceWhitelist).toEqual([
      { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
      { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass' },
      { group: 'karpenter.sh', kind: 'NodePool' },
      { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
      { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
    ]);
    expect(components.spec.destinations).toEqual(['gpu-capacity', 'monitoring'].map((namespace) => ({ server: 'https://kubernetes.default.svc', namespace })));
    expect(components.spec.sourceRepos).toEqual(project(env).spec.sourceRepos);
    expect(
      Object.values(apps(env))
        .filter((a: any) => a.spec.project === 'llm-platform-components')
        .map((a: any) => a.metadata.name)
        .sort(),
    ).toEqual(['gpu-capacity', 'kube-prometheus-stack']);
  });

  test.each(CATALOG.map((app) => app.name))('the %s Application syncs its wrapper chart from Git', (name) => {
    const app = apps(env)[name];
    const namespace = CATALOG.find((definition) => definition.name === name)!.namespace;
    expect(app.metadata).toMatchObject({ namespace: 'argocd', finalizers: ['resources-finalizer.argocd.argoproj.io'] });
    expect(app.spec.source).toMatchObject({
      repoURL: 'https://github.com/example-org/gitops-llm-platform.git',
      targetRevision: TRACKED_REVISION[env],
      path: `apps/${name}`,
      helm: { releaseName: name, valueFiles: ['values.yaml', `values-${env}.yaml`, `generated/${env}.yaml`] },
    });
    expect(app.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace });
    expect(app.spec.syncPolicy).toEqual({
      automated: { prune: true, selfHeal: true, allowEmpty: false },
      syncOptions: [
        'CreateNamespace=false',
        ...(CATALOG.find((definition) => definition.name === name)!.syncOptions ?? []),
        ...(autoscaled(env, name).length > 0 ? ['RespectIgnoreDifferences=true'] : []),
      ],
      retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
    });
  });

  test('the Prometheus stack syncs server-side (its CRDs exceed the annotation limit); the exporter and the platform content sync after it', () => {
    expect(apps(env)['kube-prometheus-stack'].spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
    const resources = stacks[env].json.resource!.kubernetes_manifest;
    const stackId = Object.keys(resources).find((k) => resources[k].manifest.metadata.name === 'kube-prometheus-stack');
    for (const name of ['dcgm-exporter', 'platform-monitoring']) {
      expect(apps(env)[name].metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('1');
      expect(apps(env)[name].spec.syncPolicy.syncOptions).toContain('SkipDryRunOnMissingResource=true');
      expect(Object.values<any>(resources).find((r) => r.manifest.metadata.name === name).depends_on).toContain(`kubernetes_manifest.${stackId}`);
    }
  });

  test("Grafana's admin credential is the Terraform Secret; Grafana stays in-cluster unless the environment names its host", () => {
    const grafana = values(env, 'kube-prometheus-stack')['kube-prometheus-stack'].grafana;
    expect(grafana.admin).toEqual({ existingSecret: 'grafana-admin' });
    expect(KUBE_PROMETHEUS_STACK.secrets!.map((secret) => secret.name)).toEqual(['grafana-admin', 'alertmanager-receivers']);
    expect(grafana.ingress).toEqual({ enabled: false });
    // Unpublished: the namespace's pods admit each other, nobody from outside (the Grafana rule has
    // no peers) but KEDA's operator, where it reads Ollama's wake trigger from Prometheus.
    expect(values(env, 'kube-prometheus-stack').isolation.allow).toEqual([
      ...(atZero(env) ? [{ name: 'prometheus-from-keda', podLabels: { 'app.kubernetes.io/name': 'prometheus' }, from: [KEDA_PEER], ports: ['web'] }] : []),
      { name: 'same-namespace', podLabels: {}, from: [{ podSelector: { matchLabels: {} } }], ports: [] },
    ]);
    // Only as an ExternalSecret template key whose value is a reference, never a value.
    expect(JSON.stringify(stacks[env].json)).not.toMatch(/admin-password"\s*:\s*(?!"\{\{ \.\w+ \}\}")/);
  });

  test('the platform content alerts on the Deployment and the scrape job the catalog names', () => {
    const ollamaTarget = `${serviceUrl(CATALOG, 'ollama', 'api')}/api/tags`;
    expect(values(env, 'platform-monitoring')).toEqual({
      // Where Ollama scales to zero, its absence is no outage and a wake may take 10 minutes.
      ollama: { namespace: 'ollama', deployment: 'ollama', ...(atZero(env) ? { scalesToZero: true, probeTarget: ollamaTarget, unavailableFor: '10m' } : {}) },
      dcgmExporter: { namespace: 'monitoring', job: 'dcgm-exporter' },
      // The chat probe asks the catalog's Services: Ollama's model list, LibreChat's health.
      probe: {
        podLabels: CHAT_PROBE_PODS,
        targets: [ollamaTarget, `${serviceUrl(CATALOG, 'librechat', 'http')}/health`],
      },
      isolation: { allow: [] },
    });
  });

  test('Ollama syncs in an earlier wave than LibreChat, and is created first', () => {
    expect(apps(env).ollama.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('0');
    expect(apps(env).librechat.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('1');
    const resources = stacks[env].json.resource!.kubernetes_manifest;
    const librechat = Object.values(resources).find((r: any) => r.manifest.metadata.name === 'librechat');
    const ollamaId = Object.keys(resources).find((k) => resources[k].manifest.metadata.name === 'ollama');
    expect(librechat.depends_on).toContain(`kubernetes_manifest.${ollamaId}`);
  });

  test("LibreChat reaches Ollama through OLLAMA_BASE_URL from its Secret, offering the environment's models", () => {
    const config = parse(values(env, 'librechat').librechat.librechat.configYamlContent);
    expect(config.endpoints.custom[0]).toMatchObject({
      name: 'Ollama',
      baseURL: '${OLLAMA_BASE_URL}/v1/',
      models: { default: (environment(env).apps as any).ollama.models, fetch: true },
    });
    // Where an ExternalSecret builds the Secret, its template (isolation.externalSecrets) holds the URL.
    const { isolation, ...chartValues } = values(env, 'librechat');
    expect(JSON.stringify(chartValues)).not.toContain('ollama.ollama.svc');
    expect(JSON.stringify(isolation.allow)).not.toContain('ollama.ollama.svc');
  });

  // LibreChat resolves `${OLLAMA_BASE_URL}` itself: the generated file holds it as written.
  test('the generated values keep ${OLLAMA_BASE_URL} for LibreChat to resolve', () => {
    expect(parse(values(env, 'librechat').librechat.librechat.configYamlContent).endpoints.custom[0].baseURL).toBe('${OLLAMA_BASE_URL}/v1/');
  });

  test('each Application carries only repository, path, revision, value file names, project, destination and sync policy', () => {
    for (const app of CATALOG) {
      const source = apps(env)[app.name].spec.source;
      expect(Object.keys(source).sort()).toEqual(['helm', 'path', 'repoURL', 'targetRevision']);
      expect(source.helm).toEqual({ releaseName: app.name, valueFiles: ['values.yaml', `values-${env}.yaml`, `generated/${env}.yaml`] });
      expect(Object.keys(apps(env)[app.name].spec).sort()).toEqual(
        autoscaled(env, app.name).length > 0
          ? ['destination', 'ignoreDifferences', 'project', 'source', 'syncPolicy']
          : ['destination', 'project', 'source', 'syncPolicy'],
      );
    }
  });

  test("Argo CD leaves Ollama's replica count to KEDA where the environment scales it to zero, and heals it elsewhere", () => {
    if (atZero(env)) {
      expect(apps(env).ollama.spec.ignoreDifferences).toEqual([{ group: 'apps', kind: 'Deployment', name: 'ollama', jsonPointers: ['/spec/replicas'] }]);
      expect(apps(env).ollama.spec.syncPolicy.syncOptions).toContain('RespectIgnoreDifferences=true');
    } else {
      expect(apps(env).ollama.spec.ignoreDifferences).toBeUndefined();
      expect(apps(env).ollama.spec.syncPolicy.syncOptions).not.toContain('RespectIgnoreDifferences=true');
    }
    expect(apps(env).librechat.spec.ignoreDifferences).toBeUndefined();
  });

  test("LibreChat's container reads every required key of its Secrets with a non-optional reference", () => {
    const env_ = values(env, 'librechat').global.librechat.env;
    expect(env_.map((e: any) => `${e.valueFrom.secretKeyRef.name}/${e.name}`)).toEqual([
      'librechat-credentials-env/CREDS_KEY',
      'librechat-credentials-env/CREDS_IV',
      'librechat-credentials-env/JWT_SECRET',
      'librechat-credentials-env/JWT_REFRESH_SECRET',
      'librechat-credentials-env/MONGO_URI',
      'librechat-credentials-env/OLLAMA_BASE_URL',
      'librechat-meilisearch/MEILI_MASTER_KEY',
    ]);
    for (const e of env_) expect(e.valueFrom.secretKeyRef).toEqual({ name: expect.any(String), key: e.name });
  });

  test("MongoDB authenticates LibreChat's user with the Terraform Secret; Meilisearch reads its own Secret", () => {
    const librechat = values(env, 'librechat').librechat;
    expect(values(env, 'librechat').mongodb.auth).toEqual({ existingSecret: 'librechat-mongodb', username: 'librechat', database: 'LibreChat' });
    expect(librechat.mongodb).toBeUndefined();
    expect(librechat.meilisearch.auth).toEqual({ existingMasterKeySecret: 'librechat-meilisearch' });
  });

  test("NetworkPolicy peers: LibreChat admits the ingress controller, Ollama admits it only where published, and LibreChat's pods", () => {
    const e = environment(env);
    const ingress =
      e.cluster.kind === 'eks'
        ? [{ ipBlock: { cidr: e.cluster.vpc.cidr } }]
        : [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
              podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' } },
            },
          ];
    const librechatPods = { 'app.kubernetes.io/name': 'librechat-librechat', 'app.kubernetes.io/instance': 'librechat' };
    const mongodbPods = { 'app.kubernetes.io/name': 'mongodb', 'app.kubernetes.io/instance': 'librechat', 'app.kubernetes.io/component': 'mongodb' };
    expect(values(env, 'librechat').isolation.allow).toEqual([
      { name: 'librechat-from-ingress', podLabels: librechatPods, from: ingress, ports: ['http'] },
      { name: 'librechat-from-chat-probe', podLabels: librechatPods, from: [CHAT_PROBE_PEER], ports: ['http'] },
      {
        name: 'mongodb-from-librechat',
        podLabels: mongodbPods,
        from: [{ podSelector: { matchLabels: librechatPods } }],
        ports: ['mongodb'],
      },
      // A replica set's members replicate from each other (apps.librechat.mongodb.replicas > 1).
      ...((e.apps as any).librechat.mongodb.replicas > 1
        ? [{ name: 'mongodb-from-mongodb', podLabels: mongodbPods, from: [{ podSelector: { matchLabels: mongodbPods } }], ports: ['mongodb'] }]
        : []),
      {
        name: 'meilisearch-from-librechat',
        podLabels: { 'app.kubernetes.io/name': 'meilisearch', 'app.kubernetes.io/instance': 'librechat' },
        from: [{ podSelector: { matchLabels: librechatPods } }],
        ports: ['http'],
      },
    ]);
    const clients = clientsOf(CATALOG, 'ollama').map((client) => ({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': client.namespace } },
      podSelector: { matchLabels: client.podLabels },
    }));
    expect(clients).toContainEqual({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'librechat' } },
      podSelector: { matchLabels: librechatPods },
    });
    const ollamaPods = { 'app.kubernetes.io/name': 'ollama', 'app.kubernetes.io/instance': 'ollama' };
    const published = (e.ingress.hosts as any).ollama ? ingress : [];
    expect(values(env, 'ollama').isolation.allow).toEqual([
      // Where Ollama scales to zero, every app that depends on it (LibreChat's pods among them)
      // reaches the wake gateway, Prometheus its metrics, and Ollama only the gateway.
      ...(atZero(env)
        ? [
            { name: 'gateway', podLabels: GATEWAY_PODS, from: clients, ports: ['http'] },
            { name: 'gateway-metrics', podLabels: GATEWAY_PODS, from: [PROMETHEUS_PEER], ports: ['metrics'] },
          ]
        : []),
      {
        name: 'api',
        podLabels: ollamaPods,
        // The clients (or the gateway), then the ingress controller where Ollama is published.
        from: [...(atZero(env) ? [{ podSelector: { matchLabels: GATEWAY_PODS } }] : clients), ...published],
        ports: ['http'],
      },
      // The chat probe's pods only, on the API port.
      {
        name: 'api-from-chat-probe',
        podLabels: ollamaPods,
        from: [CHAT_PROBE_PEER],
        ports: ['http'],
      },
    ]);
  });

  test('environment data reaches the charts at the right depth of the double hierarchy', () => {
    const ollama = values(env, 'ollama');
    const e = environment(env);
    expect(ollama.ollama.ollama.gpu).toEqual({ enabled: true, number: (e.apps as any).ollama.gpuCount });
    expect(ollama.ollama.ollama.models.pull).toEqual((e.apps as any).ollama.models);
    const ollamaHost = (e.ingress.hosts as any).ollama;
    if (ollamaHost) expect(ollama.ollama.ingress.hosts[0].host).toBe(ollamaHost);
    else expect(ollama.ollama.ingress).toEqual({ enabled: false });
    expect(ollama.ollama.gpu).toBeUndefined();
    // One GPU zone: the chart's claim; several: a per-pod volume of the same size.
    const models =
      e.cluster.kind === 'eks' && !e.cluster.gpuCapacity && e.cluster.gpuNodes.availabilityZones.length > 1
        ? ollama.ollama.volumes[0].ephemeral.volumeClaimTemplate.spec.resources.requests.storage
        : ollama.ollama.persistentVolume.size;
    expect(models).toBe((e.apps as any).ollama.volumeSize);
    expect(values(env, 'librechat').librechat.ingress.hosts[0].host).toBe((e.ingress.hosts as any).librechat);
  });

  test("outputs the LibreChat URL, and Ollama's where it is published", () => {
    const e = environment(env);
    const scheme = e.ingress.tls ? 'https' : 'http';
    expect(stacks[env].json.output!.librechat_url.value).toBe(`${scheme}://${(e.ingress.hosts as any).librechat}`);
    const ollamaHost = (e.ingress.hosts as any).ollama;
    expect(stacks[env].json.output!.ollama_url?.value).toBe(ollamaHost ? `${scheme}://${ollamaHost}` : undefined);
  });
});

describe('per-environment differences', () => {
  test('the DCGM exporter selects and tolerates the EKS GPU node group; on minikube it runs on the one node, the GPU host', () => {
    const { serviceMonitor: _monitor, ...dev } = values('dev', 'dcgm-exporter')['dcgm-exporter'];
    expect(dev).toEqual({});
    for (const env of ['staging', 'prod'] as const) {
      const { serviceMonitor: _, ...scheduling } = values(env, 'dcgm-exporter')['dcgm-exporter'];
      expect(scheduling).toEqual({
        nodeSelector: { 'nvidia.com/gpu.present': 'true' },
        tolerations: [{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }],
      });
      expect(scheduling).toEqual({
        nodeSelector: values(env, 'ollama').ollama.nodeSelector,
        tolerations: values(env, 'ollama').ollama.tolerations,
      });
    }
  });

  test("an idle GPU is attributed to nobody: the exporter pod's own namespace, pod and container are removed from its series; every series gets its node", () => {
    const monitor = values('prod', 'dcgm-exporter')['dcgm-exporter'].serviceMonitor;
    expect(monitor.relabelings).toEqual([{ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node', action: 'replace' }]);
    const [mark, ...rest] = monitor.metricRelabelings;
    expect(mark).toEqual({
      sourceLabels: ['namespace', 'pod'],
      regex: `${DCGM_EXPORTER.namespace};${DCGM_EXPORTER.name}-[a-z0-9]{5}`,
      targetLabel: '__tmp_exporter_own',
      replacement: 'true',
      action: 'replace',
    });
    // The regex matches the DaemonSet's pods only, never a GPU user's pod.
    const own = new RegExp(`^(?:${mark.regex})$`);
    expect(own.test(`${DCGM_EXPORTER.namespace};${DCGM_EXPORTER.name}-x7k2p`)).toBe(true);
    expect(own.test('ollama;ollama-6d5f8-x7k2p')).toBe(false);
    expect(rest.slice(0, 3).map((r: any) => [r.targetLabel, r.sourceLabels, r.replacement])).toEqual([
      ['pod', ['__tmp_exporter_own'], ''],
      ['namespace', ['__tmp_exporter_own'], ''],
      ['container', ['__tmp_exporter_own'], ''],
    ]);
    expect(rest[3]).toEqual({ regex: '__tmp_exporter_own', action: 'labeldrop' });
  });

  test('Prometheus keeps its metrics on the retained, backed-up StorageClass on EKS; dev keeps no volume', () => {
    expect(values('dev', 'kube-prometheus-stack')['kube-prometheus-stack'].prometheus).toBeUndefined();
    for (const env of ['staging', 'prod'] as const) {
      expect(values(env, 'kube-prometheus-stack')['kube-prometheus-stack'].prometheus.prometheusSpec.storageSpec).toEqual({
        volumeClaimTemplate: { spec: { storageClassName: 'gp3-retain' } },
      });
    }
  });

  test("a published Grafana: the grafana chart's Ingress layout, its root URL, and the ingress controller admitted", () => {
    const env = structuredClone(environment('staging'));
    (env.ingress.hosts as Record<string, string>)['kube-prometheus-stack'] = 'grafana.staging.llm.example.com';
    const app = appValues(env, 'kube-prometheus-stack');
    expect(app['kube-prometheus-stack'].grafana.ingress).toMatchObject({
      enabled: true,
      ingressClassName: 'alb',
      hosts: ['grafana.staging.llm.example.com'],
      path: '/',
      pathType: 'Prefix',
      tls: [{ secretName: 'kube-prometheus-stack-tls', hosts: ['grafana.staging.llm.example.com'] }],
    });
    expect(app['kube-prometheus-stack'].grafana['grafana.ini']).toEqual({ server: { root_url: 'https://grafana.staging.llm.example.com' } });
    expect(app.isolation.allow).toContainEqual({
      name: 'grafana-from-ingress',
      podLabels: { 'app.kubernetes.io/name': 'grafana', 'app.kubernetes.io/instance': 'kube-prometheus-stack' },
      from: [{ ipBlock: { cidr: env.cluster.kind === 'eks' ? env.cluster.vpc.cidr : '' } }],
      ports: ['grafana'],
    });
  });

  test('dev has one small model, no GPU node scheduling (minikube has no tainted nodes), and keeps Ollama in-cluster', () => {
    expect(values('dev', 'ollama').ollama.ollama.models.pull).toEqual(['llama3.2:1b']);
    expect(values('dev', 'ollama').ollama.nodeSelector).toBeUndefined();
    expect(values('dev', 'ollama').ollama.tolerations).toBeUndefined();
    expect(values('dev', 'ollama').ollama.ingress).toEqual({ enabled: false });
    expect(stacks.dev.json.output!.ollama_url).toBeUndefined();
  });

  test('a published Ollama behind an allowlist: nginx admits only the listed ranges', () => {
    const env = structuredClone(environment('dev'));
    (env.ingress.hosts as any).ollama = 'ollama.llm.test';
    env.ingress.sourceRanges = { ollama: ['192.168.49.0/24'] };
    const ollama = appValues(env, 'ollama').ollama;
    expect(ollama.ingress.annotations['nginx.ingress.kubernetes.io/whitelist-source-range']).toBe('192.168.49.0/24');
  });

  test.each(['staging', 'prod'] as const)(
    '%s schedules Ollama onto the tainted GPU nodes, keeps its unauthenticated API in-cluster, serves LibreChat over TLS',
    (env) => {
      const ollama = values(env, 'ollama').ollama;
      expect(ollama.nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
      expect(ollama.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
      expect(ollama.ingress).toEqual({ enabled: false });
      const librechat = values(env, 'librechat').librechat;
      expect(librechat.ingress.tls).toEqual([{ secretName: 'librechat-tls', hosts: [(environment(env).ingress.hosts as any).librechat] }]);
      expect(librechat.librechat.configEnv.DOMAIN_CLIENT).toBe(`https://${(environment(env).ingress.hosts as any).librechat}`);
    },
  );

  test.each(['staging', 'prod'] as const)('%s puts LibreChat on the shared ALB with a 600 s idle timeout and no nginx annotation', (env) => {
    const ingress = values(env, 'librechat').librechat.ingress;
    const cluster = environment(env).cluster as { name: string };
    expect(ingress.className).toBe('alb');
    expect(ingress.annotations).toMatchObject({
      'alb.ingress.kubernetes.io/group.name': cluster.name,
      'alb.ingress.kubernetes.io/scheme': 'internet-facing',
      'alb.ingress.kubernetes.io/load-balancer-attributes': expect.stringContaining('idle_timeout.timeout_seconds=600'),
    });
    expect(ingress.annotations['alb.ingress.kubernetes.io/backend-protocol']).toBeUndefined();
    expect(Object.keys(ingress.annotations).filter((k) => k.startsWith('nginx.'))).toEqual([]);
  });

  test("dev carries the nginx streaming timeouts on the apps' Ingresses", () => {
    for (const [app, root] of [['librechat', 'librechat']]) {
      expect(values('dev', app)[root].ingress.annotations).toEqual({
        'nginx.ingress.kubernetes.io/proxy-read-timeout': '600',
        'nginx.ingress.kubernetes.io/proxy-send-timeout': '600',
      });
    }
  });

  test('prod pulls more models than staging', () => {
    expect(values('prod', 'ollama').ollama.ollama.models.pull).toEqual(['llama3.2:3b', 'qwen2.5:7b']);
    expect(values('staging', 'ollama').ollama.ollama.models.pull).toEqual(['llama3.2:3b']);
  });

  test('the apps stacks need only the kubernetes provider (plus aws for the EKS lookup)', () => {
    expect(Object.keys(stacks.dev.json.terraform.required_providers).sort()).toEqual(['kubernetes']);
    expect(stacks.staging.json.terraform.required_providers.aws).toEqual({ source: 'hashicorp/aws', version: '6.25.0' });
  });
});

describe('wrapper chart checks at synth time', () => {
  const copyApps = () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'apps-'));
    fs.cpSync('apps', path.join(root, 'apps'), { recursive: true });
    return root;
  };

  test('a missing per-environment value file fails synth with the file named', () => {
    const root = copyApps();
    fs.rmSync(path.join(root, 'apps/librechat/values-dev.yaml'));
    expect(() => new AppsStack(Testing.app(), 'dev-apps', { environment: environment('dev'), catalog: CATALOG, repoRoot: root })).toThrow(
      /^dev-apps: apps\/librechat\/values-dev\.yaml: value file not found \(the Application would fail to render\)$/,
    );
  });

  test('a missing generated value file fails synth with the file and the command named', () => {
    const root = copyApps();
    fs.rmSync(path.join(root, 'apps/ollama/generated/dev.yaml'));
    expect(() => new AppsStack(Testing.app(), 'dev-apps', { environment: environment('dev'), catalog: CATALOG, repoRoot: root })).toThrow(
      /^dev-apps: apps\/ollama\/generated\/dev\.yaml: generated value file not found \(the Application would fail to render\): run `npm run values` and commit it$/,
    );
  });

  test('a missing wrapper chart fails synth', () => {
    const root = copyApps();
    fs.rmSync(path.join(root, 'apps/ollama/Chart.yaml'));
    expect(() => new AppsStack(Testing.app(), 'dev-apps', { environment: environment('dev'), catalog: CATALOG, repoRoot: root })).toThrow(
      /^dev-apps: apps\/ollama\/Chart\.yaml: wrapper chart not found$/,
    );
  });

  test('a wrapper chart without dependencies fails synth', () => {
    const root = copyApps();
    fs.writeFileSync(path.join(root, 'apps/ollama/Chart.yaml'), 'apiVersion: v2\nname: ollama\nversion: 1.0.0\n');
    expect(() => new AppsStack(Testing.app(), 'dev-apps', { environment: environment('dev'), catalog: CATALOG, repoRoot: root })).toThrow(
      /^dev-apps: apps\/ollama\/Chart\.yaml: dependencies must list the upstream chart$/,
    );
  });

  test("a chart of the platform's own objects needs templates, not a dependency", () => {
    const root = copyApps();
    fs.mkdirSync(path.join(root, 'apps/own'));
    fs.writeFileSync(
      path.join(root, 'apps/own/Chart.yaml'),
      'apiVersion: v2\nname: own\nversion: 1.0.0\ndependencies:\n  - { name: isolation, version: 1.0.0, repository: file://../isolation }\n',
    );
    for (const file of ['values.yaml', 'values-dev.yaml', 'generated/dev.yaml']) {
      fs.mkdirSync(path.dirname(path.join(root, 'apps/own', file)), { recursive: true });
      fs.writeFileSync(path.join(root, 'apps/own', file), '{}\n');
    }
    const own: AppDefinition = { name: 'own', namespace: 'ollama', chart: 'own' };
    const build = () => new AppsStack(Testing.app(), 'dev-apps', { environment: environment('dev'), catalog: [...CATALOG, own], repoRoot: root });
    expect(build).toThrow(/^dev-apps: apps\/own\/templates: the chart of the platform's own objects has no templates$/);
    fs.mkdirSync(path.join(root, 'apps/own/templates'));
    fs.writeFileSync(path.join(root, 'apps/own/templates/configmap.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n');
    fs.copyFileSync(path.join(root, 'apps/platform-monitoring/templates/isolation.yaml'), path.join(root, 'apps/own/templates/isolation.yaml'));
    expect(build().applications.own.name).toBe('own');
  });

  test('a dependency without a version fails synth', () => {
    const root = copyApps();
    fs.writeFileSync(
      path.join(root, 'apps/ollama/Chart.yaml'),
      'apiVersion: v2\nname: ollama\nversion: 1.0.0\ndependencies:\n  - name: ollama\n    repository: https://helm.otwld.com/\n',
    );
    expect(() => new AppsStack(Testing.app(), 'dev-apps', { environment: environment('dev'), catalog: CATALOG, repoRoot: root })).toThrow(
      /^dev-apps: apps\/ollama\/Chart\.yaml: dependencies\[0\]\.version must be a non-empty string$/,
    );
  });
});

describe('per-host allowlists on the shared ALB', () => {
  test('a LibreChat allowlist becomes a source-ip condition on the Service its Ingress routes to', () => {
    const env = structuredClone(environment('staging'));
    env.ingress.sourceRanges = { librechat: ['198.51.100.0/24'] };
    const ingress = appValues(env, 'librechat').librechat.ingress;
    expect(JSON.parse(ingress.annotations['alb.ingress.kubernetes.io/conditions.librechat-librechat'])).toEqual([
      { field: 'source-ip', sourceIpConfig: { values: ['198.51.100.0/24'] } },
    ]);
    expect(ingress.annotations['alb.ingress.kubernetes.io/inbound-cidrs']).toBeUndefined();
  });
});

describe('LibreChat sign-up', () => {
  const registration = (values: any) => values.librechat.librechat.configEnv.ALLOW_REGISTRATION;

  test('closed on the public staging and prod hosts, open only where an environment opts in (dev, explicitly)', () => {
    expect(registration(values('staging', 'librechat'))).toBe('false');
    expect(registration(values('prod', 'librechat'))).toBe('false');
    expect(registration(values('dev', 'librechat'))).toBe('true');
    expect(environment('staging').apps.librechat).toMatchObject({ allowRegistration: false });
  });

  test('the opt-in is the environment setting: it reaches the generated value file, which outranks the hand-written ones', () => {
    const env = structuredClone(environment('staging'));
    (env.apps.librechat as { allowRegistration: boolean }).allowRegistration = true;
    expect(registration(appValues(env, 'librechat'))).toBe('true');
  });

  test('the chart values keep sign-up closed: the base says false and no environment file reopens it', () => {
    expect(parse(fs.readFileSync('apps/librechat/values.yaml', 'utf8')).librechat.librechat.configEnv.ALLOW_REGISTRATION).toBe('false');
    for (const env of ['dev', 'staging', 'prod']) {
      expect(fs.readFileSync(`apps/librechat/values-${env}.yaml`, 'utf8')).not.toMatch(/ALLOW_REGISTRATION/);
    }
  });
});

describe('stateful volumes', () => {
  test.each(['staging', 'prod'] as const)('%s: MongoDB asks for the retained, backed-up class', (env) => {
    expect(values(env, 'librechat').mongodb.persistence).toEqual({ storageClass: 'gp3-retain' });
    // GPU nodes from Karpenter in any zone: Ollama's models on the shared EFS volume, bound by name
    // (the platform stack's PersistentVolume, retained), never a zonal EBS volume.
    expect(values(env, 'ollama').ollama.persistentVolume).toEqual({
      enabled: true,
      accessModes: ['ReadWriteMany'],
      size: (environment(env).apps as any).ollama.volumeSize,
      storageClass: 'efs-models',
      volumeName: 'ollama-models',
    });
    expect(values(env, 'ollama').ollama.volumes).toBeUndefined();
  });

  test("dev keeps minikube's default class", () => {
    expect(values('dev', 'librechat').mongodb.persistence).toBeUndefined();
    expect(values('dev', 'librechat').librechat.meilisearch.persistence).toBeUndefined();
    expect(values('dev', 'ollama').ollama.persistentVolume.storageClass).toBeUndefined();
    expect(values('dev', 'librechat').librechat.librechat.imageVolume).toBeUndefined();
  });
});

describe('one zone can fail: LibreChat, Meilisearch, Prometheus and Alertmanager are not held in one zone', () => {
  const ZONE = 'topology.kubernetes.io/zone';
  const settings = (env: 'dev' | 'staging' | 'prod') => (environment(env).apps as any).librechat;
  const zones = (env: 'staging' | 'prod') => {
    const cluster = environment(env).cluster;
    if (cluster.kind !== 'eks') throw new Error('EKS expected');
    return cluster;
  };

  test.each(['staging', 'prod'] as const)('%s: LibreChat runs its replicas one per zone, under the ServiceAccount of its bucket role', (env) => {
    const replicas = settings(env).replicas;
    expect(replicas).toBeGreaterThan(1);
    const librechat = values(env, 'librechat').librechat;
    expect(librechat.replicaCount).toBe(replicas);
    expect(librechat.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
      { topologyKey: ZONE, labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'librechat-librechat', 'app.kubernetes.io/instance': 'librechat' } } },
    ]);
    // A surge pod needs a zone without a LibreChat pod: the settings keep one free.
    expect(replicas).toBeLessThan(zones(env).vpc.availabilityZones.length);
    expect(librechat.updateStrategy).toEqual({ type: 'RollingUpdate' });
    expect(librechat.serviceAccount).toEqual({ name: LIBRECHAT.objectStorage!.serviceAccount('librechat') });
  });

  test.each(['staging', 'prod'] as const)(
    '%s: without Redis each browser stays on its LibreChat pod (its in-progress streams live there): ALB cookie stickiness',
    (env) => {
      const annotations = values(env, 'librechat').librechat.ingress.annotations;
      expect(annotations['alb.ingress.kubernetes.io/target-group-attributes']).toBe(
        'stickiness.enabled=true,stickiness.type=lb_cookie,stickiness.lb_cookie.duration_seconds=86400',
      );
      // The shared ALB's own settings are still there.
      expect(annotations['alb.ingress.kubernetes.io/group.name']).toBe(zones(env).name);
      expect(values('dev', 'librechat').librechat.ingress.annotations['nginx.ingress.kubernetes.io/affinity']).toBeUndefined();
    },
  );

  test("nginx's cookie affinity is the sticky set of an nginx environment", () => {
    expect(ingressAnnotationSets(environment('dev')).sticky).toEqual({
      'nginx.ingress.kubernetes.io/affinity': 'cookie',
      'nginx.ingress.kubernetes.io/session-cookie-max-age': '86400',
    });
  });

  test.each(['staging', 'prod'] as const)("%s: uploads go to LibreChat's bucket (fileStrategy s3, bucket and region), no images volume", (env) => {
    expect(settings(env).fileStorage).toBe('s3');
    const librechat = values(env, 'librechat').librechat.librechat;
    expect(parse(librechat.configYamlContent).fileStrategy).toBe('s3');
    expect(librechat.configEnv).toMatchObject({ AWS_BUCKET_NAME: appBucketName(zones(env).name, 'librechat'), AWS_REGION: zones(env).region });
    // No access keys: the AWS SDK's default chain takes EKS Pod Identity's credentials.
    expect(Object.keys(librechat.configEnv).filter((key) => key.startsWith('AWS_') && key.includes('KEY'))).toEqual([]);
    expect(librechat.imageVolume).toEqual({ enabled: false });
  });

  test.each(['staging', 'prod'] as const)(
    "%s: Meilisearch's index keeps the chart's claim, retained and backed up (a rescheduled pod keeps its index)",
    (env) => {
      expect(settings(env).searchIndex).toBe('volume');
      const meilisearch = values(env, 'librechat').librechat.meilisearch;
      expect(meilisearch.persistence).toEqual({ storageClass: 'gp3-retain' });
      expect(meilisearch.volumes).toBeUndefined();
    },
  );

  test.each(['staging', 'prod'] as const)(
    "%s with searchIndex per-pod: Meilisearch's index is on a per-pod volume created in the pod's zone, not a zonal claim",
    (env) => {
      const perPod = structuredClone(environment(env));
      (perPod.apps.librechat as { searchIndex: string }).searchIndex = 'per-pod';
      const meilisearch = appValues(perPod, 'librechat').librechat.meilisearch;
      expect(meilisearch.persistence).toEqual({ enabled: false });
      expect(meilisearch.volumes).toEqual([
        {
          name: 'index',
          ephemeral: {
            volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: settings(env).searchVolumeSize } } } },
          },
        },
      ]);
      // Beside the chart's own emptyDir at /meili_data (0.11.0 mounts one there without persistence).
      expect(meilisearch.volumeMounts).toEqual([{ name: 'index', mountPath: '/meili_index' }]);
      expect(meilisearch.environment).toEqual({ MEILI_DB_PATH: '/meili_index/data.ms' });
    },
  );

  test.each(['staging', 'prod'] as const)('%s: Prometheus and Alertmanager run two replicas in different zones', (env) => {
    const stack = values(env, 'kube-prometheus-stack')['kube-prometheus-stack'];
    const spread = { replicas: 2, podAntiAffinity: 'hard', podAntiAffinityTopologyKey: ZONE };
    expect(stack.prometheus.prometheusSpec).toMatchObject(spread);
    // Beside the receivers' Secret; one configuration for the cluster the replicas form.
    expect(stack.alertmanager.alertmanagerSpec).toEqual({ ...spread, secrets: ['alertmanager-receivers'] });
  });

  test('dev (one node, no zones) keeps one LibreChat pod on its images volume, a Meilisearch claim and single monitoring replicas', () => {
    expect(settings('dev').replicas).toBe(1);
    const librechat = values('dev', 'librechat').librechat;
    expect(librechat.replicaCount).toBeUndefined();
    expect(librechat.affinity).toBeUndefined();
    expect(librechat.serviceAccount).toBeUndefined();
    expect(parse(librechat.librechat.configYamlContent).fileStrategy).toBeUndefined();
    expect(librechat.librechat.configEnv.AWS_BUCKET_NAME).toBeUndefined();
    expect(librechat.meilisearch.volumes).toBeUndefined();
    expect(librechat.meilisearch.environment).toBeUndefined();
    const stack = values('dev', 'kube-prometheus-stack')['kube-prometheus-stack'];
    expect(stack.prometheus).toBeUndefined();
    expect(stack.alertmanager.alertmanagerSpec).toEqual({ secrets: ['alertmanager-receivers'] });
  });

  test('an EKS environment that keeps the images volume keeps one pod on the retained class and the Recreate strategy', () => {
    const env = structuredClone(environment('staging'));
    (env.apps as any).librechat = { ...(env.apps as any).librechat, replicas: 1, fileStorage: 'volume' };
    const librechat = appValues(env, 'librechat').librechat;
    expect(librechat.librechat.imageVolume).toEqual({ storageClassName: 'gp3-retain' });
    expect(librechat.updateStrategy).toBeUndefined();
    expect(librechat.replicaCount).toBeUndefined();
    expect(parse(librechat.librechat.configYamlContent).fileStrategy).toBeUndefined();
  });
});
