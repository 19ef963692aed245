import { CapacityType } from '../contracts/eks-types';
import { IngressController } from './ingress-controllers';
import { EnvironmentConfig } from './schema';

/** Production on EKS: a NAT gateway per zone, on-demand GPU capacity. */
export const prod: EnvironmentConfig = {
  name: 'prod',
  cluster: {
    kind: 'eks',
    region: 'eu-west-1',
    secondaryRegion: 'eu-central-1',
    name: 'llm-prod',
    kubernetesVersion: '1.35',
    // Documentation range (RFC 5737): operators must replace it with the egress ranges of their
    // offices/VPN and of CI, the only places kubectl and Terraform reach the API from.
    publicAccessCidrs: ['203.0.113.0/24'],
    // Turn off (and apply) before `cdktf destroy`.
    deletionProtection: true,
    // Placeholder account (AWS documentation): the roles that deploy, and CI's plan role.
    access: {
      admins: ['arn:aws:iam::111122223333:role/llm-platform-deployer'],
      readOnly: ['arn:aws:iam::111122223333:role/llm-platform-plan'],
    },
    vpc: {
      cidr: '10.30.0.0/16',
      availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
      singleNatGateway: false,
    },
    // Per zone: a node in each of the three zones, so a pod whose volume lives there can always run.
    systemNodes: { instanceTypes: ['m6i.xlarge'], minSize: 1, desiredSize: 1, maxSize: 2, diskSizeGiB: 50, releaseVersion: '1.35.7-20260911' },
    gpuNodes: {
      amiType: 'AL2023_x86_64_NVIDIA',
      // Node images change only when these pins do: npm run eks-pins -- prod (docs/eks.md#day-2-node-images).
      releaseVersion: '1.35.7-20260911',
      instanceTypes: ['g6.2xlarge'],
      capacityType: CapacityType.ON_DEMAND,
      // Two zones: GPU capacity survives the loss of one (Ollama's models are re-pulled there).
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      // One Ollama replica x gpuCount 1 on one-GPU instances: one node.
      minSize: 1,
      desiredSize: 1,
      maxSize: 1,
      diskSizeGiB: 200,
      // Replaced by Karpenter's GPU NodePool below (docs/eks.md#gpu-capacity-karpenter).
      managedGroup: false,
    },
    // GPU nodes on demand in every zone of the VPC; the limit leaves room for one replacement node.
    gpuCapacity: {
      instanceTypes: ['g6.2xlarge', 'g6.4xlarge', 'g5.2xlarge'],
      capacityTypes: ['on-demand'],
      maxGpus: 2,
      diskSizeGiB: 200,
      consolidateAfter: '10m',
    },
    // Exact builds for Kubernetes 1.35; bump them here (docs/eks.md#day-2-add-on-versions).
    addons: {
      vpcCni: 'v1.23.0-eksbuild.1',
      kubeProxy: 'v1.35.3-eksbuild.21',
      coreDns: 'v1.13.2-eksbuild.21',
      podIdentityAgent: 'v1.3.10-eksbuild.3',
      ebsCsiDriver: 'v1.65.0-eksbuild.1',
    },
    // Terraform requests the ACM certificate for the hosts and validates it in this zone;
    // ExternalDNS points the hosts at the ALB.
    dns: { hostedZone: 'llm.example.com' },
  },
  // Promoted, not merged into: Argo CD follows this fast-forward-only ref, which only
  // `npm run promote` moves (docs/promotion.md). Fully qualified, so no tag of the same name can shadow it.
  gitops: { targetRevision: 'refs/heads/env/prod' },
  // One bucket per account (npm run state-bucket -- prod creates it); bucket names are global.
  state: { backend: 's3', bucket: 'example-org-llm-prod-tfstate', keyPrefix: 'prod', region: 'eu-west-1' },
  ingress: {
    controller: IngressController.ALB,
    className: 'alb',
    tls: true,
    // Ollama's API has no authentication: it stays in-cluster (LibreChat reaches it there).
    hosts: {
      argocd: 'argocd.llm.example.com',
      librechat: 'chat.llm.example.com',
    },
    // Argo CD is on the internet-facing ALB: SSO (argocd.oidc) or an allowlist is required.
    // PLACEHOLDER (RFC 5737 documentation range): replace with the operators' office/VPN egress
    // ranges, or configure argocd.oidc and drop this allowlist.
    sourceRanges: { argocd: ['203.0.113.0/24'] },
  },
  argocd: {
    timeoutSeconds: 900,
    resources: {
      controller: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } },
      repoServer: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1Gi' } },
      server: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
    },
  },
  // Daily AWS Backup of the stateful volumes (chats, search index, models), kept 35 days.
  backup: { retentionDays: 35 },
  apps: {
    ollama: { models: ['llama3.2:3b', 'qwen2.5:7b'], gpuCount: 1, volumeSize: '100Gi' },
    // A three-member replica set, one member per zone: the chats survive the loss of a zone.
    // Two LibreChat pods in different zones, their uploads in a bucket of their own.
    librechat: { mongodb: { replicas: 3 }, replicas: 2, fileStorage: 's3' },
    // Critical alerts page the on-call through PagerDuty and post to Slack; warnings go to Slack and email;
    // Watchdog pings a dead man's switch that pages when the pings stop. The credentials are
    // supplied at apply (docs/monitoring.md#where-alerts-go).
    'kube-prometheus-stack': {
      // PLACEHOLDER mailbox and SMTP server (warnings and failed backups): replace them.
      alerting: {
        critical: ['pagerduty', 'slack'],
        warning: ['slack', 'email'],
        slack: { channel: '#llm-prod-alerts' },
        email: { to: 'llm-platform-team@example.com', from: 'alertmanager@example.com', smarthost: 'smtp.example.com:587' },
        deadMansSwitch: true,
      },
    },
  },
};
