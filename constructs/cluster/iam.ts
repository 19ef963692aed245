import { Construct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';

/** An IAM role and the attachments of its managed policies. */
export interface ServiceRole {
  readonly role: IamRole;
  /** Depend on these (not only on the role) so that the policies are in place before use. */
  readonly attachments: readonly IamRolePolicyAttachment[];
}

/** An IAM role assumable by one AWS service principal, with AWS-managed policies attached. */
export function serviceRole(scope: Construct, id: string, name: string, service: string, managedPolicies: readonly string[], actions: readonly string[] = ['sts:AssumeRole']): ServiceRole {
  const role = new IamRole(scope, id, {
    name,
    assumeRolePolicy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: [...actions] }],
    }),
  });
  const attachments = managedPolicies.map(
    (policy) => new IamRolePolicyAttachment(scope, `${id}_${policy.split('/').pop()}`, { role: role.name, policyArn: `arn:aws:iam::aws:policy/${policy}` }),
  );
  return { role, attachments };
}
