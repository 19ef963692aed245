import { Construct } from 'constructs';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { ConstructError } from '../core/errors';
import { MANAGED_LABELS } from '../core/managed-labels';
import { IN_CLUSTER_SERVER } from '../core/names';
import { terraformLiteral } from '../core/terraform-literal';
import type { ArgoCdProject } from './argocd-project';

/** Retry policy of automated syncs. */
export interface SyncRetry {
  /** Number of attempts. */
  readonly limit: number;
  /** First back-off, e.g. `10s`. */
  readonly duration: string;
  /** Back-off multiplier. */
  readonly factor: number;
  /** Longest back-off, e.g. `3m`. */
  readonly maxDuration: string;
}

/** Options of {@link ArgoCdProject.addApplication}. */
export interface ApplicationOptions {
  /** Application name; also the Helm release name. */
  readonly name: string;
  /** Git repository URL. */
  readonly repoUrl: string;
  /** Branch, tag or commit. */
  readonly targetRevision: string;
  /** Path of the wrapper chart in the repository, e.g. `apps/ollama`. */
  readonly path: string;
  /** Destination namespace (must already exist: `CreateNamespace=false`). */
  readonly namespace: string;
  /**
   * Helm value files, relative to `path`, lowest precedence first. They are the only values: an
   * Application made here carries none of its own, so every value travels with `targetRevision`.
   */
  readonly valueFiles: readonly string[];
  /**
   * Applications that must sync first: this one syncs in a later wave and is created after them.
   * @default []
   */
  readonly after?: readonly ArgoCdApplication[];
  /**
   * Sync options added to `CreateNamespace=false` (e.g. `ServerSideApply=true`); namespaces are
   * never created by an Application.
   * @default []
   */
  readonly syncOptions?: readonly string[];
  /**
   * Deployments whose `spec.replicas` an autoscaler owns: Argo CD ignores the field in its diff
   * and keeps it when syncing (`RespectIgnoreDifferences=true`), so self-heal does not undo a
   * scale to zero.
   * @default []
   */
  readonly autoscaledDeployments?: readonly string[];
  /**
   * Retry policy.
   * @default { limit: 5, duration: '10s', factor: 2, maxDuration: '3m' }
   */
  readonly retry?: SyncRetry;
}

/** Properties of {@link ArgoCdApplication}. */
export interface ArgoCdApplicationProps extends ApplicationOptions {
  /** The AppProject the Application belongs to. */
  readonly project: ArgoCdProject;
}

/** `<Option>=<value>` as Argo CD spells sync options. */
const SYNC_OPTION = /^[A-Z][A-Za-z]{1,60}=[A-Za-z0-9-]{1,30}$/;

/** Finalizer that makes Argo CD delete an Application's resources before the Application. */
export const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

/**
 * An Argo CD Application that deploys a Helm wrapper chart from Git with automated sync
 * (prune, self-heal, never to an empty state) and retries with back-off. Deleting it deletes what
 * it deployed (resources finalizer). Its sync wave is one more than the latest Application it
 * comes after.
 */
export class ArgoCdApplication extends Construct {
  /** The Application object. */
  public readonly manifest: Manifest;
  /** The Application name. */
  public readonly name: string;
  /** The sync wave. */
  public readonly syncWave: number;

  constructor(scope: Construct, id: string, props: ArgoCdApplicationProps) {
    super(scope, id);
    const after = props.after ?? [];
    const retry = props.retry ?? { limit: 5, duration: '10s', factor: 2, maxDuration: '3m' };
    const autoscaled = props.autoscaledDeployments ?? [];
    const syncOptions = [...(props.syncOptions ?? []), ...(autoscaled.length > 0 ? ['RespectIgnoreDifferences=true'] : [])];

    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(props.name) || props.name.length > 53) {
      throw new ConstructError(this, `name "${props.name}" must be a DNS label of at most 53 characters (it is also the Helm release name)`);
    }
    if (props.path.startsWith('/') || props.path.split('/').includes('..')) {
      throw new ConstructError(this, `path "${props.path}" must be relative to the repository root and must not contain ".."`);
    }
    if (props.valueFiles.length === 0) throw new ConstructError(this, `"${props.name}" needs at least one value file`);
    if (retry.limit < 1) throw new ConstructError(this, `retry.limit ${retry.limit} must be >= 1`);
    for (const option of syncOptions) {
      if (!SYNC_OPTION.test(option)) throw new ConstructError(this, `sync option "${option}" must be <Option>=<value> such as ServerSideApply=true`);
      if (option.startsWith('CreateNamespace='))
        throw new ConstructError(this, `sync option "${option}": namespaces are created by Terraform, never by an Application`);
    }

    this.name = props.name;
    this.syncWave = after.length === 0 ? 0 : 1 + Math.max(...after.map((a) => a.syncWave));
    this.manifest = new Manifest(this, 'manifest', {
      // Every string is data for Kubernetes, never a Terraform template.
      manifest: terraformLiteral({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: {
          name: props.name,
          namespace: props.project.argocdNamespace,
          labels: { ...MANAGED_LABELS },
          finalizers: [RESOURCES_FINALIZER],
          annotations: { 'argocd.argoproj.io/sync-wave': String(this.syncWave) },
        },
        spec: {
          project: props.project.name,
          source: {
            repoURL: props.repoUrl,
            targetRevision: props.targetRevision,
            path: props.path,
            helm: { releaseName: props.name, valueFiles: [...props.valueFiles] },
          },
          destination: { server: IN_CLUSTER_SERVER, namespace: props.namespace },
          ...(autoscaled.length > 0
            ? { ignoreDifferences: autoscaled.map((name) => ({ group: 'apps', kind: 'Deployment', name, jsonPointers: ['/spec/replicas'] })) }
            : {}),
          syncPolicy: {
            automated: { prune: true, selfHeal: true, allowEmpty: false },
            syncOptions: ['CreateNamespace=false', ...new Set(syncOptions)],
            retry: {
              limit: retry.limit,
              backoff: { duration: retry.duration, factor: retry.factor, maxDuration: retry.maxDuration },
            },
          },
        },
      }),
      dependsOn: [props.project.manifest, ...after.map((a) => a.manifest)],
    });
  }
}
