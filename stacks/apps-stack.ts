import { Aspects, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { ValidEnvironment } from '../environments/schema';
import { appContexts } from './app-contexts';
import { configureClusterAccess } from '../constructs/core/cluster-access';
import { ConstructError } from '../constructs/core/errors';
import { ARGOCD_NAMESPACE } from '../constructs/core/names';
import { PinProviderVersions } from '../constructs/core/provider-pins';
import { configureStateBackend } from '../constructs/core/state-backend';
import { inSyncOrder } from '../contracts/app-catalog';
import { AppDefinition } from '../contracts/app-definition';
import { applicationValues } from '../constructs/apps/application-values';
import { ArgoCdApplication } from '../constructs/apps/argocd-application';
import { ArgoCdProject } from '../constructs/apps/argocd-project';
import { argoRepositoryUrl, isLocalChart, readWrapperChart, valueFilesFor } from '../constructs/apps/wrapper-chart';

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
 * `<env>-apps`: the AppProject and one Application per app of the catalog. It is a separate stack
 * because `kubernetes_manifest` needs the Argo CD CRDs at plan time, and they exist only once
 * `<env>-platform` has been applied.
 */
export class AppsStack extends TerraformStack {
  /** The AppProject of the platform's apps. */
  public readonly project: ArgoCdProject;
  /** The Applications by app name. */
  public readonly applications: Readonly<Record<string, ArgoCdApplication>>;

  constructor(scope: Construct, name: string, props: AppsStackProps) {
    super(scope, name);
    const env = props.environment;
    const repoRoot = props.repoRoot ?? process.cwd();
    configureStateBackend(this, name, env.state);
    configureClusterAccess(this, env.cluster, { helm: false });

    const apps = inSyncOrder(props.catalog);
    const valueFiles = valueFilesFor(env.name);
    const charts = new Map(apps.map((app) => [app.name, this.wrapperChart(repoRoot, app.name)]));
    for (const chart of charts.values()) {
      const missing = valueFiles.find((f) => !chart.valueFiles.includes(f));
      if (missing) throw new ConstructError(this, `${chart.path}/${missing}: value file not found (the Application would fail to render)`);
    }

    // file:// dependencies are folders of the same Git repository, already a source.
    const chartRepositories = [...charts.values()].flatMap((c) =>
      c.dependencies.filter((d) => !isLocalChart(d.repository)).map((d) => argoRepositoryUrl(d.repository)),
    );
    this.project = new ArgoCdProject(this, 'project', {
      name: 'llm-platform',
      argocdNamespace: ARGOCD_NAMESPACE,
      description: `LLM platform (${env.name}): ${apps.map((app) => app.name).join(', ')} from ${env.gitops.repoUrl}`,
      sourceRepos: [...new Set([env.gitops.repoUrl, ...chartRepositories])],
      destinationNamespaces: [...new Set(apps.map((app) => app.namespace))],
    });

    const contexts = appContexts(env, props.catalog);
    const applications: Record<string, ArgoCdApplication> = {};
    for (const app of apps) {
      const context = contexts.get(app.name)!;
      applications[app.name] = this.project.addApplication(app.name, {
        name: app.name,
        repoUrl: env.gitops.repoUrl,
        targetRevision: env.gitops.targetRevision,
        path: charts.get(app.name)!.path,
        namespace: app.namespace,
        valueFiles,
        values: applicationValues(app, context),
        after: (app.dependsOn ?? []).map((dependency) => applications[dependency]),
      });
      if (context.url) new TerraformOutput(this, `${app.name.replace(/-/g, '_')}_url`, { value: context.url, description: `${app.name} behind the ingress` });
    }
    this.applications = applications;
    Aspects.of(this).add(new PinProviderVersions());
  }

  private wrapperChart(repoRoot: string, name: string) {
    try {
      return readWrapperChart(repoRoot, name);
    } catch (err) {
      throw new ConstructError(this, (err as Error).message);
    }
  }
}
