import { Construct } from 'constructs';
import { BackupPlan } from '@cdktf/provider-aws/lib/backup-plan';
import { BackupSelection } from '@cdktf/provider-aws/lib/backup-selection';
import { BackupVault } from '@cdktf/provider-aws/lib/backup-vault';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { ConstructError } from '../core/errors';
import { ServiceRole, serviceRole } from '../core/iam';

/** Name of the vault (and of the plan and selection) of the volumes of cluster `name`. */
export function backupVaultName(name: string): string {
  return `${name}-volumes`;
}

/** Name of the role AWS Backup uses to back up and restore the volumes of cluster `name`. */
export function backupRoleName(name: string): string {
  return `${name}-backup`;
}

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
}

/**
 * Scheduled AWS Backup of the EBS volumes carrying one tag: a vault encrypted with its own KMS key,
 * a plan with one rule (schedule, retention) and a selection of `ec2` volumes by tag, backed up by
 * a role with AWS's backup and restore policies. The vault is never force-destroyed: while it holds
 * recovery points, Terraform cannot delete it (docs/eks.md#backups-and-restore).
 */
export class VolumeBackup extends Construct {
  /** The vault holding the recovery points. */
  public readonly vault: BackupVault;
  /** The plan. */
  public readonly plan: BackupPlan;
  /** The role AWS Backup uses to back up and restore. */
  public readonly role: ServiceRole;

  constructor(scope: Construct, id: string, props: VolumeBackupProps) {
    super(scope, id);
    if (!Number.isInteger(props.retentionDays) || props.retentionDays < 1) {
      throw new ConstructError(this, `retentionDays ${props.retentionDays} must be a whole number >= 1`);
    }
    const account = new DataAwsCallerIdentity(this, 'account').accountId;
    const partition = new DataAwsPartition(this, 'partition').partition;
    const key = new KmsKey(this, 'key', {
      description: `${props.name}: AWS Backup vault`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'AccountIamPolicies', Effect: 'Allow', Principal: { AWS: `arn:${partition}:iam::${account}:root` }, Action: 'kms:*', Resource: '*' },
        ],
      }),
    });
    this.vault = new BackupVault(this, 'vault', { name: backupVaultName(props.name), kmsKeyArn: key.arn, forceDestroy: false });
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
        },
      ],
    });
    this.role = serviceRole(this, 'role', backupRoleName(props.name), 'backup.amazonaws.com', [
      'service-role/AWSBackupServiceRolePolicyForBackup',
      'service-role/AWSBackupServiceRolePolicyForRestores',
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
  }
}
