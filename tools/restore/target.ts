/**
 * What a restore of one app's volume in one environment works with, derived from the environment
 * and the catalog: the cluster, the vault and role of its AWS Backup plan, the zones the app's
 * pods can run in, the StorageClass of backed-up volumes and the tags a restored volume needs.
 */
import { AppDefinition } from '../../contracts/app-definition';
import { ValidEnvironment } from '../../environments/schema';
import { ebsCsiClusterTag } from '../../constructs/cluster/ebs-csi-policy';
import { ARGOCD_NAMESPACE } from '../../constructs/core/names';
import { BACKUP_TAG_KEY, STATEFUL_STORAGE_CLASS, backupRoleName, backupVaultName } from '../../constructs/platform/names';
import { RestoreError } from './errors';

/**
 * Tags the EBS CSI driver puts on every volume it creates (pkg/driver/controller.go of
 * kubernetes-sigs/aws-ebs-csi-driver, docs/tagging.md): the published policy's DeleteVolume
 * statements look for the first two, the created-for tags come from the provisioner's
 * `--extra-create-metadata`, which the EKS add-on sets.
 */
export const CSI_DRIVER_TAGS = {
  /** `true` on every volume the driver manages. */
  managed: 'ebs.csi.aws.com/cluster',
  /** The PersistentVolume name the volume was created for. */
  volumeName: 'CSIVolumeName',
  /** With the cluster id set: the cluster id. */
  kubernetesCluster: 'KubernetesCluster',
  pvcName: 'kubernetes.io/created-for/pvc/name',
  pvcNamespace: 'kubernetes.io/created-for/pvc/namespace',
  pvName: 'kubernetes.io/created-for/pv/name',
} as const;

/** One AWS tag. */
export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

/** Everything about an environment and app a restore needs. */
export interface RestoreTarget {
  readonly environment: string;
  readonly app: string;
  /** The app's namespace. */
  readonly namespace: string;
  /** The app's Argo CD Application (same name as the app) and its namespace. */
  readonly application: { readonly name: string; readonly namespace: string };
  readonly cluster: string;
  readonly region: string;
  readonly vault: string;
  readonly roleName: string;
  /** Zones of node groups that can run the app's pods, in the environment's order. */
  readonly zones: readonly string[];
  /** Why those zones (for the plan the command prints). */
  readonly zonesReason: string;
  /** The StorageClass of retained, backed-up volumes. */
  readonly storageClass: string;
  /** The tag AWS Backup selects volumes by. */
  readonly backupTag: { readonly key: string; readonly value: string };
  /** The kube context: `--context`, else the cluster name (`update_kubeconfig_command` writes that alias). */
  readonly context: string;
}

/**
 * The restore target of `app` in `env`.
 * @throws RestoreError when the environment is not on EKS, has no backup, the app is unknown, or the
 *   app runs on Karpenter's GPU nodes (its models are on EFS, not a backed-up volume).
 */
export function restoreTarget(env: ValidEnvironment, catalog: readonly AppDefinition[], appName: string, context?: string): RestoreTarget {
  const app = catalog.find((a) => a.name === appName);
  if (!app) throw new RestoreError(`${env.name}: no app "${appName}" in the catalog (apps: ${catalog.map((a) => a.name).join(', ')})`);
  const cluster = env.cluster;
  if (cluster.kind !== 'eks') throw new RestoreError(`${env.name}.cluster.kind: restore needs an EKS cluster backed up by AWS Backup (got "${cluster.kind}")`);
  if (!env.backup) throw new RestoreError(`${env.name}.backup: not configured, so there is no vault to restore from`);
  const settings = (env.apps as Record<string, unknown>)[app.name];
  const onGpu = (app.gpus?.(settings as never) ?? 0) > 0 || app.onGpuNodes === true;
  if (onGpu && cluster.gpuCapacity) {
    throw new RestoreError(
      `${env.name}.cluster.gpuCapacity: ${app.name} runs on Karpenter's GPU nodes, whose data lives on the shared EFS model store, not on an EBS volume AWS Backup holds: pull the models again (docs/eks.md#cold-start-and-where-the-models-live)`,
    );
  }
  const zones = onGpu ? [...cluster.gpuNodes.availabilityZones] : [...cluster.vpc.availabilityZones];
  return {
    environment: env.name,
    app: app.name,
    namespace: app.namespace,
    application: { name: app.name, namespace: ARGOCD_NAMESPACE },
    cluster: cluster.name,
    region: cluster.region,
    vault: backupVaultName(cluster.name),
    roleName: backupRoleName(cluster.name),
    zones,
    zonesReason: onGpu
      ? `${app.name} runs on the GPU node group (${env.name}.cluster.gpuNodes)`
      : `the system node groups (one per zone of ${env.name}.cluster.vpc)`,
    storageClass: STATEFUL_STORAGE_CLASS,
    backupTag: { key: BACKUP_TAG_KEY, value: cluster.name },
    context: context ?? cluster.name,
  };
}

/**
 * The tags of a volume restored for `claim`: what the scoped EBS CSI policy requires to attach it
 * (`kubernetes.io/cluster/<name>=owned`), what the driver puts on the volumes it creates (so it
 * treats this one like its own, DeleteVolume included), the backup selection tag (so it is backed
 * up again) and the created-for tags by which the next restore finds it.
 */
export function restoredVolumeTags(target: RestoreTarget, claim: { namespace: string; name: string }, pvName: string): Tag[] {
  const owned = ebsCsiClusterTag(target.cluster);
  return [
    { Key: owned.key, Value: owned.value },
    { Key: CSI_DRIVER_TAGS.managed, Value: 'true' },
    { Key: CSI_DRIVER_TAGS.kubernetesCluster, Value: target.cluster },
    { Key: CSI_DRIVER_TAGS.volumeName, Value: pvName },
    { Key: CSI_DRIVER_TAGS.pvName, Value: pvName },
    { Key: CSI_DRIVER_TAGS.pvcName, Value: claim.name },
    { Key: CSI_DRIVER_TAGS.pvcNamespace, Value: claim.namespace },
    { Key: target.backupTag.key, Value: target.backupTag.value },
    { Key: 'Name', Value: `${target.cluster}-restored-${pvName}` },
  ];
}

/**
 * The PersistentVolume name of a restored volume: the claim's namespace and name and the volume
 * id, so a second restore of the same claim gets a new name (a DNS subdomain, at most 253).
 */
export function restoredPvName(claim: { namespace: string; name: string }, volumeId: string): string {
  const suffix = `-${volumeId.toLowerCase()}`;
  return `${`${claim.namespace}-${claim.name}`.slice(0, 253 - suffix.length)}${suffix}`;
}
