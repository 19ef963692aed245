import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { all, environment, environmentStacks, synth } from '../support/synth';

const staging = synth(environmentStacks(environment('staging')).cluster!);
const prod = synth(environmentStacks(environment('prod')).cluster!);

const nodeGroup = (json: typeof staging.json, name: string) => all(json, 'aws_eks_node_group').find((g) => g.node_group_name === name);

describe('staging-cluster', () => {
  test('defaults snapshot', () => {
    expect(staging.json).toMatchSnapshot();
  });

  test('dev has no cluster stack: minikube exists before Terraform runs', () => {
    expect(environmentStacks(environment('dev')).cluster).toBeUndefined();
    expect(environmentStacks(environment('dev')).all.map((s) => s.node.id)).toEqual(['dev-platform', 'dev-apps']);
  });

  test('creates a VPC with a private and a public subnet in each of three zones', () => {
    const subnets = all(staging.json, 'aws_subnet');
    expect(subnets).toHaveLength(6);
    const zones = (kind: string) => subnets.filter((s) => s.tags.Name.includes(`-${kind}-`)).map((s) => s.availability_zone).sort();
    expect(zones('private')).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    expect(zones('public')).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    expect(subnets.filter((s) => s.tags['kubernetes.io/role/elb'] === '1')).toHaveLength(3);
    expect(subnets.filter((s) => s.tags['kubernetes.io/role/internal-elb'] === '1')).toHaveLength(3);
    expect(subnets.find((s) => s.availability_zone === 'eu-west-1b' && s.tags.Name.includes('private')).cidr_block).toBe('${cidrsubnet("10.20.0.0/16", 3, 1)}');
  });

  test('routes private subnets through NAT: one gateway in staging', () => {
    expect(all(staging.json, 'aws_nat_gateway')).toHaveLength(1);
    const privateRoutes = all(staging.json, 'aws_route_table').filter((t) => t.tags.Name.includes('private'));
    expect(privateRoutes).toHaveLength(3);
    for (const t of privateRoutes) expect(t.route[0].nat_gateway_id).toMatch(/^\$\{aws_nat_gateway\.network_nat_eu-west-1a_\w+\.id\}$/);
  });

  test('runs a current Kubernetes version with API access entries', () => {
    expect(staging.text).toHaveResourceWithProperties(EksCluster, {
      name: 'llm-staging',
      version: '1.35',
      access_config: { authentication_mode: 'API', bootstrap_cluster_creator_admin_permissions: true },
      vpc_config: expect.objectContaining({ endpoint_private_access: true, public_access_cidrs: ['0.0.0.0/0'] }),
    });
  });

  test('waits for the IAM policy attachments before creating the cluster and the node groups', () => {
    const cluster: any = all(staging.json, 'aws_eks_cluster')[0];
    expect(cluster.depends_on).toEqual([expect.stringMatching(/^aws_iam_role_policy_attachment\.eks_cluster_role_AmazonEKSClusterPolicy_\w+$/)]);
    for (const name of ['system', 'gpu']) {
      expect(nodeGroup(staging.json, name).depends_on).toHaveLength(3);
      for (const dep of nodeGroup(staging.json, name).depends_on) expect(dep).toMatch(/^aws_iam_role_policy_attachment\.eks_node_role_/);
    }
  });

  test('has a CPU node group for system pods', () => {
    expect(nodeGroup(staging.json, 'system')).toMatchObject({
      ami_type: 'AL2023_x86_64_STANDARD',
      instance_types: ['m6i.large'],
      scaling_config: { min_size: 2, desired_size: 2, max_size: 3 },
    });
    expect(nodeGroup(staging.json, 'system').taint).toBeUndefined();
  });

  test('has a tainted, labelled GPU node group on an NVIDIA AMI', () => {
    expect(staging.text).toHaveResourceWithProperties(EksNodeGroup, {
      node_group_name: 'gpu',
      ami_type: 'AL2023_x86_64_NVIDIA',
      capacity_type: 'SPOT',
      instance_types: ['g6.xlarge', 'g5.xlarge'],
      labels: { 'llm-platform/pool': 'gpu', 'nvidia.com/gpu.present': 'true' },
      taint: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NO_SCHEDULE' }],
    });
    expect(nodeGroup(staging.json, 'gpu').lifecycle).toEqual({ ignore_changes: ['scaling_config[0].desired_size'] });
  });

  test('installs the EBS CSI driver add-on with its IAM role through Pod Identity', () => {
    expect(staging.text).toHaveResourceWithProperties(EksAddon, { addon_name: 'eks-pod-identity-agent', addon_version: 'v1.3.9-eksbuild.1' });
    expect(staging.text).toHaveResourceWithProperties(EksAddon, {
      addon_name: 'aws-ebs-csi-driver',
      addon_version: 'v1.66.0-eksbuild.1',
      pod_identity_association: [expect.objectContaining({ service_account: 'ebs-csi-controller-sa' })],
    });
    const role = all(staging.json, 'aws_iam_role').find((r) => r.name === 'llm-staging-ebs-csi');
    expect(JSON.parse(role.assume_role_policy).Statement[0]).toEqual({
      Effect: 'Allow',
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
    });
    expect(all(staging.json, 'aws_iam_role_policy_attachment').map((a) => a.policy_arn)).toContain('arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy');
    expect(staging.text).toHaveResource(IamRole);
  });

  test('outputs the update-kubeconfig command', () => {
    expect(staging.json.output!.update_kubeconfig_command.value).toBe('aws eks update-kubeconfig --region eu-west-1 --name llm-staging --alias llm-staging');
  });

  test('pins the aws provider and keeps state in S3', () => {
    expect(staging.json.terraform.required_providers).toEqual({ aws: { source: 'hashicorp/aws', version: '6.25.0' } });
    expect(staging.json.terraform.backend.s3.key).toBe('staging/staging-cluster.tfstate');
  });
});

describe('prod-cluster', () => {
  test('defaults snapshot', () => {
    expect(prod.json).toMatchSnapshot();
  });

  test('has a NAT gateway per zone and on-demand GPU capacity', () => {
    expect(all(prod.json, 'aws_nat_gateway')).toHaveLength(3);
    expect(nodeGroup(prod.json, 'gpu')).toMatchObject({ capacity_type: 'ON_DEMAND', instance_types: ['g6.2xlarge'], scaling_config: { min_size: 2, desired_size: 2, max_size: 4 } });
  });
});

