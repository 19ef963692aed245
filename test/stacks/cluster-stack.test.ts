import '../support/cdktf-matchers';
import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { all, environment, environmentStacks, synth, synthEnvironment } from '../support/synth';
import { ValidEnvironment } from '../../environments/schema';

const staging = synthEnvironment('staging').cluster!;
const prod = synthEnvironment('prod').cluster!;

/** An environment in the first step of the switch to Karpenter: the managed GPU group beside the NodePool. */
function withManagedGroup(name: 'staging' | 'prod'): ValidEnvironment {
  const env = environment(name);
  if (env.cluster.kind !== 'eks') throw new Error(`${name} is not on EKS`);
  return { ...env, cluster: { ...env.cluster, gpuNodes: { ...env.cluster.gpuNodes, managedGroup: true } } };
}
const stagingGroup = synth(environmentStacks(withManagedGroup('staging')).cluster!);
const prodGroup = synth(environmentStacks(withManagedGroup('prod')).cluster!);

/** The GPU zones each EKS environment configures. */
const GPU_ZONES = Object.fromEntries(
  (['staging', 'prod'] as const).map((env) => [env, (environment(env).cluster as { gpuNodes: { availabilityZones: string[] } }).gpuNodes.availabilityZones]),
) as Record<'staging' | 'prod', string[]>;
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
        'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy',
      ],
    ]);
    expect(
      all(staging.json, 'aws_eks_access_entry')
        .filter((e) => e.type === 'STANDARD')
        .map((e) => e.principal_arn),
    ).toEqual(['arn:aws:iam::111122223333:role/llm-platform-deployer', 'arn:aws:iam::111122223333:role/llm-platform-plan']);
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
      const deps: string[] = nodeGroup(stagingGroup.json, name).depends_on;
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
    // The GPU nodes come from Karpenter (managedGroup: false): the system groups only.
    expect(all(staging.json, 'aws_eks_node_group')).toHaveLength(3);
    // CoreDNS and the EBS CSI driver wait for every system group.
    const coreDns = all(staging.json, 'aws_eks_addon').find((a) => a.addon_name === 'coredns');
    for (const name of SYSTEM_GROUPS)
      expect(coreDns.depends_on).toContain(staging.address('aws_eks_node_group', (g) => g.node_group_name_prefix === `${name}-`));
  });

  test.each(['staging', 'prod'] as const)('%s: every node group pins the AMI release of its environment and AMI type', (name) => {
    const env = environment(name);
    if (env.cluster.kind !== 'eks') throw new Error(`${name} is not on EKS`);
    const { systemNodes, gpuNodes } = env.cluster;
    const json = name === 'staging' ? stagingGroup.json : prodGroup.json;
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
      const group = nodeGroup(stagingGroup.json, name);
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

  test('has a tainted, labelled GPU node group on an NVIDIA AMI over the configured zones, sized by Terraform (no autoscaler)', () => {
    expect(stagingGroup.text).toHaveResourceWithProperties(EksNodeGroup, {
      node_group_name_prefix: 'gpu-',
      ami_type: 'AL2023_x86_64_NVIDIA',
      capacity_type: 'SPOT',
      instance_types: ['g6.xlarge', 'g5.xlarge'],
      labels: { 'llm-platform/pool': 'gpu', 'nvidia.com/gpu.present': 'true' },
      taint: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NO_SCHEDULE' }],
    });
    const gpu = nodeGroup(stagingGroup.json, 'gpu');
    expect(gpu.subnet_ids).toEqual(
      GPU_ZONES.staging.map((zone) => `\${${stagingGroup.address('aws_subnet', (s) => s.tags.Name === `llm-staging-private-${zone}`)}.id}`),
    );
  });

  test.each([
    ['staging', () => stagingGroup],
    ['prod', () => prodGroup],
  ] as const)('%s: GPU capacity in at least two zones, one group replaced create-before-destroy when its zones change', (env, stack) => {
    expect(GPU_ZONES[env].length).toBeGreaterThanOrEqual(2);
    const groups = all(stack().json, 'aws_eks_node_group').filter((g) => g.node_group_name_prefix === 'gpu-');
    expect(groups).toHaveLength(1);
    expect(groups[0].subnet_ids).toEqual(
      GPU_ZONES[env].map((zone) => `\${${stack().address('aws_subnet', (s) => s.tags.Name === `llm-${env}-private-${zone}`)}.id}`),
    );
    // While it is kept beside the NodePool, the group keeps the address it had before Karpenter: new subnets replace it, the new group first.
    expect(stack().address('aws_eks_node_group', (g) => g === groups[0])).toBe('aws_eks_node_group.eks_gpu_nodes_AAF7FBFA');
    expect(groups[0].lifecycle.create_before_destroy).toBe(true);
  });

  test('a fresh deploy completes while GPU capacity is short: the GPU group is created empty and scaled without waiting', () => {
    const gpu = nodeGroup(stagingGroup.json, 'gpu');
    expect(gpu.scaling_config).toEqual({ min_size: 0, desired_size: 0, max_size: 1 });
    expect(gpu.lifecycle.ignore_changes).toEqual(['scaling_config[0].min_size', 'scaling_config[0].desired_size']);
    const scale = all(stagingGroup.json, 'terraform_data').find((d) => d.provisioner);
    expect(scale.triggers_replace).toMatchObject({ minSize: 1, desiredSize: 1, maxSize: 1 });
    expect(scale.provisioner[0]['local-exec'].command).toContain('aws eks update-nodegroup-config');
    expect(scale.provisioner[0]['local-exec'].command).toContain(
      `--nodegroup-name \${${stagingGroup.address('aws_eks_node_group', (g) => g === gpu)}.node_group_name}`,
    );
    // Nothing in the stack waits for a GPU node: the add-ons depend on the system groups only.
    const gpuAddress = stagingGroup.address('aws_eks_node_group', (g) => g === gpu);
    for (const addon of all(stagingGroup.json, 'aws_eks_addon')) expect(addon.depends_on ?? []).not.toContain(gpuAddress);
  });

  test('preflight: the plan fails when the spot G quota (with the update surge) or a zone cannot hold the GPU group', () => {
    const preconditions = nodeGroup(stagingGroup.json, 'gpu').lifecycle.precondition;
    const offered = preconditions.slice(0, -1);
    const quota = preconditions[preconditions.length - 1];
    expect(Object.entries(stagingGroup.json.data!.aws_servicequotas_service_quota).filter(([id]) => id.startsWith('eks_gpu_nodes'))).toEqual([
      [expect.any(String), expect.objectContaining({ service_code: 'ec2', quota_code: 'L-3819A6DF' })],
    ]);
    expect(quota.error_message).toContain('"All G and VT Spot Instance Requests" (L-3819A6DF)');
    // Two zones: EKS's update surge is 2 x 2 zones on top of maxSize 1.
    expect(quota.condition).toMatch(
      />= \(5 \* max\(data\.aws_ec2_instance_type\.eks_gpu_nodes_g6_xlarge_\w+\.default_vcpus, data\.aws_ec2_instance_type\.eks_gpu_nodes_g5_xlarge_\w+\.default_vcpus\)\)/,
    );
    expect(offered.map((o: any) => /are not offered in ([a-z0-9-]+)\./.exec(o.error_message)![1])).toEqual(GPU_ZONES.staging);
    expect(quota.error_message).toContain('(5 nodes: maxSize 1 plus 4 launched first during an update or replacement');
    for (const name of SYSTEM_GROUPS) expect(nodeGroup(stagingGroup.json, name).lifecycle.precondition).toBeUndefined();
  });

  test('installs the five managed add-ons at the versions pinned in the environment, none looked up at plan', () => {
    const addons = all(staging.json, 'aws_eks_addon');
    const pins = (environment('staging').cluster as { addons: Record<string, string> }).addons;
    expect(Object.fromEntries(addons.map((a) => [a.addon_name, a.addon_version]))).toEqual({
      'aws-ebs-csi-driver': pins.ebsCsiDriver,
      coredns: pins.coreDns,
      'eks-pod-identity-agent': pins.podIdentityAgent,
      'kube-proxy': pins.kubeProxy,
      'vpc-cni': pins.vpcCni,
    });
    expect(Object.values(pins).every((pin) => /^v\d+\.\d+\.\d+-eksbuild\.\d+$/.test(pin))).toBe(true);
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

describe('GPU capacity from Karpenter', () => {
  const eks = (name: 'staging' | 'prod') => {
    const env = environment(name);
    if (env.cluster.kind !== 'eks' || !env.cluster.gpuCapacity) throw new Error(`${name} has no gpuCapacity`);
    return { cluster: env.cluster, capacity: env.cluster.gpuCapacity, stack: name === 'staging' ? staging : prod };
  };

  test.each(['staging', 'prod'] as const)('%s: the managed GPU group is gone; Karpenter launches the GPU nodes', (name) => {
    const { stack } = eks(name);
    expect(all(stack.json, 'aws_eks_node_group').map((g) => g.node_group_name_prefix)).toEqual(SYSTEM_GROUPS.map((g) => `${g}-`));
    expect(all(stack.json, 'aws_launch_template')).toHaveLength(3);
  });

  test.each(['staging', 'prod'] as const)('%s: the node role joins through an EC2_LINUX access entry and may pull images and use SSM', (name) => {
    const { stack } = eks(name);
    const role = all(stack.json, 'aws_iam_role').find((r) => r.name === `llm-${name}-karpenter-node`);
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: ['sts:AssumeRole'] },
    ]);
    const roleAddress = stack.address('aws_iam_role', (r) => r === role);
    expect(
      all(stack.json, 'aws_iam_role_policy_attachment')
        .filter((a) => a.role === `\${${roleAddress}.name}`)
        .map((a) => a.policy_arn)
        .sort(),
    ).toEqual(['AmazonEC2ContainerRegistryPullOnly', 'AmazonEKSWorkerNodePolicy', 'AmazonSSMManagedInstanceCore'].map((p) => `arn:aws:iam::aws:policy/${p}`));
    const entry = all(stack.json, 'aws_eks_access_entry').find((e) => e.type === 'EC2_LINUX');
    expect(entry.principal_arn).toBe(`\${${roleAddress}.arn}`);
    expect(entry.cluster_name).toMatch(/^\$\{aws_eks_cluster\.eks_cluster_\w+\.name\}$/);
  });

  test.each(['staging', 'prod'] as const)('%s: the private subnets and the cluster security group carry the discovery tag, nothing else does', (name) => {
    const { stack, cluster } = eks(name);
    const tagged = all(stack.json, 'aws_subnet').filter((s) => s.tags['karpenter.sh/discovery'] !== undefined);
    expect(tagged.map((s) => [s.availability_zone, s.tags.Name, s.tags['karpenter.sh/discovery']])).toEqual(
      cluster.vpc.availabilityZones.map((zone) => [zone, `${cluster.name}-private-${zone}`, cluster.name]),
    );
    expect(stack.only('aws_ec2_tag')).toEqual({
      resource_id: expect.stringMatching(/^\$\{aws_eks_cluster\.eks_cluster_\w+\.vpc_config\[0\]\.cluster_security_group_id\}$/),
      key: 'karpenter.sh/discovery',
      value: cluster.name,
    });
  });

  test.each(['staging', 'prod'] as const)("%s: the preflight checks every capacity type's quota against the largest fleet the GPU limit allows", (name) => {
    const { stack, capacity, cluster } = eks(name);
    const check = all(stack.json, 'terraform_data').find((d) => d.input?.nodePool === 'gpu');
    expect(check.input).toEqual({ nodePool: 'gpu', maxGpus: capacity.maxGpus });
    const quotas = Object.entries(stack.json.data!.aws_servicequotas_service_quota).filter(([id]) => id.startsWith('gpu_capacity_preflight'));
    const codes = capacity.capacityTypes.map((t) => (t === 'spot' ? 'L-3819A6DF' : 'L-DB2E81BA'));
    expect(quotas.map(([, q]: [string, any]) => q.quota_code)).toEqual(codes);
    const types = Object.values(stack.json.data!.aws_ec2_instance_type).map((t: any) => t.instance_type);
    expect(types).toEqual(expect.arrayContaining([...capacity.instanceTypes]));
    const conditions: any[] = check.lifecycle.precondition;
    const quotaChecks = conditions.filter((c) => c.error_message.includes('quota'));
    expect(quotaChecks).toHaveLength(codes.length);
    for (const [i, code] of codes.entries()) {
      expect(quotaChecks[i].error_message).toContain(`(${code})`);
      expect(quotaChecks[i].error_message).toContain(`its limit of ${capacity.maxGpus} GPUs`);
      expect(quotaChecks[i].error_message).toContain(`--quota-code ${code} --desired-value`);
      // floor(maxGpus / GPUs of the type) nodes x its vCPUs, the largest over the types.
      for (const type of capacity.instanceTypes) {
        const id = Object.entries(stack.json.data!.aws_ec2_instance_type).find(
          ([key, d]: [string, any]) => key.startsWith('gpu_capacity') && d.instance_type === type,
        )![0];
        const data = `data.aws_ec2_instance_type.${id}`;
        expect(quotaChecks[i].condition).toContain(`(floor((${capacity.maxGpus} / element(tolist(${data}.gpus), 0).count)) * ${data}.default_vcpus)`);
      }
      expect(quotaChecks[i].condition).toMatch(/^\$\{\(data\.aws_servicequotas_service_quota\.gpu_capacity_preflight_quota_[\w-]+\.value >= max\(/);
    }
    const zoneChecks = conditions.filter((c) => c.error_message.includes('is offered in'));
    expect(zoneChecks.map((c) => /offered in ([a-z0-9-]+)\./.exec(c.error_message)![1])).toEqual([...cluster.vpc.availabilityZones]);
  });
});

describe("Ollama's shared model store", () => {
  test.each([
    ['staging', () => staging],
    ['prod', () => prod],
  ] as const)('%s: EFS encrypted with the cluster key and in transit, a mount target in every private subnet, NFS from the nodes only', (name, stack) => {
    const json = stack().json;
    const key = `\${${stack().address('aws_kms_key', () => true)}.arn}`;
    const fs = stack().only('aws_efs_file_system');
    expect(fs).toMatchObject({ creation_token: `llm-${name}-models`, encrypted: true, kms_key_id: key, throughput_mode: 'elastic' });
    const fsAddress = stack().address('aws_efs_file_system', () => true);
    expect(JSON.parse(stack().only('aws_efs_file_system_policy').policy).Statement).toEqual([
      {
        Sid: 'DenyWithoutTls',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: '*',
        Resource: `\${${fsAddress}.arn}`,
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ]);
    const group = stack().address('aws_security_group', (g) => g.name_prefix === `llm-${name}-models-`);
    expect(stack().only('aws_vpc_security_group_ingress_rule')).toMatchObject({
      security_group_id: `\${${group}.id}`,
      referenced_security_group_id: expect.stringMatching(/^\$\{aws_eks_cluster\.eks_cluster_\w+\.vpc_config\[0\]\.cluster_security_group_id\}$/),
      ip_protocol: 'tcp',
      from_port: 2049,
      to_port: 2049,
    });
    const privateSubnets = all(json, 'aws_subnet')
      .filter((s) => s.tags.Name.includes('-private-'))
      .map((s) => `\${${stack().address('aws_subnet', (x) => x === s)}.id}`);
    const targets = all(json, 'aws_efs_mount_target');
    expect(targets.map((t) => t.subnet_id).sort()).toEqual(privateSubnets.sort());
    for (const target of targets) expect(target.security_groups).toEqual([`\${${group}.id}`]);
    expect(stack().only('aws_efs_access_point')).toMatchObject({
      file_system_id: `\${${fsAddress}.id}`,
      posix_user: { uid: 0, gid: 0 },
      root_directory: { path: '/ollama-models', creation_info: { owner_uid: 0, owner_gid: 0, permissions: '0750' } },
    });
  });
});

describe('prod-cluster', () => {
  test('has a NAT gateway per zone and on-demand GPU capacity: one node for one Ollama replica with one GPU', () => {
    expect(all(prodGroup.json, 'aws_nat_gateway')).toHaveLength(3);
    expect(nodeGroup(prodGroup.json, 'gpu')).toMatchObject({ capacity_type: 'ON_DEMAND', instance_types: ['g6.2xlarge'] });
    expect(all(prodGroup.json, 'terraform_data').find((d) => d.provisioner).triggers_replace).toMatchObject({ minSize: 1, desiredSize: 1, maxSize: 1 });
  });

  test('checks the on-demand G quota and refuses deletion', () => {
    expect(Object.values(prodGroup.json.data!.aws_servicequotas_service_quota)).toContainEqual(expect.objectContaining({ quota_code: 'L-DB2E81BA' }));
    expect(nodeGroup(prodGroup.json, 'gpu').lifecycle.precondition.at(-1).error_message).toContain('"Running On-Demand G and VT instances" (L-DB2E81BA)');
    expect(all(prod.json, 'aws_eks_cluster')[0].deletion_protection).toBe(true);
  });
});
