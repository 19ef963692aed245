import { Construct } from 'constructs';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsIamRole } from '@cdktf/provider-aws/lib/data-aws-iam-role';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { Release } from '@cdktf/provider-helm/lib/release';
import { chartRelease } from '../core/chart-release';
import { podIdentityServiceAccount } from '../core/iam';
import { ChartRef, KARPENTER_CHART, KARPENTER_CRD_CHART } from '../../contracts/versions';
import { karpenterControllerPolicy } from './karpenter-policy';

/** The service account of Karpenter's controller, which EKS Pod Identity gives the role. */
export const KARPENTER_SERVICE_ACCOUNT = 'karpenter';

/**
 * The EC2 events Karpenter acts on before AWS takes a node away (its published CloudFormation
 * template): spot interruption warnings, rebalance recommendations, instance state changes,
 * AWS Health scheduled changes, capacity reservation interruptions.
 */
export const KARPENTER_INTERRUPTION_EVENTS = [
  { id: 'scheduled_change', source: 'aws.health', detailType: 'AWS Health Event' },
  { id: 'spot_interruption', source: 'aws.ec2', detailType: 'EC2 Spot Instance Interruption Warning' },
  { id: 'rebalance', source: 'aws.ec2', detailType: 'EC2 Instance Rebalance Recommendation' },
  { id: 'instance_state_change', source: 'aws.ec2', detailType: 'EC2 Instance State-change Notification' },
  { id: 'capacity_reservation_interruption', source: 'aws.ec2', detailType: 'EC2 Capacity Reservation Instance Interruption Warning' },
] as const;

/** Properties of {@link Karpenter}. */
export interface KarpenterProps {
  /** EKS cluster name. */
  readonly clusterName: string;
  /** AWS region. Passed explicitly: with an IMDS hop limit of 1 pods cannot read it from the node. */
  readonly region: string;
  /** Name of the IAM role of the nodes Karpenter launches (the cluster stack creates it). */
  readonly nodeRoleName: string;
  /** Node labels of the nodes the controller runs on (managed system nodes, never its own). */
  readonly nodeSelector: Record<string, string>;
  /**
   * The `karpenter` chart; the `karpenter-crd` chart is installed at the same version.
   * @default KARPENTER_CHART
   */
  readonly chart?: ChartRef;
  /**
   * Namespace (an existing system namespace).
   * @default 'kube-system'
   */
  readonly namespace?: string;
}

/**
 * Karpenter on EKS: its CRDs (the `karpenter-crd` chart, so that upgrades update them), the
 * controller (two replicas on the system node groups), an IAM role for it through EKS Pod Identity
 * with the policy Karpenter publishes, limited to this cluster's resources, and the interruption
 * queue (SQS, SSE, TLS only) fed by EventBridge rules, from which Karpenter drains a node before EC2
 * reclaims it. The NodePools and EC2NodeClasses are not here: Argo CD syncs them from Git.
 */
export class Karpenter extends Construct {
  /** The controller's Helm release. */
  public readonly release: Release;
  /** The CRDs' Helm release. */
  public readonly crds: Release;
  /** The interruption queue. */
  public readonly queue: SqsQueue;
  /** The controller's IAM policy document. */
  public readonly policy: object;

  constructor(scope: Construct, id: string, props: KarpenterProps) {
    super(scope, id);
    const namespace = props.namespace ?? 'kube-system';
    const chart = props.chart ?? KARPENTER_CHART;
    this.queue = new SqsQueue(this, 'interruption_queue', {
      name: props.clusterName,
      messageRetentionSeconds: 300,
      sqsManagedSseEnabled: true,
    });
    new SqsQueuePolicy(this, 'interruption_queue_policy', {
      queueUrl: this.queue.url,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Id: 'EC2InterruptionPolicy',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: ['events.amazonaws.com', 'sqs.amazonaws.com'] },
            Action: 'sqs:SendMessage',
            Resource: this.queue.arn,
          },
          {
            Sid: 'DenyHTTP',
            Effect: 'Deny',
            Action: 'sqs:*',
            Resource: this.queue.arn,
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Principal: '*',
          },
        ],
      }),
    });
    for (const event of KARPENTER_INTERRUPTION_EVENTS) {
      const rule = new CloudwatchEventRule(this, `${event.id}_rule`, {
        name: `${props.clusterName}-karpenter-${event.id.replace(/_/g, '-')}`,
        eventPattern: JSON.stringify({ source: [event.source], 'detail-type': [event.detailType] }),
      });
      new CloudwatchEventTarget(this, `${event.id}_target`, { rule: rule.name, targetId: 'KarpenterInterruptionQueueTarget', arn: this.queue.arn });
    }

    const nodeRole = new DataAwsIamRole(this, 'node_role', { name: props.nodeRoleName });
    this.policy = karpenterControllerPolicy({
      clusterName: props.clusterName,
      region: props.region,
      accountId: new DataAwsCallerIdentity(this, 'account').accountId,
      partition: new DataAwsPartition(this, 'partition').partition,
      nodeRoleArn: nodeRole.arn,
      queueArn: this.queue.arn,
    });
    const association = podIdentityServiceAccount(
      this,
      { clusterName: props.clusterName, namespace, serviceAccount: KARPENTER_SERVICE_ACCOUNT },
      `${props.clusterName}-karpenter`,
      this.policy,
    );
    this.crds = chartRelease(this, 'crds', { name: 'karpenter-crd', namespace, chart: { ...KARPENTER_CRD_CHART, version: chart.version }, values: {} });
    this.release = chartRelease(this, 'release', {
      name: 'karpenter',
      namespace,
      chart,
      skipCrds: true,
      values: {
        serviceAccount: { create: true, name: KARPENTER_SERVICE_ACCOUNT },
        settings: { clusterName: props.clusterName, interruptionQueue: this.queue.name },
        controller: { env: [{ name: 'AWS_REGION', value: props.region }] },
        nodeSelector: { 'kubernetes.io/os': 'linux', ...props.nodeSelector },
      },
      dependsOn: [association, this.crds],
    });
  }
}
