import { chartRelease } from '../core/chart-release';
import { Construct } from 'constructs';
import { Release } from '@cdktf/provider-helm/lib/release';
import { ConstructError } from '../core/errors';
import { podIdentityServiceAccount } from '../core/iam';
import { AWS_LOAD_BALANCER_CONTROLLER_CHART, ChartRef } from '../../contracts/versions';
// The policy AWS publishes for the controller (docs/install/iam_policy.json of
// kubernetes-sigs/aws-load-balancer-controller at tag v3.5.0, commit 11eb202c97e4), unchanged;
// narrowed to this cluster when attached.
import IAM_POLICY from './policies/aws-load-balancer-controller-v3.5.0.json';
import { PolicyDocument } from './cluster-scoped-policy';
import { scopeLoadBalancerControllerPolicy } from './load-balancer-controller-policy';

/** The tag the controller puts on every AWS resource it creates, with the cluster name as value. */
export const CLUSTER_TAG = 'elbv2.k8s.aws/cluster';

/** Properties of {@link AwsLoadBalancerController}. */
export interface AwsLoadBalancerControllerProps {
  /** EKS cluster name; the controller tags what it creates with it. */
  readonly clusterName: string;
  /** AWS region. Passed explicitly: with an IMDS hop limit of 1 pods cannot read it from the node. */
  readonly region: string;
  /** VPC of the cluster. Passed explicitly for the same reason. */
  readonly vpcId: string;
  /**
   * IngressClass the controller creates and serves.
   * @default 'alb'
   */
  readonly ingressClassName?: string;
  /**
   * ACM certificates of the IngressClass (IngressClassParams `certificateArn`): every Ingress of
   * the class is served with them, and the controller no longer discovers certificates by host
   * (which would keep a replaced certificate attached to the listener).
   * @default - none: the controller discovers certificates by the Ingresses' hosts
   */
  readonly certificateArns?: readonly string[];
  /**
   * The `aws-load-balancer-controller` chart.
   * @default AWS_LOAD_BALANCER_CONTROLLER_CHART
   */
  readonly chart?: ChartRef;
  /**
   * Namespace (an existing system namespace).
   * @default 'kube-system'
   */
  readonly namespace?: string;
}

/**
 * The AWS Load Balancer Controller: it turns Ingresses of its class into ALBs, target groups and
 * security groups, and deletes them when the Ingresses go. Its AWS permissions are the policy AWS
 * publishes for the pinned release narrowed to this cluster's resources,
 * attached to an IAM role that EKS Pod Identity hands to its service account. It does not take over Services of type LoadBalancer.
 */
export class AwsLoadBalancerController extends Construct {
  /** The Helm release. */
  public readonly release: Release;
  /** The IngressClass it serves. */
  public readonly ingressClassName: string;

  constructor(scope: Construct, id: string, props: AwsLoadBalancerControllerProps) {
    super(scope, id);
    const namespace = props.namespace ?? 'kube-system';
    const chart = props.chart ?? AWS_LOAD_BALANCER_CONTROLLER_CHART;
    this.ingressClassName = props.ingressClassName ?? 'alb';
    if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(this.ingressClassName)) {
      throw new ConstructError(this, `ingressClassName "${this.ingressClassName}" must be a lower-case DNS name such as alb`);
    }
    const serviceAccount = 'aws-load-balancer-controller';

    const association = podIdentityServiceAccount(
      this,
      { clusterName: props.clusterName, namespace, serviceAccount },
      `${props.clusterName}-aws-load-balancer-controller`,
      // The published policy lets a controller change any cluster's load balancers in the account
      // (it checks only that the tag exists, or nothing); this one changes only its own cluster's.
      scopeLoadBalancerControllerPolicy(IAM_POLICY as PolicyDocument, CLUSTER_TAG, props.clusterName),
    );
    this.release = chartRelease(this, 'release', {
      name: 'aws-load-balancer-controller',
      namespace,
      chart,
      values: {
        clusterName: props.clusterName,
        region: props.region,
        serviceAccount: { create: true, name: serviceAccount },
        ingressClass: this.ingressClassName,
        createIngressClassResource: true,
        ingressClassConfig: { default: false },
        ingressClassParams: {
          create: true,
          ...(props.certificateArns && props.certificateArns.length > 0 ? { spec: { certificateArn: [...props.certificateArns] } } : {}),
        },
        defaultTargetType: 'ip',
        enableServiceMutatorWebhook: false,
      },
      set: [{ name: 'vpcId', value: props.vpcId }],
      dependsOn: [association],
    });
  }
}
