import { CapacityType } from '../constructs/cluster/eks-cluster';
import { EnvironmentConfig } from './schema';

/** Production on EKS: a NAT gateway per zone, on-demand GPU capacity, a DynamoDB state lock. */
export const prod: EnvironmentConfig = {
  name: 'prod',
  cluster: {
    kind: 'eks',
    region: 'eu-west-1',
    name: 'llm-prod',
    kubernetesVersion: '1.35',
    publicAccessCidrs: ['0.0.0.0/0'],
    vpc: {
      cidr: '10.30.0.0/16',
      availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
      singleNatGateway: false,
    },
    systemNodes: { instanceTypes: ['m6i.xlarge'], minSize: 3, desiredSize: 3, maxSize: 6, diskSizeGiB: 50 },
    gpuNodes: {
      amiType: 'AL2023_x86_64_NVIDIA',
      instanceTypes: ['g6.2xlarge'],
      capacityType: CapacityType.ON_DEMAND,
      minSize: 2,
      desiredSize: 2,
      maxSize: 4,
      diskSizeGiB: 200,
    },
  },
  state: { backend: 's3', bucket: 'example-org-llm-platform-tfstate', keyPrefix: 'prod', region: 'eu-west-1', dynamodbTable: 'llm-platform-tflock' },
  ingress: {
    className: 'nginx',
    tls: true,
    annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt-prod' },
    hosts: {
      argocd: 'argocd.llm.example.com',
      librechat: 'chat.llm.example.com',
      ollama: 'ollama.llm.example.com',
    },
  },
  argocd: {
    timeoutSeconds: 900,
    resources: {
      controller: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } },
      repoServer: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1Gi' } },
      server: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
    },
  },
  apps: {
    ollama: { models: ['llama3.2:3b', 'qwen2.5:7b'], gpuCount: 1, volumeSize: '100Gi' },
  },
};
