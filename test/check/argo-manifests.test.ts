import { ManifestValidator } from '../../tools/check/manifest-validation';
import { describeWithUpstream, SHARED_UPSTREAM_DIR } from '../support/upstream';
import { upstreamFrom } from './check-fixtures';

const location = { file: 'cdktf.out/stacks/dev-apps/cdk.tf.json', prefix: ['kubernetes_manifest', 'ollama', 'manifest'] };
const at = (path: string, message: string) => ({ file: location.file, path: `kubernetes_manifest.ollama.manifest.${path}`, message });

function application(spec: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'ollama', namespace: 'argocd', finalizers: ['resources-finalizer.argocd.argoproj.io'] },
    spec: {
      project: 'llm-platform',
      destination: { server: 'https://kubernetes.default.svc', namespace: 'ollama' },
      source: { repoURL: 'https://github.com/example-org/gitops-llm-platform.git', targetRevision: 'main', path: 'apps/ollama', helm: { valuesObject: { anything: { goes: 1 } } } },
      syncPolicy: { automated: { prune: true, selfHeal: true }, retry: { limit: 5, backoff: { duration: '10s', factor: 2 } } },
      ...spec,
    },
    ...extra,
  };
}

describeWithUpstream('Argo CD manifests against the argo-cd 10.1.1 CRDs', () => {
  let validator: ManifestValidator;
  // In beforeAll, not the describe body: jest runs the body of a skipped describe too.
  beforeAll(() => {
    const crds = upstreamFrom(SHARED_UPSTREAM_DIR).argoCrds('argo-cd', '10.1.1');
    if (!crds.ok) throw new Error(`no CRDs in ${SHARED_UPSTREAM_DIR}`);
    validator = new ManifestValidator(crds.value);
  });

  it('accepts a valid Application (valuesObject is free-form)', () => {
    expect(validator.validate(application(), location)).toEqual([]);
  });

  it('catches a typo in syncPolicy.automated.selfHeal', () => {
    expect(validator.validate(application({ syncPolicy: { automated: { prune: true, selfheal: true } } }), location)).toEqual([
      at('spec.syncPolicy.automated.selfheal', 'unknown field (not in Application CRD schema) → did you mean selfHeal?'),
    ]);
  });

  it('catches unknown Application fields, at any depth', () => {
    expect(validator.validate(application({ syncPolicy: { selfHeal: true }, helm: {} }), location)).toEqual([
      at('spec.helm', 'unknown field (not in Application CRD schema) → did you mean spec.source.helm?'),
      at('spec.syncPolicy.selfHeal', 'unknown field (not in Application CRD schema) → did you mean spec.syncPolicy.automated.selfHeal?'),
    ]);
  });

  it('catches missing required fields and wrong types', () => {
    const { project: _project, ...spec } = application().spec;
    expect(validator.validate({ ...application(), spec: { ...spec, revisionHistoryLimit: 'ten' } }, location)).toEqual([
      at('spec.project', 'required field missing'),
      at('spec.revisionHistoryLimit', 'must be integer, got string "ten"'),
    ]);
  });

  it('rejects fields the controller owns', () => {
    expect(validator.validate(application({}, { operation: { sync: {} } }), location)).toEqual([
      at('operation', 'operation starts a one-off sync and Argo CD removes it afterwards: set from Terraform it is a perpetual diff (use spec.syncPolicy)'),
    ]);
  });

  it('validates an AppProject', () => {
    const project = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AppProject',
      metadata: { name: 'llm-platform', namespace: 'argocd' },
      spec: { sourceRepos: ['*'], destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'ollama' }], clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }] },
    };
    expect(validator.validate(project, location)).toEqual([]);
    expect(validator.validate({ ...project, spec: { ...project.spec, destination: [] } }, location)).toEqual([
      at('spec.destination', 'unknown field (not in AppProject CRD schema) → did you mean destinations?'),
    ]);
  });
});
