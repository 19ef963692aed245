import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { ConstructError } from '../core/errors';
import { policyRole } from '../core/iam';

/** Properties of {@link EksNetwork}. */
export interface EksNetworkProps {
  /** Name of the EKS cluster the subnets are tagged for. */
  readonly clusterName: string;
  /** VPC CIDR (/16 to /20). */
  readonly cidr: string;
  /** One public and one private subnet per zone. */
  readonly availabilityZones: readonly string[];
  /**
   * One NAT gateway shared by all zones instead of one per zone.
   * @default false
   */
  readonly singleNatGateway?: boolean;
  /** KMS key that encrypts the flow-log group. */
  readonly kmsKeyArn: string;
  /**
   * Retention of the flow-log group `/aws/vpc/<clusterName>/flow-logs`, in days.
   * @default 365
   */
  readonly flowLogRetentionDays?: number;
  /**
   * Tags added to the private subnets (the nodes' subnets), e.g. Karpenter's discovery tag.
   * @default {}
   */
  readonly privateSubnetTags?: Record<string, string>;
}

/**
 * A VPC for EKS: per zone a private subnet (nodes, internal load balancers) routed through a NAT
 * gateway and a public subnet (internet-facing load balancers, NAT), tagged so that the AWS load
 * balancer integrations find them. Private subnets take the first three eighths of the range
 * (`cidr` + 3 bits each); public ones are small (`cidr` + 8 bits) near its end. Every flow is
 * logged to an encrypted CloudWatch log group, and the VPC's default security group has no rules,
 * so nothing that falls back to it can talk.
 */
export class EksNetwork extends Construct {
  /** The VPC. */
  public readonly vpc: Vpc;
  /** Private subnets, one per zone, in zone order. */
  public readonly privateSubnets: readonly Subnet[];
  /** Public subnets, one per zone, in zone order. */
  public readonly publicSubnets: readonly Subnet[];
  /** The VPC flow log. */
  public readonly flowLog: FlowLog;

  constructor(scope: Construct, id: string, props: EksNetworkProps) {
    super(scope, id);
    const singleNatGateway = props.singleNatGateway ?? false;
    const flowLogRetentionDays = props.flowLogRetentionDays ?? 365;
    const zones = props.availabilityZones;
    if (zones.length < 2 || zones.length > 6) {
      throw new ConstructError(this, `availabilityZones has ${zones.length} zones; EKS needs 2 to 6 (got ${zones.join(', ') || 'none'})`);
    }
    const clusterTag = { [`kubernetes.io/cluster/${props.clusterName}`]: 'shared' };

    this.vpc = new Vpc(this, 'vpc', {
      cidrBlock: props.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: props.clusterName },
    });
    // Managing the default group removes every rule AWS put in it.
    new DefaultSecurityGroup(this, 'default_security_group', {
      vpcId: this.vpc.id,
      ingress: [],
      egress: [],
      tags: { Name: `${props.clusterName}-default-no-rules` },
    });
    const flowLogGroup = new CloudwatchLogGroup(this, 'flow_logs', {
      name: `/aws/vpc/${props.clusterName}/flow-logs`,
      retentionInDays: flowLogRetentionDays,
      kmsKeyId: props.kmsKeyArn,
    });
    const flowLogRole = policyRole(this, 'flow_logs_role', `${props.clusterName}-flow-logs`, 'vpc-flow-logs.amazonaws.com', {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams'],
          Resource: [flowLogGroup.arn, `${flowLogGroup.arn}:*`],
        },
      ],
    });
    this.flowLog = new FlowLog(this, 'flow_log', {
      vpcId: this.vpc.id,
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logDestination: flowLogGroup.arn,
      iamRoleArn: flowLogRole.role.arn,
      maxAggregationInterval: 60,
      dependsOn: [...flowLogRole.attachments],
    });

    const igw = new InternetGateway(this, 'igw', { vpcId: this.vpc.id, tags: { Name: props.clusterName } });
    const publicRoutes = new RouteTable(this, 'public_routes', {
      vpcId: this.vpc.id,
      route: [{ cidrBlock: '0.0.0.0/0', gatewayId: igw.id }],
      tags: { Name: `${props.clusterName}-public` },
    });

    const publicSubnets: Subnet[] = [];
    const privateSubnets: Subnet[] = [];
    const natGateways: NatGateway[] = [];
    zones.forEach((zone, i) => {
      const publicSubnet = new Subnet(this, `public_${zone}`, {
        vpcId: this.vpc.id,
        availabilityZone: zone,
        cidrBlock: Fn.cidrsubnet(props.cidr, 8, 200 + i),
        mapPublicIpOnLaunch: false,
        tags: { Name: `${props.clusterName}-public-${zone}`, 'kubernetes.io/role/elb': '1', ...clusterTag },
      });
      new RouteTableAssociation(this, `public_${zone}_routes`, { subnetId: publicSubnet.id, routeTableId: publicRoutes.id });
      publicSubnets.push(publicSubnet);

      if (!singleNatGateway || i === 0) {
        const eip = new Eip(this, `nat_${zone}_ip`, { domain: 'vpc', tags: { Name: `${props.clusterName}-nat-${zone}` } });
        natGateways.push(
          new NatGateway(this, `nat_${zone}`, {
            allocationId: eip.id,
            subnetId: publicSubnet.id,
            tags: { Name: `${props.clusterName}-${zone}` },
            dependsOn: [igw],
          }),
        );
      }
      const nat = natGateways[natGateways.length - 1];
      const privateSubnet = new Subnet(this, `private_${zone}`, {
        vpcId: this.vpc.id,
        availabilityZone: zone,
        cidrBlock: Fn.cidrsubnet(props.cidr, 3, i),
        tags: { Name: `${props.clusterName}-private-${zone}`, 'kubernetes.io/role/internal-elb': '1', ...clusterTag, ...(props.privateSubnetTags ?? {}) },
      });
      const privateRoutes = new RouteTable(this, `private_${zone}_routes`, {
        vpcId: this.vpc.id,
        route: [{ cidrBlock: '0.0.0.0/0', natGatewayId: nat.id }],
        tags: { Name: `${props.clusterName}-private-${zone}` },
      });
      new RouteTableAssociation(this, `private_${zone}_routes_association`, { subnetId: privateSubnet.id, routeTableId: privateRoutes.id });
      privateSubnets.push(privateSubnet);
    });
    this.publicSubnets = publicSubnets;
    this.privateSubnets = privateSubnets;
  }
}
