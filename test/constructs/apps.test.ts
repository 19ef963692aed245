import { Construct } from 'constructs';
import { catalogProblems, serviceUrl, syncWaves } from '../../contracts/app-catalog';
import { AppDefinition } from '../../contracts/app-definition';
import { ApplicationOptions } from '../../constructs/apps/argocd-application';
import { ArgoCdProject, ArgoCdProjectProps } from '../../constructs/apps/argocd-project';
import { synthScope } from '../support/synth';

const projectBase: ArgoCdProjectProps = {
  name: 'llm-platform',
  argocdNamespace: 'argocd',
  sourceRepos: ['https://git.example.com/r.git'],
  destinationNamespaces: ['a', 'b'],
};
const appBase: ApplicationOptions = {
  name: 'a',
  repoUrl: 'https://git.example.com/r.git',
  targetRevision: 'main',
  path: 'apps/a',
  namespace: 'a',
  valueFiles: ['values.yaml'],
};

describe('ArgoCdProject', () => {
  test('in-cluster destinations, orphaned resources warned, no cluster-scoped resources', () => {
    const { spec } = synthScope((s) => new ArgoCdProject(s, 'project', projectBase)).manifests('AppProject')['llm-platform'];
    expect(spec.description).toBe('Managed by Terraform');
    expect(spec.destinations).toEqual([
      { server: 'https://kubernetes.default.svc', namespace: 'a' },
      { server: 'https://kubernetes.default.svc', namespace: 'b' },
    ]);
    expect(spec.orphanedResources).toEqual({ warn: true });
    expect(spec.clusterResourceWhitelist).toBeUndefined();
  });

  test('cluster-scoped kinds are allowed exactly as listed, once each', () => {
    const clusterResources = [
      { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
      { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
      { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
      { group: '', kind: 'PersistentVolume' },
    ];
    const { spec } = synthScope((s) => new ArgoCdProject(s, 'project', { ...projectBase, clusterResources })).manifests('AppProject')['llm-platform'];
    expect(spec.clusterResourceWhitelist).toEqual([
      { group: '', kind: 'PersistentVolume' },
      { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
      { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
    ]);
  });

  test.each([
    [
      { group: '*', kind: '*' },
      /^stack\/project: cluster resource \{"group":"\*","kind":"\*"\} must name one API group \('' for core, e\.g\. rbac\.authorization\.k8s\.io\) and one kind \(e\.g\. ClusterRole\); no wildcards$/,
    ],
    [
      { group: 'rbac.authorization.k8s.io', kind: '*' },
      /^stack\/project: cluster resource \{"group":"rbac\.authorization\.k8s\.io","kind":"\*"\} must name one API group/,
    ],
    [{ group: '*.k8s.io', kind: 'ClusterRole' }, /^stack\/project: cluster resource \{"group":"\*\.k8s\.io","kind":"ClusterRole"\} must name one API group/],
    [{ group: '', kind: 'clusterrole' }, /^stack\/project: cluster resource \{"group":"","kind":"clusterrole"\} must name one API group/],
  ])('rejects the cluster resource %j', (resource, message) => {
    expect(() => synthScope((s) => new ArgoCdProject(s, 'project', { ...projectBase, clusterResources: [resource] }))).toThrow(message);
  });

  test.each([
    [{ name: 'default' }, /^stack\/project: name "default" is not allowed; the default project permits every source and destination$/],
    [{ sourceRepos: [] }, /^stack\/project: project "llm-platform" needs at least one source repository$/],
    [{ destinationNamespaces: [] }, /^stack\/project: project "llm-platform" needs at least one destination namespace$/],
    [{ sourceRepos: ['*'] }, /^stack\/project: "\*" contains a wildcard; list sources and namespaces explicitly$/],
  ])('rejects %j', (props, message) => {
    expect(() => synthScope((s) => new ArgoCdProject(s, 'project', { ...projectBase, ...props }))).toThrow(message);
  });
});

describe('ArgoCdProject.addApplication', () => {
  const build = (scope: Construct) => {
    const project = new ArgoCdProject(scope, 'project', projectBase);
    const a = project.addApplication('a', appBase);
    project.addApplication('b', { ...appBase, name: 'b', path: 'apps/b', namespace: 'b', valueFiles: ['values.yaml', 'generated/dev.yaml'], after: [a] });
  };

  test('an Application belongs to, and is created after, its project; waves follow "after"', () => {
    const s = synthScope(build);
    const projectAddress = s.address('kubernetes_manifest', (r) => r.manifest.kind === 'AppProject');
    const aAddress = s.address('kubernetes_manifest', (r) => r.manifest.metadata.name === 'a');
    const b = s.all('kubernetes_manifest').find((r) => r.manifest.metadata.name === 'b');
    expect(b.depends_on).toEqual([projectAddress, aAddress]);
    const apps = s.manifests('Application');
    expect(apps.a.metadata).toMatchObject({
      namespace: 'argocd',
      finalizers: ['resources-finalizer.argocd.argoproj.io'],
      annotations: { 'argocd.argoproj.io/sync-wave': '0' },
    });
    expect(apps.b.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('1');
    expect(apps.b.spec).toMatchObject({ project: 'llm-platform', destination: { server: 'https://kubernetes.default.svc', namespace: 'b' } });
    // Nothing but value file names: every value travels with the revision.
    expect(apps.b.spec.source.helm).toEqual({ releaseName: 'b', valueFiles: ['values.yaml', 'generated/dev.yaml'] });
    expect(apps.a.spec.syncPolicy).toEqual({
      automated: { prune: true, selfHeal: true, allowEmpty: false },
      syncOptions: ['CreateNamespace=false'],
      retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
    });
  });

  test('sync options are added to CreateNamespace=false, once each', () => {
    const s = synthScope((scope) =>
      new ArgoCdProject(scope, 'project', projectBase).addApplication('a', {
        ...appBase,
        syncOptions: ['ServerSideApply=true', 'SkipDryRunOnMissingResource=true', 'ServerSideApply=true'],
      }),
    );
    expect(s.manifests('Application').a.spec.syncPolicy.syncOptions).toEqual([
      'CreateNamespace=false',
      'ServerSideApply=true',
      'SkipDryRunOnMissingResource=true',
    ]);
  });

  test.each([
    [{ syncOptions: ['CreateNamespace=true'] }, /^stack\/a: sync option "CreateNamespace=true": namespaces are created by Terraform, never by an Application$/],
    [{ syncOptions: ['ServerSideApply'] }, /^stack\/a: sync option "ServerSideApply" must be <Option>=<value> such as ServerSideApply=true$/],
    [{ syncOptions: ['Prune=${x}'] }, /^stack\/a: sync option "Prune=\$\{x\}" must be <Option>=<value> such as ServerSideApply=true$/],
    [
      { repoUrl: 'https://git.example.com/other.git' },
      /^stack\/project: Application "a" uses repository https:\/\/git\.example\.com\/other\.git, which the project does not allow \(https:\/\/git\.example\.com\/r\.git\)$/,
    ],
    [{ namespace: 'c' }, /^stack\/project: Application "a" deploys to namespace "c", which the project does not allow \(a, b\)$/],
    [{ name: 'Not_A_Label' }, /^stack\/Not_A_Label: name "Not_A_Label" must be a DNS label of at most 53 characters \(it is also the Helm release name\)$/],
    [{ path: '../outside' }, /^stack\/a: path "\.\.\/outside" must be relative to the repository root and must not contain "\.\."$/],
    [{ valueFiles: [] }, /^stack\/a: "a" needs at least one value file$/],
    [{ retry: { limit: 0, duration: '1s', factor: 2, maxDuration: '1m' } }, /^stack\/a: retry\.limit 0 must be >= 1$/],
  ])('rejects %j', (options, message) => {
    expect(() =>
      synthScope((s) => {
        const o = { ...appBase, ...options };
        new ArgoCdProject(s, 'project', projectBase).addApplication(o.name, o);
      }),
    ).toThrow(message);
  });
});

describe('app catalog rules', () => {
  const app = (name: string, extra: Partial<AppDefinition> = {}): AppDefinition => ({ name, namespace: name, ...extra });

  test('waves: 0 without dependencies, one more than the latest dependency otherwise', () => {
    expect(Object.fromEntries(syncWaves([app('c', { dependsOn: ['a', 'b'] }), app('a'), app('b', { dependsOn: ['a'] })]))).toEqual({ a: 0, b: 1, c: 2 });
  });

  test('service URLs are derived from the app, its namespace and the declared Service', () => {
    const catalog = [
      app('db', { namespace: 'data', services: { main: { serviceName: (r) => `${r}-primary`, port: 5432, scheme: 'postgres', path: '/app' } } }),
    ];
    expect(serviceUrl(catalog, 'db', 'main')).toBe('postgres://db-primary.data.svc.cluster.local:5432/app');
    expect(() => serviceUrl(catalog, 'db', 'replica')).toThrow(/^apps: app "db" declares no Service "replica" \(declared: main\)$/);
    expect(() => serviceUrl(catalog, 'cache', 'main')).toThrow(/^apps: no app "cache" in the catalog \(asked for its Service "main"\)$/);
  });

  test.each([
    [[app('Bad_Name')], 'app "Bad_Name": name must be a DNS label of at most 53 characters (it is also the Helm release name)'],
    [[app('a', { namespace: 'Team A' })], 'app "a": namespace "Team A" must be a DNS label'],
    [[app('a'), app('a')], 'app "a": defined more than once'],
    [[app('argocd')], 'app "argocd": the name is taken by Argo CD itself'],
    [[app('a', { dependsOn: ['x'] })], 'app "a": dependsOn names unknown app "x" (known: a)'],
    [[app('a', { dependsOn: ['b'] }), app('b', { dependsOn: ['a'] })], 'apps: dependency cycle a -> b -> a'],
  ])('catalog problem %#', (catalog, problem) => {
    expect(catalogProblems(catalog)).toContain(problem);
  });
});
