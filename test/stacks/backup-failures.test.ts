/**
 * Failed AWS Backup jobs reach people on EKS: EventBridge -> SNS (its own key) -> the email
 * receiver of the environment's alerting settings; the topic is an output for other receivers.
 */
import { BackupFailureNotifications } from '../../constructs/platform/backup-failure-notifications';
import { all, only, synthEnvironment, synthScope } from '../support/synth';

const staging = synthEnvironment('staging').platform.json;

describe('staging-platform: failed backups', () => {
  test('an EventBridge rule matches backup and copy jobs that fail, abort or expire', () => {
    const rule = all(staging, 'aws_cloudwatch_event_rule').find((r) => r.name === 'llm-staging-backup-failures');
    expect(JSON.parse(rule.event_pattern)).toEqual({
      source: ['aws.backup'],
      'detail-type': ['Backup Job State Change', 'Copy Job State Change'],
      $or: [{ detail: { state: ['FAILED', 'ABORTED', 'EXPIRED'] } }, { detail: { status: ['FAILED', 'ABORTED', 'EXPIRED'] } }],
    });
    const ruleId = Object.entries(staging.resource!.aws_cloudwatch_event_rule).find(([, r]) => (r as any).name === 'llm-staging-backup-failures')![0];
    const targets = all(staging, 'aws_cloudwatch_event_target').filter((t) => t.rule === `\${aws_cloudwatch_event_rule.${ruleId}.name}`);
    expect(targets).toHaveLength(1);
    expect(targets[0].arn).toMatch(/^\$\{aws_sns_topic\.\w+\.arn\}$/);
  });

  test('publish to an encrypted topic, which only that rule may publish to and use the key of', () => {
    const topic = only(staging, 'aws_sns_topic');
    expect(topic.name).toBe('llm-staging-backup-failures');
    const keyRef = topic.kms_master_key_id.match(/^\$\{aws_kms_key\.(\w+)\.arn\}$/)![1];
    const key = staging.resource!.aws_kms_key[keyRef] as any;
    const ruleArn = expect.stringMatching(/^\$\{aws_cloudwatch_event_rule\.\w+\.arn\}$/);
    expect(JSON.parse(key.policy).Statement[1]).toEqual({
      Sid: 'EventBridgePublishes',
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      Resource: '*',
      Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
    });
    const policy = JSON.parse(only(staging, 'aws_sns_topic_policy').policy);
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sns:Publish',
        Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
      }),
    ]);
  });

  test('the email receiver of the alerting settings is subscribed; the topic is an output', () => {
    expect(all(staging, 'aws_sns_topic_subscription')).toEqual([expect.objectContaining({ protocol: 'email', endpoint: 'llm-platform-team@example.com' })]);
    expect(staging.output!.backup_failures_topic_arn.value).toMatch(/^\$\{aws_sns_topic\.\w+\.arn\}$/);
  });
});

test('no backup on dev (minikube): no rule, no topic', () => {
  expect(synthEnvironment('dev').platform.json.resource?.aws_sns_topic).toBeUndefined();
});

test('a malformed email address is rejected with the construct path and the value', () => {
  expect(() => synthScope((scope) => new BackupFailureNotifications(scope, 'backup_failures', { name: 'c', emails: ['oncall'] }))).toThrow(
    /backup_failures: emails: "oncall" must be an email address such as oncall@example.com/,
  );
});
