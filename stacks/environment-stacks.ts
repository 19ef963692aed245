import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { ValidEnvironment } from '../environments/schema';
import { AppDefinition } from '../contracts/app-definition';
import { AppsStack } from './apps-stack';
import { ClusterStack } from './cluster-stack';
import { PlatformStack } from './platform-stack';

/** The stacks of one environment, in deploy order. */
export interface EnvironmentStacks {
  /** `<env>-cluster`, only for environments whose cluster Terraform creates (EKS). */
  readonly cluster?: ClusterStack;
  /** `<env>-platform`. */
  readonly platform: PlatformStack;
  /** `<env>-apps`. */
  readonly apps: AppsStack;
  /** All of them, dependencies first. */
  readonly all: readonly TerraformStack[];
}

/** Options of {@link addEnvironmentStacks}. */
export interface EnvironmentStacksOptions {
  /** The apps of the platform. */
  readonly catalog: readonly AppDefinition[];
  /**
   * Folder holding `apps/<name>` wrapper charts.
   * @default process.cwd()
   */
  readonly repoRoot?: string;
}

/**
 * Adds the stacks of one environment, named `<env>-<layer>`, each depending on the layer below
 * so that `cdktf deploy '<env>-*'` applies cluster, platform and apps in that order — every
 * stack is planned only after the one it depends on has been applied.
 */
export function addEnvironmentStacks(scope: Construct, environment: ValidEnvironment, options: EnvironmentStacksOptions): EnvironmentStacks {
  const cluster =
    environment.cluster.kind === 'eks'
      ? new ClusterStack(scope, `${environment.name}-cluster`, {
          cluster: environment.cluster,
          state: environment.state,
          tags: { 'llm-platform/environment': environment.name },
        })
      : undefined;
  const platform = new PlatformStack(scope, `${environment.name}-platform`, {
    environment,
    catalog: options.catalog,
    tags: { 'llm-platform/environment': environment.name },
  });
  if (cluster) platform.addDependency(cluster);
  const apps = new AppsStack(scope, `${environment.name}-apps`, { environment, catalog: options.catalog, repoRoot: options.repoRoot });
  apps.addDependency(platform);
  return { cluster, platform, apps, all: [...(cluster ? [cluster] : []), platform, apps] };
}
