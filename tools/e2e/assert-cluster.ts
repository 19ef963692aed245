/**
 * Assertions of the e2e test against the live API server (through the toolchain's kubectl):
 *
 *   assert-cluster.ts deployed    what `cdktf deploy 'dev-*'` must have created
 *   assert-cluster.ts destroyed   that `cdktf destroy 'dev-*'` left nothing managed behind
 *
 * Prints one line per check and exits non-zero on the first failure.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as assert from 'assert/strict';

const kubectlBin = process.env.E2E_KUBECTL_BIN ?? 'kubectl';
const NAMESPACES = ['argocd', 'ollama', 'librechat'];

function kubectl(...args: string[]): any {
  return JSON.parse(execFileSync(kubectlBin, [...args, '-o', 'json'], { encoding: 'utf8' }));
}

function exists(...args: string[]): boolean {
  return spawnSync(kubectlBin, ['get', ...args], { encoding: 'utf8' }).status === 0;
}

function check(name: string, fn: () => void): void {
  fn();
  console.log(`e2e:    ok  ${name}`);
}

function deployed(): void {
  const repoUrl = 'https://github.com/example-org/gitops-llm-platform.git';

  check('namespaces argocd, ollama, librechat exist, labelled as Terraform-managed', () => {
    for (const name of NAMESPACES) {
      const ns = kubectl('get', 'namespace', name);
      assert.equal(ns.metadata.labels['app.kubernetes.io/managed-by'], 'terraform', name);
    }
    assert.equal(kubectl('get', 'namespace', 'argocd').metadata.labels['llm-platform/role'], 'gitops-tooling');
  });

  check('Secret librechat-credentials-env has every key, correctly sized', () => {
    const secret = kubectl('get', 'secret', '-n', 'librechat', 'librechat-credentials-env');
    const data = Object.fromEntries(Object.entries<string>(secret.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
    assert.match(data.CREDS_KEY, /^[0-9a-f]{64}$/);
    assert.match(data.CREDS_IV, /^[0-9a-f]{32}$/);
    assert.match(data.JWT_SECRET, /^\S{32,}$/);
    assert.match(data.JWT_REFRESH_SECRET, /^\S{32,}$/);
    assert.match(data.MEILI_MASTER_KEY, /^[A-Za-z0-9_-]{16,}$/);
    assert.notEqual(data.JWT_SECRET, data.JWT_REFRESH_SECRET);
    assert.equal(data.MONGO_URI, 'mongodb://librechat-mongodb.librechat.svc.cluster.local:27017/LibreChat');
    assert.equal(data.OLLAMA_BASE_URL, 'http://ollama.ollama.svc.cluster.local:11434');
  });

  check('Helm release record of Argo CD (chart argo-cd 10.1.1, deployed)', () => {
    const secrets = kubectl('get', 'secret', '-n', 'argocd', '-l', 'owner=helm,name=argocd').items;
    assert.equal(secrets.length, 1);
    assert.equal(secrets[0].metadata.labels.status, 'deployed');
    assert.equal(secrets[0].type, 'helm.sh/release.v1');
  });

  check('Argo CD CRDs are served', () => {
    for (const crd of ['applications.argoproj.io', 'appprojects.argoproj.io']) assert.ok(exists('crd', crd), crd);
  });

  check('AppProject llm-platform allows only the Git repo, the chart repos and the app namespaces', () => {
    const project = kubectl('get', 'appproject', '-n', 'argocd', 'llm-platform');
    assert.deepEqual(project.spec.sourceRepos, [repoUrl, 'https://helm.otwld.com/', 'ghcr.io/danny-avila/librechat-chart']);
    assert.deepEqual(project.spec.destinations, [
      { server: 'https://kubernetes.default.svc', namespace: 'ollama' },
      { server: 'https://kubernetes.default.svc', namespace: 'librechat' },
    ]);
  });

  for (const [name, wave] of [['ollama', '0'], ['librechat', '1']]) {
    check(`Application ${name}: source, destination, sync policy, project`, () => {
      const app = kubectl('get', 'application', '-n', 'argocd', name);
      assert.equal(app.spec.project, 'llm-platform');
      assert.equal(app.spec.source.repoURL, repoUrl);
      assert.equal(app.spec.source.targetRevision, 'main');
      assert.equal(app.spec.source.path, `apps/${name}`);
      assert.deepEqual(app.spec.source.helm.valueFiles, ['values.yaml', 'values-dev.yaml']);
      assert.deepEqual(app.spec.destination, { server: 'https://kubernetes.default.svc', namespace: name });
      assert.deepEqual(app.spec.syncPolicy.automated, { prune: true, selfHeal: true, allowEmpty: false });
      assert.deepEqual(app.spec.syncPolicy.syncOptions, ['CreateNamespace=false']);
      assert.equal(app.spec.syncPolicy.retry.limit, 5);
      assert.deepEqual(app.metadata.finalizers, ['resources-finalizer.argocd.argoproj.io']);
      assert.equal(app.metadata.annotations['argocd.argoproj.io/sync-wave'], wave);
    });
  }

  check('Ollama values reach the chart at the right depth', () => {
    const values = kubectl('get', 'application', '-n', 'argocd', 'ollama').spec.source.helm.valuesObject;
    assert.deepEqual(values.ollama.ollama.models.pull, ['llama3.2:1b']);
    assert.deepEqual(values.ollama.ollama.gpu, { enabled: true, number: 1 });
  });
}

function destroyed(): void {
  check('no Application or AppProject remains', () => {
    if (exists('crd', 'applications.argoproj.io')) {
      assert.equal(kubectl('get', 'applications', '-A').items.length, 0);
      assert.equal(kubectl('get', 'appprojects', '-A').items.length, 0);
    }
  });
  check('no managed namespace remains (namespace controller finished)', () => {
    const deadline = Date.now() + 120_000;
    let left = NAMESPACES.filter((ns) => exists('namespace', ns));
    while (left.length > 0 && Date.now() < deadline) {
      execFileSync('sleep', ['1']);
      left = NAMESPACES.filter((ns) => exists('namespace', ns));
    }
    assert.deepEqual(left, []);
  });
  check('no Helm release record remains', () => {
    assert.equal(kubectl('get', 'secret', '-A', '-l', 'owner=helm').items.length, 0);
  });
}

const mode = process.argv[2];
if (mode === 'deployed') deployed();
else if (mode === 'destroyed') destroyed();
else {
  console.error('usage: assert-cluster.ts deployed|destroyed');
  process.exit(2);
}
