/**
 * The two-place rule: a third app is `apps/<name>/` plus one catalog entry. This test adds a
 * fixture app exactly that way — the shipped environments, constructs and stacks stay unchanged —
 * and checks everything the catalog drives.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CATALOG } from '../../apps/catalog';
import { AppDefinition } from '../../constructs/apps/app-definition';
import { buildApp } from '../../main';
import { TfJson } from '../support/synth';

const VECTORDB: AppDefinition = {
  name: 'vectordb',
  namespace: 'vectors',
  dependsOn: ['ollama'],
  host: 'optional',
  services: { http: { serviceName: (release) => release, port: 6333, scheme: 'http' } },
  secrets: [{ name: 'vectordb-auth', credentials: [{ key: 'API_KEY', generatedBytes: 24, pattern: '^\\S{24,}$', rule: 'at least 24 characters' }] }],
  values: (context) => ({ vectordb: { ollamaUrl: context.serviceUrl('ollama', 'api') } }),
};

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-'));
fs.cpSync('apps', path.join(root, 'apps'), { recursive: true });
fs.cpSync(path.join(__dirname, 'fixture-app'), path.join(root, 'apps', 'vectordb'), { recursive: true });
const overrides = path.join(root, 'overrides.json');
fs.writeFileSync(overrides, JSON.stringify({ dev: { ingress: { hosts: { vectordb: 'vectors.llm.test' } } } }));
const outdir = path.join(root, 'cdktf.out');
buildApp({ outdir, repoRoot: root, catalog: [...CATALOG, VECTORDB], env: { PLATFORM_OVERRIDES_FILE: overrides } }).synth();
const stack = (name: string): TfJson => JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8'));
const manifests = (json: TfJson, kind: string) =>
  Object.values<any>(json.resource!.kubernetes_manifest)
    .map((r) => r.manifest)
    .filter((m) => m.kind === kind);

describe.each(['dev', 'staging', 'prod'])('a fixture app added to the catalog, in %s', (env) => {
  const platform = stack(`${env}-platform`);
  const apps = stack(`${env}-apps`);

  test('gets its namespace and its Secret with sensitive variables', () => {
    expect(Object.values<any>(platform.resource!.kubernetes_namespace_v1).map((n) => n.metadata.name)).toContain('vectors');
    const secret = Object.values<any>(platform.resource!.kubernetes_secret_v1).find((s) => s.metadata.name === 'vectordb-auth');
    expect(secret.metadata.namespace).toMatch(/^\$\{kubernetes_namespace_v1\.namespaces_vectors_\w+\.metadata\[0\]\.name\}$/);
    expect(secret.data.API_KEY).toMatch(/^\$\{coalesce\(var\.vectordb_api_key, random_bytes\.\w+\.hex\)\}$/);
    expect(platform.variable!.vectordb_api_key).toMatchObject({ sensitive: true });
  });

  test('gets an Application after its dependency, with its values, in the AppProject', () => {
    const application = manifests(apps, 'Application').find((m) => m.metadata.name === 'vectordb');
    expect(application.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('1');
    expect(application.spec.source).toMatchObject({ path: 'apps/vectordb', helm: { valueFiles: ['values.yaml', `values-${env}.yaml`] } });
    expect(application.spec.source.helm.valuesObject).toEqual({ vectordb: { ollamaUrl: 'http://ollama.ollama.svc.cluster.local:11434' } });
    expect(application.spec.destination.namespace).toBe('vectors');
    const project = manifests(apps, 'AppProject').find((m) => m.metadata.name === 'llm-platform');
    expect(project.spec.sourceRepos).toContain('https://charts.example.com/vectordb');
    expect(project.spec.destinations).toContainEqual({ server: 'https://kubernetes.default.svc', namespace: 'vectors' });
    expect(project.spec.description).toMatch(/: [a-z, -]*\bvectordb from /);
  });

  test('has a URL output only where the environment publishes it', () => {
    expect(apps.output?.vectordb_url?.value).toBe(env === 'dev' ? 'http://vectors.llm.test' : undefined);
  });
});
