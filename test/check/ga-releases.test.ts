import { chartFacts } from '../../tools/check/facts';
import { gaReleases } from '../../tools/check/rules';
import { librechatChart, ollamaChart, ruleTester, TEST_FACTS } from './rule-tester';

const GA_ONLY = 'for environments with allowPreReleases false';
const APPVERSION_RC = `prod: librechat 2.0.4 runs appVersion v0.8.6-rc1, a pre-release; pin a GA release (image.tag or chart version) ${GA_ONLY}`;

ruleTester(gaReleases).run({
  valid: [
    {
      name: 'pre-releases where every environment allows them',
      environments: [{ name: 'dev', allowPreReleases: true }],
      charts: { librechat: librechatChart({ 'values.yaml': { librechat: { image: { tag: 'v0.9.0-rc2' } } } }) },
    },
    { name: 'a chart whose appVersion is GA and no tag set', charts: { ollama: ollamaChart({ 'values.yaml': {} }) }, stats: { chartsChecked: 1 } },
    { name: 'a GA chart version whose appVersion is GA', charts: { librechat: librechatChart({}, '2.1.0') } },
    {
      name: 'an rc appVersion overridden by a GA image.tag in values-prod.yaml',
      charts: { librechat: librechatChart({ 'values-prod.yaml': { librechat: { image: { tag: 'v0.8.5' } } } }) },
    },
    {
      name: 'the chart-block image (<dep>.<dep>.image.tag) set to GA',
      charts: { librechat: librechatChart({ 'values.yaml': { librechat: { librechat: { image: { tag: 'v0.8.5' } } } } }) },
    },
    {
      name: 'a pre-release tag in values.yaml that values-prod.yaml overrides, and one in a value file prod does not use',
      charts: {
        librechat: librechatChart({
          'values.yaml': { librechat: { image: { tag: 'v0.9.0-rc2' } } },
          'values-prod.yaml': { librechat: { image: { tag: 'v0.8.5' } } },
          'values-dev.yaml': { librechat: { mongodb: { image: { tag: '9.0.0-rc0' } } } },
        }),
      },
    },
    {
      name: 'variant suffixes are GA tags (-debian-12-r0, -alpine, -rocm)',
      charts: {
        ollama: ollamaChart({
          'values.yaml': {
            ollama: { image: { tag: '0.32.15-rocm' } },
            mongodb: { image: { tag: '8.0.13-debian-12-r0' } },
            redis: { image: 'redis:8.2.3-alpine' },
          },
        }),
      },
    },
  ],
  invalid: [
    {
      name: 'the default image: an rc appVersion and no tag in the value files prod uses',
      charts: { librechat: librechatChart({ 'values.yaml': {}, 'values-dev.yaml': { librechat: { image: { tag: 'v0.8.5' } } } }) },
      errors: [`apps/librechat/Chart.yaml:dependencies[0].version: ${APPVERSION_RC}`],
    },
    {
      name: 'a pre-release chart version',
      charts: { ollama: ollamaChart({}, { version: '1.78.0-rc.1' }) },
      errors: [`apps/ollama/Chart.yaml:dependencies[0].version: prod: ollama 1.78.0-rc.1 is a pre-release; pin a GA release ${GA_ONLY}`],
    },
    {
      name: 'pre-release tags set in the value files prod uses (the file that wins is named), subcharts and string images included',
      charts: {
        ollama: ollamaChart({
          'values.yaml': { ollama: { image: { tag: '0.33.0-rc1' } }, mongodb: { image: { tag: '9.0.0-beta.1' } } },
          'values-prod.yaml': { ollama: { image: { tag: '0.33.0-rc2' } }, helper: { image: 'busybox:1.37.0-alpha' } },
        }),
      },
      errors: [
        `apps/ollama/values-prod.yaml:ollama.image.tag: prod: image tag 0.33.0-rc2 is a pre-release; pin a GA release ${GA_ONLY}`,
        `apps/ollama/values.yaml:mongodb.image.tag: prod: image tag 9.0.0-beta.1 is a pre-release; pin a GA release ${GA_ONLY}`,
        `apps/ollama/values-prod.yaml:helper.image: prod: image tag 1.37.0-alpha is a pre-release; pin a GA release ${GA_ONLY}`,
      ],
    },
    {
      name: "a chart's pre-release default image.tag, once per GA-only environment",
      environments: [
        { name: 'prod', allowPreReleases: false },
        { name: 'prod2', allowPreReleases: false },
      ],
      facts: { ...TEST_FACTS, charts: { ...TEST_FACTS.charts, 'ollama@1.77.0': chartFacts({ image: { tag: '0.33.0-rc1' } }, { appVersion: '0.32.15' }) } },
      charts: { ollama: ollamaChart() },
      errors: [
        `apps/ollama/Chart.yaml:dependencies[0].version: prod: ollama 1.77.0 runs image tag 0.33.0-rc1 (its default image.tag), a pre-release; pin a GA release (image.tag or chart version) ${GA_ONLY}`,
        `apps/ollama/Chart.yaml:dependencies[0].version: prod2: ollama 1.77.0 runs image tag 0.33.0-rc1 (its default image.tag), a pre-release; pin a GA release (image.tag or chart version) ${GA_ONLY}`,
      ],
    },
    {
      name: 'NOT CHECKED: the default image of a chart without facts',
      charts: { ollama: ollamaChart({}, { version: '1.78.0' }) },
      errors: [],
      notChecked: ['chart ollama 1.78.0 (used by apps/ollama): no facts for it in tools/check/upstream-facts.json; run npm run fetch-upstream -- ollama'],
    },
    {
      name: 'NOT CHECKED: environments that do not load',
      environments: { error: 'prod.name: must be unique' },
      charts: { librechat: librechatChart() },
      errors: [],
      notChecked: ['pre-release policy (allowPreReleases): the environments do not load: prod.name: must be unique'],
    },
  ],
});
