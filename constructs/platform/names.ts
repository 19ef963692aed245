/**
 * Names the platform's constructs give, which tools, stacks and the apps' values refer to. This
 * module loads no provider, so a tool that only needs a name (restore, docs) starts without cdktf.
 */

/** Name of the StorageClass of stateful volumes on EKS, which the apps' values refer to. */
export const STATEFUL_STORAGE_CLASS = 'gp3-retain';

/** The tag (value: the cluster name) that puts a stateful EBS volume under the cluster's backup plan. */
export const BACKUP_TAG_KEY = 'llm-platform/backup';

/** Name of the vault (and of the plan and selection) of the volumes of cluster `name`. */
export function backupVaultName(name: string): string {
  return `${name}-volumes`;
}

/** Name of the role AWS Backup uses to back up and restore the volumes of cluster `name`. */
export function backupRoleName(name: string): string {
  return `${name}-backup`;
}

/** The PersistentVolume of the shared model store and its storage class name, which the model server's claim names. */
export const SHARED_MODEL_VOLUME = { volumeName: 'ollama-models', storageClassName: 'efs-models' } as const;
