import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { Testing } from 'cdktf';
import { CATALOG } from '../../apps/catalog';
import { AppsStack } from '../../constructs/apps/apps-stack';
import { environment, environmentStacks, manifests, synth } from '../support/synth';

const stacks = {
  dev: synth(environmentStacks(environment('dev')).apps),
  staging: synth(environmentStacks(environment('staging')).apps),
  prod: synth(environmentStacks(environment('prod')).apps),
};
const apps = (env: keyof typeof stacks) => manifests(stacks[env].json, 'Application');
const project = (env: keyof typeof stacks) => manifests(stacks[env].json, 'AppProject')['llm-platform'];
const values = (env: keyof typeof stacks, app: string) => apps(env)[app].spec.source.helm.valuesObject;

describe.each(Object.keys(stacks) as (keyof typeof stacks)[])('%s-apps', (env) => {
  test('defaults snapshot', () => {
    expect(stacks[env].json).toMatchSnapshot();
  });

  test('an AppProject (not default) allows only the Git repository, the wrapper chart repositories and the app namespaces', () => {
    expect(project(env).metadata).toEqual({
      name: 'llm-platform',
      namespace: 'argocd',
      labels: { 'app.kubernetes.io/managed-by': 'terraform', 'app.kubernetes.io/part-of': 'llm-platform' },
    });
    expect(project(env).spec.sourceRepos).toEqual([
      'https://github.com/example-org/gitops-llm-platform.git',
      'https://helm.otwld.com/',
      'ghcr.io/danny-avila/librechat-chart',
    ]);
    expect(project(env).spec.destinations).toEqual([
      { server: 'https://kubernetes.default.svc', namespace: 'ollama' },
      { server: 'https://kubernetes.default.svc', namespace: 'librechat' },
    ]);
    expect(project(env).spec.clusterResourceWhitelist).toBeUndefined();
  });

  test.each(['ollama', 'librechat'])('the %s Application syncs its wrapper chart from Git', (name) => {
    const app = apps(env)[name];
    expect(app.metadata).toMatchObject({ namespace: 'argocd', finalizers: ['resources-finalizer.argocd.argoproj.io'] });
    expect(app.spec.project).toBe('llm-platform');
    expect(app.spec.source).toMatchObject({
      repoURL: 'https://github.com/example-org/gitops-llm-platform.git',
      targetRevision: 'main',
      path: `apps/${name}`,
      helm: { releaseName: name, valueFiles: ['values.yaml', `values-${env}.yaml`] },
    });
    expect(app.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: name });
    expect(app.spec.syncPolicy).toEqual({
      automated: { prune: true, selfHeal: true, allowEmpty: false },
      syncOptions: ['CreateNamespace=false'],
      retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
    });
    expect(fs.existsSync(path.join('apps', name, `values-${env}.yaml`))).toBe(true);
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
      // Terraform would evaluate a bare `${…}`: the synthesized JSON holds it escaped (`$${…}`).
      baseURL: expect.stringMatching(/^\$?\$\{OLLAMA_BASE_URL\}\/v1\/$/),
      models: { default: (environment(env).apps as any).ollama.models, fetch: true },
    });
    expect(JSON.stringify(values(env, 'librechat'))).not.toContain('ollama.ollama.svc');
  });

  // LibreChat resolves `${OLLAMA_BASE_URL}` itself; unescaped, Terraform would evaluate it at plan.
  test('the synthesized valuesObject escapes ${OLLAMA_BASE_URL} for Terraform ($${OLLAMA_BASE_URL})', () => {
    expect(parse(values(env, 'librechat').librechat.librechat.configYamlContent).endpoints.custom[0].baseURL).toBe('$${OLLAMA_BASE_URL}/v1/');
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
    expect(librechat.mongodb.auth).toEqual({ enabled: true, existingSecret: 'librechat-mongodb', usernames: ['librechat'], databases: ['LibreChat'] });
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
    expect(values(env, 'librechat').networkPolicy).toEqual({ ingressController: { from: ingress } });
    expect(values(env, 'ollama').networkPolicy).toEqual({
      ingressController: { from: (e.ingress.hosts as any).ollama ? ingress : [] },
      clients: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'librechat' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'librechat-librechat', 'app.kubernetes.io/instance': 'librechat' } },
        },
      ],
    });
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
    expect(ollama.ollama.persistentVolume.size).toBe((e.apps as any).ollama.volumeSize);
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
    const ollama = synth(environmentStacks(env).apps).manifests('Application').ollama.spec.source.helm.valuesObject.ollama;
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
    const ingress = synth(environmentStacks(env).apps).manifests('Application').librechat.spec.source.helm.valuesObject.librechat.ingress;
    expect(JSON.parse(ingress.annotations['alb.ingress.kubernetes.io/conditions.librechat-librechat'])).toEqual([
      { field: 'source-ip', sourceIpConfig: { values: ['198.51.100.0/24'] } },
    ]);
    expect(ingress.annotations['alb.ingress.kubernetes.io/inbound-cidrs']).toBeUndefined();
  });
});
