import { Construct } from 'constructs';
import { Ec2Tag } from '@cdktf/provider-aws/lib/ec2-tag';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { ServiceRole, serviceRole } from '../core/iam';
import { KARPENTER_DISCOVERY_TAG, karpenterNodeRoleName } from './names';

/** Properties of {@link KarpenterNodeAccess}. */
export interface KarpenterNodeAccessProps {
  /** EKS cluster name (a reference to the cluster, so that the entry waits for it). */
  readonly clusterName: string;
  /** The plain cluster name, for the role's name and the discovery tag's value. */
  readonly name: string;
  /** The EKS-created cluster security group, which Karpenter's nodes join like the managed nodes. */
  readonly clusterSecurityGroupId: string;
}

/**
 * What the nodes Karpenter launches need from the cluster stack: their IAM role (joining the
 * cluster, pulling images, SSM Session Manager; no CNI policy: the VPC CNI gets its permissions
 * through Pod Identity), an EKS access entry of type `EC2_LINUX` that lets that role's instances
 * join (managed node groups get theirs from EKS; these nodes do not), and the discovery tag on the
 * cluster security group. The subnets carry the same tag (EksNetwork).
 */
export class KarpenterNodeAccess extends Construct {
  /** The node role. */
  public readonly nodeRole: ServiceRole;
  /** The access entry of the node role. */
  public readonly accessEntry: EksAccessEntry;

  constructor(scope: Construct, id: string, props: KarpenterNodeAccessProps) {
    super(scope, id);
    this.nodeRole = serviceRole(this, 'node_role', karpenterNodeRoleName(props.name), 'ec2.amazonaws.com', [
      'AmazonEKSWorkerNodePolicy',
      'AmazonEC2ContainerRegistryPullOnly',
      'AmazonSSMManagedInstanceCore',
    ]);
    this.accessEntry = new EksAccessEntry(this, 'node_access', {
      clusterName: props.clusterName,
      principalArn: this.nodeRole.role.arn,
      type: 'EC2_LINUX',
    });
    new Ec2Tag(this, 'security_group_discovery', { resourceId: props.clusterSecurityGroupId, key: KARPENTER_DISCOVERY_TAG, value: props.name });
  }
}
