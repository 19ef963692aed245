import { Construct } from 'constructs';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { ConstructError } from '../core/errors';

/** Labels on every namespace Terraform creates. */
export const MANAGED_LABELS = {
  'app.kubernetes.io/managed-by': 'terraform',
  'app.kubernetes.io/part-of': 'llm-platform',
};

/** Properties of {@link PlatformNamespaces}. */
export interface PlatformNamespacesProps {
  /** Namespace of the GitOps tooling (Argo CD). */
  readonly gitopsNamespace: string;
  /** Namespaces the applications are deployed into; Argo CD never creates them. */
  readonly appNamespaces: readonly string[];
  /**
   * Extra labels for every namespace.
   * @default {}
   */
  readonly labels?: Record<string, string>;
}

/**
 * The namespaces Terraform owns: they must exist before Argo CD can be installed and before its
 * Applications (which sync with `CreateNamespace=false`) can deploy anything.
 */
export class PlatformNamespaces extends Construct {
  /** The GitOps tooling namespace. */
  public readonly gitops: NamespaceV1;
  /** Application namespaces by name. */
  public readonly apps: Readonly<Record<string, NamespaceV1>>;

  constructor(scope: Construct, id: string, props: PlatformNamespacesProps) {
    super(scope, id);
    const labels = { ...MANAGED_LABELS, ...(props.labels ?? {}) };
    const all = [props.gitopsNamespace, ...props.appNamespaces];
    const duplicate = all.find((name, i) => all.indexOf(name) !== i);
    if (duplicate) throw new ConstructError(this, `namespace "${duplicate}" is listed twice; names must be unique`);

    this.gitops = new NamespaceV1(this, props.gitopsNamespace, {
      metadata: { name: props.gitopsNamespace, labels: { ...labels, 'llm-platform/role': 'gitops-tooling' } },
    });
    const apps: Record<string, NamespaceV1> = {};
    for (const name of props.appNamespaces) {
      apps[name] = new NamespaceV1(this, name, {
        metadata: { name, labels: { ...labels, 'llm-platform/role': 'application' } },
      });
    }
    this.apps = apps;
  }
}
