import { chartRelease } from '../core/chart-release';
import { Construct } from 'constructs';
import { Release } from '@cdktf/provider-helm/lib/release';
import { ConstructError } from '../core/errors';
import { podIdentityServiceAccount } from '../core/iam';
import { ChartRef, EXTERNAL_SECRETS_CHART } from '../../contracts/versions';

/** The service account of the operator's controller, which EKS Pod Identity gives the role. */
export const EXTERNAL_SECRETS_SERVICE_ACCOUNT = 'external-secrets';

/** Properties of {@link ExternalSecretsOperator}. */
export interface ExternalSecretsOperatorProps {
  /** EKS cluster name. */
  readonly clusterName: string;
  /** Region of the secrets (the cluster's). */
  readonly region: string;
  /** ARNs of exactly the secrets the operator may read (Terraform references). */
  readonly secretArns: readonly string[];
  /** ARN of the KMS key that encrypts them. */
  readonly kmsKeyArn: string;
  /**
   * The `external-secrets` chart.
   * @default EXTERNAL_SECRETS_CHART
   */
  readonly chart?: ChartRef;
  /**
   * Namespace (an existing system namespace).
   * @default 'kube-system'
   */
  readonly namespace?: string;
}

/**
 * External Secrets Operator, installed by Terraform so that its CRDs exist before Argo CD syncs
 * the apps' SecretStores and ExternalSecrets. Its controller reads AWS Secrets Manager with an IAM
 * role that EKS Pod Identity hands to its service account; the role may read exactly the listed
 * secrets (`GetSecretValue`, `DescribeSecret`) and decrypt with their key only through Secrets
 * Manager in the cluster's region. Cluster-wide stores, ClusterExternalSecrets and PushSecrets are
 * switched off: the platform uses none, and a PushSecret would write to Secrets Manager.
 */
export class ExternalSecretsOperator extends Construct {
  /** The Helm release. */
  public readonly release: Release;
  /** The IAM policy document of its role. */
  public readonly policy: object;

  constructor(scope: Construct, id: string, props: ExternalSecretsOperatorProps) {
    super(scope, id);
    const namespace = props.namespace ?? 'kube-system';
    const chart = props.chart ?? EXTERNAL_SECRETS_CHART;
    if (props.secretArns.length === 0) throw new ConstructError(this, 'secretArns must list at least one secret');
    this.policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ReadThisEnvironmentsSecrets',
          Effect: 'Allow',
          Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          Resource: [...props.secretArns],
        },
        {
          Sid: 'DecryptThroughSecretsManager',
          Effect: 'Allow',
          Action: ['kms:Decrypt'],
          Resource: [props.kmsKeyArn],
          Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${props.region}.amazonaws.com` } },
        },
      ],
    };
    const association = podIdentityServiceAccount(
      this,
      { clusterName: props.clusterName, namespace, serviceAccount: EXTERNAL_SECRETS_SERVICE_ACCOUNT },
      `${props.clusterName}-external-secrets`,
      this.policy,
    );
    this.release = chartRelease(this, 'release', {
      name: 'external-secrets',
      namespace,
      chart,
      values: {
        installCRDs: true,
        serviceAccount: { create: true, name: EXTERNAL_SECRETS_SERVICE_ACCOUNT },
        processClusterStore: false,
        processClusterExternalSecret: false,
        processPushSecret: false,
      },
      dependsOn: [association],
    });
  }
}
