import { Testing } from 'cdktf';
import { ArgoCdApplication, ArgoCdApplicationProps } from '../../constructs/argocd-application';
import { ArgoCdProject, ArgoCdProjectProps } from '../../constructs/argocd-project';

const appBase: ArgoCdApplicationProps = {
  name: 'ollama',
  argocdNamespace: 'argocd',
  project: 'llm-platform',
  repoUrl: 'https://github.com/o/r.git',
  targetRevision: 'main',
  path: 'apps/ollama',
  namespace: 'ollama',
  valueFiles: ['values.yaml'],
};

function application(props: Partial<ArgoCdApplicationProps> = {}) {
  const json = JSON.parse(Testing.synthScope((scope) => new ArgoCdApplication(scope, 'app', { ...appBase, ...props })));
  return { manifest: (Object.values(json.resource.kubernetes_manifest)[0] as any).manifest, json };
}

describe('ArgoCdApplication', () => {
  test('defaults snapshot', () => {
    expect(application().json).toMatchSnapshot();
  });

  test('defaults: wave 0, five retries with back-off, no valuesObject', () => {
    const { manifest } = application();
    expect(manifest.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '0' });
    expect(manifest.spec.syncPolicy.retry).toEqual({ limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } });
    expect(manifest.spec.source.helm.valuesObject).toBeUndefined();
  });

  test('options: values, sync wave, retry', () => {
    const { manifest } = application({ values: { a: { b: 1 } }, syncWave: -1, retry: { limit: 2, duration: '5s', factor: 3, maxDuration: '1m' } });
    expect(manifest.spec.source.helm.valuesObject).toEqual({ a: { b: 1 } });
    expect(manifest.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-1');
    expect(manifest.spec.syncPolicy.retry).toEqual({ limit: 2, backoff: { duration: '5s', factor: 3, maxDuration: '1m' } });
  });

  test('rejects names that are not DNS labels', () => {
    expect(() => application({ name: 'Ollama_App' })).toThrow(/^ArgoCdApplication: name "Ollama_App" must be a DNS label of at most 53 characters \(it is also the Helm release name\)$/);
  });

  test('rejects absolute paths and paths leaving the repository', () => {
    expect(() => application({ path: '/apps/ollama' })).toThrow(/^ArgoCdApplication: path "\/apps\/ollama" must be relative to the repository root and must not contain "\.\."$/);
    expect(() => application({ path: 'apps/../etc' })).toThrow(/path "apps\/\.\.\/etc" must be relative/);
  });

  test('rejects an empty value file list', () => {
    expect(() => application({ valueFiles: [] })).toThrow(/^ArgoCdApplication: "ollama" needs at least one value file$/);
  });

  test('rejects a fractional sync wave', () => {
    expect(() => application({ syncWave: 0.5 })).toThrow(/^ArgoCdApplication: syncWave 0.5 must be an integer$/);
  });

  test('rejects a retry limit below one', () => {
    expect(() => application({ retry: { limit: 0, duration: '1s', factor: 2, maxDuration: '1m' } })).toThrow(/^ArgoCdApplication: retry.limit 0 must be >= 1$/);
  });
});

const projectBase: ArgoCdProjectProps = {
  name: 'llm-platform',
  argocdNamespace: 'argocd',
  sourceRepos: ['https://github.com/o/r.git'],
  destinationNamespaces: ['ollama'],
};

function project(props: Partial<ArgoCdProjectProps> = {}) {
  const json = JSON.parse(Testing.synthScope((scope) => new ArgoCdProject(scope, 'project', { ...projectBase, ...props })));
  return { manifest: (Object.values(json.resource.kubernetes_manifest)[0] as any).manifest, json };
}

describe('ArgoCdProject', () => {
  test('defaults snapshot', () => {
    expect(project().json).toMatchSnapshot();
  });

  test('defaults: description, in-cluster destinations, orphaned resources warned', () => {
    const { manifest } = project({ destinationNamespaces: ['a', 'b'] });
    expect(manifest.spec.description).toBe('Managed by Terraform');
    expect(manifest.spec.destinations).toEqual([
      { server: 'https://kubernetes.default.svc', namespace: 'a' },
      { server: 'https://kubernetes.default.svc', namespace: 'b' },
    ]);
    expect(manifest.spec.orphanedResources).toEqual({ warn: true });
  });

  test('rejects the default project', () => {
    expect(() => project({ name: 'default' })).toThrow(/^ArgoCdProject: name "default" is not allowed; the default project permits every source and destination$/);
  });

  test('rejects an empty source list', () => {
    expect(() => project({ sourceRepos: [] })).toThrow(/^ArgoCdProject: project "llm-platform" needs at least one source repository$/);
  });

  test('rejects an empty destination list', () => {
    expect(() => project({ destinationNamespaces: [] })).toThrow(/^ArgoCdProject: project "llm-platform" needs at least one destination namespace$/);
  });

  test('rejects wildcards', () => {
    expect(() => project({ sourceRepos: ['*'] })).toThrow(/^ArgoCdProject: "\*" contains a wildcard; list sources and namespaces explicitly$/);
  });
});
