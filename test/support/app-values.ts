/**
 * The values an app gets in an environment, exactly as its generated value file
 * (`apps/<app>/generated/<env>.yaml`) holds them: what a test of an app's values asserts on.
 */
import { parse } from 'yaml';
import { CATALOG } from '../../apps/catalog';
import { AppDefinition } from '../../contracts/app-definition';
import { ValidEnvironment } from '../../environments';
import { generatedValueFiles } from '../../stacks/generated-values';

/** The generated values of `app` in `env` (parsed from the text the generator writes). */
export function appValues(env: ValidEnvironment, app: string, catalog: readonly AppDefinition[] = CATALOG): any {
  const file = generatedValueFiles([env], catalog).find((f) => f.app === app);
  if (!file) throw new Error(`no app ${app} in the catalog`);
  return parse(file.text);
}
