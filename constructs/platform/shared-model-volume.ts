import { Fn, Op } from 'cdktf';
import { Construct } from 'constructs';
import { DataAwsEfsAccessPoints } from '@cdktf/provider-aws/lib/data-aws-efs-access-points';
import { DataAwsEfsFileSystem } from '@cdktf/provider-aws/lib/data-aws-efs-file-system';
import { Release } from '@cdktf/provider-helm/lib/release';
import { PersistentVolumeV1 } from '@cdktf/provider-kubernetes/lib/persistent-volume-v1';
import { chartRelease } from '../core/chart-release';
import { ChartRef, EFS_CSI_DRIVER_CHART } from '../../contracts/versions';

/** Properties of {@link SharedModelVolume}. */
export interface SharedModelVolumeProps {
  /** Creation token of the EFS file system (the cluster stack's model store). */
  readonly creationToken: string;
  /** Name of the PersistentVolume; the model server's claim binds it by name. */
  readonly volumeName: string;
  /** Storage class name of the volume and its claim (no StorageClass object: the volume is static). */
  readonly storageClassName: string;
  /** Nominal size (EFS grows as needed; Kubernetes requires one). */
  readonly size: string;
  /** Node labels of the nodes that mount it (the GPU nodes). */
  readonly nodeSelector: Record<string, string>;
  /**
   * The `aws-efs-csi-driver` chart.
   * @default EFS_CSI_DRIVER_CHART
   */
  readonly chart?: ChartRef;
}

/**
 * The shared model store as a Kubernetes volume: the EFS CSI driver's node plugin on the GPU nodes
 * (its controller is not installed: the volume is provisioned statically, so the driver needs no
 * AWS permission) and one ReadWriteMany PersistentVolume on the file system's access point, kept
 * when its claim goes, mounted over TLS.
 */
export class SharedModelVolume extends Construct {
  /** The driver's Helm release. */
  public readonly driver: Release;
  /** The PersistentVolume. */
  public readonly volume: PersistentVolumeV1;

  constructor(scope: Construct, id: string, props: SharedModelVolumeProps) {
    super(scope, id);
    this.driver = chartRelease(this, 'driver', {
      name: 'aws-efs-csi-driver',
      namespace: 'kube-system',
      chart: props.chart ?? EFS_CSI_DRIVER_CHART,
      values: { controller: { create: false }, node: { nodeSelector: props.nodeSelector } },
    });
    const fileSystem = new DataAwsEfsFileSystem(this, 'file_system', { creationToken: props.creationToken });
    const accessPoints = new DataAwsEfsAccessPoints(this, 'access_points', { fileSystemId: fileSystem.fileSystemId });
    accessPoints.lifecycle = {
      postcondition: [
        {
          condition: Op.eq(Fn.lengthOf(accessPoints.ids), 1),
          errorMessage: `The model store ${props.creationToken} must have exactly one access point (the cluster stack's); found \${length(self.ids)}.`,
        },
      ],
    };
    this.volume = new PersistentVolumeV1(this, 'volume', {
      metadata: { name: props.volumeName },
      spec: [
        {
          capacity: { storage: props.size },
          accessModes: ['ReadWriteMany'],
          persistentVolumeReclaimPolicy: 'Retain',
          storageClassName: props.storageClassName,
          mountOptions: ['tls'],
          persistentVolumeSource: {
            csi: { driver: 'efs.csi.aws.com', volumeHandle: `${fileSystem.fileSystemId}::${Fn.element(accessPoints.ids, 0)}` },
          },
        },
      ],
      dependsOn: [this.driver],
    });
  }
}
