import { readableInputs } from '../../tools/check/rules';
import { ruleTester } from './rule-tester';

ruleTester(readableInputs).run({
  valid: [
    {
      name: 'a wrapper chart with its value files',
      charts: { ollama: { 'Chart.yaml': 'dependencies: []\n', 'values.yaml': '', 'values-prod.yaml': 'a: 1\n' } },
    },
  ],
  invalid: [
    {
      name: 'invalid YAML, duplicate keys, a dependency without a name, misnamed value files',
      charts: {
        broken: {
          'Chart.yaml': 'dependencies:\n  - version: 1.0.0\n',
          'values.yaml': 'a: 1\na: 2\n',
          'values-dev.yaml': 'a: [\n',
          'values-Prod.yaml': '',
          'values.yml': '',
        },
        listless: { 'Chart.yaml': 'dependencies: redis\n' },
      },
      errors: [
        'apps/broken/Chart.yaml:dependencies[0].name: dependency without a name',
        /^apps\/broken\/values\.yaml: invalid YAML: Map keys must be unique/,
        /^apps\/broken\/values-dev\.yaml: invalid YAML: /,
        'apps/broken/values-Prod.yaml: not a value file name (values.yaml or values-<env>.yaml, lower-case): no Application passes it to Helm',
        'apps/broken/values.yml: not a value file name (values.yaml or values-<env>.yaml, lower-case): no Application passes it to Helm',
        'apps/listless/Chart.yaml:dependencies: must be a list',
      ],
    },
  ],
});
