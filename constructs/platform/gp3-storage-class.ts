import { Construct } from 'constructs';
import { StorageClassV1 } from '@cdktf/provider-kubernetes/lib/storage-class-v1';

/** Properties of {@link Gp3StorageClass}. */
export interface Gp3StorageClassProps {
  /**
   * StorageClass name.
   * @default 'gp3'
   */
  readonly name?: string;
  /**
   * Mark it as the cluster's default StorageClass.
   * @default true
   */
  readonly isDefault?: boolean;
}

/**
 * An encrypted gp3 StorageClass backed by the EBS CSI driver. EKS has no usable default class
 * for new clusters, and the charts' PVCs ask for the default one.
 */
export class Gp3StorageClass extends Construct {
  /** The StorageClass. */
  public readonly storageClass: StorageClassV1;

  constructor(scope: Construct, id: string, props: Gp3StorageClassProps = {}) {
    super(scope, id);
    const name = props.name ?? 'gp3';
    const isDefault = props.isDefault ?? true;
    this.storageClass = new StorageClassV1(this, 'storage_class', {
      metadata: {
        name,
        annotations: { 'storageclass.kubernetes.io/is-default-class': String(isDefault) },
      },
      storageProvisioner: 'ebs.csi.aws.com',
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
      parameters: { type: 'gp3', encrypted: 'true', fsType: 'ext4' },
    });
  }
}
