/**
 * Entry point of the cdktf app: validates every environment, then adds its stacks
 * (`<env>-cluster` on EKS, `<env>-platform`, `<env>-apps`). Invalid configuration exits non-zero
 * with every problem listed and writes no stacks.
 */
import { App } from 'cdktf';
import { CATALOG } from './apps/catalog';
import { AppDefinition } from './contracts/app-definition';
import { withoutCreationStacks } from './constructs/core/creation-stacks';
import { addEnvironmentStacks } from './stacks/environment-stacks';
import { generatedValuesMessage, generatedValuesProblems } from './stacks/generated-values';
import { ENVIRONMENTS, EnvironmentConfig, loadEnvironments } from './environments';

/** Options of {@link buildApp}. */
export interface BuildAppOptions {
  /**
   * Where `synth()` writes the stacks.
   * @default 'cdktf.out' (or what the cdktf CLI passes)
   */
  readonly outdir?: string;
  /**
   * Environment variables to read overrides from (`GITOPS_REPO_URL`, `GITOPS_REVISION`,
   * `PLATFORM_OVERRIDES_FILE`).
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * The environments to build.
   * @default the files in `environments/`
   */
  readonly environments?: readonly EnvironmentConfig[];
  /**
   * Folder holding `apps/<name>` wrapper charts.
   * @default process.cwd()
   */
  readonly repoRoot?: string;
  /**
   * The apps of the platform.
   * @default CATALOG (apps/catalog.ts)
   */
  readonly catalog?: readonly AppDefinition[];
  /**
   * Fail when a committed generated value file (`apps/<app>/generated/<env>.yaml`) differs from
   * what the environments give: the cluster would run the committed one, not this configuration.
   * @default false (`cdktf synth` sets it)
   */
  readonly verifyGeneratedValues?: boolean;
}

/**
 * Builds the app with every environment's stacks, not yet synthesized.
 * @throws ConfigError when any environment is invalid (before any stack exists).
 */
export function buildApp(options: BuildAppOptions = {}): App {
  const env = options.env ?? process.env;
  const catalog = options.catalog ?? CATALOG;
  const environments = loadEnvironments(options.environments ?? ENVIRONMENTS, catalog, {
    GITOPS_REPO_URL: env.GITOPS_REPO_URL,
    GITOPS_REVISION: env.GITOPS_REVISION,
    PLATFORM_OVERRIDES_FILE: env.PLATFORM_OVERRIDES_FILE,
  });
  if (options.verifyGeneratedValues) {
    const problems = generatedValuesProblems(options.repoRoot ?? process.cwd(), environments, catalog);
    if (problems.length > 0) {
      const overridden = env.PLATFORM_OVERRIDES_FILE
        ? `\nPLATFORM_OVERRIDES_FILE is set: it cannot change app values, which reach a cluster only through Git.`
        : '';
      throw new Error(generatedValuesMessage(problems) + overridden);
    }
  }
  // Stack traces in construct metadata only help debugging cdktf itself and cost synth time.
  const app = new App({ stackTraces: false, ...(options.outdir ? { outdir: options.outdir } : {}) });
  for (const environment of environments) addEnvironmentStacks(app, environment, { catalog, repoRoot: options.repoRoot });
  return app;
}

if (require.main === module) {
  try {
    withoutCreationStacks(() => buildApp({ verifyGeneratedValues: true }).synth());
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
