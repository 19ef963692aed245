import * as fs from 'fs';
import { scopeLoadBalancerControllerPolicy } from '../../constructs/platform/load-balancer-controller-policy';
import { PolicyDocument, scopeToTagValue } from '../../constructs/platform/cluster-scoped-policy';

const TAG = 'elbv2.k8s.aws/cluster';
const policy = (...Statement: PolicyDocument['Statement']): PolicyDocument => ({ Version: '2012-10-17', Statement });

describe('scopeToTagValue', () => {
  test('a resource-tag and a request-tag existence check each gain the value; other conditions and statements stay', () => {
    const input = policy(
      { Effect: 'Allow', Action: ['ec2:DescribeTags'], Resource: '*' },
      { Effect: 'Allow', Action: ['ec2:DeleteSecurityGroup'], Resource: '*', Condition: { Null: { [`aws:ResourceTag/${TAG}`]: 'false' } } },
      {
        Effect: 'Allow',
        Action: ['ec2:CreateTags'],
        Resource: '*',
        Condition: { StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' }, Null: { [`aws:RequestTag/${TAG}`]: 'false' } },
      },
      {
        Effect: 'Allow',
        Action: ['ec2:DeleteTags'],
        Resource: '*',
        Condition: { Null: { [`aws:RequestTag/${TAG}`]: 'true', [`aws:ResourceTag/${TAG}`]: 'false' } },
      },
    );
    const before = JSON.stringify(input);
    expect(scopeToTagValue(input, TAG, 'prod').Statement).toEqual([
      input.Statement[0],
      { ...input.Statement[1], Condition: { Null: { [`aws:ResourceTag/${TAG}`]: 'false' }, StringEquals: { [`aws:ResourceTag/${TAG}`]: 'prod' } } },
      {
        ...input.Statement[2],
        Condition: {
          StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup', [`aws:RequestTag/${TAG}`]: 'prod' },
          Null: { [`aws:RequestTag/${TAG}`]: 'false' },
        },
      },
      {
        ...input.Statement[3],
        Condition: { Null: { [`aws:RequestTag/${TAG}`]: 'true', [`aws:ResourceTag/${TAG}`]: 'false' }, StringEquals: { [`aws:ResourceTag/${TAG}`]: 'prod' } },
      },
    ]);
    expect(JSON.stringify(input)).toBe(before);
  });

  test('a policy without the tag check is refused (the published format changed)', () => {
    expect(() => scopeToTagValue(policy({ Effect: 'Allow', Action: 'ec2:CreateTags', Resource: '*' }), TAG, 'x')).toThrow(
      /^the policy has no statement that requires the tag elbv2\.k8s\.aws\/cluster$/,
    );
  });

  test('a statement that already compares the tag is refused rather than overwritten', () => {
    const input = policy({
      Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: '*',
      Condition: { StringEquals: { [`aws:ResourceTag/${TAG}`]: 'other' }, Null: { [`aws:ResourceTag/${TAG}`]: 'false' } },
    });
    expect(() => scopeToTagValue(input, TAG, 'x')).toThrow(/already compares aws:ResourceTag\/elbv2\.k8s\.aws\/cluster/);
  });
});

describe('scopeLoadBalancerControllerPolicy', () => {
  test('splits an unconditioned statement: narrowed actions get their condition, the others stay as published', () => {
    const published = JSON.parse(fs.readFileSync('constructs/platform/policies/aws-load-balancer-controller-v3.5.0.json', 'utf8')) as PolicyDocument;
    const extra = { Effect: 'Allow', Action: ['elasticloadbalancing:RegisterTargets', 'example:Other'], Resource: '*' };
    const scoped = scopeLoadBalancerControllerPolicy({ ...published, Statement: [...published.Statement, extra] }, TAG, 'c1');
    expect(scoped.Statement.slice(-2)).toEqual([
      { Effect: 'Allow', Action: ['example:Other'], Resource: '*' },
      { Effect: 'Allow', Action: ['elasticloadbalancing:RegisterTargets'], Resource: '*', Condition: { StringEquals: { [`aws:ResourceTag/${TAG}`]: 'c1' } } },
    ]);
  });

  test('a published policy without one of the narrowed actions is refused (review it)', () => {
    const input = policy(
      { Effect: 'Allow', Action: ['ec2:DeleteSecurityGroup'], Resource: '*', Condition: { Null: { [`aws:ResourceTag/${TAG}`]: 'false' } } },
      { Effect: 'Allow', Action: ['ec2:AuthorizeSecurityGroupIngress'], Resource: '*' },
    );
    expect(() => scopeLoadBalancerControllerPolicy(input, TAG, 'c1')).toThrow(
      /^no unconditioned statement grants elasticloadbalancing:CreateListener, elasticloadbalancing:CreateRule; .*: review the published policy$/,
    );
  });
});
