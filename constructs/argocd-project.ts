import { Construct } from 'constructs';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { IN_CLUSTER_SERVER } from './private/platform-layout';

/** Properties of {@link ArgoCdProject}. */
export interface ArgoCdProjectProps {
  /** Project name; must not be `default`, whose permissions are wide open. */
  readonly name: string;
  /** Namespace Argo CD runs in. */
  readonly argocdNamespace: string;
  /** Source repositories the project's Applications may use (Git repo, chart repositories). */
  readonly sourceRepos: readonly string[];
  /** Namespaces on the in-cluster destination the project may deploy to. */
  readonly destinationNamespaces: readonly string[];
  /**
   * Human-readable description.
   * @default 'Managed by Terraform'
   */
  readonly description?: string;
}

/**
 * An Argo CD AppProject that confines its Applications to the configured sources and to the
 * application namespaces of the in-cluster destination. Cluster-scoped resources are not
 * whitelisted, so an application chart cannot create any.
 */
export class ArgoCdProject extends Construct {
  /** The AppProject object. */
  public readonly manifest: Manifest;
  /** The project name. */
  public readonly name: string;

  constructor(scope: Construct, id: string, props: ArgoCdProjectProps) {
    super(scope, id);
    const description = props.description ?? 'Managed by Terraform';
    if (props.name === 'default') {
      throw new Error('ArgoCdProject: name "default" is not allowed; the default project permits every source and destination');
    }
    if (props.sourceRepos.length === 0) throw new Error(`ArgoCdProject: project "${props.name}" needs at least one source repository`);
    if (props.destinationNamespaces.length === 0) throw new Error(`ArgoCdProject: project "${props.name}" needs at least one destination namespace`);
    const wildcard = [...props.sourceRepos, ...props.destinationNamespaces].find((v) => v.includes('*'));
    if (wildcard) throw new Error(`ArgoCdProject: "${wildcard}" contains a wildcard; list sources and namespaces explicitly`);

    this.name = props.name;
    this.manifest = new Manifest(this, 'manifest', {
      manifest: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'AppProject',
        metadata: { name: props.name, namespace: props.argocdNamespace },
        spec: {
          description,
          sourceRepos: [...props.sourceRepos],
          destinations: props.destinationNamespaces.map((namespace) => ({ server: IN_CLUSTER_SERVER, namespace })),
          orphanedResources: { warn: true },
        },
      },
    });
  }
}
