import { Testing } from 'cdktf';
import { parse } from 'yaml';
import { ArgoCd, ArgoCdProps } from '../../constructs/argocd';

const base: ArgoCdProps = {
  namespace: 'argocd',
  chart: { repository: 'https://argoproj.github.io/argo-helm', name: 'argo-cd', version: '10.1.1' },
  hostname: 'argocd.example.com',
  ingressClassName: 'nginx',
  tls: true,
};

function release(props: Partial<ArgoCdProps> = {}) {
  const json = JSON.parse(Testing.synthScope((scope) => new ArgoCd(scope, 'argocd', { ...base, ...props })));
  const r: any = Object.values(json.resource.helm_release)[0];
  return { release: r, values: parse(r.values[0]), json };
}

describe('ArgoCd', () => {
  test('defaults snapshot', () => {
    expect(release().json).toMatchSnapshot();
  });

  test('defaults: release argocd, waits, 600 s, 180 s reconciliation, CRDs kept, Dex off', () => {
    const { release: r, values } = release();
    expect(r).toMatchObject({ name: 'argocd', wait: true, wait_for_jobs: true, timeout: 600, create_namespace: false });
    expect(values.configs.cm['timeout.reconciliation']).toBe('180s');
    expect(values.crds).toEqual({ install: true, keep: true });
    expect(values.dex).toEqual({ enabled: false });
    expect(values.configs.repositories).toBeUndefined();
  });

  test('tls: false serves plain HTTP behind the ingress', () => {
    const { values } = release({ tls: false });
    expect(values.configs.params['server.insecure']).toBe(true);
    expect(values.server.ingress.tls).toBe(false);
    expect(values.server.ingress.annotations).toEqual({});
  });

  test('tls: true keeps the server on TLS and re-encrypts from the ingress', () => {
    const { values } = release({ tls: true, ingressAnnotations: { 'cert-manager.io/cluster-issuer': 'le' } });
    expect(values.configs.params['server.insecure']).toBe(false);
    expect(values.server.ingress.annotations).toEqual({
      'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS',
      'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true',
      'cert-manager.io/cluster-issuer': 'le',
    });
  });

  test('helmRepositories registers classic and OCI repositories', () => {
    const { values } = release({
      helmRepositories: [
        { name: 'mirror', url: 'https://charts.example.com', oci: false },
        { name: 'librechat', url: 'registry.example.com/librechat-chart', oci: true },
      ],
    });
    expect(values.configs.repositories).toEqual({
      mirror: { name: 'mirror', type: 'helm', url: 'https://charts.example.com' },
      librechat: { name: 'librechat', type: 'helm', url: 'registry.example.com/librechat-chart', enableOCI: 'true' },
    });
  });

  test('a local chart path has no repository', () => {
    const { release: r } = release({ chart: { repository: '', name: '/charts/argo-cd', version: '10.1.1' } });
    expect(r.repository).toBeUndefined();
    expect(r.chart).toBe('/charts/argo-cd');
  });

  test('options: wait, timeout, release name, resources, reconciliation interval', () => {
    const { release: r, values } = release({
      wait: false,
      timeoutSeconds: 120,
      releaseName: 'gitops',
      reconciliationInterval: '5m',
      resources: { repoServer: { requests: { cpu: '1' } } },
    });
    expect(r).toMatchObject({ name: 'gitops', wait: false, wait_for_jobs: false, timeout: 120 });
    expect(values.configs.cm['timeout.reconciliation']).toBe('5m');
    expect(values.repoServer.resources).toEqual({ requests: { cpu: '1' } });
  });

  test('rejects a malformed reconciliation interval', () => {
    expect(() => release({ reconciliationInterval: 'often' })).toThrow(/^ArgoCd: reconciliationInterval "often" must be a duration such as 180s, 5m or 1h$/);
  });

  test('rejects duplicate repository names', () => {
    const repo = { name: 'x', url: 'https://a', oci: false };
    expect(() => release({ helmRepositories: [repo, repo] })).toThrow(/^ArgoCd: helmRepositories name "x" is used twice; names must be unique$/);
  });

  test('rejects an OCI repository URL with a scheme', () => {
    expect(() => release({ helmRepositories: [{ name: 'o', url: 'oci://ghcr.io/x', oci: true }] })).toThrow(
      /^ArgoCd: OCI repository "o" url "oci:\/\/ghcr\.io\/x" must not have a scheme \(Argo CD expects registry\/path\)$/,
    );
  });
});
