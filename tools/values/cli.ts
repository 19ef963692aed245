/**
 * `npm run values [-- --check]`: writes each app's generated value file per environment
 * (`apps/<app>/generated/<env>.yaml`) from apps/catalog.ts and environments/*.ts, or with `--check`
 * only lists the files that are missing or stale (exit 1). The files are committed: Argo CD reads
 * them at each environment's Git revision, so an environment's values change only when its ref does.
 */
import { CATALOG } from '../../apps/catalog';
import { ENVIRONMENTS, loadEnvironments } from '../../environments';
import { generatedValuesMessage, generatedValuesProblems, writeGeneratedValues } from '../../stacks/generated-values';

const USAGE = 'usage: npm run values [-- --check]';

/** Runs the command in `repoRoot`; returns the exit status. */
export function main(argv: readonly string[], repoRoot = process.cwd(), log = console.log, error = console.error): number {
  if (argv.some((arg) => arg !== '--check')) {
    error(`values: unknown argument ${argv.find((arg) => arg !== '--check')}\n\n${USAGE}`);
    return 2;
  }
  // The environment files only: an overrides file or GITOPS_* variable never reaches a committed file.
  const environments = loadEnvironments(ENVIRONMENTS, CATALOG, {});
  const names = environments.map((e) => e.name);
  if (argv.includes('--check')) {
    const problems = generatedValuesProblems(repoRoot, environments, CATALOG, { allEnvironments: names });
    if (problems.length > 0) {
      error(generatedValuesMessage(problems));
      return 1;
    }
    log('values: every generated value file is current');
    return 0;
  }
  const changed = writeGeneratedValues(repoRoot, environments, CATALOG, names);
  for (const file of changed) log(`values: wrote ${file}`);
  log(changed.length === 0 ? 'values: every generated value file is current' : `values: ${changed.length} file(s) changed: review and commit them`);
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 1;
  }
}
