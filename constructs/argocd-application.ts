import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { IN_CLUSTER_SERVER } from './private/platform-layout';

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

/** Properties of {@link ArgoCdApplication}. */
export interface ArgoCdApplicationProps {
  /** Application name; also the Helm release name. */
  readonly name: string;
  /** Namespace Argo CD runs in. */
  readonly argocdNamespace: string;
  /** AppProject the Application belongs to. */
  readonly project: string;
  /** Git repository URL. */
  readonly repoUrl: string;
  /** Branch, tag or commit. */
  readonly targetRevision: string;
  /** Path of the wrapper chart in the repository, e.g. `apps/ollama`. */
  readonly path: string;
  /** Destination namespace (must already exist: `CreateNamespace=false`). */
  readonly namespace: string;
  /** Helm value files, relative to `path`, lowest precedence first. */
  readonly valueFiles: readonly string[];
  /**
   * Values injected from the environment configuration; they take precedence over `valueFiles`.
   * @default {}
   */
  readonly values?: Record<string, unknown>;
  /**
   * Sync wave; lower waves sync first.
   * @default 0
   */
  readonly syncWave?: number;
  /**
   * Retry policy.
   * @default { limit: 5, duration: '10s', factor: 2, maxDuration: '3m' }
   */
  readonly retry?: SyncRetry;
  /**
   * Resources to create before this Application (its project, namespace, secrets).
   * @default []
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** Finalizer that makes Argo CD delete an Application's resources before the Application. */
export const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

/**
 * An Argo CD Application that deploys a Helm wrapper chart from Git with automated sync
 * (prune, self-heal, never to an empty state) and retries with back-off. Deleting it deletes what
 * it deployed (resources finalizer).
 */
export class ArgoCdApplication extends Construct {
  /** The Application object. */
  public readonly manifest: Manifest;

  constructor(scope: Construct, id: string, props: ArgoCdApplicationProps) {
    super(scope, id);
    const values = props.values ?? {};
    const syncWave = props.syncWave ?? 0;
    const retry = props.retry ?? { limit: 5, duration: '10s', factor: 2, maxDuration: '3m' };

    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(props.name) || props.name.length > 53) {
      throw new Error(`ArgoCdApplication: name "${props.name}" must be a DNS label of at most 53 characters (it is also the Helm release name)`);
    }
    if (props.path.startsWith('/') || props.path.split('/').includes('..')) {
      throw new Error(`ArgoCdApplication: path "${props.path}" must be relative to the repository root and must not contain ".."`);
    }
    if (props.valueFiles.length === 0) throw new Error(`ArgoCdApplication: "${props.name}" needs at least one value file`);
    if (!Number.isInteger(syncWave)) throw new Error(`ArgoCdApplication: syncWave ${syncWave} must be an integer`);
    if (retry.limit < 1) throw new Error(`ArgoCdApplication: retry.limit ${retry.limit} must be >= 1`);

    this.manifest = new Manifest(this, 'manifest', {
      manifest: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: {
          name: props.name,
          namespace: props.argocdNamespace,
          finalizers: [RESOURCES_FINALIZER],
          annotations: { 'argocd.argoproj.io/sync-wave': String(syncWave) },
        },
        spec: {
          project: props.project,
          source: {
            repoURL: props.repoUrl,
            targetRevision: props.targetRevision,
            path: props.path,
            helm: {
              releaseName: props.name,
              valueFiles: [...props.valueFiles],
              ...(Object.keys(values).length > 0 ? { valuesObject: values } : {}),
            },
          },
          destination: { server: IN_CLUSTER_SERVER, namespace: props.namespace },
          syncPolicy: {
            automated: { prune: true, selfHeal: true, allowEmpty: false },
            syncOptions: ['CreateNamespace=false'],
            retry: {
              limit: retry.limit,
              backoff: { duration: retry.duration, factor: retry.factor, maxDuration: retry.maxDuration },
            },
          },
        },
      },
      dependsOn: props.dependsOn,
    });
  }
}
