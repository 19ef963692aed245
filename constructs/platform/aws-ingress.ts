import { ITerraformDependable, dependable } from 'cdktf';
import { Construct } from 'constructs';
import { DataAwsRoute53Zone } from '@cdktf/provider-aws/lib/data-aws-route53-zone';
import { ConstructError } from '../core/errors';
import { ChartRef } from '../../contracts/versions';
import { AwsLoadBalancerController } from './aws-load-balancer-controller';
import { DnsValidatedCertificate } from './dns-validated-certificate';
import { ExternalDns } from './external-dns';

/** Properties of {@link AwsIngress}. */
export interface AwsIngressProps {
  /** EKS cluster name. */
  readonly clusterName: string;
  /** AWS region of the cluster. */
  readonly region: string;
  /** VPC of the cluster. */
  readonly vpcId: string;
  /** Host names the Ingresses serve. */
  readonly hosts: readonly string[];
  /**
   * IngressClass of the load balancer controller.
   * @default 'alb'
   */
  readonly ingressClassName?: string;
  /**
   * ACM certificate covering `hosts`, attached to the IngressClass.
   * @default - a certificate requested here, validated in `hostedZone` and attached to the
   * IngressClass
   */
  readonly certificateArn?: string;
  /**
   * Name of the public Route 53 zone holding every host.
   * @default - none (then `certificateArn` is required and DNS is managed elsewhere)
   */
  readonly hostedZone?: string;
  /**
   * Run ExternalDNS for `hostedZone`.
   * @default true when `hostedZone` is set
   */
  readonly externalDns?: boolean;
  /**
   * Chart pins.
   * @default - the pins in contracts/versions.ts
   */
  readonly charts?: { readonly loadBalancerController?: ChartRef; readonly externalDns?: ChartRef };
}

/**
 * Ingress on EKS: the AWS Load Balancer Controller, the TLS certificate of the hosts and, with a
 * hosted zone, ExternalDNS. Whatever creates Ingresses must depend on {@link ingressDependencies}:
 * then the controller, the certificate and ExternalDNS exist before the first Ingress, and on
 * destroy they outlive the last one, so the controller deletes the ALB, its target groups and
 * security groups (and ExternalDNS the records) while it still runs.
 */
export class AwsIngress extends Construct {
  /** The load balancer controller. */
  public readonly controller: AwsLoadBalancerController;
  /** The certificate requested here, when no `certificateArn` is given. */
  public readonly certificate?: DnsValidatedCertificate;
  /** ExternalDNS, when enabled. */
  public readonly externalDns?: ExternalDns;
  /** Resources that must be created before, and destroyed after, anything owning an Ingress. */
  public readonly ingressDependencies: readonly ITerraformDependable[];

  constructor(scope: Construct, id: string, props: AwsIngressProps) {
    super(scope, id);
    const externalDns = props.externalDns ?? props.hostedZone !== undefined;
    if (props.hosts.length === 0) throw new ConstructError(this, 'hosts must list at least one host name');
    if (props.certificateArn === undefined && props.hostedZone === undefined) {
      throw new ConstructError(this, 'needs certificateArn or hostedZone: the ALB serves TLS with an ACM certificate');
    }
    if (externalDns && props.hostedZone === undefined) throw new ConstructError(this, 'externalDns needs hostedZone');
    const outside = props.hostedZone === undefined ? undefined : props.hosts.find((h) => h !== props.hostedZone && !h.endsWith(`.${props.hostedZone}`));
    if (outside !== undefined) throw new ConstructError(this, `host "${outside}" is not inside hostedZone ${props.hostedZone}`);

    const zone = props.hostedZone === undefined ? undefined : new DataAwsRoute53Zone(this, 'zone', { name: props.hostedZone, privateZone: false });
    if (props.certificateArn === undefined && zone !== undefined) {
      this.certificate = new DnsValidatedCertificate(this, 'certificate', { domainNames: props.hosts, hostedZoneId: zone.zoneId });
    }
    this.controller = new AwsLoadBalancerController(this, 'controller', {
      clusterName: props.clusterName,
      region: props.region,
      vpcId: props.vpcId,
      ingressClassName: props.ingressClassName,
      // Attached explicitly: on a change of hosts the listener switches to the new certificate
      // when the release updates, before Terraform deletes the old one.
      certificateArns: [props.certificateArn ?? this.certificate!.issuedArn],
      chart: props.charts?.loadBalancerController,
    });
    // The certificate is issued before any ALB listener needs it and deleted after the ALB is gone.
    if (this.certificate) this.controller.release.dependsOn = [...(this.controller.release.dependsOn ?? []), dependable(this.certificate.validation)];
    if (externalDns && zone !== undefined) {
      this.externalDns = new ExternalDns(this, 'external_dns', {
        clusterName: props.clusterName,
        region: props.region,
        hostedZone: { id: zone.zoneId, name: props.hostedZone!, arn: zone.arn },
        chart: props.charts?.externalDns,
      });
    }
    this.ingressDependencies = [this.controller.release, ...(this.externalDns ? [this.externalDns.release] : [])];
  }
}
