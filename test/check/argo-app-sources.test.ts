import { argoAppSources } from '../../tools/check/rules';
import { application, manifests, ollamaChart, ruleTester, stackFile } from './rule-tester';

const SOURCE = `${stackFile('dev-apps')}:kubernetes_manifest.ollama.manifest.spec.source`;
const withSource = (source: Record<string, unknown>) => ({
  'dev-apps': manifests({ ollama: application('ollama', { source: { repoURL: 'https://x.git', targetRevision: 'main', ...source } }) }),
});
const chart = { ollama: ollamaChart({ 'values.yaml': {}, 'values-dev.yaml': {}, 'files/extra.yaml': '' }) };

ruleTester(argoAppSources).run({
  valid: [
    {
      name: 'value files of the wrapper chart, also written ./apps/ollama/',
      charts: chart,
      stacks: withSource({ path: './apps/ollama/', helm: { valueFiles: ['values.yaml', 'values-dev.yaml', 'files/extra.yaml'] } }),
    },
    {
      name: 'value files from another source ($ref) or a URL',
      charts: chart,
      stacks: withSource({ path: 'apps/ollama', helm: { valueFiles: ['$values/x.yaml', 'https://example.com/v.yaml'] } }),
    },
    {
      name: 'a Helm chart source or a path outside apps/',
      stacks: {
        'dev-apps': manifests({
          a: application('a', { source: { repoURL: 'https://helm.otwld.com/', chart: 'ollama', targetRevision: '1.77.0' } }),
          b: application('b', { source: { repoURL: 'https://x.git', targetRevision: 'main', path: 'charts/b' } }),
        }),
      },
    },
  ],
  invalid: [
    {
      name: 'a missing value file, said louder when Argo CD would skip it silently',
      charts: chart,
      stacks: withSource({ path: 'apps/ollama', helm: { valueFiles: ['values.yaml', 'values-missing.yaml'] } }),
      errors: [`${SOURCE}.helm.valueFiles[1]: value file apps/ollama/values-missing.yaml does not exist`],
    },
    {
      name: 'ignoreMissingValueFiles',
      charts: chart,
      stacks: withSource({ path: 'apps/ollama', helm: { valueFiles: ['../ollama/values-prod.yaml'], ignoreMissingValueFiles: true } }),
      errors: [`${SOURCE}.helm.valueFiles[0]: value file apps/ollama/values-prod.yaml does not exist (ignoreMissingValueFiles: Argo CD skips it silently)`],
    },
    {
      name: 'a path under apps/ without a wrapper chart',
      stacks: withSource({ path: 'apps/olama' }),
      errors: [`${SOURCE}.path: no wrapper chart at apps/olama (no apps/olama/Chart.yaml)`],
    },
  ],
});
