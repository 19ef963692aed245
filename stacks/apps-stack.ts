import { Aspects, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { ValidEnvironment } from '../environments/schema';
import { appContexts } from './app-contexts';
import { configureClusterAccess } from '../constructs/core/cluster-access';
import { ConstructError } from '../constructs/core/errors';
import { ARGOCD_NAMESPACE } from '../constructs/core/names';
import { PinProviderVersions } from '../constructs/core/provider-pins';
import { configureStateBackend } from '../constructs/core/state-backend';
import { requireTerraformVersion } from '../constructs/core/ephemeral';
import { inSyncOrder } from '../contracts/app-catalog';
import { AppDefinition } from '../contracts/app-definition';
import { ArgoCdApplication } from '../constructs/apps/argocd-application';
import { ArgoCdProject } from '../constructs/apps/argocd-project';
import { argoRepositoryUrl, generatedValueFile, isLocalChart, readWrapperChart, valueFilesFor } from '../constructs/apps/wrapper-chart';
import { VALUES_COMMAND } from './generated-values';

/** The AppProject of the apps that create namespaced objects only. */
export const PROJECT_NAME = 'llm-platform';
/** The AppProject of the apps that also create cluster-scoped objects (`clusterResources`). */
export const COMPONENTS_PROJECT_NAME = 'llm-platform-components';

/** Properties of {@link AppsStack}. */
export interface AppsStackProps {
  /** The validated environment. */
  readonly environment: ValidEnvironment;
  /** The apps to hand to Argo CD. */
  readonly catalog: readonly AppDefinition[];
  /**
   * Repository root holding `apps/<name>` wrapper charts.
   * @default process.cwd() (cdktf runs the app from the project folder)
   */
  readonly repoRoot?: string;
}

/**
 * `<env>-apps`: the AppProjects and one Application per app of the catalog. It is a separate stack
 * because `kubernetes_manifest` needs the Argo CD CRDs at plan time, and they exist only once
 * `<env>-platform` has been applied. An Application carries no values of its own: everything the
 * environment gives an app is in the committed value files it names (`generated/<env>.yaml`
 * among them), so it reaches the cluster only through the environment's Git revision.
 */
export class AppsStack extends TerraformStack {
  /** The AppProject of the apps that create namespaced objects only (none when every app is a component). */
  public readonly project?: ArgoCdProject;
  /** The AppProject of the apps that create cluster-scoped objects, allowing exactly their kinds (none when no app does). */
  public readonly componentsProject?: ArgoCdProject;
  /** The Applications by app name. */
  public readonly applications: Readonly<Record<string, ArgoCdApplication>>;

  constructor(scope: Construct, name: string, props: AppsStackProps) {
    super(scope, name);
    const env = props.environment;
    const repoRoot = props.repoRoot ?? process.cwd();
    configureStateBackend(this, name, env.state);
    requireTerraformVersion(this);
    configureClusterAccess(this, env.cluster, { helm: false });

    const apps = inSyncOrder(props.catalog);
    const valueFiles = valueFilesFor(env.name);
    const charts = new Map(apps.map((app) => [app.name, this.wrapperChart(repoRoot, app)]));
    for (const chart of charts.values()) {
      const missing = valueFiles.find((f) => !chart.valueFiles.includes(f));
      if (missing === generatedValueFile(env.name))
        throw new ConstructError(
          this,
          `${chart.path}/${missing}: generated value file not found (the Application would fail to render): run \`${VALUES_COMMAND}\` and commit it`,
        );
      if (missing) throw new ConstructError(this, `${chart.path}/${missing}: value file not found (the Application would fail to render)`);
    }

    // file:// dependencies are folders of the same Git repository, already a source.
    const chartRepositories = [...charts.values()].flatMap((c) =>
      c.dependencies.filter((d) => !isLocalChart(d.repository)).map((d) => argoRepositoryUrl(d.repository)),
    );
    const sourceRepos = [...new Set([env.gitops.repoUrl, ...chartRepositories])];
    // Apps that create cluster-scoped objects get a project of their own that allows exactly
    // those kinds; the others stay in a project that allows none.
    const components = apps.filter((app) => (app.clusterResources ?? []).length > 0);
    const namespaced = apps.filter((app) => !components.includes(app));
    const projectOf = new Map<string, ArgoCdProject>();
    const addProject = (id: string, name: string, members: readonly AppDefinition[], what: string) => {
      if (members.length === 0) return undefined;
      const project = new ArgoCdProject(this, id, {
        name,
        argocdNamespace: ARGOCD_NAMESPACE,
        description: `${what} (${env.name}): ${members.map((app) => app.name).join(', ')} from ${env.gitops.repoUrl}`,
        sourceRepos,
        destinationNamespaces: [...new Set(members.map((app) => app.namespace))],
        clusterResources: members.flatMap((app) => app.clusterResources ?? []),
      });
      for (const app of members) projectOf.set(app.name, project);
      return project;
    };
    this.project = addProject('project', PROJECT_NAME, namespaced, 'LLM platform');
    this.componentsProject = addProject('components_project', COMPONENTS_PROJECT_NAME, components, 'LLM platform components');

    const contexts = appContexts(env, props.catalog);
    const applications: Record<string, ArgoCdApplication> = {};
    for (const app of apps) {
      const context = contexts.get(app.name)!;
      applications[app.name] = projectOf.get(app.name)!.addApplication(app.name, {
        name: app.name,
        repoUrl: env.gitops.repoUrl,
        targetRevision: env.gitops.targetRevision,
        path: charts.get(app.name)!.path,
        namespace: app.namespace,
        valueFiles,
        syncOptions: app.syncOptions,
        autoscaledDeployments: app.autoscaledDeployments?.(context),
        after: (app.dependsOn ?? []).map((dependency) => applications[dependency]),
      });
      const prefix = app.name.replace(/-/g, '_');
      if (context.url) new TerraformOutput(this, `${prefix}_url`, { value: context.url, description: `${app.name} behind the ingress` });
      for (const [name, output] of Object.entries(app.outputs?.(context) ?? {}))
        new TerraformOutput(this, `${prefix}_${name}`, { value: output.value, description: output.description });
    }
    this.applications = applications;
    Aspects.of(this).add(new PinProviderVersions());
  }

  private wrapperChart(repoRoot: string, app: AppDefinition) {
    try {
      return readWrapperChart(repoRoot, app.name, { ownTemplates: app.chart === 'own' });
    } catch (err) {
      throw new ConstructError(this, (err as Error).message);
    }
  }
}
