import { Testing } from 'cdktf';
import { parse } from 'yaml';
import { Gp3StorageClass } from '../../constructs/gp3-storage-class';
import { LibrechatCredentials } from '../../constructs/librechat-credentials';
import { NvidiaDevicePlugin } from '../../constructs/nvidia-device-plugin';
import { PlatformNamespaces } from '../../constructs/platform-namespaces';

const synthJson = (fn: Parameters<typeof Testing.synthScope>[0]) => JSON.parse(Testing.synthScope(fn));

describe('PlatformNamespaces', () => {
  test('defaults snapshot', () => {
    expect(synthJson((s) => new PlatformNamespaces(s, 'ns', { gitopsNamespace: 'argocd', appNamespaces: ['a'] }))).toMatchSnapshot();
  });

  test('labels: managed-by, role, and extra labels', () => {
    const json = synthJson((s) => new PlatformNamespaces(s, 'ns', { gitopsNamespace: 'argocd', appNamespaces: ['a'], labels: { team: 'ml' } }));
    const labels = Object.fromEntries(Object.values<any>(json.resource.kubernetes_namespace_v1).map((n) => [n.metadata.name, n.metadata.labels]));
    expect(labels).toEqual({
      argocd: { 'app.kubernetes.io/managed-by': 'terraform', 'app.kubernetes.io/part-of': 'llm-platform', team: 'ml', 'llm-platform/role': 'gitops-tooling' },
      a: { 'app.kubernetes.io/managed-by': 'terraform', 'app.kubernetes.io/part-of': 'llm-platform', team: 'ml', 'llm-platform/role': 'application' },
    });
  });

  test('rejects duplicate names', () => {
    expect(() => synthJson((s) => new PlatformNamespaces(s, 'ns', { gitopsNamespace: 'a', appNamespaces: ['a'] }))).toThrow(
      /^PlatformNamespaces: namespace "a" is listed twice; names must be unique$/,
    );
  });
});

describe('LibrechatCredentials', () => {
  test('defaults snapshot', () => {
    expect(synthJson((s) => new LibrechatCredentials(s, 'c', { namespace: 'librechat', secretName: 's', connectionSettings: {} }))).toMatchSnapshot();
  });

  test('variables keep stable names for TF_VAR_…', () => {
    const json = synthJson((s) => new LibrechatCredentials(s, 'c', { namespace: 'librechat', secretName: 's', connectionSettings: { A: 'b' } }));
    expect(Object.keys(json.variable).sort()).toEqual([
      'librechat_creds_iv', 'librechat_creds_key', 'librechat_jwt_refresh_secret', 'librechat_jwt_secret', 'librechat_meili_master_key',
    ]);
    expect((Object.values(json.resource.kubernetes_secret_v1)[0] as any).data.A).toBe('b');
  });

  test('rejects connection settings that would overwrite a credential', () => {
    expect(() => synthJson((s) => new LibrechatCredentials(s, 'c', { namespace: 'n', secretName: 's', connectionSettings: { CREDS_KEY: 'x' } }))).toThrow(
      /^LibrechatCredentials: connectionSettings must not set the credential key "CREDS_KEY"$/,
    );
  });
});

describe('Gp3StorageClass', () => {
  test('defaults snapshot', () => {
    expect(synthJson((s) => new Gp3StorageClass(s, 'gp3'))).toMatchSnapshot();
  });

  test('options: name and not default', () => {
    const json = synthJson((s) => new Gp3StorageClass(s, 'gp3', { name: 'fast', isDefault: false }));
    expect((Object.values(json.resource.kubernetes_storage_class_v1)[0] as any).metadata).toEqual({
      name: 'fast',
      annotations: { 'storageclass.kubernetes.io/is-default-class': 'false' },
    });
  });
});

describe('NvidiaDevicePlugin', () => {
  const chart = { repository: 'https://nvidia.github.io/k8s-device-plugin', name: 'nvidia-device-plugin', version: '0.20.0' };
  const toleration = { key: 'nvidia.com/gpu', operator: 'Exists' as const, effect: 'NoSchedule' };

  test('defaults snapshot', () => {
    expect(synthJson((s) => new NvidiaDevicePlugin(s, 'dp', { chart, tolerations: [toleration] }))).toMatchSnapshot();
  });

  test('installs into kube-system unless told otherwise, tolerating the given taints', () => {
    const json = synthJson((s) => new NvidiaDevicePlugin(s, 'dp', { chart, tolerations: [toleration], namespace: 'gpu-operator' }));
    const release: any = Object.values(json.resource.helm_release)[0];
    expect(release.namespace).toBe('gpu-operator');
    expect(parse(release.values[0]).tolerations).toEqual([{ key: 'CriticalAddonsOnly', operator: 'Exists' }, toleration]);
  });

  test('rejects an empty toleration list', () => {
    expect(() => synthJson((s) => new NvidiaDevicePlugin(s, 'dp', { chart, tolerations: [] }))).toThrow(
      /^NvidiaDevicePlugin: tolerations must cover the GPU nodes' taint; an untolerated plugin never runs on them$/,
    );
  });
});
