import { ARGOCD_CHART } from '../../contracts/versions';
import { crdFactsFromDocuments } from '../../tools/check/crd-schema';
import { factsKey } from '../../tools/check/facts';
import { argoCrdSchema } from '../../tools/check/rules';
import { application, manifests, ruleTester, stackFile, TEST_FACTS } from './rule-tester';

const APPS = stackFile('dev-apps');
const AT = `${APPS}:kubernetes_manifest.ollama.manifest`;
const UNKNOWN = 'unknown field (not in Application CRD schema)';

/** A small CRD with each structural-schema feature the facts conversion handles, in Argo CD's group. */
const widgetCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.argoproj.io' },
  spec: {
    group: 'argoproj.io',
    names: { kind: 'Widget', plural: 'widgets' },
    versions: [
      { name: 'v1beta1', served: false, storage: false, schema: { openAPIV3Schema: { type: 'object' } } },
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            description: 'A widget.',
            type: 'object',
            properties: {
              apiVersion: { type: 'string' },
              kind: { type: 'string' },
              metadata: { type: 'object' },
              spec: {
                type: 'object',
                required: ['size'],
                properties: {
                  size: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
                  replicas: { type: 'integer', format: 'int64' },
                  mode: { type: 'string', enum: ['fast', 'slow'] },
                  note: { type: 'string', nullable: true },
                  config: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                  labels: { type: 'object', additionalProperties: { type: 'string' } },
                  parts: { type: 'array', 'x-kubernetes-list-type': 'atomic', items: { type: 'object', properties: { name: { type: 'string' } } } },
                  syncPolicy: { type: 'object', properties: { automated: { type: 'object', properties: { selfHeal: { type: 'boolean' } } } } },
                },
              },
              status: { type: 'object', properties: { phase: { type: 'string' } } },
            },
          },
        },
      },
    ],
  },
};

/** Facts whose Argo CD CRDs are only the Widget CRD (read through a `kind: List`, beside a non-CRD). */
const WIDGET_FACTS = {
  ...TEST_FACTS,
  crds: { [factsKey(ARGOCD_CHART.name, ARGOCD_CHART.version)]: crdFactsFromDocuments([{ kind: 'List', items: [widgetCrd] }, { kind: 'ConfigMap' }]) },
};
const W = `${APPS}:kubernetes_manifest.w.manifest`;
const widget = (spec: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  'dev-apps': manifests({
    w: {
      apiVersion: 'argoproj.io/v1',
      kind: 'Widget',
      metadata: { name: 'w', namespace: 'default', labels: { app: 'w' } },
      spec: { size: 1, ...spec },
      ...extra,
    },
  }),
});
const ollama = (spec: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  'dev-apps': manifests({
    ollama: application(
      'ollama',
      { syncPolicy: { automated: { prune: true, selfHeal: true }, retry: { limit: 5, backoff: { duration: '10s', factor: 2 } } }, ...spec },
      extra,
    ),
  }),
});
const project = (spec: Record<string, unknown>) => ({
  'dev-apps': manifests({ project: { apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'llm-platform', namespace: 'argocd' }, spec } }),
});
const projectSpec = {
  sourceRepos: ['*'],
  destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'ollama' }],
  clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }],
};

ruleTester(argoCrdSchema).run({
  valid: [
    {
      name: 'an Application as the product writes it (valuesObject is free-form)',
      stacks: ollama({ source: { repoURL: 'https://x.git', targetRevision: 'main', path: 'apps/ollama', helm: { valuesObject: { anything: { goes: 1 } } } } }),
      stats: { manifestsValidated: 1 },
    },
    { name: 'an AppProject', stacks: project(projectSpec) },
    { name: 'no Argo CD manifests at all, even without CRD facts', stacks: { 'dev-apps': manifests({}) }, facts: { ...TEST_FACTS, crds: {} }, notChecked: [] },
    {
      name: 'int-or-string both ways, anything under preserve-unknown-fields, a nullable field, lists of objects',
      stacks: widget({ size: '10Gi', config: { any: { thing: 1 } }, note: null, parts: [{ name: 'a' }] }),
      facts: WIDGET_FACTS,
    },
    { name: 'a Terraform expression where a number is expected', stacks: widget({ replicas: '${var.replicas}' }), facts: WIDGET_FACTS },
  ],
  invalid: [
    {
      name: 'a typo in syncPolicy.automated.selfHeal',
      stacks: ollama({ syncPolicy: { automated: { prune: true, selfheal: true } } }),
      errors: [`${AT}.spec.syncPolicy.automated.selfheal: ${UNKNOWN} → did you mean selfHeal?`],
    },
    {
      name: 'unknown Application fields at any depth, with their right place',
      stacks: ollama({ syncPolicy: { selfHeal: true }, helm: {}, ignoreDifference: [] }),
      errors: [
        `${AT}.spec.helm: ${UNKNOWN} → did you mean spec.source.helm?`,
        `${AT}.spec.ignoreDifference: ${UNKNOWN} → did you mean ignoreDifferences?`,
        `${AT}.spec.syncPolicy.selfHeal: ${UNKNOWN} → did you mean spec.syncPolicy.automated.selfHeal?`,
      ],
    },
    {
      name: 'a missing required field and a wrong type',
      stacks: {
        'dev-apps': manifests({
          ollama: {
            ...application('ollama'),
            spec: { destination: { server: 'https://kubernetes.default.svc' }, source: { repoURL: 'x' }, revisionHistoryLimit: 'ten' },
          },
        }),
      },
      errors: [`${AT}.spec.project: required field missing`, `${AT}.spec.revisionHistoryLimit: must be integer, got string "ten"`],
    },
    {
      name: 'fields the controller owns',
      stacks: ollama({}, { operation: { sync: {} }, status: {} }),
      errors: [
        `${AT}.operation: operation starts a one-off sync and Argo CD removes it afterwards: set from Terraform it is a perpetual diff (use spec.syncPolicy)`,
        `${AT}.status: status is written by the Argo CD controller; a manifest must not set it`,
      ],
    },
    {
      name: 'an AppProject field typo',
      stacks: project({ ...projectSpec, destination: [] }),
      errors: [`${APPS}:kubernetes_manifest.project.manifest.spec.destination: unknown field (not in AppProject CRD schema) → did you mean destinations?`],
    },
    {
      name: 'unknown fields with the dotted path and a suggestion, also inside lists',
      stacks: widget({ syncPolicy: { automated: { selfheal: true } }, parts: [{ name: 'a', nmae: 'b' }] }),
      facts: WIDGET_FACTS,
      errors: [
        `${W}.spec.parts[0].nmae: unknown field (not in Widget CRD schema) → did you mean name?`,
        `${W}.spec.syncPolicy.automated.selfheal: unknown field (not in Widget CRD schema) → did you mean selfHeal?`,
      ],
    },
    {
      name: 'type, enum and int-or-string problems',
      stacks: widget({ mode: 'medium', replicas: 'two', size: true }),
      facts: WIDGET_FACTS,
      errors: [
        `${W}.spec.size: must be an integer or a string, got boolean true`,
        `${W}.spec.replicas: must be integer, got string "two"`,
        `${W}.spec.mode: must be one of "fast", "slow"`,
      ],
    },
    {
      name: 'metadata checked lightly (ObjectMeta), status rejected',
      stacks: widget({}, { metadata: { name: 'w', labels: { app: 1 }, finalizers: ['x'], label: {} }, status: { phase: 'Ready' } }),
      facts: WIDGET_FACTS,
      errors: [
        `${W}.status: status is written by the Argo CD controller; a manifest must not set it`,
        `${W}.metadata.label: unknown field (not in ObjectMeta) → did you mean labels?`,
        `${W}.metadata.labels.app: must be string, got number 1`,
      ],
    },
    { name: 'metadata without a name', stacks: widget({}, { metadata: {} }), facts: WIDGET_FACTS, errors: [`${W}.metadata.name: required field missing`] },
    {
      name: 'a version the CRD does not serve',
      stacks: { 'dev-apps': manifests({ w: { apiVersion: 'argoproj.io/v1beta1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 1 } } }) },
      facts: WIDGET_FACTS,
      errors: [`${W}.apiVersion: argoproj.io/v1beta1 is not served by the Widget CRD (served: argoproj.io/v1)`],
    },
    {
      name: 'NOT CHECKED: a kind without CRD facts, and manifests when the Argo CD version has no CRD facts',
      stacks: {
        'dev-apps': manifests({ set: { apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet', metadata: { name: 's' }, spec: {} } }),
        'dev-platform': { resource: { helm_release: { argocd: { chart: 'argo-cd', repository: 'https://argoproj.github.io/argo-helm', version: '9.9.9' } } } },
      },
      errors: [],
      notChecked: [
        'Argo CD manifests (1 ApplicationSet) against the argo-cd 9.9.9 CRDs: no CRD facts for argo-cd 9.9.9 in tools/check/upstream-facts.json; run npm run fetch-upstream',
      ],
    },
    {
      name: 'NOT CHECKED: an Argo CD kind the facts leave out',
      stacks: { 'dev-apps': manifests({ set: { apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet', metadata: { name: 's' }, spec: {} } }) },
      errors: [],
      notChecked: [`ApplicationSet manifests: no ApplicationSet CRD in the argo-cd ${ARGOCD_CHART.version} facts (Application, AppProject)`],
    },
  ],
});
