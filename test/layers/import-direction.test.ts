/**
 * The layer rule of eslint.config.js (contracts <- constructs <- stacks; environments/ and the
 * catalog import only contracts/) fires on an import against that direction and lets the allowed
 * ones through. `npm test` runs eslint over the whole tree, so a real violation fails there.
 */
import { ESLint } from 'eslint';

// The repository's own config, handed over as an object: jest cannot run eslint's dynamic import of it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const eslint = new ESLint({ cwd: `${__dirname}/../..`, overrideConfigFile: true, overrideConfig: require('../../eslint.config.js') });

/** The no-restricted-imports messages eslint reports for `source` as if it were `file`. */
async function layerMessages(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${source}\nexport const used = x;\n`, { filePath: file });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import direction', () => {
  it.each([
    ['contracts/app-definition.ts', "import { x } from '../constructs/core/names';", /contracts\/ is a leaf/],
    ['contracts/versions.ts', "import { x } from '../environments/rules';", /contracts\/ is a leaf/],
    ['constructs/apps/wrapper-chart.ts', "import { x } from '../../environments/schema';", /constructs\/ imports only contracts\//],
    ['constructs/platform/argocd.ts', "import { x } from '../../stacks/app-contexts';", /constructs\/ imports only contracts\//],
    ['constructs/cluster/eks-cluster.ts', "import { x } from '../../apps/catalog';", /constructs\/ imports only contracts\//],
    ['constructs/core/gpu-nodes.ts', "import { x } from '../cluster/eks-cluster';", /constructs\/core\/ imports no sibling folder/],
    ['constructs/platform/app-secret.ts', "export { x } from '../apps/argocd-project';", /constructs\/platform\/ does not import constructs\/apps\//],
    ['environments/load.ts', "import { x } from '../apps/catalog';", /environments\/ and the app catalog are data/],
    ['environments/schema.ts', "import { x } from '../constructs/core/merge';", /environments\/ and the app catalog are data/],
    ['apps/catalog.ts', "import { x } from '../environments/rules';", /environments\/ and the app catalog are data/],
  ])('%s: rejects %s', async (file, source, message) => {
    const messages = await layerMessages(file, source);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(message);
  });

  it.each([
    ['contracts/app-catalog.ts', "import { x } from './app-definition';"],
    ['constructs/core/gpu-nodes.ts', "import { x } from '../../contracts/eks-types';"],
    ['constructs/platform/app-secret.ts', "import { x } from '../core/errors';"],
    ['constructs/apps/apps.ts', "import { x } from '../platform/argocd';"],
    ['environments/schema.ts', "import { x } from '../contracts/app-definition';"],
    ['environments/load.ts', "import { x } from './rules';"],
    ['apps/catalog.ts', "import { x } from '../contracts/rules';"],
    ['stacks/apps-stack.ts', "import { x } from '../environments/schema';"],
    ['main.ts', "import { x } from './stacks/environment-stacks';"],
  ])('%s: allows %s', async (file, source) => {
    expect(await layerMessages(file, source)).toEqual([]);
  });
});
