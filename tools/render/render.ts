/**
 * Renders every Application of every environment exactly as Argo CD's repo-server would, and runs
 * the semantic checks on the result.
 */
import { CATALOG } from '../../apps/catalog';
import { appContexts } from '../../stacks/app-contexts';
import { AppDefinition } from '../../contracts/app-definition';
import { ENVIRONMENTS, EnvironmentConfig, loadEnvironments } from '../../environments';
import { buildApp } from '../../main';
import { EnvironmentApplications, synthesizeApplications } from './applications';
import { AppRender, Finding, GpuExpectation, checkEnvironment } from './checks';
import { checkDuplicateKeys } from './duplicate-keys';
import { DependencySource, renderApplication } from './helm';
import { parseManifests } from './manifests';

/** Options of {@link renderRepository}. */
export interface RenderOptions extends DependencySource {
  /** Repository root holding `main.ts`'s `apps/<name>` wrapper charts. */
  readonly repoRoot: string;
  /** The helm binary. */
  readonly helm: string;
  /**
   * The apps of the platform.
   * @default CATALOG
   */
  readonly catalog?: readonly AppDefinition[];
  /**
   * The environments, as written in `environments/<env>.ts`.
   * @default ENVIRONMENTS
   */
  readonly environments?: readonly EnvironmentConfig[];
  /**
   * Environment variables with synth-time overrides (`GITOPS_REPO_URL`, …).
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
}

/** One rendered Application. */
export interface RenderedApp extends AppRender {
  /** The `helm template` output. */
  readonly text: string;
}

/** One rendered environment and what the checks found in it. */
export interface EnvironmentRender {
  readonly environment: string;
  readonly kubeVersion: string;
  readonly apps: readonly RenderedApp[];
  readonly findings: readonly Finding[];
}

/** Renders the Applications of `environments` (from a synth of the repository at `repoRoot`). */
export function renderApplications(environments: readonly EnvironmentApplications[], repoRoot: string, helm: string, source: DependencySource) {
  return environments.map((environment) => ({
    environment: environment.environment,
    kubeVersion: environment.kubeVersion,
    secrets: environment.secrets,
    podSecurity: environment.podSecurity,
    apps: environment.applications.map((application): RenderedApp => {
      const text = renderApplication(helm, repoRoot, application, environment.kubeVersion, source);
      return { app: application.name, namespace: application.namespace, text, objects: parseManifests(text) };
    }),
  }));
}

/** What the checks expect of each environment: GPU needs, and the ServiceAccounts of the apps' bucket roles. */
interface Expectations {
  readonly gpus: Map<string, GpuExpectation>;
  readonly podIdentity: Map<string, string>;
}

/** GPU needs and Pod Identity ServiceAccounts per app and environment, from the validated environments and the catalog. */
function expectations(options: RenderOptions, catalog: readonly AppDefinition[]): Map<string, Expectations> {
  const env = options.env ?? process.env;
  const environments = loadEnvironments(options.environments ?? ENVIRONMENTS, catalog, {
    GITOPS_REPO_URL: env.GITOPS_REPO_URL,
    GITOPS_REVISION: env.GITOPS_REVISION,
    PLATFORM_OVERRIDES_FILE: env.PLATFORM_OVERRIDES_FILE,
  });
  return new Map(
    environments.map((environment) => {
      const contexts = appContexts(environment, catalog);
      const gpus = new Map<string, GpuExpectation>();
      const podIdentity = new Map<string, string>();
      for (const app of catalog) {
        const context = contexts.get(app.name)!;
        const count = app.gpus?.(context.settings) ?? 0;
        if (count > 0 || (app.onGpuNodes && context.gpuNodes))
          gpus.set(app.name, { count, nodes: context.gpuNodes, ...(app.gpuWorkloads ? { workloads: app.gpuWorkloads(context.release) } : {}) });
        if (app.objectStorage && context.objectStorage) podIdentity.set(app.name, app.objectStorage.serviceAccount(context.release));
      }
      return [environment.name, { gpus, podIdentity }];
    }),
  );
}

/**
 * Synthesizes the repository's stacks in-process, renders every Application with helm and checks
 * the result.
 */
export function renderRepository(options: RenderOptions): EnvironmentRender[] {
  const catalog = options.catalog ?? CATALOG;
  const synthesized = synthesizeApplications(({ outdir }) =>
    buildApp({
      outdir,
      repoRoot: options.repoRoot,
      catalog,
      environments: options.environments,
      env: options.env ?? process.env,
      // Argo CD renders the committed generated files: render what it would, or say they are stale.
      verifyGeneratedValues: true,
    }),
  );
  const expected = expectations(options, catalog);
  return renderApplications(synthesized, options.repoRoot, options.helm, options).map((rendered) => ({
    environment: rendered.environment,
    kubeVersion: rendered.kubeVersion,
    apps: rendered.apps,
    findings: [
      ...rendered.apps.flatMap(checkDuplicateKeys),
      ...checkEnvironment({
        environment: rendered.environment,
        renders: rendered.apps,
        secrets: rendered.secrets,
        gpus: expected.get(rendered.environment)?.gpus ?? new Map(),
        podSecurity: rendered.podSecurity,
        podIdentity: expected.get(rendered.environment)?.podIdentity,
      }),
    ],
  }));
}
