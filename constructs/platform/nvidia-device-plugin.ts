import { chartRelease } from '../core/chart-release';
import { Construct } from 'constructs';
import { Release } from '@cdktf/provider-helm/lib/release';
import { ConstructError } from '../core/errors';
import { ChartRef, NVIDIA_DEVICE_PLUGIN_CHART } from '../../contracts/versions';

/** A pod toleration. */
export interface Toleration {
  readonly key: string;
  readonly operator: 'Exists' | 'Equal';
  readonly value?: string;
  readonly effect: string;
}

/** Properties of {@link NvidiaDevicePlugin}. */
export interface NvidiaDevicePluginProps {
  /**
   * The `nvidia-device-plugin` chart.
   * @default NVIDIA_DEVICE_PLUGIN_CHART
   */
  readonly chart?: ChartRef;
  /** Tolerations for the taints of the GPU nodes. */
  readonly tolerations: readonly Toleration[];
  /**
   * Namespace (an existing system namespace).
   * @default 'kube-system'
   */
  readonly namespace?: string;
}

/**
 * The NVIDIA device plugin DaemonSet, which advertises `nvidia.com/gpu` on GPU nodes. Needed on
 * AL2023 NVIDIA AMIs (they ship the driver, not the plugin). The chart's default node affinity
 * selects nodes labelled `nvidia.com/gpu.present=true`, the label the GPU node group carries.
 */
export class NvidiaDevicePlugin extends Construct {
  /** The Helm release. */
  public readonly release: Release;

  constructor(scope: Construct, id: string, props: NvidiaDevicePluginProps) {
    super(scope, id);
    const namespace = props.namespace ?? 'kube-system';
    const chart = props.chart ?? NVIDIA_DEVICE_PLUGIN_CHART;
    if (props.tolerations.length === 0) {
      throw new ConstructError(this, "tolerations must cover the GPU nodes' taint; an untolerated plugin never runs on them");
    }
    this.release = chartRelease(this, 'release', {
      name: 'nvidia-device-plugin',
      namespace,
      chart,
      values: {
        tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }, ...props.tolerations],
        priorityClassName: 'system-node-critical',
      },
    });
  }
}
