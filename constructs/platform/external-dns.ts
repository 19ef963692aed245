import { chartRelease } from '../core/chart-release';
import { Construct } from 'constructs';
import { Release } from '@cdktf/provider-helm/lib/release';
import { podIdentityServiceAccount } from '../core/iam';
import { ChartRef, EXTERNAL_DNS_CHART } from '../../contracts/versions';

/** Properties of {@link ExternalDns}. */
export interface ExternalDnsProps {
  /** EKS cluster name; it owns the records (TXT registry owner id). */
  readonly clusterName: string;
  /** AWS region (pods cannot read it from the node: IMDS hop limit 1). */
  readonly region: string;
  /** The public hosted zone ExternalDNS may write to, and only it. */
  readonly hostedZone: { readonly id: string; readonly name: string; readonly arn: string };
  /**
   * The `external-dns` chart.
   * @default EXTERNAL_DNS_CHART
   */
  readonly chart?: ChartRef;
  /**
   * Namespace (an existing system namespace).
   * @default 'kube-system'
   */
  readonly namespace?: string;
}

/**
 * ExternalDNS for Route 53, limited to one hosted zone by both its IAM policy and its filters: it
 * points the hosts of the cluster's Ingresses at their load balancer, and deletes the records it
 * owns when the Ingresses go (`policy: sync`, reacting to events rather than only every minute).
 */
export class ExternalDns extends Construct {
  /** The Helm release. */
  public readonly release: Release;

  constructor(scope: Construct, id: string, props: ExternalDnsProps) {
    super(scope, id);
    const namespace = props.namespace ?? 'kube-system';
    const chart = props.chart ?? EXTERNAL_DNS_CHART;
    const serviceAccount = 'external-dns';

    const association = podIdentityServiceAccount(this, { clusterName: props.clusterName, namespace, serviceAccount }, `${props.clusterName}-external-dns`, {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['route53:ChangeResourceRecordSets', 'route53:ListResourceRecordSets', 'route53:ListTagsForResources'],
          Resource: [props.hostedZone.arn],
        },
        // Listing zones cannot be limited to one zone.
        { Effect: 'Allow', Action: ['route53:ListHostedZones'], Resource: ['*'] },
      ],
    });
    this.release = chartRelease(this, 'release', {
      name: 'external-dns',
      namespace,
      chart,
      values: {
        provider: { name: 'aws' },
        serviceAccount: { create: true, name: serviceAccount },
        env: [{ name: 'AWS_DEFAULT_REGION', value: props.region }],
        sources: ['ingress'],
        policy: 'sync',
        registry: 'txt',
        txtOwnerId: props.clusterName,
        domainFilters: [props.hostedZone.name],
        // The zone id (resolved by Terraform) pins it to this zone even if another has the same name.
        extraArgs: [`--zone-id-filter=${props.hostedZone.id}`],
        triggerLoopOnEvent: true,
      },
      dependsOn: [association],
    });
  }
}
