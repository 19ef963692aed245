import { Construct } from 'constructs';
import { StorageClassV1 } from '@cdktf/provider-kubernetes/lib/storage-class-v1';
import { ConstructError } from '../core/errors';
import { STATEFUL_STORAGE_CLASS } from './names';

/** Properties of {@link StatefulStorageClass}. */
export interface StatefulStorageClassProps {
  /**
   * StorageClass name.
   * @default STATEFUL_STORAGE_CLASS
   */
  readonly name?: string;
  /**
   * Tags the EBS CSI driver puts on every volume of the class (`tagSpecification_<n>`
   * parameters): AWS Backup selects the volumes by them.
   * @default {}
   */
  readonly volumeTags?: Readonly<Record<string, string>>;
}

/** AWS tag keys and values: letters, digits, spaces and `_ . : / = + - @` (what the driver's `key=value` format can carry). */
const TAG_TEXT = /^[\w .:/+@-]{1,128}$/;

/**
 * An encrypted gp3 StorageClass for data that must outlive its workload: `reclaimPolicy: Retain`
 * keeps the EBS volume when its claim is deleted (an Application deleted, a namespace removed by
 * a destroy), and its tags put every volume under the backup plan. Volumes are created in the zone
 * of the pod that first mounts them (`WaitForFirstConsumer`). Not the default class: only the
 * charts' stateful volumes ask for it.
 */
export class StatefulStorageClass extends Construct {
  /** The StorageClass. */
  public readonly storageClass: StorageClassV1;

  constructor(scope: Construct, id: string, props: StatefulStorageClassProps = {}) {
    super(scope, id);
    const tags = Object.entries(props.volumeTags ?? {});
    const bad = tags.flat().find((text) => !TAG_TEXT.test(text));
    if (bad !== undefined) throw new ConstructError(this, `volume tag text "${bad}" must be 1-128 letters, digits, spaces or _ . : / + - @`);
    this.storageClass = new StorageClassV1(this, 'storage_class', {
      metadata: {
        name: props.name ?? STATEFUL_STORAGE_CLASS,
        annotations: { 'storageclass.kubernetes.io/is-default-class': 'false' },
      },
      storageProvisioner: 'ebs.csi.aws.com',
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
      parameters: {
        type: 'gp3',
        encrypted: 'true',
        fsType: 'ext4',
        ...Object.fromEntries(tags.map(([key, value], i) => [`tagSpecification_${i + 1}`, `${key}=${value}`])),
      },
    });
  }
}
