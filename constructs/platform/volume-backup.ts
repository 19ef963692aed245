import { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { BackupPlan } from '@cdktf/provider-aws/lib/backup-plan';
import { BackupSelection } from '@cdktf/provider-aws/lib/backup-selection';
import { BackupVault } from '@cdktf/provider-aws/lib/backup-vault';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { ConstructError } from '../core/errors';
import { ServiceRole, serviceRole } from '../core/iam';
import { accountKeyPolicy } from '../core/key-policy';
import { backupRoleName, backupVaultName } from './names';

/** Properties of {@link VolumeBackup}. */
export interface VolumeBackupProps {
  /** Prefix of the vault, plan and role names (the cluster name). */
  readonly name: string;
  /** The tag that selects the EBS volumes to back up: only volumes with exactly this key and value. */
  readonly selectionTag: { readonly key: string; readonly value: string };
  /** Days each recovery point is kept. */
  readonly retentionDays: number;
  /**
   * AWS Backup schedule (UTC).
   * @default 'cron(0 3 * * ? *)'
   */
  readonly schedule?: string;
  /**
   * Copy every recovery point to a vault in another region, encrypted with a key of that region.
   * @default - no copies
   */
  readonly copies?: VolumeBackupCopies;
  /**
   * ARNs of S3 buckets (versioned) the same plan backs up, with the same retention and copies.
   * @default - no buckets
   */
  readonly buckets?: readonly string[];
}

/** Where {@link VolumeBackup} copies its recovery points. */
export interface VolumeBackupCopies {
  /** An AWS provider of the region that keeps the copies (not the vault's own region). */
  readonly provider: TerraformProvider;
  /**
   * Days each copy is kept.
   * @default - the retentionDays of the recovery points
   */
  readonly retentionDays?: number;
}

/**
 * Scheduled AWS Backup of the EBS volumes carrying one tag: a vault encrypted with its own KMS key,
 * a plan with one rule (schedule, retention) and a selection of `ec2` volumes by tag, backed up by
 * a role with AWS's backup and restore policies. With `copies`, the rule copies each recovery
 * point into a second vault in another region, encrypted with that region's own key (KMS keys do
 * not leave their region; AWS Backup re-encrypts the copy with the destination vault's key). The
 * vaults are never force-destroyed: while they hold recovery points, Terraform cannot delete them
 * (docs/eks.md#backups-and-restore). `buckets` puts S3 buckets under the same plan.
 */
export class VolumeBackup extends Construct {
  /** The vault holding the recovery points. */
  public readonly vault: BackupVault;
  /** The plan. */
  public readonly plan: BackupPlan;
  /** The role AWS Backup uses to back up and restore. */
  public readonly role: ServiceRole;
  /** The vault in the other region holding the copies (with `copies`). */
  public readonly copyVault?: BackupVault;

  constructor(scope: Construct, id: string, props: VolumeBackupProps) {
    super(scope, id);
    if (!Number.isInteger(props.retentionDays) || props.retentionDays < 1) {
      throw new ConstructError(this, `retentionDays ${props.retentionDays} must be a whole number >= 1`);
    }
    const copyRetention = props.copies?.retentionDays ?? props.retentionDays;
    if (!Number.isInteger(copyRetention) || copyRetention < 1) {
      throw new ConstructError(this, `copies.retentionDays ${copyRetention} must be a whole number >= 1`);
    }
    const account = new DataAwsCallerIdentity(this, 'account').accountId;
    const partition = new DataAwsPartition(this, 'partition').partition;
    const vaultKey = (id: string, description: string, provider?: TerraformProvider) =>
      new KmsKey(this, id, {
        provider,
        description,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: accountKeyPolicy(partition, account),
      });
    const key = vaultKey('key', `${props.name}: AWS Backup vault`);
    this.vault = new BackupVault(this, 'vault', { name: backupVaultName(props.name), kmsKeyArn: key.arn, forceDestroy: false });
    if (props.copies) {
      const copyKey = vaultKey('copy_key', `${props.name}: AWS Backup vault of the copies`, props.copies.provider);
      this.copyVault = new BackupVault(this, 'copy_vault', {
        provider: props.copies.provider,
        name: `${props.name}-volumes-copies`,
        kmsKeyArn: copyKey.arn,
        forceDestroy: false,
      });
    }
    this.plan = new BackupPlan(this, 'plan', {
      name: backupVaultName(props.name),
      rule: [
        {
          ruleName: 'scheduled',
          targetVaultName: this.vault.name,
          schedule: props.schedule ?? 'cron(0 3 * * ? *)',
          startWindow: 60,
          completionWindow: 360,
          lifecycle: { deleteAfter: props.retentionDays },
          recoveryPointTags: { [props.selectionTag.key]: props.selectionTag.value },
          copyAction: this.copyVault ? [{ destinationVaultArn: this.copyVault.arn, lifecycle: { deleteAfter: copyRetention } }] : undefined,
        },
      ],
    });
    const buckets = props.buckets ?? [];
    this.role = serviceRole(this, 'role', backupRoleName(props.name), 'backup.amazonaws.com', [
      'service-role/AWSBackupServiceRolePolicyForBackup',
      'service-role/AWSBackupServiceRolePolicyForRestores',
      // S3 has policies of its own (the EBS ones do not reach buckets).
      ...(buckets.length > 0 ? ['AWSBackupServiceRolePolicyForS3Backup', 'AWSBackupServiceRolePolicyForS3Restore'] : []),
    ]);
    new BackupSelection(this, 'selection', {
      name: backupVaultName(props.name),
      planId: this.plan.id,
      iamRoleArn: this.role.role.arn,
      // Both must hold: an EBS volume, and the tag with this cluster's value.
      resources: [`arn:${partition}:ec2:*:*:volume/*`],
      condition: [{ stringEquals: [{ key: `aws:ResourceTag/${props.selectionTag.key}`, value: props.selectionTag.value }] }],
      dependsOn: [...this.role.attachments],
    });
    if (buckets.length > 0) {
      new BackupSelection(this, 'bucket_selection', {
        name: `${backupVaultName(props.name)}-buckets`,
        planId: this.plan.id,
        iamRoleArn: this.role.role.arn,
        resources: [...buckets],
        dependsOn: [...this.role.attachments],
      });
    }
  }
}
