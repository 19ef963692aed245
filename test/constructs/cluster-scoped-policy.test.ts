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
