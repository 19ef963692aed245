import * as YAML from 'yaml';
import { ARGOCD_CHART } from '../../contracts/versions';
import { formatFinding } from '../../tools/check/cli';
import { chartFacts, emptyFacts, FACTS_FILE, factsKey, readFacts, UpstreamFacts } from '../../tools/check/facts';
import { EnvironmentPolicy, parseWrapperChart } from '../../tools/check/repository';
import { CheckInputs, CheckReport, CheckStats, Rule, runRules } from '../../tools/check/rule';

/** A wrapper chart's files by name within `apps/<name>/`: YAML text, or an object written as YAML. */
export type ChartFiles = Record<string, string | Record<string, unknown>>;

/** In-memory inputs of one case. */
export interface RuleCase {
  /** Shown in the test name. */
  name: string;
  /** Wrapper charts by name (`apps/<name>`). */
  charts?: Record<string, ChartFiles>;
  /** Stack JSON by stack name, shown as `cdktf.out/stacks/<name>/cdk.tf.json`. */
  stacks?: Record<string, unknown>;
  /** Default: dev (pre-releases allowed) and prod (not). */
  environments?: EnvironmentPolicy[] | { error: string };
  /** Default: {@link TEST_FACTS}. */
  facts?: UpstreamFacts;
  /** When given, the NOT CHECKED lines (`subject: reason`) must match these, in order. */
  notChecked?: (string | RegExp)[];
  /** When given, these counters must have these values. */
  stats?: Partial<CheckStats>;
}

/** A case that must produce exactly `errors`: printed finding lines (`file:path: message`), in order. */
export interface InvalidCase extends RuleCase {
  errors: (string | RegExp)[];
}

/** Stand-in defaults of the Ollama chart: its settings under `ollama:`, the rest at the root. */
export const OLLAMA_DEFAULTS = {
  image: { repository: 'ollama/ollama', pullPolicy: 'IfNotPresent', tag: '' },
  ollama: { port: 11434, gpu: { enabled: false, type: 'nvidia', number: 1 }, models: { pull: [], run: [] } },
  service: { type: 'ClusterIP', port: 11434, annotations: {} },
  ingress: { enabled: false, className: '', annotations: {}, hosts: [{ host: 'ollama.local' }], tls: [] },
  resources: { requests: {}, limits: {} },
  persistentVolume: { enabled: false, size: '30Gi' },
  nodeSelector: {},
  tolerations: [],
  extraEnv: [],
};

/** Stand-in defaults of the LibreChat chart: settings under `librechat:`, subcharts at the root. */
export const LIBRECHAT_DEFAULTS = {
  global: { librechat: { existingSecretName: 'librechat-credentials-env' } },
  librechat: {
    configEnv: { CREDS_KEY: 'example-only' },
    existingSecretName: 'librechat-credentials-env',
    configYamlContent: '',
    imageVolume: { enabled: true, size: '10G' },
  },
  image: { repository: 'danny-avila/librechat', tag: '' },
  ingress: { enabled: true, className: '' },
  resources: {},
  securityContext: { runAsNonRoot: true },
  livenessProbe: { httpGet: { path: '/health', port: 'http' } },
  mongodb: { enabled: true, image: { repository: 'bitnamilegacy/mongodb' } },
  meilisearch: { enabled: true, image: { tag: 'v1.7.3' } },
};

/** The committed facts: used for the real Argo CD CRD schemas, whatever ARGOCD_CHART pins. */
export const COMMITTED_FACTS: UpstreamFacts = (() => {
  const read = readFacts(FACTS_FILE);
  if (!read.ok) throw new Error(`${FACTS_FILE}: ${read.error}`);
  return read.value;
})();

/** The Argo CD CRD facts of {@link ARGOCD_CHART}, from the committed facts. */
export const ARGO_CRDS = COMMITTED_FACTS.crds[factsKey(ARGOCD_CHART.name, ARGOCD_CHART.version)];

/**
 * Facts built in memory with the generator's own {@link chartFacts}: the stand-in ollama 1.77.0 and
 * librechat 2.0.4 (appVersion v0.8.6-rc1, subcharts mongodb and meilisearch), a GA librechat
 * 2.1.0, and the real Argo CD CRDs.
 */
export const TEST_FACTS: UpstreamFacts = {
  ...emptyFacts(),
  charts: {
    'ollama@1.77.0': chartFacts(OLLAMA_DEFAULTS, { appVersion: '0.32.15' }),
    'librechat@2.0.4': chartFacts(LIBRECHAT_DEFAULTS, { appVersion: 'v0.8.6-rc1', dependencies: [{ name: 'mongodb' }, { name: 'meilisearch' }] }),
    'librechat@2.1.0': chartFacts(LIBRECHAT_DEFAULTS, { appVersion: 'v0.8.6', dependencies: [{ name: 'mongodb' }, { name: 'meilisearch' }] }),
  },
  crds: { [factsKey(ARGOCD_CHART.name, ARGOCD_CHART.version)]: ARGO_CRDS },
};

/** The file name a stack of a case gets. */
export const stackFile = (stack: string) => `cdktf.out/stacks/${stack}/cdk.tf.json`;

/** The inputs of a case, as loadInputs would produce them from disk. */
export function caseInputs(testCase: RuleCase): CheckInputs {
  const problems: CheckInputs['problems'] = [];
  const charts = Object.entries(testCase.charts ?? {}).map(([name, files]) => {
    const texts: Record<string, string> = {};
    const other: string[] = [];
    for (const [file, content] of Object.entries(files)) {
      if (file.includes('/')) other.push(file);
      else texts[file] = typeof content === 'string' ? content : YAML.stringify(content);
    }
    const parsed = parseWrapperChart(name, texts, other);
    problems.push(...parsed.problems);
    return parsed.chart;
  });
  return {
    charts,
    stacks: Object.entries(testCase.stacks ?? {}).map(([stack, json]) => ({ stack, file: stackFile(stack), json })),
    environments: testCase.environments ?? [
      { name: 'dev', allowPreReleases: true },
      { name: 'prod', allowPreReleases: false },
    ],
    facts: testCase.facts ?? TEST_FACTS,
    factsFile: 'tools/check/upstream-facts.json',
    problems,
    unavailable: [],
  };
}

const matches = (line: string, expected: string | RegExp) => (typeof expected === 'string' ? line === expected : expected.test(line));

function expectLines(actual: string[], expected: (string | RegExp)[], what: string): void {
  const ok = actual.length === expected.length && expected.every((e, i) => matches(actual[i], e));
  if (!ok) throw new Error(`${what} differ.\nexpected:\n  ${expected.map(String).join('\n  ') || '(none)'}\nactual:\n  ${actual.join('\n  ') || '(none)'}`);
}

/** Runs `rule` alone over a case. */
export function runRule(rule: Rule, testCase: RuleCase): CheckReport {
  return runRules([rule], caseInputs(testCase));
}

/**
 * eslint's RuleTester for the check's rules: every `valid` case produces no finding, every
 * `invalid` case exactly its `errors` (finding lines as printed, in order); `notChecked` and
 * `stats`, when given, must match too.
 */
export function ruleTester(rule: Rule): { run(cases: { valid: RuleCase[]; invalid: InvalidCase[] }): void } {
  return {
    run({ valid, invalid }) {
      describe(`rule ${rule.id}`, () => {
        const verify = (testCase: RuleCase, errors: (string | RegExp)[]) => {
          const report = runRule(rule, testCase);
          expectLines(report.findings.map(formatFinding), errors, 'findings');
          if (testCase.notChecked)
            expectLines(
              report.notChecked.map((item) => `${item.subject}: ${item.reason}`),
              testCase.notChecked,
              'NOT CHECKED items',
            );
          if (testCase.stats) expect(report.stats).toMatchObject(testCase.stats);
        };
        if (valid.length > 0) it.each(valid.map((testCase) => [testCase.name, testCase]))('valid: %s', (_name, testCase) => verify(testCase, []));
        if (invalid.length > 0)
          it.each(invalid.map((testCase) => [testCase.name, testCase]))('invalid: %s', (_name, testCase) => verify(testCase, testCase.errors));
      });
    },
  };
}

/** An Argo CD Application manifest for stacks: the fields the product sets, `spec` merged over them. */
export function application(name: string, spec: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd', finalizers: ['resources-finalizer.argocd.argoproj.io'] },
    spec: {
      project: 'llm-platform',
      destination: { server: 'https://kubernetes.default.svc', namespace: name },
      source: {
        repoURL: 'https://github.com/example-org/gitops-llm-platform.git',
        targetRevision: 'main',
        path: `apps/${name}`,
        helm: { valueFiles: ['values.yaml', 'values-dev.yaml'] },
      },
      ...spec,
    },
    ...extra,
  };
}

/** A stack holding `kubernetes_manifest` resources (by id), plus other resources and `terraform`. */
export function manifests(
  byId: Record<string, unknown>,
  resource: Record<string, unknown> = {},
  terraform: Record<string, unknown> = {},
): Record<string, unknown> {
  return { terraform, resource: { ...resource, kubernetes_manifest: Object.fromEntries(Object.entries(byId).map(([id, manifest]) => [id, { manifest }])) } };
}

/** The ollama wrapper chart as the product has it: dependency ollama 1.77.0, plus `files`. */
export function ollamaChart(files: ChartFiles = {}, dependency: Record<string, unknown> = {}): ChartFiles {
  return {
    'Chart.yaml': {
      apiVersion: 'v2',
      name: 'ollama',
      version: '1.0.0',
      dependencies: [{ name: 'ollama', version: '1.77.0', repository: 'https://helm.otwld.com/', ...dependency }],
    },
    ...files,
  };
}

/** The librechat wrapper chart: dependency librechat at `version` (2.0.4 runs appVersion v0.8.6-rc1), plus `files`. */
export function librechatChart(files: ChartFiles = {}, version = '2.0.4'): ChartFiles {
  return {
    'Chart.yaml': {
      apiVersion: 'v2',
      name: 'librechat',
      version: '1.0.0',
      dependencies: [{ name: 'librechat', version, repository: 'oci://ghcr.io/danny-avila/librechat-chart' }],
    },
    ...files,
  };
}
