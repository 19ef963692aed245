/**
 * The two-place rule: a third app is `apps/<name>/` plus one catalog entry. This test adds a
 * fixture app exactly that way — the shipped environments, constructs and stacks stay unchanged —
 * and checks everything the catalog drives. Its chart writes the Ingress in another layout than
 * the shipped charts (`ingress.host` + `ingress.tls` as a boolean). tools/ci/recipe-check.sh
 * follows the README recipe on a copy of the repository and runs every suite.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CATALOG as SHIPPED } from '../../apps/catalog';
import { catalogProblems, inSyncOrder } from '../../contracts/app-catalog';
import { readWrapperChart } from '../../constructs/apps/wrapper-chart';
import { AppDefinition } from '../../contracts/app-definition';
import { singleHostIngress } from '../../contracts/ingress-adapters';
import { buildApp } from '../../main';
import { ENVIRONMENTS, loadEnvironments } from '../../environments';
import { writeGeneratedValues } from '../../stacks/generated-values';
import { parse } from 'yaml';
import { TfJson } from '../support/synth';

const VECTORDB: AppDefinition = {
  name: 'vectordb',
  namespace: 'vectors',
  dependsOn: ['ollama'],
  host: 'optional',
  ingress: singleHostIngress(['vectordb', 'ingress']),
  allowIngress: (context) => [
    { name: 'http', podLabels: { 'app.kubernetes.io/instance': context.release }, from: context.host ? context.ingress.sources : [], ports: ['http'] },
  ],
  services: { http: { serviceName: (release) => release, port: 6333, scheme: 'http' } },
  secrets: [{ name: 'vectordb-auth', credentials: [{ key: 'API_KEY', generatedBytes: 24, pattern: '^\\S{24,}$', rule: 'at least 24 characters' }] }],
  values: (context) => ({ vectordb: { ollamaUrl: context.serviceUrl('ollama', 'api') } }),
};

// The catalog without the fixture: tools/ci/recipe-check.sh runs this suite after adding it.
const CATALOG = SHIPPED.filter((app) => app.name !== VECTORDB.name);

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-'));
fs.cpSync('apps', path.join(root, 'apps'), { recursive: true });
fs.cpSync(path.join(__dirname, 'fixture-app'), path.join(root, 'apps', 'vectordb'), { recursive: true });
const overrides = path.join(root, 'overrides.json');
fs.writeFileSync(overrides, JSON.stringify({ dev: { ingress: { hosts: { vectordb: 'vectors.llm.test' } } } }));
const outdir = path.join(root, 'cdktf.out');
// `npm run values` for the copy: the fixture's generated value files, with its dev host.
writeGeneratedValues(root, loadEnvironments(ENVIRONMENTS, [...CATALOG, VECTORDB], { PLATFORM_OVERRIDES_FILE: overrides }), [...CATALOG, VECTORDB]);
buildApp({ outdir, repoRoot: root, catalog: [...CATALOG, VECTORDB], env: { PLATFORM_OVERRIDES_FILE: overrides }, verifyGeneratedValues: true }).synth();
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

  test('gets an Application after its dependency, with its generated values, in the AppProject', () => {
    const application = manifests(apps, 'Application').find((m) => m.metadata.name === 'vectordb');
    expect(application.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('1');
    expect(application.spec.source).toEqual({
      repoURL: expect.any(String),
      targetRevision: expect.any(String),
      path: 'apps/vectordb',
      helm: { releaseName: 'vectordb', valueFiles: ['values.yaml', `values-${env}.yaml`, `generated/${env}.yaml`] },
    });
    const values = parse(fs.readFileSync(path.join(root, 'apps/vectordb/generated', `${env}.yaml`), 'utf8'));
    expect(values.vectordb.ollamaUrl).toBe('http://ollama.ollama.svc.cluster.local:11434');
    // Its own Ingress layout, from its adapter; isolation rules only where it is published.
    if (env === 'dev') {
      expect(values.vectordb.ingress).toMatchObject({ enabled: true, className: 'nginx', host: 'vectors.llm.test', tls: false });
      expect(values.isolation.allow).toEqual([expect.objectContaining({ name: 'http', podLabels: { 'app.kubernetes.io/instance': 'vectordb' } })]);
    } else {
      expect(values.vectordb.ingress).toEqual({ enabled: false });
      expect(values.isolation).toEqual({ allow: [] });
    }
    expect(application.spec.destination.namespace).toBe('vectors');
    const project = manifests(apps, 'AppProject').find((m) => m.metadata.name === 'llm-platform');
    expect(project.spec.sourceRepos).toContain('https://charts.example.com/vectordb');
    expect(project.spec.destinations).toContainEqual({ server: 'https://kubernetes.default.svc', namespace: 'vectors' });
    const names = inSyncOrder([...CATALOG, VECTORDB])
      .filter((app) => (app.clusterResources ?? []).length === 0)
      .map((app) => app.name);
    expect(project.spec.description).toContain(`: ${names.join(', ')} from `);
    // The isolation library is a folder of the same Git repository, not a chart repository.
    expect(project.spec.sourceRepos.filter((repo: string) => repo.startsWith('file:'))).toEqual([]);
  });

  test('has a URL output only where the environment publishes it', () => {
    expect(apps.output?.vectordb_url?.value).toBe(env === 'dev' ? 'http://vectors.llm.test' : undefined);
  });
});

describe('what the recipe cannot forget', () => {
  test('a published app without an ingress adapter is a catalog problem', () => {
    const { ingress: _ingress, ...withoutAdapter } = VECTORDB;
    expect(catalogProblems([...CATALOG, withoutAdapter])).toEqual([
      `app "vectordb": host is "optional" but no ingress adapter says how its chart writes an Ingress (e.g. ingress: hostsListIngress(['ingress']))`,
    ]);
    expect(catalogProblems([...CATALOG, { ...withoutAdapter, host: 'none' }])).toEqual([]);
  });

  const fix =
    'every app\'s wrapper chart depends on the shared isolation chart (default-deny ingress NetworkPolicy): add "- { name: isolation, version: 1.0.0, repository: file://../isolation }" to apps/vectordb/Chart.yaml dependencies and a file apps/vectordb/templates/isolation.yaml holding {{ include "isolation.networkpolicies" . }}';
  test.each([
    {
      case: 'without the isolation dependency',
      edit: (dir: string) =>
        fs.writeFileSync(path.join(dir, 'Chart.yaml'), fs.readFileSync(path.join(dir, 'Chart.yaml'), 'utf8').replace(/ {2}- name: isolation[\s\S]*$/, '')),
    },
    { case: 'without the include', edit: (dir: string) => fs.rmSync(path.join(dir, 'templates'), { recursive: true }) },
    {
      case: 'with the dependency elsewhere',
      edit: (dir: string) =>
        fs.writeFileSync(path.join(dir, 'Chart.yaml'), fs.readFileSync(path.join(dir, 'Chart.yaml'), 'utf8').replace('file://../isolation', 'file://../other')),
    },
  ])('a wrapper chart $case fails synth with the one fix', ({ edit }) => {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'wrapper-'));
    fs.cpSync(path.join(__dirname, 'fixture-app'), path.join(repo, 'apps', 'vectordb'), { recursive: true });
    edit(path.join(repo, 'apps', 'vectordb'));
    expect(() => readWrapperChart(repo, 'vectordb')).toThrow(`apps/vectordb: ${fix}`);
    fs.rmSync(repo, { recursive: true, force: true });
  });

  test('a file:// dependency outside the apps/ folder is rejected', () => {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'wrapper-'));
    const dir = path.join(repo, 'apps', 'vectordb');
    fs.cpSync(path.join(__dirname, 'fixture-app'), dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'Chart.yaml'), fs.readFileSync(path.join(dir, 'Chart.yaml'), 'utf8').replace('file://../isolation', 'file:///etc'));
    expect(() => readWrapperChart(repo, 'vectordb')).toThrow(
      'apps/vectordb/Chart.yaml: dependencies[1].repository must be a chart folder beside the wrapper charts, file://../<folder> (got "file:///etc")',
    );
    fs.rmSync(repo, { recursive: true, force: true });
  });
});
