import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CATALOG } from '../../apps/catalog';
import { ConfigError, ENVIRONMENTS, loadEnvironments } from '../../environments';
import { problemsAfter, rawEnvironment } from '../support/environments';

/** The host names an environment may set: Argo CD's and one per app the catalog publishes. */
const HOSTS = ['argocd', ...CATALOG.filter((app) => (app.host ?? 'none') !== 'none').map((app) => app.name)];

describe('shipped environments', () => {
  test('dev, staging and prod are valid', () => {
    expect(loadEnvironments(ENVIRONMENTS, CATALOG).map((e) => e.name)).toEqual(['dev', 'staging', 'prod']);
  });

  test('an API endpoint open to the internet is accepted only when the configuration says so explicitly', () => {
    const configs = ENVIRONMENTS.map((e) => rawEnvironment(e.name));
    Object.assign(configs[1].cluster, { publicAccessCidrs: ['0.0.0.0/0'], allowPublicEndpointFromAnywhere: true });
    expect(loadEnvironments(configs, CATALOG)[1].cluster).toMatchObject({ publicAccessCidrs: ['0.0.0.0/0'], allowPublicEndpointFromAnywhere: true });
  });

  test('EKS defaults: 365-day logs, no deletion protection, 600 s ALB idle timeout, ExternalDNS on', () => {
    const staging = loadEnvironments(ENVIRONMENTS, CATALOG)[1].cluster;
    expect(staging).toMatchObject({
      logRetentionDays: 365,
      deletionProtection: false,
      allowPublicEndpointFromAnywhere: false,
      loadBalancer: { idleTimeoutSeconds: 600 },
      dns: { hostedZone: 'staging.llm.example.com', externalDns: true },
    });
    expect(loadEnvironments(ENVIRONMENTS, CATALOG)[0].ingress.controller).toBe('nginx');
  });
});

// One row per rule: [rule, environment, mutation, the exact problem line].
const RULES: [string, string, (e: any) => void, string][] = [
  ['environment name', 'dev', (e) => (e.name = 'Dev_1'), 'Dev_1.name: must be 2-12 lower-case letters or digits, starting with a letter'],
  ['unknown field', 'dev', (e) => (e.ingress.tlss = true), 'dev.ingress: Unrecognized key: "tlss"'],
  ['cluster kind', 'dev', (e) => (e.cluster.kind = 'gke'), 'dev.cluster.kind: kind must be "kubeconfig" or "eks"'],
  ['kubeconfig context', 'dev', (e) => (e.cluster.context = ''), 'dev.cluster.context: must not be empty'],
  ['kubeconfig path', 'dev', (e) => (e.cluster.configPath = ''), 'dev.cluster.configPath: must not be empty'],
  ['state backend', 'dev', (e) => (e.state = { backend: 'gcs' }), 'dev.state.backend: backend must be "local" or "s3"'],
  [
    'git repository URL',
    'dev',
    (e) => (e.gitops = { repoUrl: 'http://github.com/o/r.git' }),
    'dev.gitops.repoUrl: must be an https:// Git URL or an scp-style SSH URL such as git@github.com:org/repo.git',
  ],
  ['git revision not empty', 'dev', (e) => (e.gitops = { targetRevision: '' }), 'dev.gitops.targetRevision: must not be empty'],
  ['git revision without whitespace', 'dev', (e) => (e.gitops = { targetRevision: 'my branch' }), 'dev.gitops.targetRevision: must not contain whitespace'],
  ['git revision without ".."', 'dev', (e) => (e.gitops = { targetRevision: 'main..evil' }), 'dev.gitops.targetRevision: must not contain ".."'],
  ['ingress class', 'dev', (e) => (e.ingress.className = 'Nginx Class'), 'dev.ingress.className: must be an IngressClass name such as nginx'],
  [
    'host names',
    'dev',
    (e) => (e.ingress.hosts.librechat = 'Chat_Host'),
    'dev.ingress.hosts.librechat: must be a lower-case DNS name such as chat.example.com',
  ],
  [
    'distinct host names',
    'dev',
    (e) => (e.ingress.hosts.ollama = e.ingress.hosts.librechat),
    'dev.ingress.hosts.librechat: must differ from ingress.hosts.ollama (chat.llm.test)',
  ],
  [
    'chart repository',
    'dev',
    (e) => (e.argocd.chart = { ...e.argocd.chart, repository: 'ftp://charts' }),
    'dev.argocd.chart.repository: must be an https:// or oci:// URL, or empty for a local chart path',
  ],
  ['chart name', 'dev', (e) => (e.argocd.chart = { ...e.argocd.chart, name: '' }), 'dev.argocd.chart.name: must not be empty'],
  [
    'chart version exact',
    'dev',
    (e) => (e.argocd.chart = { ...e.argocd.chart, version: '^10.1.0' }),
    'dev.argocd.chart.version: must be an exact version such as 1.2.3 (no ranges, no "latest")',
  ],
  [
    'chart version not latest',
    'dev',
    (e) => (e.argocd.chart = { ...e.argocd.chart, version: 'latest' }),
    'dev.argocd.chart.version: must be an exact version such as 1.2.3 (no ranges, no "latest")',
  ],
  [
    'reconciliation interval',
    'dev',
    (e) => (e.argocd.reconciliationInterval = '3 minutes'),
    'dev.argocd.reconciliationInterval: must be a duration such as 180s, 5m or 1h',
  ],
  ['helm timeout minimum', 'dev', (e) => (e.argocd.timeoutSeconds = 10), 'dev.argocd.timeoutSeconds: must be >= 60'],
  ['helm timeout maximum', 'dev', (e) => (e.argocd.timeoutSeconds = 7200), 'dev.argocd.timeoutSeconds: must be <= 3600'],
  [
    'resource quantities',
    'dev',
    (e) => (e.argocd.resources.server.requests.memory = '1 GB'),
    'dev.argocd.resources.server.requests.memory: must be a Kubernetes quantity such as 500m or 2Gi',
  ],
  ['at least one model', 'dev', (e) => (e.apps.ollama.models = []), 'dev.apps.ollama.models: must list at least one model'],
  [
    'model with explicit tag',
    'dev',
    (e) => (e.apps.ollama.models = ['llama3.2']),
    'dev.apps.ollama.models[0]: must be an Ollama model with an explicit tag, such as llama3.2:1b',
  ],
  ['model not latest', 'dev', (e) => (e.apps.ollama.models = ['llama3.2:latest']), 'dev.apps.ollama.models[0]: must not use the "latest" tag'],
  ['GPU count minimum', 'dev', (e) => (e.apps.ollama.gpuCount = -1), 'dev.apps.ollama.gpuCount: must be >= 0'],
  ['GPU count maximum', 'dev', (e) => (e.apps.ollama.gpuCount = 9), 'dev.apps.ollama.gpuCount: must be <= 8'],
  [
    'active hours need KEDA and Karpenter',
    'dev',
    (e) => (e.apps.ollama.activeHours = { timezone: 'Europe/Paris', start: '0 7 * * 1-5', end: '0 19 * * 1-5' }),
    'dev.apps.ollama.activeHours: needs an EKS cluster with cluster.gpuCapacity (KEDA scales Ollama and Karpenter removes the idle GPU node)',
  ],
  [
    'active hours in a time zone',
    'staging',
    (e) => (e.apps.ollama.activeHours.timezone = 'Europe/Paris; rm'),
    'staging.apps.ollama.activeHours.timezone: must be an IANA time zone such as Europe/Paris',
  ],
  [
    'active hours start as cron',
    'staging',
    (e) => (e.apps.ollama.activeHours.start = '7am'),
    'staging.apps.ollama.activeHours.start: must be a 5-field cron expression such as 0 7 * * 1-5 (digits, *, ",", "-", "/")',
  ],
  [
    'active hours end as cron',
    'staging',
    (e) => (e.apps.ollama.activeHours.end = '0 19 * * 1-5 "'),
    'staging.apps.ollama.activeHours.end: must be a 5-field cron expression such as 0 7 * * 1-5 (digits, *, ",", "-", "/")',
  ],
  [
    'idle scaling needs KEDA and Karpenter',
    'dev',
    (e) => (e.apps.ollama.idleAfterMinutes = 30),
    'dev.apps.ollama.idleAfterMinutes: needs an EKS cluster with cluster.gpuCapacity (KEDA scales Ollama and Karpenter removes the idle GPU node)',
  ],
  [
    'idle minutes minimum',
    'staging',
    (e) => (e.apps.ollama.idleAfterMinutes = 4),
    'staging.apps.ollama.idleAfterMinutes: must be >= 5 (a GPU node is not worth stopping for less)',
  ],
  ['idle minutes maximum', 'staging', (e) => (e.apps.ollama.idleAfterMinutes = 1441), 'staging.apps.ollama.idleAfterMinutes: must be <= 1440 (a day)'],
  ['idle minutes whole', 'staging', (e) => (e.apps.ollama.idleAfterMinutes = 7.5), 'staging.apps.ollama.idleAfterMinutes: must be a whole number of minutes'],
  ['volume size', 'dev', (e) => (e.apps.ollama.volumeSize = 'big'), 'dev.apps.ollama.volumeSize: must be a Kubernetes quantity such as 500m or 2Gi'],
  ['repository credentials kind', 'dev', (e) => (e.gitops = { repositoryAuth: 'password' }), 'dev.gitops.repositoryAuth: must be "https-token" or "ssh-key"'],
  [
    'OIDC issuer',
    'dev',
    (e) => (e.argocd.oidc = { name: 'Corp', issuer: 'http://login', clientId: 'argocd' }),
    'dev.argocd.oidc.issuer: must be an https:// issuer URL',
  ],
  [
    'OIDC client id',
    'dev',
    (e) => (e.argocd.oidc = { name: 'Corp', issuer: 'https://login', clientId: 'a b' }),
    'dev.argocd.oidc.clientId: must be 1-255 letters, digits or ._:@-',
  ],
  [
    'OIDC admin groups',
    'dev',
    (e) => (e.argocd.oidc = { name: 'Corp', issuer: 'https://login', clientId: 'a', adminGroups: ['a,b'] }),
    'dev.argocd.oidc.adminGroups[0]: must be a group name without spaces or commas',
  ],
  [
    'an unauthenticated app published without an allowlist',
    'dev',
    (e) => (e.ingress.hosts.ollama = 'ollama.llm.test'),
    'dev.ingress.hosts.ollama: must not be published without ingress.sourceRanges.ollama: ollama has no authentication of its own (leave the host unset; in-cluster clients reach it without one)',
  ],
  [
    'source ranges of an unknown host',
    'dev',
    (e) => (e.ingress.sourceRanges = { grafana: ['10.0.0.0/8'] }),
    `dev.ingress.sourceRanges.grafana: must name a host of ingress.hosts (${HOSTS.join(', ')})`,
  ],
  [
    'source ranges that allow everything',
    'dev',
    (e) => (e.ingress.sourceRanges = { argocd: ['0.0.0.0/0'] }),
    'dev.ingress.sourceRanges.argocd[0]: must not be /0: an allowlist of everything restricts nothing',
  ],
  [
    'source ranges parsed as CIDRs',
    'dev',
    (e) => (e.ingress.sourceRanges = { argocd: ['10.0.0.1/8'] }),
    'dev.ingress.sourceRanges.argocd[0]: must be an IPv4 CIDR such as 203.0.113.0/24 (octets 0-255, no host bits set)',
  ],
  ['source ranges not empty', 'dev', (e) => (e.ingress.sourceRanges = { argocd: [] }), 'dev.ingress.sourceRanges.argocd: must list at least one CIDR'],
  ['AWS region', 'staging', (e) => (e.cluster.region = 'europe'), 'staging.cluster.region: must be an AWS region such as eu-west-1'],
  ['secrets source', 'staging', (e) => (e.secrets = { source: 'vault' }), 'staging.secrets.source: must be one of terraform, aws-secrets-manager'],
  [
    'Secrets Manager needs EKS',
    'dev',
    (e) => (e.secrets = { source: 'aws-secrets-manager' }),
    'dev.secrets.source: must not be aws-secrets-manager on a kubeconfig cluster: Secrets Manager and the External Secrets Operator role need EKS (got aws-secrets-manager)',
  ],
  [
    'EKS cluster name',
    'staging',
    (e) => (e.cluster.name = 'LLM'),
    'staging.cluster.name: must be 3-40 lower-case letters, digits or dashes, starting with a letter',
  ],
  [
    'Kubernetes version',
    'staging',
    (e) => (e.cluster.kubernetesVersion = '1.29'),
    'staging.cluster.kubernetesVersion: must be one of 1.34, 1.35, 1.36 (EKS standard support)',
  ],
  [
    'public access CIDR',
    'staging',
    (e) => (e.cluster.publicAccessCidrs = ['anywhere']),
    'staging.cluster.publicAccessCidrs[0]: must be an IPv4 CIDR such as 203.0.113.0/24 (octets 0-255, no host bits set)',
  ],
  [
    'public access CIDR host bits',
    'staging',
    (e) => (e.cluster.publicAccessCidrs = ['203.0.113.7/24']),
    'staging.cluster.publicAccessCidrs[0]: must be an IPv4 CIDR such as 203.0.113.0/24 (octets 0-255, no host bits set)',
  ],
  [
    'public endpoint not open to the internet',
    'staging',
    (e) => (e.cluster.publicAccessCidrs = ['203.0.113.0/24', '0.0.0.0/0']),
    'staging.cluster.publicAccessCidrs[1]: must not be 0.0.0.0/0 unless allowPublicEndpointFromAnywhere is true: list the ranges of your operators and CI',
  ],
  [
    'log retention',
    'staging',
    (e) => (e.cluster.logRetentionDays = 100),
    'staging.cluster.logRetentionDays: must be a CloudWatch Logs retention: one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653',
  ],
  [
    'at least one admin',
    'staging',
    (e) => (e.cluster.access.admins = []),
    'staging.cluster.access.admins: must list at least one principal (the identity that runs cdktf deploy)',
  ],
  [
    'admin principal ARN',
    'staging',
    (e) => (e.cluster.access.admins = ['arn:aws:sts::111122223333:assumed-role/deployer/me']),
    'staging.cluster.access.admins[0]: must be an IAM role or user ARN such as arn:aws:iam::111122223333:role/platform-deployer',
  ],
  [
    'read-only principal ARN',
    'staging',
    (e) => (e.cluster.access.readOnly = ['ci']),
    'staging.cluster.access.readOnly[0]: must be an IAM role or user ARN such as arn:aws:iam::111122223333:role/platform-deployer',
  ],
  [
    'GPU zone in the VPC',
    'staging',
    (e) => (e.cluster.gpuNodes.availabilityZones = ['eu-west-1a', 'eu-west-1d']),
    'staging.cluster.gpuNodes.availabilityZones[1]: must be one of the VPC\'s zones (eu-west-1a, eu-west-1b, eu-west-1c), got "eu-west-1d"',
  ],
  [
    'GPU zone not repeated',
    'prod',
    (e) => (e.cluster.gpuNodes.availabilityZones = ['eu-west-1b', 'eu-west-1b']),
    'prod.cluster.gpuNodes.availabilityZones[1]: must not repeat eu-west-1b',
  ],
  ['GPU zones not empty', 'prod', (e) => (e.cluster.gpuNodes.availabilityZones = []), 'prod.cluster.gpuNodes.availabilityZones: must list at least one zone'],
  [
    'GPU zones a list',
    'staging',
    (e) => {
      delete e.cluster.gpuNodes.availabilityZones;
      e.cluster.gpuNodes.availabilityZone = 'eu-west-1a';
    },
    'staging.cluster.gpuNodes: Unrecognized key: "availabilityZone"',
  ],
  [
    'ALB idle timeout minimum',
    'staging',
    (e) => (e.cluster.loadBalancer = { idleTimeoutSeconds: 60 }),
    'staging.cluster.loadBalancer.idleTimeoutSeconds: must be >= 600: LibreChat streams answers over one connection for minutes',
  ],
  [
    'ALB idle timeout maximum',
    'staging',
    (e) => (e.cluster.loadBalancer = { idleTimeoutSeconds: 5000 }),
    'staging.cluster.loadBalancer.idleTimeoutSeconds: must be <= 4000 (the ALB maximum)',
  ],
  [
    'TLS certificate source',
    'staging',
    (e) => delete e.cluster.dns,
    'staging.cluster.certificateArn: must be set when no dns.hostedZone is configured: the load balancer serves TLS with an ACM certificate',
  ],
  [
    'certificate ARN',
    'staging',
    (e) => (e.cluster.certificateArn = 'arn:aws:iam::111122223333:server-certificate/x'),
    'staging.cluster.certificateArn: must be an ACM certificate ARN such as arn:aws:acm:eu-west-1:111122223333:certificate/<uuid>',
  ],
  [
    'certificate in the cluster region',
    'staging',
    (e) => (e.cluster.certificateArn = 'arn:aws:acm:us-east-1:111122223333:certificate/0f0e0d0c-0b0a-0908-0706-050403020100'),
    "staging.cluster.certificateArn: must be a certificate of eu-west-1, the cluster's region (got us-east-1): an ALB uses certificates of its own region",
  ],
  [
    'hosted zone name',
    'staging',
    (e) => (e.cluster.dns = { hostedZone: 'Example' }),
    'staging.cluster.dns.hostedZone: must be a lower-case DNS name such as chat.example.com',
  ],
  [
    'hosts inside the hosted zone',
    'staging',
    (e) => (e.ingress.hosts.librechat = 'chat.example.org'),
    'staging.ingress.hosts.librechat: must be inside cluster.dns.hostedZone staging.llm.example.com (got chat.example.org)',
  ],
  ['ingress controller value', 'dev', (e) => (e.ingress.controller = 'traefik'), 'dev.ingress.controller: must be "nginx" or "alb"'],
  [
    'ALB on EKS',
    'staging',
    (e) => (e.ingress.controller = 'nginx'),
    'staging.ingress.controller: must be "alb" on EKS: the platform installs the AWS Load Balancer Controller and no nginx (ingress-nginx is retired)',
  ],
  [
    'no ALB on kubeconfig clusters',
    'dev',
    (e) => (e.ingress.controller = 'alb'),
    'dev.ingress.controller: must be "nginx" on a kubeconfig cluster: the AWS Load Balancer Controller is installed on EKS only',
  ],
  ['public access CIDR list', 'staging', (e) => (e.cluster.publicAccessCidrs = []), 'staging.cluster.publicAccessCidrs: must list at least one CIDR'],
  ['VPC CIDR prefix', 'staging', (e) => (e.cluster.vpc.cidr = '10.0.0.0/24'), 'staging.cluster.vpc.cidr: must have a prefix from /16 to /20'],
  [
    'VPC CIDR parsed',
    'staging',
    (e) => (e.cluster.vpc.cidr = '10.300.0.0/16'),
    'staging.cluster.vpc.cidr: must be an IPv4 CIDR such as 203.0.113.0/24 (octets 0-255, no host bits set)',
  ],
  [
    'VPC CIDR without host bits',
    'staging',
    (e) => (e.cluster.vpc.cidr = '10.20.1.0/16'),
    'staging.cluster.vpc.cidr: must be an IPv4 CIDR such as 203.0.113.0/24 (octets 0-255, no host bits set)',
  ],
  [
    'three zones',
    'staging',
    (e) => (e.cluster.vpc.availabilityZones = ['eu-west-1a', 'eu-west-1b']),
    'staging.cluster.vpc.availabilityZones: must list exactly 3 availability zones',
  ],
  [
    'zones in the region',
    'staging',
    (e) => (e.cluster.vpc.availabilityZones[2] = 'us-east-1a'),
    'staging.cluster.vpc.availabilityZones[2]: must be a zone of eu-west-1 such as eu-west-1a (got "us-east-1a")',
  ],
  [
    'zones distinct',
    'staging',
    (e) => (e.cluster.vpc.availabilityZones[2] = 'eu-west-1a'),
    'staging.cluster.vpc.availabilityZones[2]: must not repeat eu-west-1a',
  ],
  [
    'system instance types',
    'staging',
    (e) => (e.cluster.systemNodes.instanceTypes = ['large']),
    'staging.cluster.systemNodes.instanceTypes[0]: must be an EC2 instance type such as m6i.large',
  ],
  [
    'system instance type list',
    'staging',
    (e) => (e.cluster.systemNodes.instanceTypes = []),
    'staging.cluster.systemNodes.instanceTypes: must list at least one instance type',
  ],
  [
    'GPU AMI type',
    'staging',
    (e) => (e.cluster.gpuNodes.amiType = 'AL2_x86_64_GPU'),
    'staging.cluster.gpuNodes.amiType: must be one of AL2023_x86_64_NVIDIA, BOTTLEROCKET_x86_64_NVIDIA (AL2 GPU AMIs are end-of-life)',
  ],
  [
    'GPU instance family',
    'staging',
    (e) => (e.cluster.gpuNodes.instanceTypes = ['p3.2xlarge']),
    'staging.cluster.gpuNodes.instanceTypes[0]: must be an NVIDIA GPU instance type of the g5, g6 or g6e family',
  ],
  ['GPU capacity type', 'staging', (e) => (e.cluster.gpuNodes.capacityType = 'RESERVED'), 'staging.cluster.gpuNodes.capacityType: must be ON_DEMAND or SPOT'],
  ['node group minimum', 'staging', (e) => (e.cluster.gpuNodes.minSize = -1), 'staging.cluster.gpuNodes.minSize: must be >= 0'],
  ['node group desired', 'staging', (e) => (e.cluster.gpuNodes.desiredSize = -1), 'staging.cluster.gpuNodes.desiredSize: must be >= 0'],
  ['node group maximum', 'staging', (e) => (e.cluster.systemNodes.maxSize = 0), 'staging.cluster.systemNodes.maxSize: must be >= 1'],
  ['node disk size', 'staging', (e) => (e.cluster.systemNodes.diskSizeGiB = 8), 'staging.cluster.systemNodes.diskSizeGiB: must be >= 20 (GiB)'],
  [
    'node group size order',
    'staging',
    (e) => (e.cluster.gpuNodes.desiredSize = 5),
    'staging.cluster.gpuNodes: must satisfy minSize <= desiredSize <= maxSize (got 1 <= 5 <= 1)',
  ],
  [
    'EBS CSI add-on version',
    'staging',
    (e) => (e.cluster.addons = { ebsCsiDriver: 'latest' }),
    'staging.cluster.addons.ebsCsiDriver: must be an exact EKS add-on version such as v1.20.4-eksbuild.2',
  ],
  [
    'Pod Identity add-on version',
    'staging',
    (e) => (e.cluster.addons = { podIdentityAgent: 'v1.3' }),
    'staging.cluster.addons.podIdentityAgent: must be an exact EKS add-on version such as v1.20.4-eksbuild.2',
  ],
  [
    'VPC CNI add-on version',
    'staging',
    (e) => (e.cluster.addons = { vpcCni: 'default' }),
    'staging.cluster.addons.vpcCni: must be an exact EKS add-on version such as v1.20.4-eksbuild.2',
  ],
  [
    'kube-proxy add-on version',
    'staging',
    (e) => (e.cluster.addons = { kubeProxy: '1.35.0' }),
    'staging.cluster.addons.kubeProxy: must be an exact EKS add-on version such as v1.20.4-eksbuild.2',
  ],
  [
    'CoreDNS add-on version',
    'staging',
    (e) => (e.cluster.addons = { coreDns: 'v1.12' }),
    'staging.cluster.addons.coreDns: must be an exact EKS add-on version such as v1.20.4-eksbuild.2',
  ],
  [
    'device plugin chart version',
    'staging',
    (e) => (e.cluster.nvidiaDevicePlugin = { ...e.cluster.nvidiaDevicePlugin, version: '0.20' }),
    'staging.cluster.nvidiaDevicePlugin.version: must be an exact version such as 1.2.3 (no ranges, no "latest")',
  ],
  [
    'TLS on EKS',
    'staging',
    (e) => (e.ingress.tls = false),
    'staging.ingress.tls: must be true on EKS: a cluster reachable beyond localhost serves Argo CD and the apps over TLS only',
  ],
  ['GPU for Ollama on EKS', 'staging', (e) => (e.apps.ollama.gpuCount = 0), 'staging.apps.ollama.gpuCount: must be >= 1 when the cluster has a GPU node group'],
  [
    'S3 bucket',
    'prod',
    (e) => (e.state.bucket = 'Bad_Bucket'),
    'prod.state.bucket: must be a valid S3 bucket name (3-63 lower-case letters, digits, dots, dashes)',
  ],
  ['S3 key prefix', 'prod', (e) => (e.state.keyPrefix = '/prod/'), 'prod.state.keyPrefix: must be a relative S3 key prefix without leading or trailing slash'],
  ['S3 region', 'prod', (e) => (e.state.region = 'eu'), 'prod.state.region: must be an AWS region such as eu-west-1'],
  ['DynamoDB lock table', 'prod', (e) => (e.state.dynamodbTable = 'x'), 'prod.state.dynamodbTable: must be a DynamoDB table name'],
  [
    'backup on EKS',
    'prod',
    (e) => delete e.backup,
    'prod.backup: must be set on EKS (retentionDays): the chats, the search index and the models are backed up on a schedule',
  ],
  [
    'no backup on a kubeconfig cluster',
    'dev',
    (e) => (e.backup = { retentionDays: 7 }),
    'dev.backup: must not be set on a kubeconfig cluster: backups use AWS Backup and EBS volumes (EKS only)',
  ],
  ['backup retention minimum', 'staging', (e) => (e.backup = { retentionDays: 0 }), 'staging.backup.retentionDays: must be >= 1'],
  ['backup retention maximum', 'staging', (e) => (e.backup = { retentionDays: 4000 }), 'staging.backup.retentionDays: must be <= 3650 (ten years)'],
  ['backup retention whole days', 'staging', (e) => (e.backup = { retentionDays: 1.5 }), 'staging.backup.retentionDays: must be a whole number of days'],
  [
    'backup schedule',
    'staging',
    (e) => (e.backup = { retentionDays: 7, schedule: '0 3 * * *' }),
    'staging.backup.schedule: must be an AWS cron expression with six fields such as cron(0 3 * * ? *)',
  ],
  [
    'LibreChat sign-up setting',
    'staging',
    (e) => (e.apps.librechat = { allowRegistration: 'yes' }),
    'staging.apps.librechat.allowRegistration: must be true or false',
  ],
  [
    'MongoDB members: an odd number',
    'prod',
    (e) => (e.apps.librechat.mongodb.replicas = 2),
    'prod.apps.librechat.mongodb.replicas: must be 1 (standalone) or 3, 5 or 7 (an odd number of replica set members)',
  ],
  [
    'MongoDB members: at most 7',
    'prod',
    (e) => (e.apps.librechat.mongodb.replicas = 9),
    'prod.apps.librechat.mongodb.replicas: must be 1 (standalone) or 3, 5 or 7 (an odd number of replica set members)',
  ],
  ['MongoDB spread', 'prod', (e) => (e.apps.librechat.mongodb.spreadOver = 'racks'), 'prod.apps.librechat.mongodb.spreadOver: must be zones or nodes'],
  [
    'MongoDB replica set over zones on a cluster without zones',
    'dev',
    (e) => (e.apps.librechat.mongodb = { replicas: 3 }),
    'dev.apps.librechat.mongodb.spreadOver: must be nodes on a cluster without configured availability zones: members spread over zones would not schedule (got zones with 3 replicas)',
  ],
  ['LibreChat settings', 'staging', (e) => (e.apps.librechat = { signup: true }), 'staging.apps.librechat: Unrecognized key: "signup"'],
  ['LibreChat file storage', 'prod', (e) => (e.apps.librechat.fileStorage = 'nfs'), 'prod.apps.librechat.fileStorage: must be volume or s3'],
  ['LibreChat replicas', 'prod', (e) => (e.apps.librechat.replicas = 0), 'prod.apps.librechat.replicas: must be >= 1'],
  ['LibreChat replicas, fractional', 'prod', (e) => (e.apps.librechat.replicas = 1.5), 'prod.apps.librechat.replicas: must be a whole number'],
  [
    'LibreChat files in S3 without object storage',
    'dev',
    (e) => (e.apps.librechat.fileStorage = 's3'),
    'dev.apps.librechat.fileStorage: must be volume on a cluster without object storage: the platform creates buckets on EKS only (got s3)',
  ],
  [
    'several LibreChat pods on the images volume',
    'prod',
    (e) => (e.apps.librechat.fileStorage = 'volume'),
    'prod.apps.librechat.fileStorage: must be s3 with more than one replica: the images volume mounts on one node only (got volume with 2 replicas)',
  ],
  [
    'as many LibreChat pods as zones',
    'prod',
    (e) => (e.apps.librechat.replicas = 3),
    "prod.apps.librechat.replicas: must be less than the cluster's 3 availability zones: LibreChat runs one pod per zone and a rolling update starts the new pod in a free one (got 3)",
  ],
  [
    'Meilisearch volume size',
    'prod',
    (e) => (e.apps.librechat.searchVolumeSize = 'big'),
    'prod.apps.librechat.searchVolumeSize: must be a Kubernetes quantity such as 500m or 2Gi',
  ],
  ['Meilisearch index kind', 'staging', (e) => (e.apps.librechat.searchIndex = 'ram'), 'staging.apps.librechat.searchIndex: must be volume or per-pod'],
];

describe('Argo CD on an internet-facing load balancer', () => {
  const RULE =
    'must have SSO (argocd.oidc) or an allowlist (ingress.sourceRanges.argocd): Argo CD is on an internet-facing load balancer, and its local admin account alone must not guard it (or make the load balancer internal: ingress.annotations "alb.ingress.kubernetes.io/scheme": "internal")';
  const OIDC = { name: 'Corp', issuer: 'https://login.example.com', clientId: 'argocd' };
  const SCHEME = 'alb.ingress.kubernetes.io/scheme';
  test.each<[string, string, (e: any) => void, boolean]>([
    ['staging with neither SSO nor allowlist', 'staging', (e) => delete e.ingress.sourceRanges, false],
    ['prod with neither SSO nor allowlist', 'prod', (e) => (e.ingress.sourceRanges = { librechat: ['198.51.100.0/24'] }), false],
    ['an explicitly internet-facing scheme', 'prod', (e) => ((e.ingress.sourceRanges = {}), (e.ingress.annotations = { [SCHEME]: 'internet-facing' })), false],
    ['staging with the allowlist (shipped)', 'staging', () => undefined, true],
    ['prod with SSO only', 'prod', (e) => ((e.ingress.sourceRanges = {}), (e.argocd.oidc = OIDC)), true],
    ['an internal load balancer', 'prod', (e) => ((e.ingress.sourceRanges = {}), (e.ingress.annotations = { [SCHEME]: 'internal' })), true],
    ['minikube nginx without either', 'dev', (e) => ((e.ingress.sourceRanges = {}), delete e.argocd.oidc), true],
  ])('%s', (_case, envName, mutate, valid) => {
    const problems = problemsAfter(envName, mutate);
    if (valid) expect(problems).toEqual([]);
    else expect(problems).toEqual([`${envName}.argocd: ${RULE}`]);
  });

  test('the shipped EKS environments carry the marked placeholder allowlist', () => {
    for (const name of ['staging', 'prod']) {
      expect(rawEnvironment(name).ingress.sourceRanges).toEqual({ argocd: ['203.0.113.0/24'] });
      expect(fs.readFileSync(`environments/${name}.ts`, 'utf8')).toMatch(/\/\/ PLACEHOLDER[^\n]*\n(?:\s*\/\/[^\n]*\n)*\s*sourceRanges: \{ argocd: /);
    }
  });
});

describe('validation rules', () => {
  test.each(RULES)('%s', (_rule, envName, mutate, expected) => {
    expect(problemsAfter(envName, mutate)).toContain(expected);
  });

  test('every problem of every environment is reported at once', () => {
    const configs = ENVIRONMENTS.map((e) => rawEnvironment(e.name));
    configs[0].gitops = { targetRevision: 'a b' };
    configs[2].apps.ollama.models = ['x'];
    configs[2].cluster.region = 'nowhere';
    expect(() => loadEnvironments(configs, CATALOG)).toThrow(ConfigError);
    expect(() => loadEnvironments(configs, CATALOG)).toThrow(
      /dev\.gitops\.targetRevision: must not contain whitespace[\s\S]*prod\.cluster\.region: must be an AWS region[\s\S]*prod\.apps\.ollama\.models\[0\]: must be an Ollama model with an explicit tag/,
    );
  });

  test('environment names are unique', () => {
    expect(() => loadEnvironments([ENVIRONMENTS[0], ENVIRONMENTS[0]], CATALOG)).toThrow(/dev\.name: must be unique \(defined more than once\)/);
  });
});

describe('synth-time overrides', () => {
  test('GITOPS_REPO_URL and GITOPS_REVISION replace the Git source of every environment', () => {
    const envs = loadEnvironments(ENVIRONMENTS, CATALOG, { GITOPS_REPO_URL: 'git@github.com:fork/platform.git', GITOPS_REVISION: 'feature/x' });
    for (const env of envs) expect(env.gitops).toEqual({ repoUrl: 'git@github.com:fork/platform.git', targetRevision: 'feature/x' });
  });

  test('GITOPS_REPO_URL is validated', () => {
    expect(() => loadEnvironments(ENVIRONMENTS, CATALOG, { GITOPS_REPO_URL: 'file:///tmp/repo' })).toThrow(
      /GITOPS_REPO_URL: must be an https:\/\/ Git URL or an scp-style SSH URL such as git@github\.com:org\/repo\.git \(got "file:\/\/\/tmp\/repo"\)/,
    );
  });

  test('GITOPS_REVISION is validated', () => {
    expect(() => loadEnvironments(ENVIRONMENTS, CATALOG, { GITOPS_REVISION: 'v1..v2' })).toThrow(/GITOPS_REVISION: must not contain "\.\." \(got "v1\.\.v2"\)/);
  });

  describe('PLATFORM_OVERRIDES_FILE', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'overrides-'));
    const write = (name: string, content: string) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, content);
      return file;
    };

    test('deep-merges one environment and validates the result', () => {
      const file = write('ok.json', JSON.stringify({ dev: { cluster: { context: 'kind-llm' }, argocd: { wait: false } } }));
      const dev = loadEnvironments(ENVIRONMENTS, CATALOG, { PLATFORM_OVERRIDES_FILE: file })[0];
      expect(dev.cluster).toEqual({ kind: 'kubeconfig', configPath: '~/.kube/config', context: 'kind-llm' });
      expect(dev.argocd.wait).toBe(false);
      expect(dev.argocd.chart).toBeUndefined();
    });

    test('reports invalid merged values with the environment path', () => {
      const file = write('bad.json', JSON.stringify({ dev: { argocd: { chart: { version: '*' } } } }));
      expect(() => loadEnvironments(ENVIRONMENTS, CATALOG, { PLATFORM_OVERRIDES_FILE: file })).toThrow(/dev\.argocd\.chart\.version: must be an exact version/);
    });

    test('rejects unknown environments', () => {
      const file = write('unknown.json', JSON.stringify({ qa: {} }));
      expect(() => loadEnvironments(ENVIRONMENTS, CATALOG, { PLATFORM_OVERRIDES_FILE: file })).toThrow(
        /PLATFORM_OVERRIDES_FILE: unknown environment "qa" in .*unknown\.json \(known: dev, staging, prod\)/,
      );
    });

    test('rejects files that are not a JSON object', () => {
      expect(() => loadEnvironments(ENVIRONMENTS, CATALOG, { PLATFORM_OVERRIDES_FILE: write('list.json', '[]') })).toThrow(
        /PLATFORM_OVERRIDES_FILE: .*list\.json must hold an object keyed by environment name/,
      );
      expect(() => loadEnvironments(ENVIRONMENTS, CATALOG, { PLATFORM_OVERRIDES_FILE: path.join(dir, 'missing.json') })).toThrow(
        /PLATFORM_OVERRIDES_FILE: cannot read .*missing\.json as JSON/,
      );
    });
  });
});
