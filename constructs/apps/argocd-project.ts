import { Construct } from 'constructs';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { ConstructError } from '../core/errors';
import { MANAGED_LABELS } from '../core/managed-labels';
import { IN_CLUSTER_SERVER } from '../core/names';
import { terraformLiteral } from '../core/terraform-literal';
import { ClusterResourceKind } from '../../contracts/app-definition';
import { ArgoCdApplication, ApplicationOptions } from './argocd-application';

/** A Kubernetes kind: an upper-case letter, then letters and digits. */
const CLUSTER_KIND = /^[A-Z][A-Za-z0-9]{0,62}$/;
/** An API group: empty (core) or a DNS subdomain. */
const API_GROUP = /^(?:[a-z0-9]([-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$/;

/** The kinds once each, sorted by group and kind, as `{ group, kind }` objects. */
function uniqueKinds(kinds: readonly ClusterResourceKind[]): { group: string; kind: string }[] {
  const unique = new Map(kinds.map((k) => [`${k.group}/${k.kind}`, { group: k.group, kind: k.kind }]));
  return [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, k]) => k);
}

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
   * Cluster-scoped kinds the project's Applications may create (`clusterResourceWhitelist`), each
   * by exact group and kind.
   * @default [] (no cluster-scoped resources)
   */
  readonly clusterResources?: readonly ClusterResourceKind[];
  /**
   * Human-readable description.
   * @default 'Managed by Terraform'
   */
  readonly description?: string;
}

/**
 * An Argo CD AppProject that confines its Applications to the configured sources and to the
 * application namespaces of the in-cluster destination. Cluster-scoped resources are allowed only
 * kind by kind (`clusterResources`); without any, an application chart cannot create one.
 * Applications are added with
 * {@link addApplication}.
 */
export class ArgoCdProject extends Construct {
  /** The AppProject object. */
  public readonly manifest: Manifest;
  /** The project name. */
  public readonly name: string;
  /** Namespace Argo CD runs in. */
  public readonly argocdNamespace: string;
  private readonly sourceRepos: readonly string[];
  private readonly destinationNamespaces: readonly string[];

  constructor(scope: Construct, id: string, props: ArgoCdProjectProps) {
    super(scope, id);
    const description = props.description ?? 'Managed by Terraform';
    if (props.name === 'default') throw new ConstructError(this, 'name "default" is not allowed; the default project permits every source and destination');
    if (props.sourceRepos.length === 0) throw new ConstructError(this, `project "${props.name}" needs at least one source repository`);
    if (props.destinationNamespaces.length === 0) throw new ConstructError(this, `project "${props.name}" needs at least one destination namespace`);
    const wildcard = [...props.sourceRepos, ...props.destinationNamespaces].find((v) => v.includes('*'));
    if (wildcard) throw new ConstructError(this, `"${wildcard}" contains a wildcard; list sources and namespaces explicitly`);
    const clusterResources = props.clusterResources ?? [];
    for (const resource of clusterResources) {
      if (!CLUSTER_KIND.test(resource.kind) || !API_GROUP.test(resource.group)) {
        throw new ConstructError(
          this,
          `cluster resource ${JSON.stringify(resource)} must name one API group ('' for core, e.g. rbac.authorization.k8s.io) and one kind (e.g. ClusterRole); no wildcards`,
        );
      }
    }

    this.name = props.name;
    this.argocdNamespace = props.argocdNamespace;
    this.sourceRepos = props.sourceRepos;
    this.destinationNamespaces = props.destinationNamespaces;
    this.manifest = new Manifest(this, 'manifest', {
      // Every string is data for Kubernetes, never a Terraform template.
      manifest: terraformLiteral({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'AppProject',
        metadata: { name: props.name, namespace: props.argocdNamespace, labels: { ...MANAGED_LABELS } },
        spec: {
          description,
          sourceRepos: [...props.sourceRepos],
          destinations: props.destinationNamespaces.map((namespace) => ({ server: IN_CLUSTER_SERVER, namespace })),
          ...(clusterResources.length > 0 ? { clusterResourceWhitelist: uniqueKinds(clusterResources) } : {}),
          orphanedResources: { warn: true },
        },
      }),
    });
  }

  /**
   * Adds an Application to this project. It is created after the project, and its source and
   * destination must be ones the project allows.
   */
  public addApplication(id: string, options: ApplicationOptions): ArgoCdApplication {
    if (!this.sourceRepos.includes(options.repoUrl)) {
      throw new ConstructError(
        this,
        `Application "${options.name}" uses repository ${options.repoUrl}, which the project does not allow (${this.sourceRepos.join(', ')})`,
      );
    }
    if (!this.destinationNamespaces.includes(options.namespace)) {
      throw new ConstructError(
        this,
        `Application "${options.name}" deploys to namespace "${options.namespace}", which the project does not allow (${this.destinationNamespaces.join(', ')})`,
      );
    }
    return new ArgoCdApplication(this.node.scope!, id, { ...options, project: this });
  }
}
