import { Construct } from 'constructs';
import { EksPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-pod-identity-association';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';

/** An IAM role and the attachments of its policies. */
export interface ServiceRole {
  readonly role: IamRole;
  /** Depend on these (not only on the role) so that the policies are in place before use. */
  readonly attachments: readonly IamRolePolicyAttachment[];
}

/** The service principal of EKS Pod Identity, and the actions its trust policy must allow. */
export const POD_IDENTITY = { service: 'pods.eks.amazonaws.com', actions: ['sts:AssumeRole', 'sts:TagSession'] } as const;

/** An IAM role assumable by one AWS service principal, with AWS-managed policies attached. */
export function serviceRole(
  scope: Construct,
  id: string,
  name: string,
  service: string,
  managedPolicies: readonly string[],
  actions: readonly string[] = ['sts:AssumeRole'],
): ServiceRole {
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

/**
 * An IAM role assumable by `service` carrying one customer-managed policy: `document`, an IAM
 * policy document as an object or a JSON string (either may hold Terraform references).
 */
export function policyRole(
  scope: Construct,
  id: string,
  name: string,
  service: string,
  document: object | string,
  actions: readonly string[] = ['sts:AssumeRole'],
): ServiceRole {
  const { role } = serviceRole(scope, id, name, service, [], actions);
  const policy = new IamPolicy(scope, `${id}_policy`, {
    name,
    policy: typeof document === 'string' ? document : JSON.stringify(document),
  });
  const attachment = new IamRolePolicyAttachment(scope, `${id}_policy_attachment`, { role: role.name, policyArn: policy.arn });
  return { role, attachments: [attachment] };
}

/** A role for EKS Pod Identity carrying one customer-managed policy (see {@link policyRole}). */
export function podIdentityRole(scope: Construct, id: string, name: string, document: object | string): ServiceRole {
  return policyRole(scope, id, name, POD_IDENTITY.service, document, POD_IDENTITY.actions);
}

/** Where a Pod Identity role is used: the cluster and the service account of the workload. */
export interface PodIdentityTarget {
  readonly clusterName: string;
  readonly namespace: string;
  readonly serviceAccount: string;
}

/**
 * An IAM role with the policy `document`, bound through EKS Pod Identity to one service account.
 * Depend on the returned association: the workload gets its credentials only once it exists.
 */
export function podIdentityServiceAccount(scope: Construct, target: PodIdentityTarget, roleName: string, document: object | string): EksPodIdentityAssociation {
  const role = podIdentityRole(scope, 'role', roleName, document);
  return new EksPodIdentityAssociation(scope, 'pod_identity', {
    clusterName: target.clusterName,
    namespace: target.namespace,
    serviceAccount: target.serviceAccount,
    roleArn: role.role.arn,
    dependsOn: [...role.attachments],
  });
}
