import { CapacityType } from '../constructs/cluster/eks-types';
import { IngressController } from './ingress-controllers';
import { EnvironmentConfig } from './schema';

/** Pre-production on EKS: one NAT gateway, spot GPU capacity, the same charts as prod. */
export const staging: EnvironmentConfig = {
  name: 'staging',
  allowPreReleases: true,
  cluster: {
    kind: 'eks',
    region: 'eu-west-1',
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
    systemNodes: { instanceTypes: ['m6i.large'], minSize: 2, desiredSize: 2, maxSize: 3, diskSizeGiB: 50 },
    gpuNodes: {
      amiType: 'AL2023_x86_64_NVIDIA',
      instanceTypes: ['g6.xlarge', 'g5.xlarge'],
      capacityType: CapacityType.SPOT,
      availabilityZone: 'eu-west-1a',
      // One Ollama replica x gpuCount 1 on one-GPU instances: one node.
      minSize: 1,
      desiredSize: 1,
      maxSize: 1,
      diskSizeGiB: 100,
    },
    // Terraform requests the ACM certificate for the hosts and validates it in this zone;
    // ExternalDNS points the hosts at the ALB.
    dns: { hostedZone: 'staging.llm.example.com' },
  },
  // Promoted, not merged into: Argo CD follows this fast-forward-only ref, which only
  // `npm run promote` moves (docs/promotion.md). Fully qualified, so no tag of the same name can shadow it.
  gitops: { targetRevision: 'refs/heads/env/staging' },
  state: { backend: 's3', bucket: 'example-org-llm-platform-tfstate', keyPrefix: 'staging', region: 'eu-west-1' },
  ingress: {
    controller: IngressController.ALB,
    className: 'alb',
    tls: true,
    // Ollama's API has no authentication: it stays in-cluster (LibreChat reaches it there).
    hosts: {
      argocd: 'argocd.staging.llm.example.com',
      librechat: 'chat.staging.llm.example.com',
    },
  },
  argocd: {
    timeoutSeconds: 900,
    resources: {
      controller: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1Gi' } },
      repoServer: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
      server: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } },
    },
  },
  apps: {
    ollama: { models: ['llama3.2:3b'], gpuCount: 1, volumeSize: '50Gi' },
  },
};
