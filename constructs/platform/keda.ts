import { Construct } from 'constructs';
import { Release } from '@cdktf/provider-helm/lib/release';
import { chartRelease } from '../core/chart-release';
import { ChartRef, KEDA_CHART } from '../../contracts/versions';

/** Properties of {@link Keda}. */
export interface KedaProps {
  /** Node labels of the nodes KEDA runs on (the system nodes). */
  readonly nodeSelector: Record<string, string>;
  /**
   * The `keda` chart.
   * @default KEDA_CHART
   */
  readonly chart?: ChartRef;
  /**
   * Namespace (an existing system namespace).
   * @default 'kube-system'
   */
  readonly namespace?: string;
}

/**
 * KEDA, installed by Terraform so that its CRDs (ScaledObject) exist before Argo CD syncs the apps
 * that scale with it: Ollama's Deployment goes to zero replicas outside the environment's active
 * hours (a cron trigger), and Karpenter then removes the empty GPU node. KEDA needs no AWS
 * permissions for that trigger.
 */
export class Keda extends Construct {
  /** The Helm release. */
  public readonly release: Release;

  constructor(scope: Construct, id: string, props: KedaProps) {
    super(scope, id);
    this.release = chartRelease(this, 'release', {
      name: 'keda',
      namespace: props.namespace ?? 'kube-system',
      chart: props.chart ?? KEDA_CHART,
      values: { nodeSelector: props.nodeSelector },
    });
  }
}
