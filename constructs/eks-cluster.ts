import { Construct } from 'constructs';
import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { EksCluster as EksControlPlane } from '@cdktf/provider-aws/lib/eks-cluster';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { EksClusterConfig } from '../environments/schema';
import { serviceRole } from './private/iam';
import { GPU_NODES } from './private/platform-layout';

/** Properties of {@link EksCluster}. */
export interface EksClusterProps {
  /** Cluster settings from the environment (name, version, node groups, add-ons). */
  readonly config: EksClusterConfig;
  /** Subnets of the nodes and the control plane's network interfaces. */
  readonly privateSubnetIds: readonly string[];
}

const TAINT_EFFECTS: Record<string, string> = { NoSchedule: 'NO_SCHEDULE', NoExecute: 'NO_EXECUTE', PreferNoSchedule: 'PREFER_NO_SCHEDULE' };

/**
 * An EKS cluster with API-mode access entries (the creator is cluster admin), a CPU node group
 * for system pods, a tainted NVIDIA GPU node group, EKS Pod Identity, and the EBS CSI driver
 * whose controller gets its IAM role through Pod Identity.
 */
export class EksCluster extends Construct {
  /** The control plane. */
  public readonly cluster: EksControlPlane;
  /** CPU nodes for system workloads. */
  public readonly systemNodes: EksNodeGroup;
  /** GPU nodes, tainted `nvidia.com/gpu=true:NoSchedule`. */
  public readonly gpuNodes: EksNodeGroup;

  constructor(scope: Construct, id: string, props: EksClusterProps) {
    super(scope, id);
    const config = props.config;
    if (props.privateSubnetIds.length < 2) {
      throw new Error(`EksCluster: "${config.name}" needs subnets in at least 2 zones (got ${props.privateSubnetIds.length})`);
    }

    const clusterRole = serviceRole(this, 'cluster_role', `${config.name}-cluster`, 'eks.amazonaws.com', ['AmazonEKSClusterPolicy']);
    this.cluster = new EksControlPlane(this, 'cluster', {
      name: config.name,
      version: config.kubernetesVersion,
      roleArn: clusterRole.role.arn,
      accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: true },
      vpcConfig: {
        subnetIds: [...props.privateSubnetIds],
        endpointPrivateAccess: true,
        endpointPublicAccess: true,
        publicAccessCidrs: config.publicAccessCidrs,
      },
      enabledClusterLogTypes: ['api', 'audit', 'authenticator'],
      upgradePolicy: { supportType: 'STANDARD' },
      dependsOn: [...clusterRole.attachments],
    });

    const nodeRole = serviceRole(this, 'node_role', `${config.name}-node`, 'ec2.amazonaws.com', [
      'AmazonEKSWorkerNodePolicy',
      'AmazonEKS_CNI_Policy',
      'AmazonEC2ContainerRegistryReadOnly',
    ]);
    const common = {
      clusterName: this.cluster.name,
      nodeRoleArn: nodeRole.role.arn,
      subnetIds: [...props.privateSubnetIds],
      updateConfig: { maxUnavailable: 1 },
      // The cluster autoscaler owns the desired size once the group exists.
      lifecycle: { ignoreChanges: ['scaling_config[0].desired_size'] },
      dependsOn: [...nodeRole.attachments],
    };
    const scaling = (g: EksClusterConfig['systemNodes']) => ({ minSize: g.minSize, desiredSize: g.desiredSize, maxSize: g.maxSize });

    this.systemNodes = new EksNodeGroup(this, 'system_nodes', {
      ...common,
      nodeGroupName: 'system',
      amiType: 'AL2023_x86_64_STANDARD',
      instanceTypes: config.systemNodes.instanceTypes,
      diskSize: config.systemNodes.diskSizeGiB,
      scalingConfig: scaling(config.systemNodes),
      labels: { 'llm-platform/pool': 'system' },
    });
    this.gpuNodes = new EksNodeGroup(this, 'gpu_nodes', {
      ...common,
      nodeGroupName: 'gpu',
      amiType: config.gpuNodes.amiType,
      capacityType: config.gpuNodes.capacityType,
      instanceTypes: config.gpuNodes.instanceTypes,
      diskSize: config.gpuNodes.diskSizeGiB,
      scalingConfig: scaling(config.gpuNodes),
      labels: { 'llm-platform/pool': 'gpu', [GPU_NODES.label.key]: GPU_NODES.label.value },
      taint: [{ key: GPU_NODES.taint.key, value: GPU_NODES.taint.value, effect: TAINT_EFFECTS[GPU_NODES.taint.effect] }],
    });

    const podIdentity = new EksAddon(this, 'pod_identity_agent', {
      clusterName: this.cluster.name,
      addonName: 'eks-pod-identity-agent',
      addonVersion: config.addons.podIdentityAgent,
      resolveConflictsOnCreate: 'OVERWRITE',
      resolveConflictsOnUpdate: 'OVERWRITE',
      dependsOn: [this.systemNodes],
    });
    const ebsCsiRole = serviceRole(this, 'ebs_csi_role', `${config.name}-ebs-csi`, 'pods.eks.amazonaws.com', ['service-role/AmazonEBSCSIDriverPolicy'], ['sts:AssumeRole', 'sts:TagSession']);
    new EksAddon(this, 'ebs_csi_driver', {
      clusterName: this.cluster.name,
      addonName: 'aws-ebs-csi-driver',
      addonVersion: config.addons.ebsCsiDriver,
      resolveConflictsOnCreate: 'OVERWRITE',
      resolveConflictsOnUpdate: 'OVERWRITE',
      podIdentityAssociation: [{ roleArn: ebsCsiRole.role.arn, serviceAccount: 'ebs-csi-controller-sa' }],
      dependsOn: [podIdentity, this.systemNodes, ...ebsCsiRole.attachments],
    });
  }
}
