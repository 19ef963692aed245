import { CapacityType } from '../constructs/cluster/eks-cluster';
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
    publicAccessCidrs: ['0.0.0.0/0'],
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
      minSize: 1,
      desiredSize: 1,
      maxSize: 2,
      diskSizeGiB: 100,
    },
  },
  state: { backend: 's3', bucket: 'example-org-llm-platform-tfstate', keyPrefix: 'staging', region: 'eu-west-1' },
  ingress: {
    className: 'nginx',
    tls: true,
    annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt-staging' },
    hosts: {
      argocd: 'argocd.staging.llm.example.com',
      librechat: 'chat.staging.llm.example.com',
      ollama: 'ollama.staging.llm.example.com',
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
