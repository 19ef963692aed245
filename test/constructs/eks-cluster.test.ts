import { Testing } from 'cdktf';
import { EksCluster } from '../../constructs/eks-cluster';
import { environment } from '../support/synth';

const eks = environment('staging').cluster;
if (eks.kind !== 'eks') throw new Error('staging is EKS');

describe('EksCluster', () => {
  test('rejects fewer than two subnets', () => {
    expect(() => Testing.synthScope((s) => new EksCluster(s, 'eks', { config: eks, privateSubnetIds: ['subnet-1'] }))).toThrow(
      /^EksCluster: "llm-staging" needs subnets in at least 2 zones \(got 1\)$/,
    );
  });

  test('Bottlerocket NVIDIA GPU nodes keep the taint and label', () => {
    const config = { ...eks, gpuNodes: { ...eks.gpuNodes, amiType: 'BOTTLEROCKET_x86_64_NVIDIA' as const } };
    const json = JSON.parse(Testing.synthScope((s) => new EksCluster(s, 'eks', { config, privateSubnetIds: ['a', 'b', 'c'] })));
    const gpu: any = Object.values(json.resource.aws_eks_node_group).find((g: any) => g.node_group_name === 'gpu');
    expect(gpu).toMatchObject({ ami_type: 'BOTTLEROCKET_x86_64_NVIDIA', taint: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NO_SCHEDULE' }] });
    expect(gpu.labels['nvidia.com/gpu.present']).toBe('true');
  });
});
