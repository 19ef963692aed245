import { runCheck } from '../../tools/check/run-check';
import { HelmRelease, releaseChart, StackFile } from '../../tools/check/terraform-stacks';
import { FIXTURE_UPSTREAM, upstreamFrom } from './check-fixtures';

const upstream = upstreamFrom(FIXTURE_UPSTREAM);
const argoCd = { chart: 'argo-cd', repository: 'https://argoproj.github.io/argo-helm', version: '10.1.1' };
const FILE = 'cdktf.out/stacks/dev-apps/cdk.tf.json';

function stackWith(resource: Record<string, unknown>, terraform: Record<string, unknown> = {}): StackFile[] {
  return [{ stack: 'dev-apps', file: FILE, json: { terraform, resource } }];
}

function application(source: Record<string, unknown>) {
  return {
    kubernetes_manifest: {
      app: {
        manifest: {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Application',
          metadata: { name: 'app' },
          spec: { project: 'default', destination: { server: 'https://kubernetes.default.svc' }, source },
        },
      },
    },
  };
}

describe('Application sources', () => {
  it('checks a Helm chart source: targetRevision is a pin, valuesObject is compared at the chart root', () => {
    const source = { repoURL: 'https://helm.otwld.com/', chart: 'ollama', targetRevision: '1.77.0', helm: { valuesObject: { gpu: { enabled: true } } } };
    const report = runCheck({ charts: [], stacks: stackWith(application(source)), upstream, argoCd });
    expect(report.findings).toEqual([
      { file: FILE, path: 'kubernetes_manifest.app.manifest.spec.source.helm.valuesObject.gpu', message: 'unknown key for chart ollama 1.77.0 → did you mean ollama.gpu?' },
    ]);
    expect(report.stats).toMatchObject({ chartsChecked: 1, pinsChecked: 1 });
  });

  it('reports an inexact targetRevision of a chart source', () => {
    const source = { repoURL: 'https://helm.otwld.com/', chart: 'ollama', targetRevision: '1.*' };
    expect(runCheck({ charts: [], stacks: stackWith(application(source)), upstream, argoCd }).findings).toEqual([
      { file: FILE, path: 'kubernetes_manifest.app.manifest.spec.source.targetRevision', message: 'ollama: "1.*" is a version range (a wildcard), not an exact version' },
    ]);
  });

  it('reports a path under apps/ without a wrapper chart', () => {
    const source = { repoURL: 'https://github.com/example-org/repo.git', targetRevision: 'main', path: 'apps/olama' };
    expect(runCheck({ charts: [], stacks: stackWith(application(source)), upstream, argoCd }).findings).toEqual([
      { file: FILE, path: 'kubernetes_manifest.app.manifest.spec.source.path', message: 'no wrapper chart at apps/olama (no apps/olama/Chart.yaml)' },
    ]);
  });

  it('says NOT CHECKED for helm values of a source it cannot map to a chart', () => {
    const source = { repoURL: 'https://github.com/example-org/repo.git', targetRevision: 'main', path: 'charts/other', helm: { valuesObject: { a: 1 } } };
    expect(runCheck({ charts: [], stacks: stackWith(application(source)), upstream, argoCd }).notChecked).toContainEqual({
      subject: 'values of kubernetes_manifest.app (spec.source)',
      reason: 'source path charts/other is neither a wrapper chart under apps/ nor a Helm chart source',
    });
  });

  it('checks Argo CD helm.parameters names', () => {
    const source = { repoURL: 'https://helm.otwld.com/', chart: 'ollama', targetRevision: '1.77.0', helm: { parameters: [{ name: 'ollama.gpu.enable', value: 'true' }] } };
    expect(runCheck({ charts: [], stacks: stackWith(application(source)), upstream, argoCd }).findings).toEqual([
      { file: FILE, path: 'kubernetes_manifest.app.manifest.spec.source.helm.parameters[0].name', message: 'ollama.gpu.enable: unknown key for chart ollama 1.77.0 → did you mean enabled?' },
    ]);
  });
});

describe('helm releases and providers', () => {
  it('says NOT CHECKED for values that are a Terraform expression', () => {
    const resource = { helm_release: { ollama: { chart: 'ollama', repository: 'https://helm.otwld.com/', version: '1.77.0', values: ['${yamlencode(local.values)}'] } } };
    const report = runCheck({ charts: [], stacks: stackWith(resource), upstream, argoCd });
    expect(report.findings).toEqual([]);
    expect(report.notChecked).toEqual([
      { subject: `values at ${FILE}:helm_release.ollama.values[0]`, reason: 'a Terraform expression, known only at apply time; write the values as a literal YAML string' },
    ]);
  });

  it('reads chart names given as oci:// references or repo/name', () => {
    const release = (chart: string, repository?: string) => ({ chart, repository }) as HelmRelease;
    expect(releaseChart(release('oci://ghcr.io/danny-avila/librechat-chart/librechat'))).toEqual({ name: 'librechat', repository: 'oci://ghcr.io/danny-avila/librechat-chart' });
    expect(releaseChart(release('argo-cd', 'https://argoproj.github.io/argo-helm'))).toEqual({ name: 'argo-cd', repository: 'https://argoproj.github.io/argo-helm' });
    expect(releaseChart(release('./charts/local'))).toBeUndefined();
  });

  it('requires exact required_providers versions', () => {
    const terraform = { required_providers: { helm: { source: 'hashicorp/helm', version: '3.1.1' }, kubernetes: { source: 'hashicorp/kubernetes', version: '>= 2.0.0' } } };
    expect(runCheck({ charts: [], stacks: stackWith({}, terraform), upstream, argoCd }).findings).toEqual([
      { file: FILE, path: 'terraform.required_providers.kubernetes.version', message: '">= 2.0.0" is a version range (">="), not an exact version' },
    ]);
  });
});
