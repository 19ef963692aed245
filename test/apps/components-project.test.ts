/**
 * Least privilege for the catalog's apps: an app that lists cluster-scoped kinds goes to a second
 * AppProject allowing exactly those kinds; every other app stays in the project that allows none.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdktf';
import { CATALOG, KUBE_PROMETHEUS_STACK, LIBRECHAT, OLLAMA } from '../../apps/catalog';
import { AppDefinition } from '../../contracts/app-definition';
import { AppsStack } from '../../stacks/apps-stack';
import { environment } from '../support/synth';
import { ENVIRONMENTS, loadEnvironments } from '../../environments';
import { writeGeneratedValues } from '../../stacks/generated-values';

const OPERATOR: AppDefinition = {
  name: 'operator',
  namespace: 'operators',
  syncOptions: ['ServerSideApply=true'],
  clusterResources: [
    { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
    { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
  ],
};
const AGENT: AppDefinition = {
  name: 'agent',
  namespace: 'operators',
  dependsOn: ['operator'],
  clusterResources: [{ group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' }],
};

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'components-'));
fs.cpSync('apps', path.join(root, 'apps'), { recursive: true });
for (const app of [OPERATOR, AGENT]) fs.cpSync(path.join(__dirname, 'fixture-app'), path.join(root, 'apps', app.name), { recursive: true });
// Where Ollama scales to zero its wake trigger reads the monitoring stack's Prometheus: the stack is
// here without its own cluster-scoped kinds, so that the components project holds only the fixtures'.
const namespaced = [OLLAMA, LIBRECHAT, { ...KUBE_PROMETHEUS_STACK, clusterResources: undefined }];
const catalog = [...namespaced, OPERATOR, AGENT];
// The environments as the whole catalog validates them (they configure every shipped app).
writeGeneratedValues(root, loadEnvironments(ENVIRONMENTS, [...CATALOG, OPERATOR, AGENT], {}), catalog);

describe.each(['dev', 'staging', 'prod'])('%s', (env) => {
  const json = JSON.parse(Testing.synth(new AppsStack(Testing.app(), `${env}-apps`, { environment: environment(env), catalog, repoRoot: root })));
  const manifests = (kind: string) =>
    Object.fromEntries(
      Object.values<any>(json.resource.kubernetes_manifest)
        .map((r) => r.manifest)
        .filter((m) => m.kind === kind)
        .map((m) => [m.metadata.name, m]),
    );

  test('the components project allows exactly the listed kinds, in the components namespaces only', () => {
    const project = manifests('AppProject')['llm-platform-components'];
    expect(project.spec.clusterResourceWhitelist).toEqual([
      { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
      { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
      { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
    ]);
    expect(project.spec.destinations).toEqual([{ server: 'https://kubernetes.default.svc', namespace: 'operators' }]);
    expect(manifests('Application').operator.spec.project).toBe('llm-platform-components');
    expect(manifests('Application').agent.spec.project).toBe('llm-platform-components');
    expect(manifests('Application').operator.spec.syncPolicy.syncOptions).toEqual(['CreateNamespace=false', 'ServerSideApply=true']);
  });

  test('the namespaced apps stay in the project that allows no cluster-scoped kind', () => {
    const project = manifests('AppProject')['llm-platform'];
    expect(project.spec.clusterResourceWhitelist).toBeUndefined();
    expect(project.spec.destinations.map((d: any) => d.namespace)).not.toContain('operators');
    for (const app of namespaced) expect(manifests('Application')[app.name].spec.project).toBe('llm-platform');
  });
});
