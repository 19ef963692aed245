import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { ConstructError } from '../core/errors';

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
}

/**
 * A VPC for EKS: per zone a private subnet (nodes, internal load balancers) routed through a NAT
 * gateway and a public subnet (internet-facing load balancers, NAT), tagged so that the AWS load
 * balancer integrations find them. Private subnets take the first three eighths of the range
 * (`cidr` + 3 bits each); public ones are small (`cidr` + 8 bits) near its end.
 */
export class EksNetwork extends Construct {
  /** The VPC. */
  public readonly vpc: Vpc;
  /** Private subnets, one per zone, in zone order. */
  public readonly privateSubnets: readonly Subnet[];
  /** Public subnets, one per zone, in zone order. */
  public readonly publicSubnets: readonly Subnet[];

  constructor(scope: Construct, id: string, props: EksNetworkProps) {
    super(scope, id);
    const singleNatGateway = props.singleNatGateway ?? false;
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
        tags: { Name: `${props.clusterName}-private-${zone}`, 'kubernetes.io/role/internal-elb': '1', ...clusterTag },
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
