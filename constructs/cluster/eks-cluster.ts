import { dependable } from 'cdktf';
import { Construct } from 'constructs';
import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { EksCluster as EksControlPlane } from '@cdktf/provider-aws/lib/eks-cluster';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { ConstructError } from '../core/errors';
import { EKS_ADDON_VERSIONS } from '../core/versions';
import { ServiceRole, serviceRole } from './iam';

/** Whether a node group runs on on-demand or spot capacity. */
export enum CapacityType {
  ON_DEMAND = 'ON_DEMAND',
  SPOT = 'SPOT',
}

/** Effect of a node taint, as the EKS API spells it. */
export enum TaintEffect {
  NO_SCHEDULE = 'NO_SCHEDULE',
  NO_EXECUTE = 'NO_EXECUTE',
  PREFER_NO_SCHEDULE = 'PREFER_NO_SCHEDULE',
}

/** A taint on every node of a group. */
export interface NodeTaint {
  readonly key: string;
  /**
   * Taint value.
   * @default - none
   */
  readonly value?: string;
  readonly effect: TaintEffect;
}

/** Exact versions of the EKS managed add-ons the cluster installs. */
export interface EksAddonVersions {
  /** `aws-ebs-csi-driver`, e.g. `v1.66.0-eksbuild.1`. */
  readonly ebsCsiDriver: string;
  /** `eks-pod-identity-agent`, e.g. `v1.3.9-eksbuild.1`. */
  readonly podIdentityAgent: string;
}

/** Properties of {@link EksCluster}. */
export interface EksClusterProps {
  /** EKS cluster name. */
  readonly clusterName: string;
  /** Kubernetes minor version of the control plane; node groups follow it. */
  readonly kubernetesVersion: string;
  /** Subnets of the nodes and the control plane's network interfaces (at least two zones). */
  readonly subnetIds: readonly string[];
  /** CIDR blocks allowed to reach the public API endpoint. */
  readonly publicAccessCidrs: readonly string[];
  /**
   * Versions of the managed add-ons.
   * @default EKS_ADDON_VERSIONS
   */
  readonly addons?: EksAddonVersions;
}

/** Options of {@link EksCluster.addNodegroupCapacity}. */
export interface NodegroupOptions {
  /** Node group name. */
  readonly nodegroupName: string;
  /** EC2 instance types, most preferred first. */
  readonly instanceTypes: readonly string[];
  /**
   * AMI type.
   * @default 'AL2023_x86_64_STANDARD'
   */
  readonly amiType?: string;
  /**
   * On-demand or spot capacity.
   * @default CapacityType.ON_DEMAND
   */
  readonly capacityType?: CapacityType;
  /** Minimum number of nodes. */
  readonly minSize: number;
  /** Number of nodes at creation (later left to the autoscaler). */
  readonly desiredSize: number;
  /** Maximum number of nodes. */
  readonly maxSize: number;
  /**
   * Root volume size in GiB.
   * @default 50
   */
  readonly diskSizeGiB?: number;
  /**
   * Kubernetes labels of the nodes.
   * @default {}
   */
  readonly labels?: Record<string, string>;
  /**
   * Taints of the nodes.
   * @default []
   */
  readonly taints?: readonly NodeTaint[];
}

/**
 * An EKS cluster with API-mode access entries (the creator is cluster admin), EKS Pod Identity,
 * and the EBS CSI driver whose controller gets its IAM role through Pod Identity. Node groups are
 * added with {@link addNodegroupCapacity}; the add-ons wait for the untainted ones, since an
 * add-on only becomes active once its pods run.
 */
export class EksCluster extends Construct {
  /** The control plane. */
  public readonly cluster: EksControlPlane;
  private readonly nodeRole: ServiceRole;
  private readonly subnetIds: readonly string[];
  private readonly addons: EksAddon[] = [];

  constructor(scope: Construct, id: string, props: EksClusterProps) {
    super(scope, id);
    if (props.subnetIds.length < 2) {
      throw new ConstructError(this, `subnetIds has ${props.subnetIds.length} subnet(s); EKS needs subnets in at least 2 zones`);
    }
    this.subnetIds = props.subnetIds;
    const name = props.clusterName;
    const addons = props.addons ?? EKS_ADDON_VERSIONS;

    const clusterRole = serviceRole(this, 'cluster_role', `${name}-cluster`, 'eks.amazonaws.com', ['AmazonEKSClusterPolicy']);
    this.cluster = new EksControlPlane(this, 'cluster', {
      name,
      version: props.kubernetesVersion,
      roleArn: clusterRole.role.arn,
      accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: true },
      vpcConfig: {
        subnetIds: [...props.subnetIds],
        endpointPrivateAccess: true,
        endpointPublicAccess: true,
        publicAccessCidrs: [...props.publicAccessCidrs],
      },
      enabledClusterLogTypes: ['api', 'audit', 'authenticator'],
      upgradePolicy: { supportType: 'STANDARD' },
      dependsOn: [...clusterRole.attachments],
    });

    this.nodeRole = serviceRole(this, 'node_role', `${name}-node`, 'ec2.amazonaws.com', [
      'AmazonEKSWorkerNodePolicy',
      'AmazonEKS_CNI_Policy',
      'AmazonEC2ContainerRegistryReadOnly',
    ]);

    const podIdentity = new EksAddon(this, 'pod_identity_agent', {
      clusterName: this.cluster.name,
      addonName: 'eks-pod-identity-agent',
      addonVersion: addons.podIdentityAgent,
      resolveConflictsOnCreate: 'OVERWRITE',
      resolveConflictsOnUpdate: 'OVERWRITE',
    });
    const ebsCsiRole = serviceRole(this, 'ebs_csi_role', `${name}-ebs-csi`, 'pods.eks.amazonaws.com', ['service-role/AmazonEBSCSIDriverPolicy'], [
      'sts:AssumeRole',
      'sts:TagSession',
    ]);
    const ebsCsi = new EksAddon(this, 'ebs_csi_driver', {
      clusterName: this.cluster.name,
      addonName: 'aws-ebs-csi-driver',
      addonVersion: addons.ebsCsiDriver,
      resolveConflictsOnCreate: 'OVERWRITE',
      resolveConflictsOnUpdate: 'OVERWRITE',
      podIdentityAssociation: [{ roleArn: ebsCsiRole.role.arn, serviceAccount: 'ebs-csi-controller-sa' }],
      dependsOn: [podIdentity, ...ebsCsiRole.attachments],
    });
    this.addons.push(podIdentity, ebsCsi);
  }

  /**
   * Adds a managed node group on the cluster's subnets, running the cluster's Kubernetes version.
   * The managed add-ons are created after every untainted group.
   */
  public addNodegroupCapacity(id: string, options: NodegroupOptions): EksNodeGroup {
    const { minSize, desiredSize, maxSize } = options;
    if (!(minSize >= 0 && minSize <= desiredSize && desiredSize <= maxSize && maxSize >= 1)) {
      throw new ConstructError(this, `node group "${options.nodegroupName}" must satisfy 0 <= minSize <= desiredSize <= maxSize, maxSize >= 1 (got ${minSize}, ${desiredSize}, ${maxSize})`);
    }
    if (options.instanceTypes.length === 0) throw new ConstructError(this, `node group "${options.nodegroupName}" needs at least one instance type`);
    const group = new EksNodeGroup(this, id, {
      clusterName: this.cluster.name,
      nodeGroupName: options.nodegroupName,
      version: this.cluster.version,
      nodeRoleArn: this.nodeRole.role.arn,
      subnetIds: [...this.subnetIds],
      amiType: options.amiType ?? 'AL2023_x86_64_STANDARD',
      capacityType: options.capacityType ?? CapacityType.ON_DEMAND,
      instanceTypes: [...options.instanceTypes],
      diskSize: options.diskSizeGiB ?? 50,
      scalingConfig: { minSize, desiredSize, maxSize },
      updateConfig: { maxUnavailable: 1 },
      labels: options.labels,
      taint: options.taints?.map((t) => ({ key: t.key, value: t.value, effect: t.effect })),
      // The cluster autoscaler owns the desired size once the group exists.
      lifecycle: { ignoreChanges: ['scaling_config[0].desired_size'] },
      dependsOn: [...this.nodeRole.attachments],
    });
    // The add-ons' pods schedule on untainted nodes only; an add-on is active once they run.
    if ((options.taints ?? []).length === 0) {
      for (const addon of this.addons) addon.dependsOn = [...(addon.dependsOn ?? []), dependable(group)];
    }
    return group;
  }
}
