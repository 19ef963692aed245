import { ENVIRONMENTS, loadEnvironments } from '../../environments';
import { CATALOG } from '../../apps/catalog';
import { problemsAfter } from '../support/environments';

const PROD_CLUSTER = (ENVIRONMENTS as readonly any[]).find((e) => e.name === 'prod').cluster;
const PINNED = 'must pin an exact EKS add-on version such as v1.20.4-eksbuild.2 (list them with aws eks describe-addon-versions)';

// One row per rule: [rule, environment, mutation, the exact problem line].
const RULES: [string, string, (e: any) => void, string][] = [
  [
    'add-ons pinned at all',
    'prod',
    (e) => delete e.cluster.addons,
    'prod.cluster.addons: must pin every managed add-on: vpcCni, kubeProxy, coreDns, podIdentityAgent, ebsCsiDriver',
  ],
  ['VPC CNI pinned', 'staging', (e) => delete e.cluster.addons.vpcCni, `staging.cluster.addons.vpcCni: ${PINNED}`],
  ['kube-proxy pinned', 'staging', (e) => delete e.cluster.addons.kubeProxy, `staging.cluster.addons.kubeProxy: ${PINNED}`],
  ['CoreDNS pinned', 'staging', (e) => delete e.cluster.addons.coreDns, `staging.cluster.addons.coreDns: ${PINNED}`],
  ['Pod Identity agent pinned', 'prod', (e) => delete e.cluster.addons.podIdentityAgent, `prod.cluster.addons.podIdentityAgent: ${PINNED}`],
  ['EBS CSI driver pinned', 'prod', (e) => delete e.cluster.addons.ebsCsiDriver, `prod.cluster.addons.ebsCsiDriver: ${PINNED}`],
  [
    'exact add-on version',
    'staging',
    (e) => (e.cluster.addons.coreDns = 'latest'),
    'staging.cluster.addons.coreDns: must be an exact EKS add-on version such as v1.20.4-eksbuild.2',
  ],
  [
    "kube-proxy of the cluster's minor version",
    'staging',
    (e) => (e.cluster.addons.kubeProxy = 'v1.34.1-eksbuild.3'),
    "staging.cluster.addons.kubeProxy: must be a build of Kubernetes 1.35, the cluster's version (got v1.34.1-eksbuild.3): kube-proxy follows the control plane's minor version",
  ],
  [
    'kube-proxy follows a cluster upgrade',
    'prod',
    (e) => (e.cluster.kubernetesVersion = '1.36'),
    `prod.cluster.addons.kubeProxy: must be a build of Kubernetes 1.36, the cluster's version (got ${PROD_CLUSTER.addons.kubeProxy}): kube-proxy follows the control plane's minor version`,
  ],
  [
    'system node image pinned',
    'staging',
    (e) => delete e.cluster.systemNodes.releaseVersion,
    'staging.cluster.systemNodes.releaseVersion: must pin the node AMI release, e.g. 1.35.0-20260115 (npm run eks-pins -- <env> shows the newest)',
  ],
  [
    'GPU node image pinned',
    'prod',
    (e) => delete e.cluster.gpuNodes.releaseVersion,
    'prod.cluster.gpuNodes.releaseVersion: must pin the node AMI release, e.g. 1.35.0-20260115 (npm run eks-pins -- <env> shows the newest)',
  ],
  [
    'an AL2023 release, not an AMI id',
    'staging',
    (e) => (e.cluster.systemNodes.releaseVersion = 'ami-0123456789abcdef0'),
    'staging.cluster.systemNodes.releaseVersion: must be an EKS AMI release of AL2023_x86_64_STANDARD such as 1.35.0-20260115 (got ami-0123456789abcdef0)',
  ],
  [
    'a Bottlerocket release for a Bottlerocket GPU group',
    'staging',
    (e) => Object.assign(e.cluster.gpuNodes, { amiType: 'BOTTLEROCKET_x86_64_NVIDIA', releaseVersion: 'v1.42.0' }),
    'staging.cluster.gpuNodes.releaseVersion: must be an EKS AMI release of BOTTLEROCKET_x86_64_NVIDIA such as 1.42.0-a1b2c3d4 (got v1.42.0)',
  ],
  [
    'node images follow a cluster upgrade',
    'prod',
    (e) => (e.cluster.kubernetesVersion = '1.36'),
    `prod.cluster.gpuNodes.releaseVersion: must be a release for Kubernetes 1.36, the cluster's version (got ${PROD_CLUSTER.gpuNodes.releaseVersion}): nodes follow the control plane's minor version`,
  ],
  [
    "a system node image of the cluster's minor version",
    'staging',
    (e) => (e.cluster.systemNodes.releaseVersion = '1.34.4-20260110'),
    "staging.cluster.systemNodes.releaseVersion: must be a release for Kubernetes 1.35, the cluster's version (got 1.34.4-20260110): nodes follow the control plane's minor version",
  ],
  [
    'a system node in every zone',
    'staging',
    (e) => Object.assign(e.cluster.systemNodes, { minSize: 0, desiredSize: 0 }),
    'staging.cluster.systemNodes.minSize: must be >= 1: every zone keeps a system node, so that a pod whose EBS volume lives there can be scheduled again',
  ],
  [
    'a secondary region at all',
    'prod',
    (e) => delete e.cluster.secondaryRegion,
    'prod.cluster.secondaryRegion: Invalid input: expected string, received undefined',
  ],
  [
    'a secondary region that is a region',
    'staging',
    (e) => (e.cluster.secondaryRegion = 'eu'),
    'staging.cluster.secondaryRegion: must be an AWS region such as eu-west-1',
  ],
  [
    'a secondary region apart from the cluster',
    'prod',
    (e) => (e.cluster.secondaryRegion = e.cluster.region),
    'prod.cluster.secondaryRegion: must differ from cluster.region, the region it keeps copies for (got eu-west-1)',
  ],
  [
    'GPU nodes from somewhere',
    'staging',
    (e) => delete e.cluster.gpuCapacity,
    'staging.cluster.gpuNodes.managedGroup: must be true unless gpuCapacity is set: without the managed group and a GPU NodePool no GPU node would ever start',
  ],
  [
    'NodePool instance types are GPU types',
    'prod',
    (e) => (e.cluster.gpuCapacity.instanceTypes = ['g6.2xlarge', 'm6i.large']),
    'prod.cluster.gpuCapacity.instanceTypes[1]: must be an NVIDIA GPU instance type of the g5, g6 or g6e family',
  ],
  [
    'NodePool instance types listed',
    'prod',
    (e) => (e.cluster.gpuCapacity.instanceTypes = []),
    'prod.cluster.gpuCapacity.instanceTypes: must list at least one instance type',
  ],
  [
    'NodePool capacity types known',
    'staging',
    (e) => (e.cluster.gpuCapacity.capacityTypes = ['SPOT']),
    'staging.cluster.gpuCapacity.capacityTypes[0]: must be spot or on-demand',
  ],
  [
    'NodePool capacity types listed',
    'staging',
    (e) => (e.cluster.gpuCapacity.capacityTypes = []),
    'staging.cluster.gpuCapacity.capacityTypes: must list at least one capacity type',
  ],
  [
    'NodePool capacity types not repeated',
    'staging',
    (e) => (e.cluster.gpuCapacity.capacityTypes = ['spot', 'spot']),
    'staging.cluster.gpuCapacity.capacityTypes: must not repeat a capacity type',
  ],
  ['a GPU limit', 'prod', (e) => (e.cluster.gpuCapacity.maxGpus = 0), 'prod.cluster.gpuCapacity.maxGpus: must be >= 1'],
  ['a bounded GPU limit', 'prod', (e) => (e.cluster.gpuCapacity.maxGpus = 65), 'prod.cluster.gpuCapacity.maxGpus: must be <= 64'],
  ['a whole GPU limit', 'prod', (e) => (e.cluster.gpuCapacity.maxGpus = 1.5), 'prod.cluster.gpuCapacity.maxGpus: must be a whole number'],
  ['a NodePool root volume', 'staging', (e) => (e.cluster.gpuCapacity.diskSizeGiB = 10), 'staging.cluster.gpuCapacity.diskSizeGiB: must be >= 20 (GiB)'],
  [
    'a consolidation delay',
    'staging',
    (e) => (e.cluster.gpuCapacity.consolidateAfter = 'soon'),
    'staging.cluster.gpuCapacity.consolidateAfter: must be a duration such as 30s, 10m or 1h',
  ],
];

describe('EKS cluster rules', () => {
  test.each(RULES)('%s', (_rule, envName, mutate, expected) => {
    expect(problemsAfter(envName, mutate)).toContain(expected);
  });

  test.each<[string, (e: any) => void]>([
    ['the shipped add-on pins', () => undefined],
    [
      'kube-proxy bumped with the cluster',
      (e) => {
        Object.assign(e.cluster, { kubernetesVersion: '1.36', addons: { ...e.cluster.addons, kubeProxy: 'v1.36.0-eksbuild.1' } });
        e.cluster.systemNodes.releaseVersion = e.cluster.gpuNodes.releaseVersion = '1.36.1-20260301';
      },
    ],
    ['a newer node image', (e) => (e.cluster.gpuNodes.releaseVersion = '1.35.2-20260301')],
    [
      'a Bottlerocket GPU group with its release',
      (e) => Object.assign(e.cluster.gpuNodes, { amiType: 'BOTTLEROCKET_x86_64_NVIDIA', releaseVersion: '1.42.0-a1b2c3d4' }),
    ],
    ['another build of the same minor', (e) => (e.cluster.addons.kubeProxy = 'v1.35.3-eksbuild.7')],
    ['GPU nodes awaited', (e) => (e.cluster.gpuNodes.waitForNodes = true)],
    ['another secondary region', (e) => (e.cluster.secondaryRegion = 'us-east-1')],
    ['more system nodes per zone', (e) => Object.assign(e.cluster.systemNodes, { minSize: 2, desiredSize: 2, maxSize: 4 })],
    ['the managed GPU group kept beside the NodePool (the first step of the switch)', (e) => (e.cluster.gpuNodes.managedGroup = true)],
    [
      'the managed GPU group alone (no Karpenter)',
      (e) => (delete e.cluster.gpuCapacity, (e.cluster.gpuNodes.managedGroup = true), delete e.apps.ollama.activeHours, delete e.apps.ollama.idleAfterMinutes),
    ],
  ])('accepts %s', (_name, mutate) => {
    expect(problemsAfter('staging', mutate)).toEqual([]);
  });

  test('GPU nodes are not awaited by default: a fresh deploy completes while GPU capacity is short', () => {
    const [, staging, prod] = loadEnvironments(ENVIRONMENTS, CATALOG);
    for (const env of [staging, prod]) expect(env.cluster.kind === 'eks' && env.cluster.gpuNodes.waitForNodes).toBe(false);
  });
});
