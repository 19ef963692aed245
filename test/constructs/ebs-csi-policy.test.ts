import { PUBLISHED_EBS_CSI_POLICY, PolicyDocument, isReadOnly, scopeEbsCsiPolicy } from '../../constructs/cluster/ebs-csi-policy';

const TAG = 'kubernetes.io/cluster/llm-prod';
const scoped = scopeEbsCsiPolicy(PUBLISHED_EBS_CSI_POLICY, 'llm-prod');

describe('scopeEbsCsiPolicy', () => {
  test('keeps the published statements in order, read-only ones untouched', () => {
    expect(scoped.Version).toBe('2012-10-17');
    expect(scoped.Statement).toHaveLength(PUBLISHED_EBS_CSI_POLICY.Statement.length);
    scoped.Statement.forEach((statement, i) => {
      const published = PUBLISHED_EBS_CSI_POLICY.Statement[i];
      expect({ Effect: statement.Effect, Action: statement.Action, Resource: statement.Resource }).toEqual({
        Effect: published.Effect,
        Action: published.Action,
        Resource: published.Resource,
      });
      // Every published condition is kept; the scoping only adds.
      for (const [operator, block] of Object.entries(published.Condition ?? {})) expect(statement.Condition![operator]).toMatchObject(block);
      if (isReadOnly(published)) expect(statement).toBe(published);
    });
    expect(PUBLISHED_EBS_CSI_POLICY.Statement.filter(isReadOnly)).toHaveLength(1);
  });

  // [action, resource of the statement, the condition key the scoping adds]
  test.each([
    ['ec2:CreateVolume', 'arn:aws:ec2:*:*:volume/*', `aws:RequestTag/${TAG}`],
    ['ec2:CopyVolumes', 'arn:aws:ec2:*:*:volume/*', `aws:RequestTag/${TAG}`],
    ['ec2:CreateSnapshot', 'arn:aws:ec2:*:*:snapshot/*', `aws:RequestTag/${TAG}`],
    ['ec2:CreateTags', 'arn:aws:ec2:*:*:volume/*', `aws:RequestTag/${TAG}`],
    ['ec2:CreateSnapshot', 'arn:aws:ec2:*:*:volume/*', `aws:ResourceTag/${TAG}`],
    ['ec2:ModifyVolume', 'arn:aws:ec2:*:*:volume/*', `aws:ResourceTag/${TAG}`],
    ['ec2:CopyVolumes', 'arn:aws:ec2:*:*:volume/vol-*', `aws:ResourceTag/${TAG}`],
    ['ec2:AttachVolume', 'arn:aws:ec2:*:*:instance/*', `aws:ResourceTag/${TAG}`],
    ['ec2:DetachVolume', 'arn:aws:ec2:*:*:volume/*', `aws:ResourceTag/${TAG}`],
    ['ec2:CreateVolume', 'arn:aws:ec2:*:*:snapshot/*', `aws:ResourceTag/${TAG}`],
    ['ec2:EnableFastSnapshotRestores', 'arn:aws:ec2:*:*:snapshot/*', `aws:ResourceTag/${TAG}`],
    ['ec2:DeleteTags', 'arn:aws:ec2:*:*:snapshot/*', `aws:ResourceTag/${TAG}`],
    ['ec2:DeleteVolume', 'arn:aws:ec2:*:*:volume/*', `aws:ResourceTag/${TAG}`],
    ['ec2:DeleteSnapshot', 'arn:aws:ec2:*:*:snapshot/*', `aws:ResourceTag/${TAG}`],
    ['ec2:LockSnapshot', 'arn:aws:ec2:*:*:snapshot/*', `aws:ResourceTag/${TAG}`],
  ])('%s on %s requires %s = owned in every statement that allows it', (action, resource, key) => {
    const statements = scoped.Statement.filter((s) => [s.Action].flat().includes(action) && [s.Resource].flat().includes(resource));
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) expect(statement.Condition!.StringEquals).toMatchObject({ [key]: 'owned' });
  });

  test('works on any document: a statement without conditions gets the resource tag, one creating with tags the request tag', () => {
    const document: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'ec2:DescribeVolumes', Resource: '*' },
        { Effect: 'Allow', Action: 'ec2:DeleteVolume', Resource: '*' },
        { Effect: 'Allow', Action: ['ec2:CreateVolume'], Resource: '*', Condition: { StringLike: { 'aws:RequestTag/CSIVolumeName': '*' } } },
      ],
    };
    expect(scopeEbsCsiPolicy(document, 'c').Statement).toEqual([
      { Effect: 'Allow', Action: 'ec2:DescribeVolumes', Resource: '*' },
      { Effect: 'Allow', Action: 'ec2:DeleteVolume', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/kubernetes.io/cluster/c': 'owned' } } },
      {
        Effect: 'Allow',
        Action: ['ec2:CreateVolume'],
        Resource: '*',
        Condition: { StringLike: { 'aws:RequestTag/CSIVolumeName': '*' }, StringEquals: { 'aws:RequestTag/kubernetes.io/cluster/c': 'owned' } },
      },
    ]);
    expect(document.Statement[1].Condition).toBeUndefined();
  });
});
