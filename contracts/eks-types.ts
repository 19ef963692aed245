/**
 * The EKS vocabulary shared by the cluster constructs, the environment schema and the platform:
 * closed sets and plain shapes, with no Terraform provider behind them.
 */

/** Whether a node group runs on on-demand or spot capacity. */
export enum CapacityType {
  ON_DEMAND = 'ON_DEMAND',
  SPOT = 'SPOT',
}

/** Effect of a node taint, as the EKS API spells it. */
export enum TaintEffect {
  NO_SCHEDULE = 'NO_SCHEDULE',
  NO_EXECUTE = 'NO_EXECUTE',
  PREFER_NO_SCHEDULE = 'PREFER_NO_SCHEDULE',
}

/** A taint on every node of a group. */
export interface NodeTaint {
  readonly key: string;
  /**
   * Taint value.
   * @default - none
   */
  readonly value?: string;
  readonly effect: TaintEffect;
}

/** The EKS managed add-ons every cluster gets. */
export enum AddonName {
  VPC_CNI = 'vpc-cni',
  KUBE_PROXY = 'kube-proxy',
  COREDNS = 'coredns',
  POD_IDENTITY_AGENT = 'eks-pod-identity-agent',
  EBS_CSI_DRIVER = 'aws-ebs-csi-driver',
}

/** EKS access policies (`arn:aws:eks::aws:cluster-access-policy/<name>`). */
export enum AccessPolicy {
  /** Everything, cluster-wide. */
  CLUSTER_ADMIN = 'AmazonEKSClusterAdminPolicy',
  /** Read every resource including Secrets. */
  ADMIN_VIEW = 'AmazonEKSAdminViewPolicy',
  /** Read most resources, never Secrets (Kubernetes' `view` role): what pull-request code may use. */
  VIEW = 'AmazonEKSViewPolicy',
}

/** The EC2 quota a node group's instances count against, in vCPUs. */
export interface VcpuQuota {
  /** Service Quotas code of the `ec2` service, e.g. `L-DB2E81BA`. */
  readonly code: string;
  /** Its name, as the Service Quotas console shows it. */
  readonly name: string;
}

/** CloudWatch Logs retention periods, in days. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;
