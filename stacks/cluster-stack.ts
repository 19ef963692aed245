import { SYSTEM_AMI_TYPE } from '../contracts/eks-ami-releases';
import { Aspects, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { EksClusterConfig, StateConfig } from '../environments/schema';
import { GPU_NODES, GPU_NODE_POOL, G_AND_VT_VCPU_QUOTAS } from '../constructs/core/gpu-nodes';
import { updateKubeconfigCommand } from '../constructs/core/kubectl';
import { PinProviderVersions } from '../constructs/core/provider-pins';
import { configureStateBackend } from '../constructs/core/state-backend';
import { requireTerraformVersion } from '../constructs/core/ephemeral';
import { ClusterKey } from '../constructs/cluster/cluster-key';
import { EksCluster } from '../constructs/cluster/eks-cluster';
import { movedFrom } from '../constructs/core/moved';
import { EksNetwork } from '../constructs/cluster/eks-network';
import { GpuCapacityPreflight } from '../constructs/cluster/gpu-capacity-preflight';
import { KarpenterNodeAccess } from '../constructs/cluster/karpenter-nodes';
import { KARPENTER_DISCOVERY_TAG } from '../constructs/cluster/names';
import { ModelStore } from '../constructs/cluster/model-store';
import { CapacityType } from '../contracts/eks-types';

/** Addresses of the one system node group (all zones) that the per-zone groups replaced. */
const SYSTEM_NODES_BEFORE_PER_ZONE = {
  nodeGroup: 'aws_eks_node_group.eks_system_nodes_CF5E6517',
  launchTemplate: 'aws_launch_template.eks_system_nodes_launch_template_C7DD7D64',
} as const;

/** Properties of {@link ClusterStack}. */
export interface ClusterStackProps {
  /** The EKS settings of the environment. */
  readonly cluster: EksClusterConfig;
  /** Where the stack keeps its state. */
  readonly state: StateConfig;
  /**
   * Tags on every AWS resource.
   * @default {}
   */
  readonly tags?: Record<string, string>;
}

/**
 * `<env>-cluster`: the VPC and the EKS cluster with its node groups and add-ons. The later stacks
 * configure their Kubernetes providers from this cluster, which is why it is a stack of its own:
 * a provider cannot be configured from a cluster created in the same plan.
 */
export class ClusterStack extends TerraformStack {
  /** The EKS cluster. */
  public readonly eks: EksCluster;
  /** The VPC and its subnets. */
  public readonly network: EksNetwork;
  /** With `gpuCapacity`: the role, access entry and discovery tag of the nodes Karpenter launches. */
  public readonly karpenterNodes?: KarpenterNodeAccess;
  /** With `gpuCapacity`: Ollama's models on EFS, shared by the GPU nodes of every zone. */
  public readonly modelStore?: ModelStore;

  constructor(scope: Construct, name: string, props: ClusterStackProps) {
    super(scope, name);
    const cluster = props.cluster;
    configureStateBackend(this, name, props.state);
    requireTerraformVersion(this);
    new AwsProvider(this, 'aws', {
      region: cluster.region,
      defaultTags: [{ tags: { 'app.kubernetes.io/part-of': 'llm-platform', 'managed-by': 'terraform', ...(props.tags ?? {}) } }],
    });
    const key = new ClusterKey(this, 'key', { clusterName: cluster.name });
    this.network = new EksNetwork(this, 'network', {
      clusterName: cluster.name,
      cidr: cluster.vpc.cidr,
      availabilityZones: cluster.vpc.availabilityZones,
      singleNatGateway: cluster.vpc.singleNatGateway,
      kmsKeyArn: key.key.arn,
      flowLogRetentionDays: cluster.logRetentionDays,
      // Karpenter's EC2NodeClass launches into the subnets carrying the cluster's discovery tag.
      privateSubnetTags: cluster.gpuCapacity ? { [KARPENTER_DISCOVERY_TAG]: cluster.name } : undefined,
    });
    const privateSubnets = this.network.privateSubnets.map((s) => s.id);
    this.eks = new EksCluster(this, 'eks', {
      clusterName: cluster.name,
      kubernetesVersion: cluster.kubernetesVersion,
      subnetIds: privateSubnets,
      publicAccessCidrs: cluster.publicAccessCidrs,
      allowPublicAccessFromAnywhere: cluster.allowPublicEndpointFromAnywhere,
      adminPrincipalArns: cluster.access.admins,
      viewerPrincipalArns: cluster.access.readOnly,
      kmsKeyArn: key.key.arn,
      logRetentionDays: cluster.logRetentionDays,
      deletionProtection: cluster.deletionProtection,
      addonVersions: cluster.addons,
    });
    // One group per zone: EBS volumes are zonal, and a group spread over zones may leave a zone
    // without a node (two nodes in three zones; a replacement landing elsewhere), stranding the
    // pods whose volumes live there. Each group keeps at least one node in its zone.
    cluster.vpc.availabilityZones.forEach((zone, i) => {
      const group = this.eks.addNodegroupCapacity(`system_nodes_${zone}`, {
        nodegroupName: `system-${zone}`,
        amiType: SYSTEM_AMI_TYPE,
        releaseVersion: cluster.systemNodes.releaseVersion,
        instanceTypes: cluster.systemNodes.instanceTypes,
        minSize: cluster.systemNodes.minSize,
        desiredSize: cluster.systemNodes.desiredSize,
        maxSize: cluster.systemNodes.maxSize,
        diskSizeGiB: cluster.systemNodes.diskSizeGiB,
        subnetIds: [privateSubnets[i]],
        labels: { 'llm-platform/pool': 'system' },
      });
      // The single system group of earlier releases becomes the first zone's group.
      if (i === 0) {
        movedFrom(group, SYSTEM_NODES_BEFORE_PER_ZONE.nodeGroup);
        movedFrom(this.eks.launchTemplateOf(group), SYSTEM_NODES_BEFORE_PER_ZONE.launchTemplate);
      }
    });
    if (cluster.gpuNodes.managedGroup) this.addGpuNodeGroup(cluster, privateSubnets);
    if (cluster.gpuCapacity) {
      this.karpenterNodes = new KarpenterNodeAccess(this, 'karpenter_nodes', {
        clusterName: this.eks.cluster.name,
        name: cluster.name,
        clusterSecurityGroupId: this.eks.cluster.vpcConfig.clusterSecurityGroupId,
      });
      // GPU nodes come and go in any zone: the models live where every one of them reads them.
      this.modelStore = new ModelStore(this, 'model_store', {
        clusterName: cluster.name,
        vpcId: this.network.vpc.id,
        subnetIds: privateSubnets,
        nodeSecurityGroupId: this.eks.cluster.vpcConfig.clusterSecurityGroupId,
        kmsKeyArn: key.key.arn,
      });
      // The NodePool's limit, not a node count, bounds what Karpenter may launch: the preflight
      // checks the quota of each capacity type it may use against the largest fleet the limit allows.
      new GpuCapacityPreflight(this, 'gpu_capacity_preflight', {
        nodePool: GPU_NODE_POOL,
        instanceTypes: cluster.gpuCapacity.instanceTypes,
        maxGpus: cluster.gpuCapacity.maxGpus,
        quotas: cluster.gpuCapacity.capacityTypes.map((t) => G_AND_VT_VCPU_QUOTAS[t === 'spot' ? CapacityType.SPOT : CapacityType.ON_DEMAND]),
        availabilityZones: cluster.vpc.availabilityZones,
      });
    }

    new TerraformOutput(this, 'cluster_name', { value: this.eks.cluster.name });
    new TerraformOutput(this, 'cluster_endpoint', { value: this.eks.cluster.endpoint });
    new TerraformOutput(this, 'vpc_id', { value: this.network.vpc.id, description: 'The VPC of the cluster (the load balancer controller needs it)' });
    new TerraformOutput(this, 'update_kubeconfig_command', {
      value: updateKubeconfigCommand(cluster),
      description: 'Adds a kubeconfig context named after the cluster',
    });
    Aspects.of(this).add(new PinProviderVersions());
  }

  /**
   * One managed group over the GPU zones (the same address whatever their number: a changed list
   * replaces the group create-before-destroy). With several zones Ollama's model volume is per
   * pod, so a node in any of them can serve.
   */
  private addGpuNodeGroup(cluster: EksClusterConfig, privateSubnets: string[]): void {
    const gpuZones = cluster.gpuNodes.availabilityZones;
    this.eks.addNodegroupCapacity('gpu_nodes', {
      nodegroupName: 'gpu',
      amiType: cluster.gpuNodes.amiType,
      releaseVersion: cluster.gpuNodes.releaseVersion,
      capacityType: cluster.gpuNodes.capacityType,
      instanceTypes: cluster.gpuNodes.instanceTypes,
      minSize: cluster.gpuNodes.minSize,
      desiredSize: cluster.gpuNodes.desiredSize,
      maxSize: cluster.gpuNodes.maxSize,
      diskSizeGiB: cluster.gpuNodes.diskSizeGiB,
      subnetIds: gpuZones.map((zone) => privateSubnets[cluster.vpc.availabilityZones.indexOf(zone)]),
      waitForNodes: cluster.gpuNodes.waitForNodes,
      labels: { 'llm-platform/pool': 'gpu', [GPU_NODES.label.key]: GPU_NODES.label.value },
      taints: [GPU_NODES.taint],
      preflight: { availabilityZones: gpuZones, vcpuQuota: G_AND_VT_VCPU_QUOTAS[cluster.gpuNodes.capacityType] },
    });
  }
}
