import { CATALOG } from '../../apps/catalog';
import { MANAGED_LABELS } from '../../constructs/core/managed-labels';
import { RESOURCES_FINALIZER } from '../../tools/deploy/run-stacks';
import { finalizedObjects, kubeTarget, stackObjects, stackReleases } from '../../tools/deploy/stack-objects';
import { synthEnvironment } from '../support/synth';

const dev = synthEnvironment('dev');
const staging = synthEnvironment('staging');

describe.each([
  ['dev', dev],
  ['staging', staging],
])('%s: the objects recovery can identify', (_env, stacks) => {
  test('every namespace, Secret and Argo CD object Terraform creates carries the ownership labels', () => {
    const labelled = [
      ...stacks.platform.all('kubernetes_namespace_v1').map((r) => r.metadata),
      ...stacks.platform.all('kubernetes_secret_v1').map((r) => r.metadata),
      ...stacks.apps.all('kubernetes_manifest').map((r) => r.manifest.metadata),
    ];
    expect(labelled.length).toBeGreaterThanOrEqual(8);
    for (const metadata of labelled) expect(metadata.labels).toMatchObject(MANAGED_LABELS);
  });

  test('each of them is identified for kubectl and terraform import', () => {
    const platform = stackObjects(stacks.platform.json);
    const apps = stackObjects(stacks.apps.json);
    expect(platform).toHaveLength(stacks.platform.all('kubernetes_namespace_v1').length + stacks.platform.all('kubernetes_secret_v1').length);
    expect(apps).toHaveLength(stacks.apps.all('kubernetes_manifest').length);
    expect(platform).toContainEqual({
      address: stacks.platform.address('kubernetes_namespace_v1', (r) => r.metadata.name === 'argocd'),
      resource: 'namespace',
      name: 'argocd',
      importId: 'argocd',
    });
    // Terraform writes the apps' Secrets only where they do not come from Secrets Manager; write-only
    // ones are recreated, never imported (an import would copy their data into the state).
    if (stacks.platform.all('kubernetes_secret_v1').length > 0)
      expect(platform).toContainEqual(
        expect.objectContaining({
          resource: 'secret',
          namespace: 'librechat',
          name: 'librechat-credentials-env',
          importId: 'librechat/librechat-credentials-env',
          writeOnly: true,
        }),
      );
    else expect(platform.filter((o) => o.resource === 'secret')).toEqual([]);
    expect(apps).toContainEqual(
      expect.objectContaining({
        resource: 'application.v1alpha1.argoproj.io',
        namespace: 'argocd',
        name: 'ollama',
        importId: 'apiVersion=argoproj.io/v1alpha1,kind=Application,namespace=argocd,name=ollama',
      }),
    );
    expect(apps).toContainEqual(expect.objectContaining({ resource: 'appproject.v1alpha1.argoproj.io', name: 'llm-platform' }));
    expect(stackReleases(stacks.platform.json)).toContainEqual(expect.objectContaining({ name: 'argocd', namespace: 'argocd' }));
    expect(
      finalizedObjects(stacks.apps.json, RESOURCES_FINALIZER)
        .map((o) => o.name)
        .sort(),
    ).toEqual(CATALOG.map((app) => app.name).sort());
  });
});

test('kubectl reaches the cluster the kubernetes provider is configured for; EKS needs --context', () => {
  expect(kubeTarget(dev.platform.json)).toEqual({ kubeconfig: expect.stringMatching(/\/\.kube\/config$/), context: 'minikube' });
  expect(kubeTarget(staging.platform.json)).toEqual({});
  expect(kubeTarget(staging.platform.json, { context: 'llm-staging' })).toEqual({ context: 'llm-staging' });
});
