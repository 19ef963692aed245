/**
 * Where an environment keeps credentials in AWS Secrets Manager, the rendered wrapper charts carry
 * one SecretStore and one ExternalSecret per Secret of the catalog, producing exactly the Secrets
 * and keys that Terraform writes elsewhere and that the charts' workloads read; a composed value
 * (MONGO_URI) is built from the same secret property as the credential it embeds. Needs helm
 * (RENDER_HELM or the PATH); without it the suite is skipped with a warning.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CATALOG, LibrechatSettings, OllamaSettings, mongoUri } from '../../apps/catalog';
import { secretsManagerName } from '../../contracts/external-secrets';
import { ENVIRONMENTS } from '../../environments';
import { secretSource } from '../../environments/secret-source';
import { writeStandIns } from '../../tools/e2e/argocd/stand-ins';
import { externalSecretTargets, formatFinding } from '../../tools/render/checks';
import { findHelm } from '../../tools/render/helm';
import { EnvironmentRender, renderRepository } from '../../tools/render/render';
import { appContexts } from '../../stacks/app-contexts';
import { environment } from '../support/environments';

const FIXTURES = path.join(__dirname, 'fixtures');
const helm = findHelm();
if (!helm) console.warn('SKIPPED test/render/external-secrets: no helm (set RENDER_HELM or put helm on the PATH)');

function render(): EnvironmentRender[] {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'render-eso-'));
  fs.cpSync('apps', path.join(root, 'apps'), { recursive: true });
  const chartsDir = path.join(root, 'stand-ins');
  fs.cpSync(path.join(FIXTURES, 'charts'), chartsDir, { recursive: true });
  writeStandIns(root, chartsDir, chartsDir, CATALOG);
  try {
    return renderRepository({ repoRoot: root, helm: helm!, chartsDir, catalog: CATALOG, environments: ENVIRONMENTS, env: {} });
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

(helm ? describe : describe.skip)('ExternalSecrets in the rendered charts', () => {
  let renders: EnvironmentRender[];
  beforeAll(() => {
    renders = render();
  }, 300_000);
  const objectsOf = (env: string, kind: string) =>
    renders
      .find((r) => r.environment === env)!
      .apps.flatMap((a) => a.objects.filter((o) => o.kind === kind).map((o) => ({ app: a.app, namespace: a.namespace, object: o as any })));

  test('the environments that keep credentials in Secrets Manager are exactly the EKS ones, and dev renders no ExternalSecret', () => {
    expect(
      ENVIRONMENTS.map((e) => environment(e.name))
        .filter((e) => secretSource(e) === 'aws-secrets-manager')
        .map((e) => e.name),
    ).toEqual(['staging', 'prod']);
    expect(objectsOf('dev', 'ExternalSecret')).toEqual([]);
    expect(objectsOf('dev', 'SecretStore')).toEqual([]);
  });

  describe.each(['staging', 'prod'])('%s', (envName) => {
    const env = environment(envName);
    if (env.cluster.kind !== 'eks') throw new Error('EKS expected');
    const cluster = env.cluster;
    const contexts = appContexts(env, CATALOG);

    test('one ExternalSecret per Secret of the catalog, in its app namespace, with exactly its credential and setting keys', () => {
      const expected = CATALOG.flatMap((app) =>
        (app.secrets ?? []).map((secret) => ({
          namespace: app.namespace,
          name: secret.name,
          keys: [...secret.credentials.map((c) => c.key), ...Object.keys(secret.settings?.(contexts.get(app.name)!, () => 'x') ?? {})].sort(),
        })),
      );
      const rendered = externalSecretTargets(renders.find((r) => r.environment === envName)!.apps).map((s) => ({
        namespace: s.namespace,
        name: s.name,
        keys: Object.keys(s.data).sort(),
      }));
      const order = (list: { namespace: string; name: string }[]) =>
        [...list].sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
      expect(order(rendered)).toEqual(order(expected));
      expect(expected.length).toBeGreaterThan(0);
    });

    test("every Secret key a workload reads is produced (the render's reference check passes)", () => {
      const findings = renders.find((r) => r.environment === envName)!.findings.map((f) => formatFinding(envName, f));
      expect(findings.filter((f) => /Secret/.test(f))).toEqual([]);
    });

    test('each ExternalSecret reads its own Secrets Manager secret in the cluster region through the namespace SecretStore, and owns its Secret', () => {
      const stores = objectsOf(envName, 'SecretStore');
      const namespacesWithSecrets = [...new Set(CATALOG.filter((a) => (a.secrets ?? []).length > 0).map((a) => a.namespace))].sort();
      expect(stores.map((s) => s.namespace).sort()).toEqual(namespacesWithSecrets);
      for (const { object } of stores) {
        expect(object.spec).toEqual({ provider: { aws: { service: 'SecretsManager', region: cluster.region } } });
        expect(object.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-1');
      }
      for (const { app, object } of objectsOf(envName, 'ExternalSecret')) {
        const namespace = CATALOG.find((a) => a.name === app)!.namespace;
        expect(object.spec.secretStoreRef).toEqual({ kind: 'SecretStore', name: 'aws-secrets-manager' });
        expect(object.spec.target).toMatchObject({ name: object.metadata.name, creationPolicy: 'Owner' });
        const own = secretsManagerName(cluster.name, namespace, object.metadata.name);
        const secret = CATALOG.find((a) => a.name === app)!.secrets!.find((s) => s.name === object.metadata.name)!;
        for (const c of secret.credentials) {
          const ref = object.spec.data.find((d: any) => d.remoteRef.key === own && d.remoteRef.property === c.key);
          expect([c.key, object.spec.target.template.data[c.key]]).toEqual([c.key, `{{ .${ref.secretKey} }}`]);
        }
      }
    });

    test("MONGO_URI is rebuilt from the same property that is librechat-mongodb's password, so one version feeds both", () => {
      const secrets = objectsOf(envName, 'ExternalSecret').map((e) => e.object);
      // ESO's template, evaluated over distinct stand-in values per (secret, property).
      const valueOf = (key: string, property: string) => `v-${key}-${property}`;
      const evaluate = (es: any) =>
        Object.fromEntries(
          Object.entries<string>(es.spec.target.template.data).map(([k, t]) => [
            k,
            t.replace(/\{\{ \.(\w+) \}\}/g, (_m, alias) => {
              const ref = es.spec.data.find((d: any) => d.secretKey === alias).remoteRef;
              return valueOf(ref.key, ref.property);
            }),
          ]),
        );
      const mongodb = evaluate(secrets.find((s) => s.metadata.name === 'librechat-mongodb'));
      const librechat = evaluate(secrets.find((s) => s.metadata.name === 'librechat-credentials-env'));
      // The catalog's own composition: every member of the replica set where the environment runs one.
      const replicas = (contexts.get('librechat')!.settings as LibrechatSettings).mongodb.replicas;
      const service = { name: 'librechat-mongodb', namespace: 'librechat', port: 27017 };
      const expected = mongoUri({ service, database: 'LibreChat', user: 'librechat', password: mongodb['mongodb-passwords'], replicas });
      // Independently of the composition: one host per member, and the set's name with more than one.
      const hosts = /@([^/]+)\//.exec(librechat.MONGO_URI)![1].split(',');
      expect(hosts).toHaveLength(replicas);
      expect(librechat.MONGO_URI.includes('?replicaSet=')).toBe(replicas > 1);
      expect(librechat.MONGO_URI).toBe(expected);
      // Through the wake gateway where Ollama scales to zero.
      const ollama = contexts.get('ollama')!.settings as OllamaSettings;
      const viaGateway = ollama.activeHours !== undefined || ollama.idleAfterMinutes !== undefined;
      expect(librechat.OLLAMA_BASE_URL).toBe(contexts.get('librechat')!.serviceUrl('ollama', viaGateway ? 'gateway' : 'api'));
    });
  });
});
