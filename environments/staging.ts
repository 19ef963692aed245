import { CapacityType } from '../contracts/eks-types';
import { IngressController } from './ingress-controllers';
import { EnvironmentConfig } from './schema';

/** Pre-production on EKS: one NAT gateway, spot GPU capacity, the same charts as prod. */
export const staging: EnvironmentConfig = {
  name: 'staging',
  allowPreReleases: true,
  cluster: {
    kind: 'eks',
    region: 'eu-west-1',
    secondaryRegion: 'eu-central-1',
    name: 'llm-staging',
    kubernetesVersion: '1.35',
    // Documentation range (RFC 5737): operators must replace it with the egress ranges of their
    // offices/VPN and of CI, the only places kubectl and Terraform reach the API from.
    publicAccessCidrs: ['203.0.113.0/24'],
    // Placeholder account (AWS documentation): the roles that deploy, and CI's plan role.
    access: {
      admins: ['arn:aws:iam::111122223333:role/llm-platform-deployer'],
      readOnly: ['arn:aws:iam::111122223333:role/llm-platform-plan'],
    },
    vpc: {
      cidr: '10.20.0.0/16',
      availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
      singleNatGateway: true,
    },
    // Per zone: a node in each of the three zones, so a pod whose volume lives there can always run.
    systemNodes: { instanceTypes: ['m6i.large'], minSize: 1, desiredSize: 1, maxSize: 2, diskSizeGiB: 50, releaseVersion: '1.35.7-20260911' },
    gpuNodes: {
      amiType: 'AL2023_x86_64_NVIDIA',
      // Node images change only when these pins do: npm run eks-pins -- staging (docs/eks.md#day-2-node-images).
      releaseVersion: '1.35.7-20260911',
      instanceTypes: ['g6.xlarge', 'g5.xlarge'],
      capacityType: CapacityType.SPOT,
      // Two zones: GPU capacity survives the loss of one (Ollama's models are re-pulled there).
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      // One Ollama replica x gpuCount 1 on one-GPU instances: one node.
      minSize: 1,
      desiredSize: 1,
      maxSize: 1,
      diskSizeGiB: 100,
      // Replaced by Karpenter's GPU NodePool below (docs/eks.md#gpu-capacity-karpenter).
      managedGroup: false,
    },
    // GPU nodes on demand in every zone of the VPC; the limit leaves room for one replacement node.
    gpuCapacity: {
      instanceTypes: ['g6.xlarge', 'g5.xlarge', 'g6.2xlarge', 'g5.2xlarge'],
      capacityTypes: ['spot', 'on-demand'],
      maxGpus: 2,
      diskSizeGiB: 100,
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
    dns: { hostedZone: 'staging.llm.example.com' },
  },
  // Promoted, not merged into: Argo CD follows this fast-forward-only ref, which only
  // `npm run promote` moves (docs/promotion.md). Fully qualified, so no tag of the same name can shadow it.
  gitops: { targetRevision: 'refs/heads/env/staging' },
  // One bucket per account (npm run state-bucket -- staging creates it); bucket names are global.
  state: { backend: 's3', bucket: 'example-org-llm-staging-tfstate', keyPrefix: 'staging', region: 'eu-west-1' },
  ingress: {
    controller: IngressController.ALB,
    className: 'alb',
    tls: true,
    // Ollama's API has no authentication: it stays in-cluster (LibreChat reaches it there).
    hosts: {
      argocd: 'argocd.staging.llm.example.com',
      librechat: 'chat.staging.llm.example.com',
    },
    // Argo CD is on the internet-facing ALB: SSO (argocd.oidc) or an allowlist is required.
    // PLACEHOLDER (RFC 5737 documentation range): replace with the operators' office/VPN egress
    // ranges, or configure argocd.oidc and drop this allowlist.
    sourceRanges: { argocd: ['203.0.113.0/24'] },
  },
  argocd: {
    timeoutSeconds: 900,
    resources: {
      controller: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1Gi' } },
      repoServer: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
      server: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } },
    },
  },
  // Daily AWS Backup of the stateful volumes (chats, search index, models), kept 7 days.
  backup: { retentionDays: 7 },
  apps: {
    // Business hours, and on demand outside them: no GPU node at night and at weekends unless
    // someone chats (docs/eks.md#gpu-cost-per-month).
    ollama: {
      models: ['llama3.2:3b'],
      gpuCount: 1,
      volumeSize: '50Gi',
      activeHours: { timezone: 'Europe/Dublin', start: '0 7 * * 1-5', end: '0 19 * * 1-5' },
      // Outside them: woken by a chat, stopped again 30 minutes after the last one.
      idleAfterMinutes: 30,
    },
    // A three-member replica set, one member per zone: the chats survive the loss of a zone.
    // Two LibreChat pods in different zones, their uploads in a bucket of their own.
    librechat: { mongodb: { replicas: 3 }, replicas: 2, fileStorage: 's3' },
    // Critical alerts to Slack and the platform team's mailbox, warnings to Slack. PLACEHOLDER
    // addresses and SMTP server: replace them; the credentials are supplied at apply
    // (docs/monitoring.md#where-alerts-go).
    'kube-prometheus-stack': {
      alerting: {
        critical: ['slack', 'email'],
        warning: ['slack'],
        slack: { channel: '#llm-staging-alerts' },
        email: { to: 'llm-platform-team@example.com', from: 'alertmanager@example.com', smarthost: 'smtp.example.com:587' },
      },
    },
  },
};
