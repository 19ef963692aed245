/**
 * Hostile input, class by class: every configuration source (environment files, the overrides
 * file, environment variables, wrapper charts) either rejects template-like text or writes it as a
 * Terraform literal — and Terraform itself is shown not to evaluate the literal.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AppsStack } from '../../stacks/apps-stack';
import { CATALOG } from '../../apps/catalog';
import { terraformLiteral } from '../../constructs/core/terraform-literal';
import { ConfigError, ENVIRONMENTS, loadEnvironments } from '../../environments';
import { environment, rawEnvironment, synthScope } from '../support/synth';
import { ArgoCdProject } from '../../constructs/apps/argocd-project';
import { Testing } from 'cdktf';

const INJECTION = '${file("/etc/hostname")}';

function problems(load: () => unknown): readonly string[] {
  try {
    load();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

function withDev(mutate: (env: any) => void) {
  const configs = ENVIRONMENTS.map((e) => (e.name === 'dev' ? rawEnvironment('dev') : e));
  mutate(configs.find((e) => e.name === 'dev'));
  return () => loadEnvironments(configs, CATALOG);
}

const TEMPLATE = 'must not contain "${" or "%{" (Terraform would evaluate it as a template)';

describe('the central guard rejects, wherever it appears', () => {
  test.each<[string, (e: any) => void, string]>([
    ['a template in an annotation value', (e) => (e.ingress.annotations = { a: INJECTION }), `dev.ingress.annotations.a: ${TEMPLATE}`],
    [
      'a template in an annotation key',
      (e) => (e.ingress.annotations = { [INJECTION]: 'x' }),
      `dev.ingress.annotations.\${file("/etc/hostname")}: key ${TEMPLATE}`,
    ],
    ['a directive in a context name', (e) => (e.cluster.context = '%{ if true }x%{ endif }'), `dev.cluster.context: ${TEMPLATE}`],
    ['a template in the repository URL', (e) => (e.gitops = { repoUrl: `https://example.com/${INJECTION}.git` }), `dev.gitops.repoUrl: ${TEMPLATE}`],
    ['control characters', (e) => (e.cluster.configPath = 'a\nb'), 'dev.cluster.configPath: must not contain control characters'],
    ['an unbounded string', (e) => (e.cluster.configPath = 'x'.repeat(3000)), 'dev.cluster.configPath: must be at most 2048 characters (got 3000)'],
    [
      'an unbounded list',
      (e) => (e.apps.ollama.models = Array.from({ length: 101 }, (_, i) => `m${i}:1b`)),
      'dev.apps.ollama.models: must list at most 100 items (got 101)',
    ],
    [
      'credentials in the repository URL',
      (e) => (e.gitops = { repoUrl: 'https://user:token@example.com/r.git' }),
      'dev.gitops.repoUrl: must not carry credentials (user:token@); use the repository credentials variables instead',
    ],
    [
      'an SSH URL whose user would read as an option',
      (e) => (e.gitops = { repoUrl: '-oProxyCommand@host:repo.git' }),
      'dev.gitops.repoUrl: must be an https:// Git URL or an scp-style SSH URL such as git@github.com:org/repo.git',
    ],
    [
      'an SSH URL whose path would read as an option',
      (e) => (e.gitops = { repoUrl: 'git@host:-repo.git' }),
      'dev.gitops.repoUrl: must be an https:// Git URL or an scp-style SSH URL such as git@github.com:org/repo.git',
    ],
    ['an unknown key', (e) => (e.cluster.kubeconfig = 'x'), 'dev.cluster: Unrecognized key: "kubeconfig"'],
  ])('%s', (_name, mutate, expected) => {
    expect(problems(withDev(mutate))).toContain(expected);
  });

  test.each<[string, string]>([
    ['-x', 'must not start with "-"'],
    ['+refs/heads/main:refs/heads/x', 'must be a branch, tag or commit, not a refspec ("+" or ":")'],
    ['main:evil', 'must be a branch, tag or commit, not a refspec ("+" or ":")'],
    ['a..b', 'must not contain ".."'],
    ['a~1', 'must not contain ~ ^ ? * [ or \\'],
    ['a@{1}', 'must not contain "@{" or be "@"'],
    ['a//b', 'must not start or end with "/" or contain "//"'],
    ['a.', 'must not end with "."'],
    ['x/.hidden', 'must not have a component starting with "." or ending with ".lock"'],
    ['x.lock', 'must not have a component starting with "." or ending with ".lock"'],
    ['r'.repeat(256), 'must be at most 255 characters'],
  ])('GITOPS_REVISION %j', (revision, message) => {
    expect(problems(() => loadEnvironments(ENVIRONMENTS, CATALOG, { GITOPS_REVISION: revision }))).toContain(`GITOPS_REVISION: ${message} (got "${revision}")`);
  });

  test.each(['main', 'feature/x-1', 'v1.2.3', 'release/1.0', 'a1b2c3d', 'a'.repeat(40)])('GITOPS_REVISION %j is accepted', (revision) => {
    expect(loadEnvironments(ENVIRONMENTS, CATALOG, { GITOPS_REVISION: revision })[0].gitops.targetRevision).toBe(revision);
  });

  test('GITOPS_REVISION with a template or a control character is rejected without echoing it', () => {
    const revision = problems(() => loadEnvironments(ENVIRONMENTS, CATALOG, { GITOPS_REVISION: INJECTION }));
    expect(revision).toContain(`GITOPS_REVISION: ${TEMPLATE}`);
    expect(revision).toContain(`dev.gitops.targetRevision: ${TEMPLATE}`);
    expect(problems(() => loadEnvironments(ENVIRONMENTS, CATALOG, { GITOPS_REVISION: 'main\u001b[2J' }))).toContain(
      'GITOPS_REVISION: must not contain control characters',
    );
    expect(problems(() => loadEnvironments(ENVIRONMENTS, CATALOG, { GITOPS_REPO_URL: `https://x.example/${INJECTION}` }))).toContain(
      `GITOPS_REPO_URL: ${TEMPLATE}`,
    );
    for (const line of [...revision]) expect(line).not.toContain('/etc/hostname');
  });

  describe('PLATFORM_OVERRIDES_FILE', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-'));
    const load = (content: string) => {
      const file = path.join(dir, `f${Math.random().toString(36).slice(2)}.json`);
      fs.writeFileSync(file, content);
      return () => loadEnvironments(ENVIRONMENTS, CATALOG, { PLATFORM_OVERRIDES_FILE: file });
    };

    test.each(['__proto__', 'constructor', 'prototype'])('rejects the key %s at any depth', (key) => {
      expect(problems(load(`{"dev": {"argocd": {"${key}": {"polluted": true}}}}`))).toEqual([
        `PLATFORM_OVERRIDES_FILE: dev.argocd.${key}: the key "${key}" is not allowed`,
      ]);
      expect(problems(load(`{"${key}": {}}`))).toEqual([`PLATFORM_OVERRIDES_FILE: ${key}: the key "${key}" is not allowed`]);
      expect(({} as any).polluted).toBeUndefined();
    });

    test('rejects unknown keys and templates', () => {
      expect(problems(load('{"dev": {"argocd": {"chartz": {}}}}'))).toContain('dev.argocd: Unrecognized key: "chartz"');
      expect(problems(load(JSON.stringify({ dev: { cluster: { context: INJECTION } } })))).toEqual([
        `PLATFORM_OVERRIDES_FILE: dev.cluster.context: ${TEMPLATE}`,
      ]);
    });
  });

  test('a wrapper chart dependency repository that is not a plain https/oci URL fails synth', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'apps-'));
    fs.cpSync('apps', path.join(root, 'apps'), { recursive: true });
    fs.writeFileSync(
      path.join(root, 'apps/ollama/Chart.yaml'),
      `apiVersion: v2\nname: ollama\nversion: 1.0.0\ndependencies:\n  - name: ollama\n    version: "1.77.0"\n    repository: 'https://x/${INJECTION}'\n`,
    );
    expect(() => new AppsStack(Testing.app(), 'dev-apps', { environment: environment('dev'), catalog: CATALOG, repoRoot: root })).toThrow(
      /^dev-apps: apps\/ollama\/Chart\.yaml: dependencies\[0\]\.repository must be an https:\/\/ or oci:\/\/ URL of at most 512 characters without "\{" or "\}"/,
    );
  });
});

describe('shell metacharacters in the Git URL', () => {
  const GIT_URL_RULE = 'a URL holds only letters, digits and punctuation such as . _ ~ - / : @ % + =';
  test.each<[string, string]>([
    ['https://example.com/org/repo.git;touch /tmp/x', '";"'],
    ['https://example.com/org/$(id).git', '"$", "(", ")"'],
    ['https://example.com/org/`id`.git', '"`"'],
    ['https://example.com/org/repo.git|sh', '"|"'],
    ['https://example.com/org/repo.git&&id', '"&"'],
    ['git@example.com:org/repo.git>/etc/passwd', '">"'],
    ['git@example.com:org/<repo.git', '"<"'],
    ["https://example.com/org/'repo'.git", `"'"`],
    ['https://example.com/org/"repo".git', '"""'],
    ['https://example.com/org/repo\\.git', '"\\"'],
    ['https://example.com/org/repo!!.git', '"!"'],
    ['https://example.com/org/*.git', '"*"'],
    ['https://example.com/org/re?o.git', '"?"'],
    ['https://example.com/org/[ab].git', '"[", "]"'],
    ['https://example.com/org/repo.git#frag', '"#"'],
    ['https://example.com/org/re^po.git', '"^"'],
  ])('%j in the environment file and in GITOPS_REPO_URL', (url, found) => {
    const message = `must not contain shell metacharacters (got ${found}); ${GIT_URL_RULE}`;
    expect(problems(withDev((e) => (e.gitops = { repoUrl: url })))).toContain(`dev.gitops.repoUrl: ${message}`);
    expect(problems(() => loadEnvironments(ENVIRONMENTS, CATALOG, { GITOPS_REPO_URL: url }))).toContain(`GITOPS_REPO_URL: ${message} (got "${url}")`);
  });

  test.each(['https://github.com/org/repo.git', 'https://git.example.com:8443/a/b-c_d~e%20f+g=h.git', 'git@github.com:org/repo.git'])(
    '%j is accepted',
    (url) => {
      expect(loadEnvironments(ENVIRONMENTS, CATALOG, { GITOPS_REPO_URL: url })[0].gitops.repoUrl).toBe(url);
    },
  );
});

describe('configuration snippet annotations', () => {
  const rule = (key: string) =>
    `must not be a configuration snippet annotation (got "${key}"): snippets inject raw controller configuration; use the controller's dedicated annotations`;
  test.each([
    'nginx.ingress.kubernetes.io/configuration-snippet',
    'nginx.ingress.kubernetes.io/server-snippet',
    'nginx.ingress.kubernetes.io/auth-snippet',
    'nginx.ingress.kubernetes.io/stream-snippet',
    'nginx.ingress.kubernetes.io/modsecurity-snippet',
    'nginx.org/server-snippets',
    'nginx.org/location-snippets',
    'NGINX.INGRESS.KUBERNETES.IO/Server-Snippet',
  ])('%s is rejected in ingress.annotations', (key) => {
    expect(problems(withDev((e) => (e.ingress.annotations = { [key]: 'return 200;' })))).toEqual([`dev.ingress.annotations.${key}: ${rule(key)}`]);
  });

  test('other annotations pass', () => {
    const loaded = loadEnvironments(
      ENVIRONMENTS.map((e) =>
        e.name === 'dev'
          ? { ...rawEnvironment('dev'), ingress: { ...rawEnvironment('dev').ingress, annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '25m' } } }
          : e,
      ),
      CATALOG,
    );
    expect(loaded[0].ingress.annotations).toEqual({ 'nginx.ingress.kubernetes.io/proxy-body-size': '25m' });
  });
});

describe('strings the constructs write are Terraform literals', () => {
  test('template-like data is escaped in manifests', () => {
    const project = synthScope(
      (s) =>
        new ArgoCdProject(s, 'p', {
          name: 'p',
          argocdNamespace: 'argocd',
          sourceRepos: ['https://x/r.git'],
          destinationNamespaces: ['a'],
          description: 'uses ${HOME} and %{ if }',
        }),
    ).manifests('AppProject').p;
    expect(project.spec.description).toBe('uses $${HOME} and %%{ if }');
  });
});

const terraform = spawnSync('terraform', ['version'], { encoding: 'utf8' });
const describeTerraform = terraform.status === 0 ? describe : describe.skip;
if (terraform.status !== 0) process.emitWarning('SKIPPED "Terraform does not evaluate an escaped expression": no terraform on PATH');

describeTerraform('Terraform does not evaluate an escaped expression (real terraform on PATH)', () => {
  test('the escaped text comes out verbatim, while the raw text would have read a file', () => {
    const hostile = '${file("/etc/hostname")} %{ if true }x%{ endif }';
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-literal-'));
    // `raw` is the control: unescaped, Terraform evaluates it and reads the file (what the guard prevents).
    fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify({ output: { escaped: { value: terraformLiteral(hostile) }, raw: { value: hostile } } }));
    const env = { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: '/dev/null' };
    const apply = spawnSync('terraform', [`-chdir=${dir}`, 'apply', '-auto-approve', '-input=false'], { env, encoding: 'utf8' });
    expect(apply.stderr).toBe('');
    const outputs = JSON.parse(spawnSync('terraform', [`-chdir=${dir}`, 'output', '-json'], { env, encoding: 'utf8' }).stdout);
    expect(outputs.escaped.value).toBe(hostile);
    expect(outputs.raw.value).not.toBe(hostile);
    expect(outputs.raw.value).toContain(fs.readFileSync('/etc/hostname', 'utf8'));
  });
});
