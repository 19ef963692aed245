import { chartFacts } from '../../tools/check/facts';
import { valuesKeys } from '../../tools/check/rules';
import { application, librechatChart, manifests, ollamaChart, ruleTester, stackFile, TEST_FACTS } from './rule-tester';

const DEV = 'apps/ollama/values-dev.yaml';
const APPS = stackFile('dev-apps');
const PLATFORM = stackFile('dev-platform');
const VALUES_OBJECT = 'kubernetes_manifest.ollama.manifest.spec.source.helm.valuesObject';
const UNKNOWN_OLLAMA = 'unknown key for chart ollama 1.77.0';

/** A chart source (no wrapper chart) of the ollama chart with these helm settings. */
const chartSource = (helm: Record<string, unknown>, targetRevision = '1.77.0') => ({
  source: { repoURL: 'https://helm.otwld.com/', chart: 'ollama', targetRevision, helm },
});

/** A dev-platform stack with one helm_release of the ollama chart. */
const release = (fields: Record<string, unknown>) => ({
  'dev-platform': {
    resource: { helm_release: { ollama_direct: { name: 'ollama', chart: 'ollama', repository: 'https://helm.otwld.com/', version: '1.77.0', ...fields } } },
  },
});

ruleTester(valuesKeys).run({
  valid: [
    {
      name: 'the correct double hierarchy',
      charts: {
        ollama: ollamaChart({
          'values-dev.yaml': { ollama: { ollama: { gpu: { enabled: true, number: 1 }, models: { pull: ['llama3.2:1b'] } }, ingress: { enabled: true } } },
        }),
      },
      stats: { chartsChecked: 1, valuesDocumentsChecked: 1 },
    },
    {
      name: 'free-form maps (resources, nodeSelector, tolerations, extraEnv, annotations) and global',
      charts: {
        ollama: ollamaChart({
          'values.yaml': {
            global: { anything: 'goes' },
            ollama: {
              resources: { requests: { 'nvidia.com/gpu': 1, cpu: '2' }, anything: {} },
              nodeSelector: { 'node.kubernetes.io/instance-type': 'g6.2xlarge' },
              tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }],
              extraEnv: [{ name: 'OLLAMA_KEEP_ALIVE', value: '30m' }],
              ingress: { annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '25m' } },
            },
          },
        }),
      },
    },
    {
      name: 'anything below a default that is {} or a list',
      charts: {
        ollama: ollamaChart({ 'values.yaml': { ollama: { ollama: { models: { pull: [{ any: 'thing' }] } }, ingress: { hosts: [{ host: 'x', extra: 1 }] } } } }),
      },
    },
    {
      name: 'the condition path of a dependency (ollama.enabled) and tags',
      charts: { ollama: ollamaChart({ 'values.yaml': { ollama: { enabled: true }, tags: { llm: true } } }, { condition: 'ollama.enabled', tags: ['llm'] }) },
    },
    {
      name: "the upstream chart's own subcharts (librechat: mongodb, meilisearch) and free-form keys that have defaults",
      charts: {
        librechat: librechatChart({
          'values.yaml': {
            librechat: {
              mongodb: { persistence: { size: '8Gi' } },
              meilisearch: { anything: 1 },
              securityContext: { runAsUser: 1000 },
              librechat: { configEnv: { ANY: 'x' } },
            },
          },
        }),
      },
    },
    {
      name: 'chart-specific free-form paths (librechat probes are Kubernetes Probe objects)',
      charts: { librechat: librechatChart({ 'values.yaml': { librechat: { livenessProbe: { initialDelaySeconds: 30 } } } }) },
    },
    {
      name: 'a wrapper chart with templates may declare its own keys in values.yaml',
      charts: {
        ollama: ollamaChart({
          'values.yaml': { ollama: {}, extra: { replicas: 1 } },
          'values-dev.yaml': { extra: { replicas: 2 } },
          'templates/deployment.yaml': '',
        }),
      },
    },
    {
      name: 'Application valuesObject of a wrapper chart',
      charts: { ollama: ollamaChart() },
      stacks: {
        'dev-apps': manifests({
          ollama: application('ollama', {
            source: {
              repoURL: 'https://x.git',
              targetRevision: 'main',
              path: 'apps/ollama',
              helm: { valuesObject: { ollama: { ollama: { gpu: { enabled: true } } } } },
            },
          }),
        }),
      },
    },
    {
      name: 'helm_release set names that exist, with escaped dots and list indices',
      stacks: release({
        set: [
          { name: 'ollama.gpu.enabled', value: 'true' },
          { name: 'ingress.hosts[0].host', value: 'x' },
          { name: 'nodeSelector.kubernetes\\.io/os', value: 'linux' },
        ],
      }),
    },
  ],
  invalid: [
    {
      name: 'chart settings one level too shallow (ollama.gpu)',
      charts: { ollama: ollamaChart({ 'values-dev.yaml': { ollama: { gpu: { enabled: true, number: 2, type: 'nvidia' } } } }) },
      errors: [`${DEV}:ollama.gpu: ${UNKNOWN_OLLAMA} → did you mean ollama.ollama.gpu?`],
    },
    {
      name: 'root settings nested one level too deep (ollama.ollama.ingress)',
      charts: { ollama: ollamaChart({ 'values-dev.yaml': { ollama: { ollama: { ingress: { enabled: true } } } } }) },
      errors: [`${DEV}:ollama.ollama.ingress: ${UNKNOWN_OLLAMA} → did you mean ollama.ingress?`],
    },
    {
      name: 'a typo next to the key (swapped letters)',
      charts: { ollama: ollamaChart({ 'values-dev.yaml': { ollama: { persistentVolume: { enabeld: true } } } }) },
      errors: [`${DEV}:ollama.persistentVolume.enabeld: ${UNKNOWN_OLLAMA} → did you mean enabled?`],
    },
    {
      name: 'a key under the wrong sibling, and short keys that merely look alike get no suggestion',
      charts: {
        ollama: ollamaChart({ 'values-dev.yaml': { ollama: { ingress: { type: 'NodePort' }, completelyUnrelated: 1, persistentVolume: { tls: true } } } }),
      },
      errors: [
        `${DEV}:ollama.ingress.type: ${UNKNOWN_OLLAMA} → did you mean ollama.service.type?`,
        `${DEV}:ollama.completelyUnrelated: ${UNKNOWN_OLLAMA}`,
        `${DEV}:ollama.persistentVolume.tls: ${UNKNOWN_OLLAMA} → did you mean ollama.ingress.tls?`,
      ],
    },
    {
      name: 'a misspelt dependency key; global is allowed',
      charts: { ollama: ollamaChart({ 'values-dev.yaml': { global: { anything: 'goes' }, olama: { service: {} } } }) },
      errors: [`${DEV}:olama: unknown top-level key: neither a dependency (name or alias) of apps/ollama nor global → did you mean ollama?`],
    },
    {
      name: 'the name of an aliased dependency',
      charts: { ollama: ollamaChart({ 'values-dev.yaml': { llm: { ollama: { gpu: { enabled: true } } }, ollama: {} } }, { alias: 'llm' }) },
      errors: [`${DEV}:ollama: unknown top-level key: dependency ollama is aliased, its values go under llm → did you mean llm?`],
    },
    {
      name: "a wrapper chart's own key without templates, and an undeclared one with templates",
      charts: {
        ollama: ollamaChart({
          'values.yaml': { ollama: {}, extra: { replicas: 1 } },
          'values-dev.yaml': { extra: { replica: 2 } },
          'templates/deployment.yaml': '',
        }),
        plain: ollamaChart({ 'values.yaml': { extra: { replicas: 1 } } }),
      },
      errors: [
        `${DEV}:extra.replica: unknown key: not declared in apps/ollama/values.yaml → did you mean replicas?`,
        'apps/plain/values.yaml:extra: unknown top-level key: neither a dependency (name or alias) of apps/plain nor global',
      ],
    },
    {
      name: "the librechat chart's own settings one level too shallow",
      charts: { librechat: librechatChart({ 'values.yaml': { librechat: { configEnv: { ANY: 'x' } } } }) },
      errors: ['apps/librechat/values.yaml:librechat.configEnv: unknown key for chart librechat 2.0.4 → did you mean librechat.librechat.configEnv?'],
    },
    {
      name: 'the candidate that knows more of the written keys wins a tie',
      facts: { ...TEST_FACTS, charts: { 'x@1.0.0': chartFacts({ a: { x: { name: { first: 0 } }, y: { name: { other: 0 } } } }, {}) } },
      charts: {
        x: {
          'Chart.yaml': { dependencies: [{ name: 'x', version: '1.0.0', repository: 'https://x.example' }] },
          'values.yaml': { x: { a: { name: { other: 1 } } } },
        },
      },
      errors: ['apps/x/values.yaml:x.a.name: unknown key for chart x 1.0.0 → did you mean x.a.y.name?'],
    },
    {
      name: 'Application valuesObject of a wrapper chart, paths in the stack and suggestions relative to the values',
      charts: { ollama: ollamaChart() },
      stacks: {
        'dev-apps': manifests({
          ollama: application('ollama', {
            source: { repoURL: 'https://x.git', targetRevision: 'main', path: 'apps/ollama', helm: { valuesObject: { ollama: { gpu: { number: 1 } } } } },
          }),
        }),
      },
      errors: [`${APPS}:${VALUES_OBJECT}.ollama.gpu: ${UNKNOWN_OLLAMA} → did you mean ollama.ollama.gpu?`],
    },
    {
      name: 'a Helm chart source: valuesObject at the chart root, helm.values YAML and parameter names',
      stacks: {
        'dev-apps': manifests({
          app: application(
            'app',
            chartSource({
              valuesObject: { gpu: { enabled: true } },
              values: 'ollama:\n  gpu: {}\n',
              parameters: [{ name: 'ollama.gpu.enable', value: 'true' }],
            }),
          ),
        }),
      },
      errors: [
        `${APPS}:kubernetes_manifest.app.manifest.spec.source.helm.valuesObject.gpu: ${UNKNOWN_OLLAMA} → did you mean ollama.gpu?`,
        `${APPS}:kubernetes_manifest.app.manifest.spec.source.helm.parameters[0].name: ollama.gpu.enable: ${UNKNOWN_OLLAMA} → did you mean enabled?`,
      ],
      stats: { chartsChecked: 1, valuesDocumentsChecked: 2 },
    },
    {
      name: 'helm_release values at the wrong depth, a typo in a set name, and unreadable values',
      stacks: release({ values: ['gpu:\n  enabled: true\n', '- a list', 'a: [unclosed'], set: [{ name: 'ollama.gpu.enabeld', value: 'true' }] }),
      errors: [
        `${PLATFORM}:helm_release.ollama_direct.values[0].gpu: ${UNKNOWN_OLLAMA} → did you mean ollama.gpu?`,
        `${PLATFORM}:helm_release.ollama_direct.values[1]: values must be a YAML mapping`,
        /^cdktf\.out\/stacks\/dev-platform\/cdk\.tf\.json:helm_release\.ollama_direct\.values\[2\]: invalid YAML: /,
        `${PLATFORM}:helm_release.ollama_direct.set[0].name: ollama.gpu.enabeld: ${UNKNOWN_OLLAMA} → did you mean enabled?`,
      ],
    },
    {
      name: 'values NOT CHECKED: a Terraform expression, and a source that is no chart',
      stacks: {
        ...release({ values: ['${yamlencode(local.values)}'] }),
        'dev-apps': manifests({
          app: application('app', { source: { repoURL: 'https://x.git', targetRevision: 'main', path: 'charts/other', helm: { valuesObject: { a: 1 } } } }),
        }),
      },
      errors: [],
      notChecked: [
        'values of kubernetes_manifest.app (spec.source): source path charts/other is neither a wrapper chart under apps/ nor a Helm chart source',
        `values at ${PLATFORM}:helm_release.ollama_direct.values[0]: a Terraform expression, known only at apply time; write the values as a literal YAML string`,
      ],
    },
    {
      name: 'NOT CHECKED, once per chart version, for an inexact dependency and a chart without facts',
      charts: {
        extras: {
          'Chart.yaml': { dependencies: [{ name: 'redis', version: '^1.0', repository: 'https://charts.bitnami.com/bitnami' }] },
          'values.yaml': { redis: { anything: 1 } },
        },
        ollama: ollamaChart({}, { version: '1.78.0' }),
        ollama2: ollamaChart({}, { version: '1.78.0' }),
      },
      errors: [],
      notChecked: [
        'chart redis ^1.0 (used by apps/extras): not an exact version, so there is no single upstream chart to compare with',
        'chart ollama 1.78.0 (used by apps/ollama, apps/ollama2): no facts for it in tools/check/upstream-facts.json; run npm run fetch-upstream -- ollama',
      ],
      stats: { chartsChecked: 0, chartsNotChecked: 2 },
    },
  ],
});
