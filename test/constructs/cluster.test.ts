import { ClusterKey } from '../../constructs/cluster/cluster-key';
import { CapacityType, EksCluster, EksClusterProps, NodegroupOptions, TaintEffect } from '../../constructs/cluster/eks-cluster';
import { EksNetwork } from '../../constructs/cluster/eks-network';
import { PUBLISHED_EBS_CSI_POLICY, scopeEbsCsiPolicy } from '../../constructs/cluster/ebs-csi-policy';
import { nodegroupPeakNodes, nodegroupUpdateSurge } from '../../constructs/cluster/nodegroup-surge';
import { synthScope } from '../support/synth';

const ADMIN = 'arn:aws:iam::111122223333:role/deployer';
const VIEWER = 'arn:aws:iam::111122223333:role/plan';
const base: EksClusterProps = {
  clusterName: 'llm',
  kubernetesVersion: '1.35',
  subnetIds: ['a', 'b', 'c'],
  publicAccessCidrs: ['203.0.113.0/24'],
  adminPrincipalArns: [ADMIN],
  kmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/k',
  addonVersions: {
    vpcCni: 'v1.23.0-eksbuild.1',
    kubeProxy: 'v1.35.0-eksbuild.2',
    coreDns: 'v1.13.2-eksbuild.1',
    podIdentityAgent: 'v1.3.10-eksbuild.1',
    ebsCsiDriver: 'v1.64.0-eksbuild.1',
  },
};
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
  test('node groups follow the control plane version; networking add-ons come first, the rest wait for untainted groups only', () => {
    const s = synthScope((scope) => {
      const eks = new EksCluster(scope, 'eks', base);
      eks.addNodegroupCapacity('system', { nodegroupName: 'system', instanceTypes: ['m6i.large'], minSize: 1, desiredSize: 1, maxSize: 2 });
      eks.addNodegroupCapacity('gpu', gpu);
    });
    const groups = Object.fromEntries(s.all('aws_eks_node_group').map((g) => [g.node_group_name_prefix.slice(0, -1), g]));
    expect(groups.system).toMatchObject({ ami_type: 'AL2023_x86_64_STANDARD', capacity_type: 'ON_DEMAND' });
    expect(groups.system.version).toMatch(/^\$\{aws_eks_cluster\.eks_cluster_\w+\.version\}$/);
    expect(groups.gpu).toMatchObject({
      ami_type: 'BOTTLEROCKET_x86_64_NVIDIA',
      capacity_type: 'SPOT',
      taint: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NO_SCHEDULE' }],
    });
    const systemAddress = s.address('aws_eks_node_group', (g) => g.node_group_name_prefix === 'system-');
    const gpuAddress = s.address('aws_eks_node_group', (g) => g.node_group_name_prefix === 'gpu-');
    const addons = Object.fromEntries(s.all('aws_eks_addon').map((a) => [a.addon_name, a]));
    for (const name of ['coredns', 'aws-ebs-csi-driver']) {
      expect(addons[name].depends_on).toContain(systemAddress);
      expect(addons[name].depends_on).not.toContain(gpuAddress);
    }
    for (const name of ['vpc-cni', 'kube-proxy', 'eks-pod-identity-agent']) {
      const address = s.address('aws_eks_addon', (a) => a.addon_name === name);
      expect(groups.system.depends_on).toContain(address);
      expect(groups.gpu.depends_on).toContain(address);
    }
  });

  test('add-ons run exactly the given versions: nothing is looked up at plan, so an unrelated apply changes none', () => {
    const s = synthScope((scope) => new EksCluster(scope, 'eks', base));
    expect(s.json.data?.aws_eks_addon_version).toBeUndefined();
    expect(Object.fromEntries(s.all('aws_eks_addon').map((a) => [a.addon_name, a.addon_version]))).toEqual({
      'vpc-cni': 'v1.23.0-eksbuild.1',
      'kube-proxy': 'v1.35.0-eksbuild.2',
      coredns: 'v1.13.2-eksbuild.1',
      'eks-pod-identity-agent': 'v1.3.10-eksbuild.1',
      'aws-ebs-csi-driver': 'v1.64.0-eksbuild.1',
    });
  });

  test('the VPC CNI enforces NetworkPolicies; the EBS CSI driver tags what it creates with the cluster', () => {
    const s = synthScope((scope) => new EksCluster(scope, 'eks', base));
    const addons = Object.fromEntries(s.all('aws_eks_addon').map((a) => [a.addon_name, a]));
    // The add-on's configuration schema takes the flag as a string.
    expect(JSON.parse(addons['vpc-cni'].configuration_values)).toEqual({ enableNetworkPolicy: 'true' });
    expect(JSON.parse(addons['aws-ebs-csi-driver'].configuration_values)).toEqual({ controller: { k8sTagClusterId: 'llm' } });
    for (const name of ['kube-proxy', 'coredns', 'eks-pod-identity-agent']) expect(addons[name].configuration_values).toBeUndefined();
  });

  test("the EBS CSI driver's policy is the published one scoped to this cluster's tag; no managed policy", () => {
    const s = synthScope((scope) => new EksCluster(scope, 'eks', base));
    expect(s.all('aws_iam_role_policy_attachment').map((a) => a.policy_arn)).not.toContain('arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy');
    const policy = s.all('aws_iam_policy').find((p) => p.name === 'llm-ebs-csi');
    expect(JSON.parse(policy.policy)).toEqual(scopeEbsCsiPolicy(PUBLISHED_EBS_CSI_POLICY, 'llm'));
    const attachment = s.all('aws_iam_role_policy_attachment').find((a) => a.policy_arn.includes('aws_iam_policy.eks_ebs_csi_role_policy_'));
    expect(attachment.role).toMatch(/^\$\{aws_iam_role\.eks_ebs_csi_role_\w+\.name\}$/);
  });

  test('VPC CNI and EBS CSI get IAM through Pod Identity; the node role has no CNI policy', () => {
    const s = synthScope((scope) => new EksCluster(scope, 'eks', base));
    const addons = Object.fromEntries(s.all('aws_eks_addon').map((a) => [a.addon_name, a]));
    expect(addons['vpc-cni'].pod_identity_association).toEqual([
      { role_arn: expect.stringMatching(/aws_iam_role\.eks_vpc_cni_role_\w+\.arn/), service_account: 'aws-node' },
    ]);
    expect(addons['aws-ebs-csi-driver'].pod_identity_association[0].service_account).toBe('ebs-csi-controller-sa');
    const attachments = s.all('aws_iam_role_policy_attachment');
    const policiesOf = (role: string) => attachments.filter((a) => a.role.includes(`eks_${role}_`)).map((a) => a.policy_arn.split('/').pop());
    expect(policiesOf('node_role').sort()).toEqual(['AmazonEC2ContainerRegistryReadOnly', 'AmazonEKSWorkerNodePolicy', 'AmazonSSMManagedInstanceCore']);
    expect(policiesOf('vpc_cni_role')).toEqual(['AmazonEKS_CNI_Policy']);
    const cniRole = s.all('aws_iam_role').find((r) => r.name === 'llm-vpc-cni');
    expect(JSON.parse(cniRole.assume_role_policy).Statement[0]).toMatchObject({
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
    });
  });

  test('access entries: admins and viewers explicit, no implicit creator admin, the caller checked at plan', () => {
    const s = synthScope((scope) => new EksCluster(scope, 'eks', { ...base, viewerPrincipalArns: [VIEWER] }));
    const cluster = s.only('aws_eks_cluster');
    expect(cluster.access_config).toEqual({ authentication_mode: 'API', bootstrap_cluster_creator_admin_permissions: false });
    expect(
      s
        .all('aws_eks_access_entry')
        .map((e) => e.principal_arn)
        .sort(),
    ).toEqual([ADMIN, VIEWER]);
    const policies = Object.fromEntries(s.all('aws_eks_access_policy_association').map((a) => [a.policy_arn.split('/').pop(), a]));
    // View-only for the pull-request plan role: it runs the pull request's code, so it reads no Secret.
    expect(Object.keys(policies).sort()).toEqual(['AmazonEKSClusterAdminPolicy', 'AmazonEKSViewPolicy']);
    expect(policies.AmazonEKSClusterAdminPolicy.access_scope).toEqual({ type: 'cluster' });
    const [check] = cluster.lifecycle.precondition;
    expect(check.condition).toMatch(
      new RegExp(`^\\$\\{contains\\(\\["${ADMIN}", "${VIEWER}"\\], data\\.aws_iam_session_context\\.eks_caller_session_\\w+\\.issuer_arn\\)\\}$`),
    );
    expect(check.error_message).toContain('has no access entry on EKS cluster llm');
  });

  test('hardening: Secrets encrypted with the given key, every log type into a log group created first, private endpoint on', () => {
    const s = synthScope((scope) => new EksCluster(scope, 'eks', { ...base, deletionProtection: true, logRetentionDays: 90 }));
    const cluster = s.only('aws_eks_cluster');
    expect(cluster.encryption_config).toEqual({ resources: ['secrets'], provider: { key_arn: base.kmsKeyArn } });
    expect(cluster.enabled_cluster_log_types).toEqual(['api', 'audit', 'authenticator', 'controllerManager', 'scheduler']);
    expect(cluster.vpc_config).toMatchObject({ endpoint_private_access: true, endpoint_public_access: true, public_access_cidrs: ['203.0.113.0/24'] });
    expect(cluster.deletion_protection).toBe(true);
    expect(s.only('aws_cloudwatch_log_group')).toMatchObject({ name: '/aws/eks/llm/cluster', retention_in_days: 90, kms_key_id: base.kmsKeyArn });
    expect(cluster.depends_on).toContain(s.address('aws_cloudwatch_log_group', () => true));
    expect(JSON.parse(s.only('aws_iam_role_policy').policy).Statement[0]).toEqual({
      Effect: 'Allow',
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ListGrants', 'kms:DescribeKey'],
      Resource: base.kmsKeyArn,
    });
  });

  test('launch templates: IMDSv2 only with hop limit 1, encrypted gp3 volumes (Bottlerocket: OS and data volume)', () => {
    const s = synthScope((scope) => {
      const eks = new EksCluster(scope, 'eks', base);
      eks.addNodegroupCapacity('system', { nodegroupName: 'system', instanceTypes: ['m6i.large'], minSize: 1, desiredSize: 1, maxSize: 2, diskSizeGiB: 60 });
      eks.addNodegroupCapacity('gpu', { ...gpu, diskSizeGiB: 120 });
    });
    const templates = Object.fromEntries(s.all('aws_launch_template').map((t) => [t.name_prefix.split('-').slice(-2, -1)[0], t]));
    for (const t of Object.values<any>(templates)) {
      expect(t.metadata_options).toEqual({ http_endpoint: 'enabled', http_tokens: 'required', http_put_response_hop_limit: 1 });
    }
    const ebs = (name: string, size: number) => ({
      device_name: name,
      ebs: { volume_size: size, volume_type: 'gp3', encrypted: 'true', delete_on_termination: 'true' },
    });
    expect(templates.system.block_device_mappings).toEqual([ebs('/dev/xvda', 60)]);
    expect(templates.gpu.block_device_mappings).toEqual([ebs('/dev/xvda', 8), ebs('/dev/xvdb', 120)]);
    for (const group of s.all('aws_eks_node_group')) {
      expect(group.disk_size).toBeUndefined();
      expect(group.launch_template.version).toMatch(/\.latest_version\}$/);
      expect(group.lifecycle?.ignore_changes).toBeUndefined();
    }
  });

  test('preflight: every instance type offered in the zone, and the vCPU quota fits maxSize nodes of the largest type', () => {
    const s = synthScope((scope) =>
      new EksCluster(scope, 'eks', base).addNodegroupCapacity('gpu', {
        ...gpu,
        instanceTypes: ['g6.xlarge', 'g5.2xlarge'],
        subnetIds: ['b'],
        preflight: { availabilityZones: ['eu-west-1b'], vcpuQuota: { code: 'L-3819A6DF', name: 'All G and VT Spot Instance Requests' } },
      }),
    );
    const group = s.only('aws_eks_node_group');
    expect(group.subnet_ids).toEqual(['b']);
    const offerings: any = Object.values(s.json.data!.aws_ec2_instance_type_offerings)[0];
    expect(offerings).toMatchObject({
      location_type: 'availability-zone',
      filter: [
        { name: 'location', values: ['eu-west-1b'] },
        { name: 'instance-type', values: ['g6.xlarge', 'g5.2xlarge'] },
      ],
    });
    expect(Object.values(s.json.data!.aws_servicequotas_service_quota)[0]).toMatchObject({ service_code: 'ec2', quota_code: 'L-3819A6DF' });
    const [offered, quota] = group.lifecycle.precondition;
    expect(offered.condition).toMatch(
      /^\$\{alltrue\(\[contains\(data\.aws_ec2_instance_type_offerings\.[\w-]+\.instance_types, "g6\.xlarge"\), contains\(.*"g5\.2xlarge"\)\]\)\}$/,
    );
    expect(offered.error_message).toMatch(/^Node group "gpu": instance type\(s\) \$\{join\(", ", setsubtract\(.*\)\)\} are not offered in eu-west-1b\./);
    expect(quota.condition).toMatch(
      /^\$\{\(data\.aws_servicequotas_service_quota\.\w+\.value >= \(4 \* max\(data\.aws_ec2_instance_type\.\w+\.default_vcpus, data\.aws_ec2_instance_type\.\w+\.default_vcpus\)\)\)\}$/,
    );
    expect(quota.error_message).toContain('of the EC2 quota "All G and VT Spot Instance Requests" (L-3819A6DF)');
    expect(quota.error_message).toContain('(4 nodes: maxSize 2 plus 2 launched first during an update or replacement, x the largest of g6.xlarge, g5.2xlarge)');
    expect(quota.error_message).toContain('aws service-quotas request-service-quota-increase --service-code ec2 --quota-code L-3819A6DF --desired-value ${');
  });

  test('node groups are named by prefix and replaced create-before-destroy; their instances carry the cluster tag', () => {
    const s = synthScope((scope) => {
      const eks = new EksCluster(scope, 'eks', base);
      eks.addNodegroupCapacity('system', { nodegroupName: 'system-a', instanceTypes: ['m6i.large'], minSize: 1, desiredSize: 1, maxSize: 2 });
    });
    const group = s.only('aws_eks_node_group');
    expect(group.node_group_name).toBeUndefined();
    expect(group.node_group_name_prefix).toBe('system-a-');
    expect(group.lifecycle).toEqual({ create_before_destroy: true });
    expect(group.update_config).toEqual({ max_unavailable: 1 });
    expect(s.only('aws_launch_template').tag_specifications).toEqual([{ resource_type: 'instance', tags: { 'kubernetes.io/cluster/llm': 'owned' } }]);
  });

  test('a group that does not wait for its nodes is created empty and scaled by the AWS CLI, which returns at once', () => {
    const s = synthScope((scope) =>
      new EksCluster(scope, 'eks', base).addNodegroupCapacity('gpu', { ...gpu, minSize: 1, desiredSize: 1, waitForNodes: false }),
    );
    const group = s.only('aws_eks_node_group');
    expect(group.scaling_config).toEqual({ min_size: 0, desired_size: 0, max_size: 2 });
    expect(group.lifecycle.ignore_changes).toEqual(['scaling_config[0].min_size', 'scaling_config[0].desired_size']);
    const scale: any = Object.values(s.json.resource!.terraform_data)[0];
    expect(scale.triggers_replace).toEqual({
      nodegroup: expect.stringMatching(/^\$\{aws_eks_node_group\.eks_gpu_\w+\.id\}$/),
      minSize: 1,
      desiredSize: 1,
      maxSize: 2,
    });
    expect(scale.provisioner).toEqual([
      {
        'local-exec': {
          command: expect.stringMatching(
            /^aws eks update-nodegroup-config --region \$\{data\.aws_region\.eks_gpu_region_\w+\.region\} --cluster-name \$\{aws_eks_cluster\.eks_cluster_\w+\.name\} --nodegroup-name \$\{aws_eks_node_group\.eks_gpu_\w+\.node_group_name\} --scaling-config minSize=1,maxSize=2,desiredSize=1 --output text --query update\.id$/,
          ),
        },
      },
    ]);
    const waiting = synthScope((scope) => new EksCluster(scope, 'eks', base).addNodegroupCapacity('gpu', gpu));
    expect(waiting.only('aws_eks_node_group').scaling_config).toEqual({ min_size: 0, desired_size: 1, max_size: 2 });
    expect(waiting.json.resource!.terraform_data).toBeUndefined();
  });

  // The scale-up phase of a managed node group update adds max(2 x zones, maxUnavailable) nodes;
  // a replacement adds a whole new group of desiredSize next to the old one.
  test.each([
    // desired, max, zones, maxUnavailable, surge, peak
    [1, 1, 1, 1, 2, 3],
    [1, 2, 1, 1, 2, 4],
    [3, 3, 3, 1, 6, 9],
    [8, 8, 1, 1, 2, 16],
    [2, 4, 2, 5, 5, 9],
    [0, 1, 1, 1, 2, 3],
  ])('peak of desired %i, max %i over %i zone(s), maxUnavailable %i: surge %i, peak %i', (desiredSize, maxSize, zones, maxUnavailable, surge, peak) => {
    expect(nodegroupUpdateSurge({ zones, maxUnavailable })).toBe(surge);
    expect(nodegroupPeakNodes({ desiredSize, maxSize, zones, maxUnavailable })).toBe(peak);
  });

  const INVALID: [string, (scope: any) => void, RegExp][] = [
    [
      'fewer than two subnets',
      (s) => new EksCluster(s, 'eks', { ...base, subnetIds: ['a'] }),
      /^stack\/eks: subnetIds has 1 subnet\(s\); EKS needs subnets in at least 2 zones$/,
    ],
    [
      'sizes out of order',
      (s) => new EksCluster(s, 'eks', base).addNodegroupCapacity('g', { ...gpu, desiredSize: 5 }),
      /^stack\/eks: node group "gpu" must satisfy 0 <= minSize <= desiredSize <= maxSize, maxSize >= 1 \(got 0, 5, 2\)$/,
    ],
    [
      'no instance type',
      (s) => new EksCluster(s, 'eks', base).addNodegroupCapacity('g', { ...gpu, instanceTypes: [] }),
      /^stack\/eks: node group "gpu" needs at least one instance type$/,
    ],
    [
      'a subnet outside the cluster',
      (s) => new EksCluster(s, 'eks', base).addNodegroupCapacity('g', { ...gpu, subnetIds: ['x'] }),
      /^stack\/eks: node group "gpu" subnetIds must be a non-empty subset of the cluster's subnets \(got x\)$/,
    ],
    [
      'an API endpoint open to the internet',
      (s) => new EksCluster(s, 'eks', { ...base, publicAccessCidrs: ['0.0.0.0/0'] }),
      /^stack\/eks: publicAccessCidrs contains 0\.0\.0\.0\/0; list your own ranges, or set allowPublicAccessFromAnywhere to accept an API endpoint open to the internet$/,
    ],
    ['no public CIDR', (s) => new EksCluster(s, 'eks', { ...base, publicAccessCidrs: [] }), /^stack\/eks: publicAccessCidrs must list at least one CIDR$/],
    [
      'no admin',
      (s) => new EksCluster(s, 'eks', { ...base, adminPrincipalArns: [] }),
      /^stack\/eks: adminPrincipalArns must list at least one principal; the creator gets no implicit admin access$/,
    ],
    [
      'a retention CloudWatch does not offer',
      (s) => new EksCluster(s, 'eks', { ...base, logRetentionDays: 100 }),
      /^stack\/eks: logRetentionDays 100 must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365,/,
    ],
    [
      'a key deletion window out of range',
      (s) => new ClusterKey(s, 'key', { clusterName: 'c', deletionWindowDays: 3 }),
      /^stack\/key: deletionWindowDays 3 must be an integer from 7 to 30$/,
    ],
  ];
  test.each(INVALID)('rejects %s', (_name, build, message) => {
    expect(() => synthScope(build)).toThrow(message);
  });
});

describe('EksNetwork', () => {
  test('rejects a zone count EKS cannot use', () => {
    expect(() =>
      synthScope((s) => new EksNetwork(s, 'net', { clusterName: 'c', cidr: '10.0.0.0/16', availabilityZones: ['eu-west-1a'], kmsKeyArn: 'k' })),
    ).toThrow(/^stack\/net: availabilityZones has 1 zones; EKS needs 2 to 6 \(got eu-west-1a\)$/);
  });

  test('logs every flow to an encrypted log group and empties the default security group', () => {
    const s = synthScope(
      (scope) =>
        new EksNetwork(scope, 'net', {
          clusterName: 'c',
          cidr: '10.0.0.0/16',
          availabilityZones: ['eu-west-1a', 'eu-west-1b'],
          kmsKeyArn: 'k',
          flowLogRetentionDays: 30,
        }),
    );
    expect(s.only('aws_default_security_group')).toMatchObject({ ingress: [], egress: [] });
    expect(s.only('aws_cloudwatch_log_group')).toMatchObject({ name: '/aws/vpc/c/flow-logs', retention_in_days: 30, kms_key_id: 'k' });
    expect(s.only('aws_flow_log')).toMatchObject({ traffic_type: 'ALL', log_destination_type: 'cloud-watch-logs', max_aggregation_interval: 60 });
    expect(JSON.parse(s.only('aws_iam_role').assume_role_policy).Statement[0].Principal).toEqual({ Service: 'vpc-flow-logs.amazonaws.com' });
  });
});

describe('ClusterKey', () => {
  test('a customer-managed key with rotation, usable by CloudWatch Logs of this account only', () => {
    const s = synthScope((scope) => new ClusterKey(scope, 'key', { clusterName: 'c' }));
    const key = s.only('aws_kms_key');
    expect(key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    const [account, logs] = JSON.parse(key.policy).Statement;
    expect(account).toMatchObject({
      Principal: { AWS: expect.stringMatching(/^arn:\$\{data\.aws_partition\.\w+\.partition\}:iam::\$\{data\.aws_caller_identity\.\w+\.account_id\}:root$/) },
      Action: 'kms:*',
    });
    expect(logs.Principal.Service).toMatch(/^logs\.\$\{data\.aws_region\.\w+\.region\}\.amazonaws\.com$/);
    expect(logs.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn']).toMatch(/:log-group:\*$/);
    expect(s.only('aws_kms_alias').name).toBe('alias/c');
  });
});
