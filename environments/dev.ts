import { EnvironmentConfig } from './schema';

/** Local development on a GPU-enabled minikube, plain HTTP behind the minikube nginx ingress. */
export const dev: EnvironmentConfig = {
  name: 'dev',
  allowPreReleases: true,
  cluster: { kind: 'kubeconfig', configPath: '~/.kube/config', context: 'minikube' },
  state: { backend: 'local' },
  ingress: {
    className: 'nginx',
    tls: false,
    hosts: { argocd: 'argocd.llm.test', librechat: 'chat.llm.test' },
  },
  argocd: {
    resources: {
      controller: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
      repoServer: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } },
      server: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } },
    },
  },
  apps: {
    ollama: { models: ['llama3.2:1b'], gpuCount: 1, volumeSize: '20Gi' },
    // Sign-up open on the local machine only (chat.llm.test is not reachable from elsewhere).
    librechat: { allowRegistration: true },
  },
};
