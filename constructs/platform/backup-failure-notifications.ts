import { Construct } from 'constructs';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { ConstructError } from '../core/errors';
import { accountKeyPolicy } from '../core/key-policy';

/** The AWS Backup job states that need a person: the job did not produce (or copy) a recovery point. */
export const FAILED_BACKUP_STATES = ['FAILED', 'ABORTED', 'EXPIRED'] as const;

/** Properties of {@link BackupFailureNotifications}. */
export interface BackupFailureNotificationsProps {
  /** Prefix of the rule and topic names (the cluster name). */
  readonly name: string;
  /**
   * Email addresses subscribed to the topic (each confirms its subscription once).
   * @default [] (subscribe receivers to the topic outside Terraform)
   */
  readonly emails?: readonly string[];
}

const EMAIL = /^[^\s@<>"',]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/;

/**
 * Failed AWS Backup jobs to people: an EventBridge rule matching the backup and copy jobs of the
 * account and region that fail, abort or expire, published to an SNS topic (encrypted with its own
 * key, which EventBridge may use for that topic only) with email subscriptions. Alertmanager runs
 * in the cluster and is not reachable from AWS, so the failure travels AWS's own way; any other
 * receiver subscribes to the topic (its ARN is an output).
 */
export class BackupFailureNotifications extends Construct {
  /** The topic failures are published to. */
  public readonly topic: SnsTopic;
  /** The rule matching failed jobs. */
  public readonly rule: CloudwatchEventRule;

  constructor(scope: Construct, id: string, props: BackupFailureNotificationsProps) {
    super(scope, id);
    const emails = props.emails ?? [];
    const bad = emails.find((e) => !EMAIL.test(e));
    if (bad !== undefined) throw new ConstructError(this, `emails: "${bad}" must be an email address such as oncall@example.com`);
    const account = new DataAwsCallerIdentity(this, 'account').accountId;
    const partition = new DataAwsPartition(this, 'partition').partition;
    const name = `${props.name}-backup-failures`;
    this.rule = new CloudwatchEventRule(this, 'rule', {
      name,
      description: `AWS Backup and copy jobs that end ${FAILED_BACKUP_STATES.join(', ')}`,
      // Backup job events carry `state`; some AWS Backup events carry `status` instead.
      eventPattern: JSON.stringify({
        source: ['aws.backup'],
        'detail-type': ['Backup Job State Change', 'Copy Job State Change'],
        $or: [{ detail: { state: FAILED_BACKUP_STATES } }, { detail: { status: FAILED_BACKUP_STATES } }],
      }),
    });
    // EventBridge encrypts what it publishes with the topic's key: it may use the key for this rule only.
    const key = new KmsKey(this, 'key', {
      description: `${name}: SNS topic`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: accountKeyPolicy(partition, account, [
        {
          Sid: 'EventBridgePublishes',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
          Resource: '*',
          Condition: { ArnEquals: { 'aws:SourceArn': this.rule.arn } },
        },
      ]),
    });
    this.topic = new SnsTopic(this, 'topic', { name, kmsMasterKeyId: key.arn });
    new SnsTopicPolicy(this, 'policy', {
      arn: this.topic.arn,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'EventBridgePublishes',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: this.topic.arn,
            Condition: { ArnEquals: { 'aws:SourceArn': this.rule.arn } },
          },
        ],
      }),
    });
    new CloudwatchEventTarget(this, 'target', {
      rule: this.rule.name,
      arn: this.topic.arn,
      inputTransformer: {
        inputPaths: { type: '$.detail-type', state: '$.detail.state', resource: '$.detail.resourceArn', message: '$.detail.statusMessage', region: '$.region' },
        inputTemplate: '"AWS Backup (<region>): <type>, <state>: <resource>. <message>"',
      },
    });
    emails.forEach((email, i) => new SnsTopicSubscription(this, `email_${i}`, { topicArn: this.topic.arn, protocol: 'email', endpoint: email }));
  }
}
