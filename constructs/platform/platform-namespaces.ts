import { Construct } from 'constructs';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { PodSecurityLevel } from '../../contracts/app-definition';
import { ConstructError } from '../core/errors';

import { MANAGED_LABELS } from '../core/managed-labels';

export { MANAGED_LABELS };

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
  /**
   * Extra labels of some namespaces, by namespace name (e.g. the load balancer controller's
   * readiness-gate injection where published apps run).
   * @default {}
   */
  readonly namespaceLabels?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * The Pod Security Standards level each namespace enforces, by namespace name (Argo CD's
   * included). Every namespace also warns and audits at `restricted`, so anything less strict
   * than that shows up in `kubectl` warnings and the audit log.
   * @default 'restricted' for every namespace
   */
  readonly podSecurity?: Readonly<Record<string, PodSecurityLevel>>;
  /**
   * The Pod Security Standards version the levels refer to (`v1.35`): the cluster's minor version,
   * so a Kubernetes upgrade never tightens a level unnoticed.
   */
  readonly podSecurityVersion: string;
}

/** The Pod Security Admission labels of a namespace that enforces `level`. */
export function podSecurityLabels(level: PodSecurityLevel, version: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const mode of ['enforce', 'warn', 'audit'] as const) {
    labels[`pod-security.kubernetes.io/${mode}`] = mode === 'enforce' ? level : 'restricted';
    labels[`pod-security.kubernetes.io/${mode}-version`] = version;
  }
  return labels;
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
    const unknown = Object.keys(props.podSecurity ?? {}).find((name) => !all.includes(name));
    if (unknown) throw new ConstructError(this, `podSecurity names namespace "${unknown}", which is not created here (namespaces: ${all.join(', ')})`);
    if (!/^v1\.\d+$/.test(props.podSecurityVersion))
      throw new ConstructError(this, `podSecurityVersion "${props.podSecurityVersion}" must be a Kubernetes minor version such as v1.35`);
    const unlabelled = Object.keys(props.namespaceLabels ?? {}).find((name) => !all.includes(name));
    if (unlabelled)
      throw new ConstructError(this, `namespaceLabels names namespace "${unlabelled}", which is not created here (namespaces: ${all.join(', ')})`);
    const psa = (name: string) => ({
      ...(props.namespaceLabels?.[name] ?? {}),
      ...podSecurityLabels(props.podSecurity?.[name] ?? 'restricted', props.podSecurityVersion),
    });

    this.gitops = new NamespaceV1(this, props.gitopsNamespace, {
      metadata: { name: props.gitopsNamespace, labels: { ...labels, ...psa(props.gitopsNamespace), 'llm-platform/role': 'gitops-tooling' } },
    });
    const apps: Record<string, NamespaceV1> = {};
    for (const name of props.appNamespaces) {
      apps[name] = new NamespaceV1(this, name, {
        metadata: { name, labels: { ...labels, ...psa(name), 'llm-platform/role': 'application' } },
      });
    }
    this.apps = apps;
  }
}
