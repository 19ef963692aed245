import { CheckReport } from '../../tools/check/findings';
import { describeWithUpstream, SHARED_UPSTREAM_DIR } from '../support/upstream';
import { checkFixtureRepo, FIXTURE_UPSTREAM, upstreamFrom } from './check-fixtures';

const APPS = 'cdktf.out/stacks/dev-apps/cdk.tf.json';
const PLATFORM = 'cdktf.out/stacks/dev-platform/cdk.tf.json';

describe('a repository with the known failures (fixture upstream, no CRDs)', () => {
  const report = checkFixtureRepo('repo-broken', upstreamFrom(FIXTURE_UPSTREAM));

  it.each([
    ['single-layer GPU values', 'apps/ollama/values-dev.yaml', 'ollama.gpu', 'unknown key for chart ollama 1.77.0 → did you mean ollama.ollama.gpu?'],
    ['ingress nested one level too deep', 'apps/ollama/values-dev.yaml', 'ollama.ollama.ingress', 'unknown key for chart ollama 1.77.0 → did you mean ollama.ingress?'],
    ['a typo in a chart key', 'apps/ollama/values-dev.yaml', 'ollama.persistentVolume.enabeld', 'unknown key for chart ollama 1.77.0 → did you mean enabled?'],
    ['a misspelt dependency key', 'apps/ollama/values-dev.yaml', 'olama', 'unknown top-level key: neither a dependency (name or alias) of apps/ollama nor global → did you mean ollama?'],
    ['a latest image tag', 'apps/ollama/values-dev.yaml', 'ollama.image.tag', '"latest" is not a pinned tag'],
    ['an image repository without a tag', 'apps/ollama/values-prod.yaml', 'ollama.image', 'pins repository without a tag (the chart appVersion decides the image)'],
    ['a subchart image repository without a tag', 'apps/librechat/values.yaml', 'librechat.mongodb.image', 'pins repository without a tag (the chart appVersion decides the image)'],
    ['a ^1.0 dependency', 'apps/extras/Chart.yaml', 'dependencies[0].version', 'redis: "^1.0" is a version range ("^"), not an exact version'],
    [
      'single-layer GPU values injected by the Application',
      APPS,
      'kubernetes_manifest.ollama.manifest.spec.source.helm.valuesObject.ollama.gpu',
      'unknown key for chart ollama 1.77.0 → did you mean ollama.ollama.gpu?',
    ],
    ['a missing value file', APPS, 'kubernetes_manifest.ollama.manifest.spec.source.helm.valueFiles[2]', 'value file apps/ollama/values-missing.yaml does not exist'],
    ['a latest tag injected by the Application', APPS, 'kubernetes_manifest.librechat.manifest.spec.source.helm.valuesObject.librechat.image.tag', '"latest" is not a pinned tag'],
    ['a provider range', APPS, 'terraform.required_providers.kubernetes.version', '"~> 2.0" is a version range ("~>"), not an exact version'],
    ['an unpinned helm_release', PLATFORM, 'helm_release.nvidia.version', 'nvidia-device-plugin: empty version: the newest one is installed'],
    ['helm_release values at the wrong depth', PLATFORM, 'helm_release.ollama_direct.values[0].gpu', 'unknown key for chart ollama 1.77.0 → did you mean ollama.gpu?'],
    ['a typo in a helm_release set name', PLATFORM, 'helm_release.ollama_direct.set[0].name', 'ollama.gpu.enabeld: unknown key for chart ollama 1.77.0 → did you mean enabled?'],
  ])('catches %s', (_what, file, path, message) => {
    expect(report.findings).toContainEqual({ file, path, message });
  });

  it('reports nothing else (correct values, free-form maps and subcharts pass)', () => {
    expect(report.findings).toHaveLength(15);
    expect(report.findings.filter((finding) => finding.file === 'apps/ollama/values.yaml')).toEqual([]);
  });

  it('says loudly what it could not check, naming chart, version and where it looked', () => {
    expect(report.notChecked).toEqual([
      {
        subject: 'Argo CD manifests (2 Application, 1 AppProject) against the argo-cd 10.1.1 CRDs',
        reason: 'no CRDs; looked in upstream/argo-cd-10.1.1/crds',
      },
      { subject: 'chart redis ^1.0 (used by apps/extras)', reason: 'not an exact version, so there is no single upstream chart to compare with' },
      { subject: 'chart argo-cd 10.1.1 (used by helm_release.argocd)', reason: 'no upstream values; looked in upstream/argo-cd-10.1.1/values.yaml' },
    ]);
    expect(report.stats).toMatchObject({ chartsChecked: 2, chartsNotChecked: 2, manifestsValidated: 0 });
  });
});

describeWithUpstream('a repository with the known failures (../shared/upstream, with CRDs)', () => {
  let report: CheckReport;
  // In beforeAll, not the describe body: jest runs the body of a skipped describe too.
  beforeAll(() => {
    report = checkFixtureRepo('repo-broken', upstreamFrom(SHARED_UPSTREAM_DIR));
  });

  it('catches a typo in syncPolicy.automated.selfHeal', () => {
    expect(report.findings).toContainEqual({
      file: APPS,
      path: 'kubernetes_manifest.ollama.manifest.spec.syncPolicy.automated.selfheal',
      message: 'unknown field (not in Application CRD schema) → did you mean selfHeal?',
    });
  });

  it('catches an unknown Application field', () => {
    expect(report.findings).toContainEqual({
      file: APPS,
      path: 'kubernetes_manifest.ollama.manifest.spec.ignoreDifference',
      message: 'unknown field (not in Application CRD schema) → did you mean ignoreDifferences?',
    });
  });

  it('validates every manifest and checks the argo-cd release values', () => {
    expect(report.stats).toMatchObject({ manifestsValidated: 3, chartsChecked: 3 });
    expect(report.notChecked).toEqual([{ subject: 'chart redis ^1.0 (used by apps/extras)', reason: 'not an exact version, so there is no single upstream chart to compare with' }]);
  });
});
