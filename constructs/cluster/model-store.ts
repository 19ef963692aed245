import { Construct } from 'constructs';
import { EfsAccessPoint } from '@cdktf/provider-aws/lib/efs-access-point';
import { EfsFileSystem } from '@cdktf/provider-aws/lib/efs-file-system';
import { EfsFileSystemPolicy } from '@cdktf/provider-aws/lib/efs-file-system-policy';
import { EfsMountTarget } from '@cdktf/provider-aws/lib/efs-mount-target';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { ConstructError } from '../core/errors';

/** The creation token (unique per account and region) the platform stack finds the model store by. */
export function modelStoreCreationToken(clusterName: string): string {
  return `${clusterName}-models`;
}

/** Properties of {@link ModelStore}. */
export interface ModelStoreProps {
  /** EKS cluster name. */
  readonly clusterName: string;
  /** The VPC. */
  readonly vpcId: string;
  /** One subnet per zone where GPU nodes may run: each gets a mount target. */
  readonly subnetIds: readonly string[];
  /** The cluster security group, which every node joins: the only source admitted to NFS. */
  readonly nodeSecurityGroupId: string;
  /** KMS key that encrypts the file system at rest. */
  readonly kmsKeyArn: string;
}

/**
 * Ollama's models on Amazon EFS, shared by every GPU node in every zone: a model is pulled from
 * the internet once, and a node Karpenter launched a minute ago reads it over NFS instead of
 * downloading it again. Encrypted at rest with the cluster key and in transit (the file system
 * policy refuses any client without TLS), reachable only from the cluster security group on port
 * 2049, elastic throughput (no provisioned rate to pay for while idle). One access point roots
 * Ollama at `/ollama-models` as uid/gid 0, the user the upstream image runs as.
 */
export class ModelStore extends Construct {
  /** The file system. */
  public readonly fileSystem: EfsFileSystem;
  /** Ollama's access point. */
  public readonly accessPoint: EfsAccessPoint;

  constructor(scope: Construct, id: string, props: ModelStoreProps) {
    super(scope, id);
    if (props.subnetIds.length === 0) throw new ConstructError(this, 'subnetIds must list at least one subnet (one per zone)');
    this.fileSystem = new EfsFileSystem(this, 'file_system', {
      creationToken: modelStoreCreationToken(props.clusterName),
      encrypted: true,
      kmsKeyId: props.kmsKeyArn,
      throughputMode: 'elastic',
      tags: { Name: modelStoreCreationToken(props.clusterName) },
    });
    new EfsFileSystemPolicy(this, 'policy', {
      fileSystemId: this.fileSystem.id,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyWithoutTls',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: '*',
            Resource: this.fileSystem.arn,
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      }),
    });
    const group = new SecurityGroup(this, 'security_group', {
      namePrefix: `${props.clusterName}-models-`,
      description: 'NFS from the cluster nodes to the model store',
      vpcId: props.vpcId,
      tags: { Name: `${props.clusterName}-models` },
      lifecycle: { createBeforeDestroy: true },
    });
    new VpcSecurityGroupIngressRule(this, 'nfs_from_nodes', {
      securityGroupId: group.id,
      referencedSecurityGroupId: props.nodeSecurityGroupId,
      ipProtocol: 'tcp',
      fromPort: 2049,
      toPort: 2049,
      description: 'NFS from the cluster nodes',
    });
    props.subnetIds.forEach(
      (subnetId, i) => new EfsMountTarget(this, `mount_target_${i}`, { fileSystemId: this.fileSystem.id, subnetId, securityGroups: [group.id] }),
    );
    this.accessPoint = new EfsAccessPoint(this, 'ollama', {
      fileSystemId: this.fileSystem.id,
      posixUser: { uid: 0, gid: 0 },
      rootDirectory: { path: '/ollama-models', creationInfo: { ownerUid: 0, ownerGid: 0, permissions: '0750' } },
      tags: { Name: `${props.clusterName}-ollama-models` },
    });
  }
}
