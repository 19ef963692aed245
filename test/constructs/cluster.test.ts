import { CapacityType, EksCluster, EksClusterProps, NodegroupOptions, TaintEffect } from '../../constructs/cluster/eks-cluster';
import { EksNetwork } from '../../constructs/cluster/eks-network';
import { synthScope } from '../support/synth';

const base: EksClusterProps = { clusterName: 'llm', kubernetesVersion: '1.35', subnetIds: ['a', 'b', 'c'], publicAccessCidrs: ['203.0.113.0/24'] };
const gpu: NodegroupOptions = {
  nodegroupName: 'gpu',
  instanceTypes: ['g6.xlarge'],
  amiType: 'BOTTLEROCKET_x86_64_NVIDIA',
  capacityType: CapacityType.SPOT,
  minSize: 0,
  desiredSize: 1,
  maxSize: 2,
  taints: [{ key: 'nvidia.com/gpu', value: 'true', effect: TaintEffect.NO_SCHEDULE }],
};

describe('EksCluster', () => {
  test('node groups follow the control plane version; add-ons wait for untainted groups only', () => {
    const s = synthScope((scope) => {
      const eks = new EksCluster(scope, 'eks', base);
      eks.addNodegroupCapacity('system', { nodegroupName: 'system', instanceTypes: ['m6i.large'], minSize: 1, desiredSize: 1, maxSize: 2 });
      eks.addNodegroupCapacity('gpu', gpu);
    });
    const groups = Object.fromEntries(s.all('aws_eks_node_group').map((g) => [g.node_group_name, g]));
    expect(groups.system).toMatchObject({ ami_type: 'AL2023_x86_64_STANDARD', capacity_type: 'ON_DEMAND', disk_size: 50 });
    expect(groups.system.version).toMatch(/^\$\{aws_eks_cluster\.eks_cluster_\w+\.version\}$/);
    expect(groups.gpu).toMatchObject({ ami_type: 'BOTTLEROCKET_x86_64_NVIDIA', capacity_type: 'SPOT', taint: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NO_SCHEDULE' }] });
    const systemAddress = s.address('aws_eks_node_group', (g) => g.node_group_name === 'system');
    const gpuAddress = s.address('aws_eks_node_group', (g) => g.node_group_name === 'gpu');
    for (const addon of s.all('aws_eks_addon')) {
      expect(addon.depends_on).toContain(systemAddress);
      expect(addon.depends_on).not.toContain(gpuAddress);
    }
  });

  test('add-on versions default to the pinned ones', () => {
    const s = synthScope((scope) => new EksCluster(scope, 'eks', base));
    expect(Object.fromEntries(s.all('aws_eks_addon').map((a) => [a.addon_name, a.addon_version]))).toEqual({
      'eks-pod-identity-agent': 'v1.3.9-eksbuild.1',
      'aws-ebs-csi-driver': 'v1.66.0-eksbuild.1',
    });
  });

  const INVALID: [string, (scope: any) => void, RegExp][] = [
    ['fewer than two subnets', (s) => new EksCluster(s, 'eks', { ...base, subnetIds: ['a'] }), /^stack\/eks: subnetIds has 1 subnet\(s\); EKS needs subnets in at least 2 zones$/],
    [
      'sizes out of order',
      (s) => new EksCluster(s, 'eks', base).addNodegroupCapacity('g', { ...gpu, desiredSize: 5 }),
      /^stack\/eks: node group "gpu" must satisfy 0 <= minSize <= desiredSize <= maxSize, maxSize >= 1 \(got 0, 5, 2\)$/,
    ],
    ['no instance type', (s) => new EksCluster(s, 'eks', base).addNodegroupCapacity('g', { ...gpu, instanceTypes: [] }), /^stack\/eks: node group "gpu" needs at least one instance type$/],
  ];
  test.each(INVALID)('rejects %s', (_name, build, message) => {
    expect(() => synthScope(build)).toThrow(message);
  });
});

describe('EksNetwork', () => {
  test('rejects a zone count EKS cannot use', () => {
    expect(() => synthScope((s) => new EksNetwork(s, 'net', { clusterName: 'c', cidr: '10.0.0.0/16', availabilityZones: ['eu-west-1a'] }))).toThrow(
      /^stack\/net: availabilityZones has 1 zones; EKS needs 2 to 6 \(got eu-west-1a\)$/,
    );
  });
});
