import { FREE_FORM_KEYS, isFreeFormKey } from '../../tools/check/free-form-keys';
import { checkValuesKeys, checkValuesPath, splitSetName } from '../../tools/check/values-keys';
import { modelFromDefaults, upstreamChartModel } from '../../tools/check/values-model';
import { wrapperChartModel } from '../../tools/check/wrapper-model';
import { WrapperChart } from '../../tools/check/wrapper-charts';
import { FIXTURE_UPSTREAM, upstreamFrom } from './check-fixtures';

const upstream = upstreamFrom(FIXTURE_UPSTREAM);

function wrapper(overrides: Partial<WrapperChart> = {}): WrapperChart {
  return {
    name: 'ollama',
    dir: 'apps/ollama',
    chartFile: 'apps/ollama/Chart.yaml',
    dependencies: [{ name: 'ollama', version: '1.77.0', conditions: [], tags: [], index: 0 }],
    valuesFiles: [],
    hasTemplates: false,
    files: [],
    ...overrides,
  };
}

function check(values: unknown, chart = wrapper()) {
  return checkValuesKeys(values, wrapperChartModel(chart, upstream).model, { file: 'apps/ollama/values-dev.yaml', prefix: [] });
}

describe('values keys against the upstream chart', () => {
  it('catches chart settings set one level too shallow (ollama.gpu)', () => {
    expect(check({ ollama: { gpu: { enabled: true } } })).toEqual([
      { file: 'apps/ollama/values-dev.yaml', path: 'ollama.gpu', message: 'unknown key for chart ollama 1.77.0 → did you mean ollama.ollama.gpu?' },
    ]);
  });

  it('catches root settings nested one level too deep (ollama.ollama.ingress)', () => {
    expect(check({ ollama: { ollama: { ingress: { enabled: true } } } })).toEqual([
      { file: 'apps/ollama/values-dev.yaml', path: 'ollama.ollama.ingress', message: 'unknown key for chart ollama 1.77.0 → did you mean ollama.ingress?' },
    ]);
  });

  it('accepts the correct double hierarchy', () => {
    expect(check({ ollama: { ollama: { gpu: { enabled: true, number: 1 }, models: { pull: ['llama3.2:1b'] } }, ingress: { enabled: true } } })).toEqual([]);
  });

  it('suggests the key for a typo next to it', () => {
    expect(check({ ollama: { persistentVolume: { enabeld: true } } })).toEqual([
      { file: 'apps/ollama/values-dev.yaml', path: 'ollama.persistentVolume.enabeld', message: 'unknown key for chart ollama 1.77.0 → did you mean enabled?' },
    ]);
  });

  it('reports an unknown key without a suggestion when nothing is close', () => {
    expect(check({ ollama: { completelyUnrelated: 1 } })).toEqual([
      { file: 'apps/ollama/values-dev.yaml', path: 'ollama.completelyUnrelated', message: 'unknown key for chart ollama 1.77.0' },
    ]);
  });

  it('reports only the topmost key of an unknown subtree', () => {
    expect(check({ ollama: { gpu: { enabled: true, number: 2, type: 'nvidia' } } })).toHaveLength(1);
  });

  it('does not descend into free-form maps (resources, nodeSelector, tolerations, extraEnv)', () => {
    expect(
      check({
        ollama: {
          resources: { requests: { 'nvidia.com/gpu': 1, cpu: '2' }, anything: {} },
          nodeSelector: { 'node.kubernetes.io/instance-type': 'g6.2xlarge' },
          tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }],
          extraEnv: [{ name: 'OLLAMA_KEEP_ALIVE', value: '30m' }],
          ingress: { annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '25m' } },
        },
      }),
    ).toEqual([]);
  });

  it('does not descend where the upstream default is {} or a list', () => {
    expect(check({ ollama: { ollama: { models: { pull: [{ any: 'thing' }] } }, ingress: { hosts: [{ host: 'x', extra: 1 }] } } })).toEqual([]);
  });

  it('flags unknown top-level keys, allows global, and suggests the dependency', () => {
    expect(check({ global: { anything: 'goes' }, olama: { service: {} } })).toEqual([
      {
        file: 'apps/ollama/values-dev.yaml',
        path: 'olama',
        message: 'unknown top-level key: neither a dependency (name or alias) of apps/ollama nor global → did you mean ollama?',
      },
    ]);
  });

  it('knows the alias, not the name, of an aliased dependency', () => {
    const chart = wrapper({ dependencies: [{ name: 'ollama', alias: 'llm', version: '1.77.0', conditions: [], tags: [], index: 0 }] });
    expect(check({ llm: { ollama: { gpu: { enabled: true } } }, ollama: {} }, chart)).toEqual([
      { file: 'apps/ollama/values-dev.yaml', path: 'ollama', message: 'unknown top-level key: dependency ollama is aliased, its values go under llm → did you mean llm?' },
    ]);
  });

  it('allows the condition path of a dependency (ollama.enabled) and tags', () => {
    const chart = wrapper({ dependencies: [{ name: 'ollama', version: '1.77.0', conditions: ['ollama.enabled'], tags: ['llm'], index: 0 }] });
    expect(check({ ollama: { enabled: true }, tags: { llm: true } }, chart)).toEqual([]);
  });

  it("treats a chart's own keys as unknown unless it has templates and declares them in values.yaml", () => {
    const values = { ollama: {}, extra: { replicas: 1 } };
    const base = { file: 'apps/ollama/values.yaml', values };
    expect(check({ extra: { replicas: 2 } }, wrapper({ valuesFiles: [base] }))).toHaveLength(1);
    expect(check({ extra: { replicas: 2 } }, wrapper({ valuesFiles: [base], hasTemplates: true }))).toEqual([]);
    expect(check({ extra: { replica: 2 } }, wrapper({ valuesFiles: [base], hasTemplates: true }))).toEqual([
      { file: 'apps/ollama/values-dev.yaml', path: 'extra.replica', message: 'unknown key: not declared in apps/ollama/values.yaml → did you mean replicas?' },
    ]);
  });

  it("stops at the upstream chart's own subcharts (librechat: mongodb, meilisearch)", () => {
    const chart = wrapper({ name: 'librechat', dir: 'apps/librechat', dependencies: [{ name: 'librechat', version: '2.0.4', conditions: [], tags: [], index: 0 }] });
    expect(check({ librechat: { mongodb: { persistence: { size: '8Gi' } }, meilisearch: { anything: 1 }, librechat: { configEnv: { ANY: 'x' } } } }, chart)).toEqual([]);
    expect(check({ librechat: { configEnv: { ANY: 'x' } } }, chart)).toEqual([
      { file: 'apps/ollama/values-dev.yaml', path: 'librechat.configEnv', message: 'unknown key for chart librechat 2.0.4 → did you mean librechat.librechat.configEnv?' },
    ]);
  });

  it('uses the prefix of embedded values in paths, with suggestions relative to the values', () => {
    const { model } = wrapperChartModel(wrapper(), upstream);
    const prefix = ['kubernetes_manifest', 'ollama', 'manifest', 'spec', 'source', 'helm', 'valuesObject'];
    expect(checkValuesKeys({ ollama: { gpu: {} } }, model, { file: 'cdk.tf.json', prefix })).toEqual([
      {
        file: 'cdk.tf.json',
        path: 'kubernetes_manifest.ollama.manifest.spec.source.helm.valuesObject.ollama.gpu',
        message: 'unknown key for chart ollama 1.77.0 → did you mean ollama.ollama.gpu?',
      },
    ]);
  });
});

describe('the free-form key list', () => {
  it('is explicit and holds the pass-through keys', () => {
    for (const key of ['resources', 'annotations', 'podAnnotations', 'labels', 'podLabels', 'nodeSelector', 'tolerations', 'affinity', 'env', 'extraEnv', 'configEnv', 'securityContext', 'podSecurityContext', 'global']) {
      expect(FREE_FORM_KEYS).toContain(key);
    }
    expect(isFreeFormKey('gpu')).toBe(false);
  });

  it('wins over upstream defaults that have keys', () => {
    const model = modelFromDefaults({ securityContext: { runAsNonRoot: true }, gpu: { enabled: false } }, 'unknown');
    expect(checkValuesKeys({ securityContext: { runAsUser: 1000 }, gpu: { enable: true } }, model, { file: 'f', prefix: [] })).toEqual([
      { file: 'f', path: 'gpu.enable', message: 'unknown → did you mean enabled?' },
    ]);
  });

  it('has chart-specific paths (librechat probes are Kubernetes Probe objects)', () => {
    const chart = { name: 'librechat', version: '2.0.4', values: { livenessProbe: { httpGet: { path: '/health' } } }, subchartKeys: [] };
    expect(checkValuesKeys({ livenessProbe: { initialDelaySeconds: 30 } }, upstreamChartModel(chart), { file: 'f', prefix: [] })).toEqual([]);
  });

  it('has chart-specific paths (argo-cd configs.params holds Argo CD settings)', () => {
    const chart = { name: 'argo-cd', version: '10.1.1', values: { configs: { params: { create: true }, cm: { create: true } } }, subchartKeys: [] };
    const model = upstreamChartModel(chart);
    expect(checkValuesKeys({ configs: { params: { 'server.insecure': true }, cm: { 'kustomize.buildOptions': '' } } }, model, { file: 'f', prefix: [] })).toEqual([]);
  });
});

describe('--set style names', () => {
  it('splits on unescaped dots and stops at list indices', () => {
    expect(splitSetName('configs.params.server\\.insecure')).toEqual(['configs', 'params', 'server.insecure']);
    expect(splitSetName('ingress.hosts[0].host')).toEqual(['ingress', 'hosts']);
  });

  it('reports the first unknown segment with a suggestion', () => {
    const { model } = wrapperChartModel(wrapper(), upstream);
    expect(checkValuesPath(['ollama', 'gpu', 'enabled'], model)).toBe('ollama.gpu: unknown key for chart ollama 1.77.0 → did you mean ollama.ollama.gpu?');
    expect(checkValuesPath(['ollama', 'ollama', 'gpu', 'enabled'], model)).toBeUndefined();
  });
});
