import { Fn, Op, Token, dependable } from 'cdktf';
import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsEc2InstanceType } from '@cdktf/provider-aws/lib/data-aws-ec2-instance-type';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import { DataAwsEc2InstanceTypeOfferings } from '@cdktf/provider-aws/lib/data-aws-ec2-instance-type-offerings';
import { DataAwsIamSessionContext } from '@cdktf/provider-aws/lib/data-aws-iam-session-context';
import { DataAwsServicequotasServiceQuota } from '@cdktf/provider-aws/lib/data-aws-servicequotas-service-quota';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association';
import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { EksCluster as EksControlPlane } from '@cdktf/provider-aws/lib/eks-cluster';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LaunchTemplate, LaunchTemplateBlockDeviceMappings } from '@cdktf/provider-aws/lib/launch-template';
import { ConstructError } from '../core/errors';
import { TerraformData } from '../core/moved';
import { AccessPolicy, AddonName, CapacityType, LOG_RETENTION_DAYS, NodeTaint, VcpuQuota } from '../../contracts/eks-types';

export { AccessPolicy, AddonName, CapacityType, LOG_RETENTION_DAYS, TaintEffect } from '../../contracts/eks-types';
export type { NodeTaint, VcpuQuota } from '../../contracts/eks-types';
import { POD_IDENTITY, ServiceRole, policyRole, serviceRole } from '../core/iam';
import { PUBLISHED_EBS_CSI_POLICY, ebsCsiClusterTag, scopeEbsCsiPolicy } from './ebs-csi-policy';
import { nodegroupPeakNodes } from './nodegroup-surge';

/** Nodes a managed node group update takes down at once (`updateConfig.maxUnavailable`). */
export const NODEGROUP_MAX_UNAVAILABLE = 1;

/**
 * Exact versions of the managed add-ons (`v1.20.4-eksbuild.2`). All are required: a version left to
 * AWS's default would change under an unrelated apply whenever AWS moves the default.
 */
export interface EksAddonVersions {
  readonly vpcCni: string;
  readonly kubeProxy: string;
  readonly coreDns: string;
  readonly podIdentityAgent: string;
  readonly ebsCsiDriver: string;
}

/** Properties of {@link EksCluster}. */
export interface EksClusterProps {
  /** EKS cluster name. */
  readonly clusterName: string;
  /** Kubernetes minor version of the control plane; node groups and add-on defaults follow it. */
  readonly kubernetesVersion: string;
  /** Subnets of the nodes and the control plane's network interfaces (at least two zones). */
  readonly subnetIds: readonly string[];
  /** CIDR blocks allowed to reach the public API endpoint (the private endpoint is always on). */
  readonly publicAccessCidrs: readonly string[];
  /**
   * Accept `0.0.0.0/0` in `publicAccessCidrs`.
   * @default false
   */
  readonly allowPublicAccessFromAnywhere?: boolean;
  /**
   * IAM principals (role or user ARNs) that administer the cluster. The creator gets no implicit
   * admin entry, so the identity that runs Terraform must be listed here (or in
   * `viewerPrincipalArns` for plans); the plan fails early otherwise.
   */
  readonly adminPrincipalArns: readonly string[];
  /**
   * IAM principals that may view the cluster, never its Secrets (CI's pull-request plan role).
   * @default []
   */
  readonly viewerPrincipalArns?: readonly string[];
  /** Customer-managed KMS key for the envelope encryption of Secrets and the control-plane logs. */
  readonly kmsKeyArn: string;
  /**
   * Retention of the control-plane log group `/aws/eks/<clusterName>/cluster`, in days.
   * @default 365
   */
  readonly logRetentionDays?: number;
  /**
   * Refuse to delete the cluster (turn off and apply before a destroy).
   * @default false
   */
  readonly deletionProtection?: boolean;
  /** Exact add-on versions. */
  readonly addonVersions: EksAddonVersions;
}

/** Checks that fail the plan before AWS would fail the apply. */
export interface NodegroupPreflight {
  /**
   * Zones in which every instance type of the group must be offered.
   * @default - not checked
   */
  readonly availabilityZones?: readonly string[];
  /**
   * The vCPU quota the group draws on; the plan fails when the group's peak during an update or a
   * replacement ({@link nodegroupPeakNodes}) of the largest instance type would not fit in it.
   * @default - not checked
   */
  readonly vcpuQuota?: VcpuQuota;
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
   * AMI release of the nodes (`release_version`, e.g. `1.35.0-20260115`): a change updates the
   * group in place, rolling its nodes onto the new image.
   * @default - EKS's newest release at creation, never updated until a Kubernetes upgrade
   */
  readonly releaseVersion?: string;
  /**
   * On-demand or spot capacity.
   * @default CapacityType.ON_DEMAND
   */
  readonly capacityType?: CapacityType;
  /** Minimum number of nodes. */
  readonly minSize: number;
  /** Number of nodes; Terraform keeps the group at this size (no autoscaler owns it). */
  readonly desiredSize: number;
  /**
   * Whether the apply waits for the nodes. EKS reports a new group active only once its nodes
   * joined, so a group whose capacity is short (spot) fails the apply after a long wait. With
   * `false` the group is created empty (ready at once) and then scaled to `minSize`/`desiredSize`
   * with `aws eks update-nodegroup-config`, which returns without waiting: the nodes come when
   * EC2 has capacity. Terraform then leaves the current min/desired sizes alone (a changed
   * `minSize`/`desiredSize`/`maxSize` scales again). Needs the AWS CLI where Terraform runs.
   * @default true
   */
  readonly waitForNodes?: boolean;
  /** Maximum number of nodes. */
  readonly maxSize: number;
  /**
   * Size of the (encrypted gp3) volume that holds images and pod data, in GiB.
   * @default 50
   */
  readonly diskSizeGiB?: number;
  /**
   * Subnets of the group; a subset of the cluster's, e.g. one zone's.
   * @default - every subnet of the cluster
   */
  readonly subnetIds?: readonly string[];
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
  /**
   * Plan-time checks of the account's capacity.
   * @default - none
   */
  readonly preflight?: NodegroupPreflight;
}

/**
 * An EKS cluster hardened for a security review: API-mode access entries from explicit admin and
 * viewer lists (no implicit creator admin), a public endpoint limited to given CIDRs next to the
 * private one, Secrets envelope-encrypted with a customer-managed key, every control-plane log
 * type in a Terraform-managed, encrypted log group with retention, and managed add-ons at exact
 * versions whose AWS permissions come through EKS Pod Identity (the node role has none beyond
 * joining, pulling images and SSM Session Manager). The VPC CNI enforces NetworkPolicies; the EBS
 * CSI driver's policy is scoped to volumes, snapshots and instances tagged for this cluster. Node
 * groups are added with {@link addNodegroupCapacity}; their launch templates require IMDSv2 with a
 * hop limit of 1 and encrypt the root volume.
 */
export class EksCluster extends Construct {
  /** The control plane. */
  public readonly cluster: EksControlPlane;
  /** The control-plane log group, created before the cluster so that EKS does not create its own. */
  public readonly logGroup: CloudwatchLogGroup;
  private readonly clusterName: string;
  private readonly launchTemplates = new Map<EksNodeGroup, LaunchTemplate>();
  private readonly nodeRole: ServiceRole;
  private readonly subnetIds: readonly string[];
  /** Add-ons nodes need to become ready (networking, credentials): created before any node group. */
  private readonly beforeNodes: EksAddon[] = [];
  /** Add-ons whose pods need an untainted node to run before the add-on turns active. */
  private readonly afterNodes: EksAddon[] = [];

  constructor(scope: Construct, id: string, props: EksClusterProps) {
    super(scope, id);
    const viewers = props.viewerPrincipalArns ?? [];
    const logRetentionDays = props.logRetentionDays ?? 365;
    const deletionProtection = props.deletionProtection ?? false;
    const addonVersions = props.addonVersions;
    const allowFromAnywhere = props.allowPublicAccessFromAnywhere ?? false;

    if (props.subnetIds.length < 2) {
      throw new ConstructError(this, `subnetIds has ${props.subnetIds.length} subnet(s); EKS needs subnets in at least 2 zones`);
    }
    if (props.publicAccessCidrs.length === 0) throw new ConstructError(this, 'publicAccessCidrs must list at least one CIDR');
    if (props.publicAccessCidrs.includes('0.0.0.0/0') && !allowFromAnywhere) {
      throw new ConstructError(
        this,
        'publicAccessCidrs contains 0.0.0.0/0; list your own ranges, or set allowPublicAccessFromAnywhere to accept an API endpoint open to the internet',
      );
    }
    if (props.adminPrincipalArns.length === 0) {
      throw new ConstructError(this, 'adminPrincipalArns must list at least one principal; the creator gets no implicit admin access');
    }
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
      throw new ConstructError(this, `logRetentionDays ${logRetentionDays} must be one of ${LOG_RETENTION_DAYS.join(', ')}`);
    }
    this.subnetIds = props.subnetIds;
    const name = props.clusterName;
    this.clusterName = name;

    this.logGroup = new CloudwatchLogGroup(this, 'control_plane_logs', {
      name: `/aws/eks/${name}/cluster`,
      retentionInDays: logRetentionDays,
      kmsKeyId: props.kmsKeyArn,
    });
    const clusterRole = serviceRole(this, 'cluster_role', `${name}-cluster`, 'eks.amazonaws.com', ['AmazonEKSClusterPolicy']);
    // EKS encrypts Secrets with the cluster role's permissions on the key.
    const encryption = new IamRolePolicy(this, 'cluster_role_encryption', {
      name: 'secrets-encryption',
      role: clusterRole.role.name,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ListGrants', 'kms:DescribeKey'], Resource: props.kmsKeyArn }],
      }),
    });

    const caller = new DataAwsCallerIdentity(this, 'caller');
    const session = new DataAwsIamSessionContext(this, 'caller_session', { arn: caller.arn });
    this.cluster = new EksControlPlane(this, 'cluster', {
      name,
      version: props.kubernetesVersion,
      roleArn: clusterRole.role.arn,
      // Admins are explicit access entries; an implicit, invisible creator admin would also
      // collide with an entry for the same principal.
      accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: false },
      vpcConfig: {
        subnetIds: [...props.subnetIds],
        endpointPrivateAccess: true,
        endpointPublicAccess: true,
        publicAccessCidrs: [...props.publicAccessCidrs],
      },
      encryptionConfig: { resources: ['secrets'], provider: { keyArn: props.kmsKeyArn } },
      enabledClusterLogTypes: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'],
      upgradePolicy: { supportType: 'STANDARD' },
      deletionProtection,
      dependsOn: [...clusterRole.attachments, encryption, this.logGroup],
      lifecycle: {
        precondition: [
          {
            condition: Fn.contains([...props.adminPrincipalArns, ...viewers], session.issuerArn),
            errorMessage: `The identity running Terraform (${session.issuerArn}) has no access entry on EKS cluster ${name}: add it to the admin principals (or the read-only principals for plans) of the configuration, or run Terraform as one of them.`,
          },
        ],
      },
    });
    for (const [i, arn] of props.adminPrincipalArns.entries()) this.grantAccess(`admin_${i}`, arn, AccessPolicy.CLUSTER_ADMIN);
    for (const [i, arn] of viewers.entries()) this.grantAccess(`viewer_${i}`, arn, AccessPolicy.VIEW);

    // SSM Session Manager reaches a node (a GPU node's driver, kubelet logs) without SSH or an open port.
    this.nodeRole = serviceRole(this, 'node_role', `${name}-node`, 'ec2.amazonaws.com', [
      'AmazonEKSWorkerNodePolicy',
      'AmazonEC2ContainerRegistryReadOnly',
      'AmazonSSMManagedInstanceCore',
    ]);

    const podIdentity = this.addon(AddonName.POD_IDENTITY_AGENT, addonVersions.podIdentityAgent);
    const cniRole = serviceRole(this, 'vpc_cni_role', `${name}-vpc-cni`, POD_IDENTITY.service, ['AmazonEKS_CNI_Policy'], POD_IDENTITY.actions);
    // Without the network policy agent, NetworkPolicies are accepted and ignored.
    const vpcCni = this.addon(AddonName.VPC_CNI, addonVersions.vpcCni, { role: cniRole, serviceAccount: 'aws-node' }, { enableNetworkPolicy: 'true' });
    const kubeProxy = this.addon(AddonName.KUBE_PROXY, addonVersions.kubeProxy);
    this.beforeNodes.push(podIdentity, vpcCni, kubeProxy);

    // The published policy limited to this cluster's tag, which the driver puts on every volume and
    // snapshot it creates once it knows the cluster id: another cluster's driver in the same
    // account cannot touch them, nor this one theirs.
    const ebsCsiRole = policyRole(
      this,
      'ebs_csi_role',
      `${name}-ebs-csi`,
      POD_IDENTITY.service,
      scopeEbsCsiPolicy(PUBLISHED_EBS_CSI_POLICY, name),
      POD_IDENTITY.actions,
    );
    const ebsCsi = this.addon(
      AddonName.EBS_CSI_DRIVER,
      addonVersions.ebsCsiDriver,
      { role: ebsCsiRole, serviceAccount: 'ebs-csi-controller-sa' },
      { controller: { k8sTagClusterId: name } },
    );
    ebsCsi.dependsOn = [...(ebsCsi.dependsOn ?? []), dependable(podIdentity)];
    const coreDns = this.addon(AddonName.COREDNS, addonVersions.coreDns);
    this.afterNodes.push(coreDns, ebsCsi);
  }

  /** The launch template of a node group added by {@link addNodegroupCapacity}. */
  public launchTemplateOf(group: EksNodeGroup): LaunchTemplate {
    const template = this.launchTemplates.get(group);
    if (!template) throw new ConstructError(this, `node group ${group.node.id} was not added by addNodegroupCapacity`);
    return template;
  }

  /** Gives `principalArn` an access entry with `policy` on the whole cluster. */
  public grantAccess(id: string, principalArn: string, policy: AccessPolicy): EksAccessPolicyAssociation {
    const entry = new EksAccessEntry(this, `${id}_access`, { clusterName: this.cluster.name, principalArn, type: 'STANDARD' });
    return new EksAccessPolicyAssociation(this, `${id}_access_policy`, {
      clusterName: this.cluster.name,
      principalArn: entry.principalArn,
      policyArn: `arn:aws:eks::aws:cluster-access-policy/${policy}`,
      accessScope: { type: 'cluster' },
    });
  }

  /**
   * Adds a managed node group running the cluster's Kubernetes version with a launch template
   * (IMDSv2 only, hop limit 1 so that pods cannot borrow the node's credentials; encrypted gp3
   * volumes, the cluster's tag on the instances), named by prefix and replaced
   * create-before-destroy. Networking and Pod Identity add-ons come first; CoreDNS and the EBS CSI
   * driver wait for every untainted group. The quota preflight assumes one subnet per zone.
   */
  public addNodegroupCapacity(id: string, options: NodegroupOptions): EksNodeGroup {
    const { minSize, desiredSize, maxSize, nodegroupName } = options;
    const amiType = options.amiType ?? 'AL2023_x86_64_STANDARD';
    const diskSizeGiB = options.diskSizeGiB ?? 50;
    const subnetIds = options.subnetIds ?? this.subnetIds;
    if (!(minSize >= 0 && minSize <= desiredSize && desiredSize <= maxSize && maxSize >= 1)) {
      throw new ConstructError(
        this,
        `node group "${nodegroupName}" must satisfy 0 <= minSize <= desiredSize <= maxSize, maxSize >= 1 (got ${minSize}, ${desiredSize}, ${maxSize})`,
      );
    }
    if (options.instanceTypes.length === 0) throw new ConstructError(this, `node group "${nodegroupName}" needs at least one instance type`);
    const foreign = subnetIds.find((s) => !this.subnetIds.includes(s));
    if (subnetIds.length === 0 || foreign !== undefined) {
      throw new ConstructError(this, `node group "${nodegroupName}" subnetIds must be a non-empty subset of the cluster's subnets (got ${foreign ?? 'none'})`);
    }

    const volume = (deviceName: string, size: number): LaunchTemplateBlockDeviceMappings => ({
      deviceName,
      ebs: { volumeSize: size, volumeType: 'gp3', encrypted: 'true', deleteOnTermination: 'true' },
    });
    // Bottlerocket boots from a small OS volume and keeps images and pod data on a second one.
    const volumes = amiType.startsWith('BOTTLEROCKET') ? [volume('/dev/xvda', 8), volume('/dev/xvdb', diskSizeGiB)] : [volume('/dev/xvda', diskSizeGiB)];
    const clusterTag = ebsCsiClusterTag(this.clusterName);
    const template = new LaunchTemplate(this, `${id}_launch_template`, {
      namePrefix: `${this.cluster.name}-${nodegroupName}-`,
      updateDefaultVersion: true,
      metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1 },
      blockDeviceMappings: volumes,
      // The EBS CSI driver may attach volumes only to instances carrying the cluster's tag.
      tagSpecifications: [{ resourceType: 'instance', tags: { [clusterTag.key]: clusterTag.value } }],
    });

    const waitForNodes = options.waitForNodes ?? true;
    // A prefix, not a fixed name: a replacement (instance types, subnets, AMI type) creates the new
    // group next to the old one and drains the old one only once the new one is active.
    const group = new EksNodeGroup(this, id, {
      clusterName: this.cluster.name,
      nodeGroupNamePrefix: `${nodegroupName}-`,
      version: this.cluster.version,
      nodeRoleArn: this.nodeRole.role.arn,
      subnetIds: [...subnetIds],
      amiType,
      releaseVersion: options.releaseVersion,
      capacityType: options.capacityType ?? CapacityType.ON_DEMAND,
      instanceTypes: [...options.instanceTypes],
      launchTemplate: { id: template.id, version: Token.asString(template.latestVersion) },
      scalingConfig: waitForNodes ? { minSize, desiredSize, maxSize } : { minSize: 0, desiredSize: 0, maxSize },
      updateConfig: { maxUnavailable: NODEGROUP_MAX_UNAVAILABLE },
      labels: options.labels,
      taint: options.taints?.map((t) => ({ key: t.key, value: t.value, effect: t.effect })),
      dependsOn: [...this.nodeRole.attachments, ...this.beforeNodes],
    });
    this.launchTemplates.set(group, template);
    const preconditions = this.preflight(id, options, subnetIds.length);
    group.lifecycle = {
      createBeforeDestroy: true,
      ...(preconditions.length > 0 ? { precondition: preconditions } : {}),
      ...(waitForNodes ? {} : { ignoreChanges: ['scaling_config[0].min_size', 'scaling_config[0].desired_size'] }),
    };
    if (!waitForNodes) this.scaleWithoutWaiting(id, group, options);

    // The add-ons' pods schedule on untainted nodes only; an add-on is active once they run.
    if ((options.taints ?? []).length === 0) {
      for (const addon of this.afterNodes) addon.dependsOn = [...(addon.dependsOn ?? []), dependable(group)];
    }
    return group;
  }

  private addon(addonName: AddonName, version: string, podIdentity?: { role: ServiceRole; serviceAccount: string }, configuration?: object): EksAddon {
    return new EksAddon(this, addonName.replace(/-/g, '_'), {
      clusterName: this.cluster.name,
      addonName,
      addonVersion: version,
      ...(configuration ? { configurationValues: JSON.stringify(configuration) } : {}),
      resolveConflictsOnCreate: 'OVERWRITE',
      resolveConflictsOnUpdate: 'OVERWRITE',
      ...(podIdentity
        ? {
            podIdentityAssociation: [{ roleArn: podIdentity.role.role.arn, serviceAccount: podIdentity.serviceAccount }],
            dependsOn: [...podIdentity.role.attachments],
          }
        : {}),
    });
  }

  /**
   * Scales a group created empty to its sizes without waiting for the nodes; runs again when a
   * size changes or the group is replaced.
   */
  private scaleWithoutWaiting(id: string, group: EksNodeGroup, options: NodegroupOptions): TerraformData {
    const { minSize, desiredSize, maxSize } = options;
    const command = [
      'aws eks update-nodegroup-config',
      `--region ${new DataAwsRegion(this, `${id}_region`).region}`,
      `--cluster-name ${this.cluster.name}`,
      `--nodegroup-name ${group.nodeGroupName}`,
      `--scaling-config minSize=${minSize},maxSize=${maxSize},desiredSize=${desiredSize}`,
      '--output text --query update.id',
    ].join(' ');
    return new TerraformData(this, `${id}_scale`, {
      triggersReplace: { nodegroup: group.id, minSize, desiredSize, maxSize },
      provisioners: [{ type: 'local-exec', command }],
    });
  }

  private preflight(id: string, options: NodegroupOptions, zones: number) {
    const checks: { condition: unknown; errorMessage: string }[] = [];
    const { nodegroupName, instanceTypes, maxSize, desiredSize } = options;
    for (const zone of options.preflight?.availabilityZones ?? []) {
      const offered = new DataAwsEc2InstanceTypeOfferings(this, `${id}_offerings_${zone}`, {
        locationType: 'availability-zone',
        filter: [
          { name: 'location', values: [zone] },
          { name: 'instance-type', values: [...instanceTypes] },
        ],
      });
      const missing = Fn.setsubtract([...instanceTypes], offered.instanceTypes);
      checks.push({
        condition: Fn.alltrue(instanceTypes.map((type) => Fn.contains(offered.instanceTypes, type))),
        errorMessage: `Node group "${nodegroupName}": instance type(s) ${Fn.join(', ', missing)} are not offered in ${zone}. Choose types offered there (aws ec2 describe-instance-type-offerings --location-type availability-zone --filters Name=location,Values=${zone}) or another zone.`,
      });
    }
    const quota = options.preflight?.vcpuQuota;
    if (quota) {
      const value = new DataAwsServicequotasServiceQuota(this, `${id}_vcpu_quota`, { serviceCode: 'ec2', quotaCode: quota.code }).value;
      const vcpus = instanceTypes.map((type) => new DataAwsEc2InstanceType(this, `${id}_${type.replace(/\./g, '_')}`, { instanceType: type }).defaultVcpus);
      const peak = nodegroupPeakNodes({ desiredSize, maxSize, zones, maxUnavailable: NODEGROUP_MAX_UNAVAILABLE });
      const need = Op.mul(peak, Fn.max(vcpus));
      checks.push({
        condition: Op.gte(value, need),
        errorMessage: `Node group "${nodegroupName}" needs up to ${Token.asString(need)} vCPUs (${peak} nodes: maxSize ${maxSize} plus ${peak - maxSize} launched first during an update or replacement, x the largest of ${instanceTypes.join(', ')}) of the EC2 quota "${quota.name}" (${quota.code}), but this account and region allow ${Token.asString(value)}. Ask for more in the Service Quotas console or with: aws service-quotas request-service-quota-increase --service-code ec2 --quota-code ${quota.code} --desired-value ${Token.asString(need)}`,
      });
    }
    return checks;
  }
}
