import { Aspects, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { EksClusterConfig, StateConfig } from '../../environments/schema';
import { updateKubeconfigCommand } from '../core/kubectl';
import { PinProviderVersions } from '../core/provider-pins';
import { configureStateBackend } from '../core/state-backend';
import { GPU_NODES } from '../core/gpu-nodes';
import { EksCluster } from './eks-cluster';
import { EksNetwork } from './eks-network';

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

  constructor(scope: Construct, name: string, props: ClusterStackProps) {
    super(scope, name);
    const cluster = props.cluster;
    configureStateBackend(this, name, props.state);
    new AwsProvider(this, 'aws', {
      region: cluster.region,
      defaultTags: [{ tags: { 'app.kubernetes.io/part-of': 'llm-platform', 'managed-by': 'terraform', ...(props.tags ?? {}) } }],
    });
    const network = new EksNetwork(this, 'network', {
      clusterName: cluster.name,
      cidr: cluster.vpc.cidr,
      availabilityZones: cluster.vpc.availabilityZones,
      singleNatGateway: cluster.vpc.singleNatGateway,
    });
    this.eks = new EksCluster(this, 'eks', {
      clusterName: cluster.name,
      kubernetesVersion: cluster.kubernetesVersion,
      subnetIds: network.privateSubnets.map((s) => s.id),
      publicAccessCidrs: cluster.publicAccessCidrs,
      addons: cluster.addons,
    });
    this.eks.addNodegroupCapacity('system_nodes', {
      nodegroupName: 'system',
      instanceTypes: cluster.systemNodes.instanceTypes,
      minSize: cluster.systemNodes.minSize,
      desiredSize: cluster.systemNodes.desiredSize,
      maxSize: cluster.systemNodes.maxSize,
      diskSizeGiB: cluster.systemNodes.diskSizeGiB,
      labels: { 'llm-platform/pool': 'system' },
    });
    this.eks.addNodegroupCapacity('gpu_nodes', {
      nodegroupName: 'gpu',
      amiType: cluster.gpuNodes.amiType,
      capacityType: cluster.gpuNodes.capacityType,
      instanceTypes: cluster.gpuNodes.instanceTypes,
      minSize: cluster.gpuNodes.minSize,
      desiredSize: cluster.gpuNodes.desiredSize,
      maxSize: cluster.gpuNodes.maxSize,
      diskSizeGiB: cluster.gpuNodes.diskSizeGiB,
      labels: { 'llm-platform/pool': 'gpu', [GPU_NODES.label.key]: GPU_NODES.label.value },
      taints: [GPU_NODES.taint],
    });

    new TerraformOutput(this, 'cluster_name', { value: this.eks.cluster.name });
    new TerraformOutput(this, 'cluster_endpoint', { value: this.eks.cluster.endpoint });
    new TerraformOutput(this, 'update_kubeconfig_command', {
      value: updateKubeconfigCommand(cluster),
      description: 'Adds a kubeconfig context named after the cluster',
    });
    Aspects.of(this).add(new PinProviderVersions());
  }
}
