import '../support/cdktf-matchers';
import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { all, environment, environmentStacks, synth } from '../support/synth';

const staging = synth(environmentStacks(environment('staging')).cluster!);
const prod = synth(environmentStacks(environment('prod')).cluster!);

const nodeGroup = (json: typeof staging.json, name: string) => all(json, 'aws_eks_node_group').find((g) => g.node_group_name_prefix === `${name}-`);
const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
const SYSTEM_GROUPS = ZONES.map((zone) => `system-${zone}`);

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
    const zones = (kind: string) =>
      subnets
        .filter((s) => s.tags.Name.includes(`-${kind}-`))
        .map((s) => s.availability_zone)
        .sort();
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

  test('runs a current Kubernetes version; the API endpoint is private plus the configured public CIDRs', () => {
    expect(staging.text).toHaveResourceWithProperties(EksCluster, {
      name: 'llm-staging',
      version: '1.35',
      vpc_config: expect.objectContaining({ endpoint_private_access: true, endpoint_public_access: true, public_access_cidrs: ['203.0.113.0/24'] }),
    });
  });

  test('access entries come from the configuration: admins and the read-only CI role, no implicit creator admin', () => {
    const cluster: any = all(staging.json, 'aws_eks_cluster')[0];
    expect(cluster.access_config).toEqual({ authentication_mode: 'API', bootstrap_cluster_creator_admin_permissions: false });
    const associations = all(staging.json, 'aws_eks_access_policy_association');
    expect(associations.map((a) => [a.principal_arn, a.policy_arn])).toEqual([
      [
        expect.stringMatching(/^\$\{aws_eks_access_entry\.eks_admin_0_access_\w+\.principal_arn\}$/),
        'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
      ],
      [
        expect.stringMatching(/^\$\{aws_eks_access_entry\.eks_viewer_0_access_\w+\.principal_arn\}$/),
        'arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy',
      ],
    ]);
    expect(all(staging.json, 'aws_eks_access_entry').map((e) => e.principal_arn)).toEqual([
      'arn:aws:iam::111122223333:role/llm-platform-deployer',
      'arn:aws:iam::111122223333:role/llm-platform-plan',
    ]);
    expect(cluster.lifecycle.precondition[0].condition).toContain('data.aws_iam_session_context.');
  });

  test('hardening: Secrets envelope-encrypted with a rotating customer key, control-plane logs kept a year, flow logs, empty default SG', () => {
    const cluster: any = all(staging.json, 'aws_eks_cluster')[0];
    const keyAddress = staging.address('aws_kms_key', () => true);
    expect(staging.only('aws_kms_key').enable_key_rotation).toBe(true);
    expect(cluster.encryption_config).toEqual({ resources: ['secrets'], provider: { key_arn: `\${${keyAddress}.arn}` } });
    const groups = Object.fromEntries(all(staging.json, 'aws_cloudwatch_log_group').map((g) => [g.name, g]));
    expect(groups['/aws/eks/llm-staging/cluster']).toMatchObject({ retention_in_days: 365, kms_key_id: `\${${keyAddress}.arn}` });
    expect(groups['/aws/vpc/llm-staging/flow-logs']).toMatchObject({ retention_in_days: 365, kms_key_id: `\${${keyAddress}.arn}` });
    expect(cluster.depends_on).toContain(staging.address('aws_cloudwatch_log_group', (g) => g.name === '/aws/eks/llm-staging/cluster'));
    expect(staging.only('aws_flow_log')).toMatchObject({ traffic_type: 'ALL', vpc_id: `\${${staging.address('aws_vpc', () => true)}.id}` });
    expect(staging.only('aws_default_security_group')).toMatchObject({ ingress: [], egress: [] });
    expect(cluster.deletion_protection).toBe(false);
  });

  test('waits for the IAM policy attachments before creating the cluster, and for networking add-ons before the node groups', () => {
    const cluster: any = all(staging.json, 'aws_eks_cluster')[0];
    expect(cluster.depends_on).toEqual([
      expect.stringMatching(/^aws_iam_role_policy_attachment\.eks_cluster_role_AmazonEKSClusterPolicy_\w+$/),
      expect.stringMatching(/^aws_iam_role_policy\.eks_cluster_role_encryption_\w+$/),
      expect.stringMatching(/^aws_cloudwatch_log_group\.eks_control_plane_logs_\w+$/),
    ]);
    for (const name of [...SYSTEM_GROUPS, 'gpu']) {
      const deps: string[] = nodeGroup(staging.json, name).depends_on;
      expect(deps.filter((d) => d.startsWith('aws_iam_role_policy_attachment.eks_node_role_'))).toHaveLength(3);
      expect(
        deps
          .filter((d) => d.startsWith('aws_eks_addon.'))
          .map((d) => d.replace(/_[0-9A-F]{8}$/, ''))
          .sort(),
      ).toEqual(['aws_eks_addon.eks_eks_pod_identity_agent', 'aws_eks_addon.eks_kube_proxy', 'aws_eks_addon.eks_vpc_cni']);
    }
  });

  test('has a CPU node group for system pods in each zone, so a pod whose EBS volume lives in a zone always finds a node there', () => {
    for (const zone of ZONES) {
      const group = nodeGroup(staging.json, `system-${zone}`);
      expect(group).toMatchObject({
        ami_type: 'AL2023_x86_64_STANDARD',
        instance_types: ['m6i.large'],
        scaling_config: { min_size: 1, desired_size: 1, max_size: 2 },
        labels: { 'llm-platform/pool': 'system' },
      });
      expect(group.taint).toBeUndefined();
      expect(group.subnet_ids).toEqual([`\${${staging.address('aws_subnet', (s) => s.tags.Name === `llm-staging-private-${zone}`)}.id}`]);
    }
    expect(all(staging.json, 'aws_eks_node_group')).toHaveLength(4);
    // CoreDNS and the EBS CSI driver wait for every system group.
    const coreDns = all(staging.json, 'aws_eks_addon').find((a) => a.addon_name === 'coredns');
    for (const name of SYSTEM_GROUPS)
      expect(coreDns.depends_on).toContain(staging.address('aws_eks_node_group', (g) => g.node_group_name_prefix === `${name}-`));
  });

  test.each(['staging', 'prod'] as const)('%s: every node group pins the AMI release of its environment and AMI type', (name) => {
    const env = environment(name);
    if (env.cluster.kind !== 'eks') throw new Error(`${name} is not on EKS`);
    const { systemNodes, gpuNodes } = env.cluster;
    const json = name === 'staging' ? staging.json : prod.json;
    const groups = all(json, 'aws_eks_node_group');
    expect(groups.map((g) => [g.node_group_name_prefix, g.ami_type, g.release_version]).sort()).toEqual(
      [
        ...SYSTEM_GROUPS.map((group) => [`${group}-`, 'AL2023_x86_64_STANDARD', systemNodes.releaseVersion]),
        ['gpu-', gpuNodes.amiType, gpuNodes.releaseVersion],
      ].sort(),
    );
    // A release change is an in-place update (UpdateNodegroupVersion), so the group is never ignored for it.
    for (const group of groups) expect(group.lifecycle.ignore_changes ?? []).not.toContain('release_version');
  });

  test('node groups are replaced create-before-destroy under name prefixes; the former single system group moves to the first zone', () => {
    for (const name of [...SYSTEM_GROUPS, 'gpu']) {
      const group = nodeGroup(staging.json, name);
      expect(group.node_group_name).toBeUndefined();
      expect(group.lifecycle.create_before_destroy).toBe(true);
    }
    for (const json of [staging.json, prod.json]) {
      expect((json as any).moved).toEqual([
        {
          from: 'aws_launch_template.eks_system_nodes_launch_template_C7DD7D64',
          to: expect.stringMatching(/^aws_launch_template\.eks_system_nodes_eu-west-1a_launch_template_[0-9A-F]{8}$/),
        },
        { from: 'aws_eks_node_group.eks_system_nodes_CF5E6517', to: expect.stringMatching(/^aws_eks_node_group\.eks_system_nodes_eu-west-1a_[0-9A-F]{8}$/) },
      ]);
      const [template, group] = (json as any).moved.map((m: any) => m.to.split('.'));
      expect(json.resource![template[0]][template[1]]).toBeDefined();
      expect(json.resource![group[0]][group[1]].node_group_name_prefix).toBe('system-eu-west-1a-');
    }
  });

  test('nodes can be reached with SSM Session Manager', () => {
    const attachment = all(staging.json, 'aws_iam_role_policy_attachment').find((a) => a.policy_arn === 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore');
    expect(attachment.role).toBe(`\${${staging.address('aws_iam_role', (r) => r.name === 'llm-staging-node')}.name}`);
  });

  test('node launch templates require IMDSv2 with hop limit 1 and encrypt gp3 root volumes', () => {
    for (const template of all(staging.json, 'aws_launch_template')) {
      expect(template.metadata_options).toEqual({ http_endpoint: 'enabled', http_tokens: 'required', http_put_response_hop_limit: 1 });
      expect(template.block_device_mappings[0].ebs).toMatchObject({ volume_type: 'gp3', encrypted: 'true' });
    }
  });

  test('has a tainted, labelled GPU node group on an NVIDIA AMI in one zone, sized by Terraform (no autoscaler)', () => {
    expect(staging.text).toHaveResourceWithProperties(EksNodeGroup, {
      node_group_name_prefix: 'gpu-',
      ami_type: 'AL2023_x86_64_NVIDIA',
      capacity_type: 'SPOT',
      instance_types: ['g6.xlarge', 'g5.xlarge'],
      labels: { 'llm-platform/pool': 'gpu', 'nvidia.com/gpu.present': 'true' },
      taint: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NO_SCHEDULE' }],
    });
    const gpu = nodeGroup(staging.json, 'gpu');
    expect(gpu.subnet_ids).toEqual([`\${${staging.address('aws_subnet', (s) => s.tags.Name === 'llm-staging-private-eu-west-1a')}.id}`]);
  });

  test('a fresh deploy completes while GPU capacity is short: the GPU group is created empty and scaled without waiting', () => {
    const gpu = nodeGroup(staging.json, 'gpu');
    expect(gpu.scaling_config).toEqual({ min_size: 0, desired_size: 0, max_size: 1 });
    expect(gpu.lifecycle.ignore_changes).toEqual(['scaling_config[0].min_size', 'scaling_config[0].desired_size']);
    const scale = staging.only('terraform_data');
    expect(scale.triggers_replace).toMatchObject({ minSize: 1, desiredSize: 1, maxSize: 1 });
    expect(scale.provisioner[0]['local-exec'].command).toContain('aws eks update-nodegroup-config');
    expect(scale.provisioner[0]['local-exec'].command).toContain(
      `--nodegroup-name \${${staging.address('aws_eks_node_group', (g) => g === gpu)}.node_group_name}`,
    );
    // Nothing in the stack waits for a GPU node: the add-ons depend on the system groups only.
    const gpuAddress = staging.address('aws_eks_node_group', (g) => g === gpu);
    for (const addon of all(staging.json, 'aws_eks_addon')) expect(addon.depends_on ?? []).not.toContain(gpuAddress);
  });

  test('preflight: the plan fails when the spot G quota (with the update surge) or the zone cannot hold the GPU group', () => {
    const [offered, quota] = nodeGroup(staging.json, 'gpu').lifecycle.precondition;
    expect(Object.values(staging.json.data!.aws_servicequotas_service_quota)).toEqual([
      expect.objectContaining({ service_code: 'ec2', quota_code: 'L-3819A6DF' }),
    ]);
    expect(quota.error_message).toContain('"All G and VT Spot Instance Requests" (L-3819A6DF)');
    expect(quota.condition).toMatch(
      />= \(3 \* max\(data\.aws_ec2_instance_type\.eks_gpu_nodes_g6_xlarge_\w+\.default_vcpus, data\.aws_ec2_instance_type\.eks_gpu_nodes_g5_xlarge_\w+\.default_vcpus\)\)/,
    );
    expect(offered.error_message).toContain('are not offered in eu-west-1a');
    expect(quota.error_message).toContain('(3 nodes: maxSize 1 plus 2 launched first during an update or replacement');
    for (const name of SYSTEM_GROUPS) expect(nodeGroup(staging.json, name).lifecycle.precondition).toBeUndefined();
  });

  test('installs the five managed add-ons at the versions pinned in the environment, none looked up at plan', () => {
    const addons = all(staging.json, 'aws_eks_addon');
    expect(Object.fromEntries(addons.map((a) => [a.addon_name, a.addon_version]))).toEqual({
      'aws-ebs-csi-driver': 'v1.64.0-eksbuild.1',
      coredns: 'v1.13.2-eksbuild.1',
      'eks-pod-identity-agent': 'v1.3.10-eksbuild.1',
      'kube-proxy': 'v1.35.0-eksbuild.2',
      'vpc-cni': 'v1.23.0-eksbuild.1',
    });
    expect(staging.json.data!.aws_eks_addon_version).toBeUndefined();
    expect(prod.json.data!.aws_eks_addon_version).toBeUndefined();
    expect(staging.text).toHaveResourceWithProperties(EksAddon, {
      addon_name: 'vpc-cni',
      pod_identity_association: [expect.objectContaining({ service_account: 'aws-node' })],
    });
    expect(all(staging.json, 'aws_iam_role_policy_attachment').find((a) => a.policy_arn.endsWith('/AmazonEKS_CNI_Policy')).role).toMatch(/eks_vpc_cni_role/);
  });

  test('NetworkPolicies are enforced: the VPC CNI runs its network policy agent', () => {
    for (const json of [staging.json, prod.json]) {
      const cni = all(json, 'aws_eks_addon').find((a) => a.addon_name === 'vpc-cni');
      expect(JSON.parse(cni.configuration_values).enableNetworkPolicy).toBe('true');
    }
  });

  test('the EBS CSI driver may change only volumes, snapshots and instances tagged for this cluster, and tags what it creates so', () => {
    const addon = all(staging.json, 'aws_eks_addon').find((a) => a.addon_name === 'aws-ebs-csi-driver');
    expect(JSON.parse(addon.configuration_values).controller.k8sTagClusterId).toBe('llm-staging');
    const policy = JSON.parse(all(staging.json, 'aws_iam_policy').find((p) => p.name === 'llm-staging-ebs-csi').policy);
    const mutating = policy.Statement.filter((st: any) => [st.Action].flat().some((a: string) => !a.startsWith('ec2:Describe')));
    expect([policy.Statement.length, mutating.length]).toEqual([16, 15]);
    for (const statement of mutating) {
      const scoped = statement.Condition.StringEquals;
      const keys = Object.keys(scoped).filter((k) => k.endsWith('/kubernetes.io/cluster/llm-staging'));
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatch(/^aws:(RequestTag|ResourceTag)\/kubernetes\.io\/cluster\/llm-staging$/);
      expect(scoped[keys[0]]).toBe('owned');
    }
    const readOnly = policy.Statement.filter((st: any) => !mutating.includes(st));
    expect(readOnly).toEqual([{ Effect: 'Allow', Action: expect.arrayContaining(['ec2:DescribeVolumes']), Resource: '*' }]);
    // Instances the driver attaches volumes to carry the tag through the launch templates.
    for (const template of all(staging.json, 'aws_launch_template')) {
      expect(template.tag_specifications).toEqual([{ resource_type: 'instance', tags: { 'kubernetes.io/cluster/llm-staging': 'owned' } }]);
    }
  });

  test('installs the EBS CSI driver add-on with its IAM role through Pod Identity', () => {
    expect(staging.text).toHaveResourceWithProperties(EksAddon, {
      addon_name: 'aws-ebs-csi-driver',
      pod_identity_association: [expect.objectContaining({ service_account: 'ebs-csi-controller-sa' })],
    });
    const role = all(staging.json, 'aws_iam_role').find((r) => r.name === 'llm-staging-ebs-csi');
    expect(JSON.parse(role.assume_role_policy).Statement[0]).toEqual({
      Effect: 'Allow',
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
    });
    expect(all(staging.json, 'aws_iam_role_policy_attachment').map((a) => a.policy_arn)).not.toContain(
      'arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy',
    );
    expect(staging.text).toHaveResource(IamRole);
  });

  test('outputs the VPC id (the load balancer controller needs it)', () => {
    expect(staging.json.output!.vpc_id.value).toBe(`\${${staging.address('aws_vpc', () => true)}.id}`);
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
  test('has a NAT gateway per zone and on-demand GPU capacity: one node for one Ollama replica with one GPU', () => {
    expect(all(prod.json, 'aws_nat_gateway')).toHaveLength(3);
    expect(nodeGroup(prod.json, 'gpu')).toMatchObject({ capacity_type: 'ON_DEMAND', instance_types: ['g6.2xlarge'] });
    expect(prod.only('terraform_data').triggers_replace).toMatchObject({ minSize: 1, desiredSize: 1, maxSize: 1 });
  });

  test('checks the on-demand G quota and refuses deletion', () => {
    expect(Object.values(prod.json.data!.aws_servicequotas_service_quota)).toEqual([expect.objectContaining({ quota_code: 'L-DB2E81BA' })]);
    expect(nodeGroup(prod.json, 'gpu').lifecycle.precondition[1].error_message).toContain('"Running On-Demand G and VT instances" (L-DB2E81BA)');
    expect(all(prod.json, 'aws_eks_cluster')[0].deletion_protection).toBe(true);
  });
});
