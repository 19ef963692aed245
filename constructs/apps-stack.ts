import { TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { ValidEnvironment } from '../environments/schema';
import { ArgoCdApplication } from './argocd-application';
import { ArgoCdProject } from './argocd-project';
import { externalUrl, librechatValues, ollamaValues } from './private/app-values';
import { configureClusterAccess } from './private/cluster-access';
import { pinProviderVersions } from './private/pin-providers';
import { ARGOCD_NAMESPACE, LIBRECHAT, OLLAMA, PlatformApp } from './private/platform-layout';
import { configureStateBackend } from './private/state-backend';
import { argoRepositoryUrl, readWrapperChart } from './apps/wrapper-chart';

/** Properties of {@link AppsStack}. */
export interface AppsStackProps {
  /** The validated environment. */
  readonly environment: ValidEnvironment;
  /**
   * Repository root holding `apps/<name>` wrapper charts.
   * @default process.cwd() (cdktf runs the app from the project folder)
   */
  readonly repoRoot?: string;
  /**
   * Name of the AppProject.
   * @default 'llm-platform'
   */
  readonly projectName?: string;
}

/**
 * `<env>-apps`: the AppProject and the Applications that hand Ollama and LibreChat to Argo CD.
 * It is a separate stack because `kubernetes_manifest` needs the Argo CD CRDs at plan time, and
 * they exist only once `<env>-platform` has been applied.
 */
export class AppsStack extends TerraformStack {
  /** The Applications by name. */
  public readonly applications: Readonly<Record<string, ArgoCdApplication>>;

  constructor(scope: Construct, name: string, props: AppsStackProps) {
    super(scope, name);
    const env = props.environment;
    const repoRoot = props.repoRoot ?? process.cwd();
    const projectName = props.projectName ?? 'llm-platform';
    configureStateBackend(this, name, env.state);
    configureClusterAccess(this, env.cluster, { helm: false });

    const apps: { app: PlatformApp; values: Record<string, unknown>; host: string }[] = [
      { app: OLLAMA, values: ollamaValues(env), host: env.ingress.hosts.ollama },
      { app: LIBRECHAT, values: librechatValues(env), host: env.ingress.hosts.librechat },
    ];
    const charts = apps.map(({ app }) => readWrapperChart(repoRoot, app.name));
    for (const chart of charts) {
      const missing = ['values.yaml', `values-${env.name}.yaml`].find((f) => !chart.valueFiles.includes(f));
      if (missing) throw new Error(`${env.name}: ${chart.path}/${missing}: value file not found (the Application would fail to render)`);
    }

    const chartRepositories = charts.flatMap((c) => c.dependencies.map((d) => argoRepositoryUrl(d.repository)));
    const project = new ArgoCdProject(this, 'project', {
      name: projectName,
      argocdNamespace: ARGOCD_NAMESPACE,
      description: `LLM platform (${env.name}): Ollama and LibreChat from ${env.gitops.repoUrl}`,
      sourceRepos: [...new Set([env.gitops.repoUrl, ...chartRepositories])],
      destinationNamespaces: apps.map(({ app }) => app.namespace),
    });

    const applications: Record<string, ArgoCdApplication> = {};
    let previous: ArgoCdApplication | undefined;
    apps.forEach(({ app, values, host }, wave) => {
      const application = new ArgoCdApplication(this, app.name, {
        name: app.name,
        argocdNamespace: ARGOCD_NAMESPACE,
        project: project.name,
        repoUrl: env.gitops.repoUrl,
        targetRevision: env.gitops.targetRevision,
        path: charts[wave].path,
        namespace: app.namespace,
        valueFiles: ['values.yaml', `values-${env.name}.yaml`],
        values,
        syncWave: wave,
        dependsOn: [project.manifest, ...(previous ? [previous.manifest] : [])],
      });
      applications[app.name] = application;
      previous = application;
      new TerraformOutput(this, `${app.name}_url`, { value: externalUrl(env, host), description: `${app.name} behind the ingress` });
    });
    this.applications = applications;
    pinProviderVersions(this);
  }
}
