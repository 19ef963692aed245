/**
 * The render checks on hand-made objects (no helm): GPU-node agents, pinned images, the pod names
 * of a replica set's URL and Pod Security. The render
 * of the shipped charts runs in render.test.ts.
 */
import {
  CheckInput,
  GpuExpectation,
  checkGpus,
  checkImages,
  checkPodIdentity,
  checkPodSecurity,
  checkServiceUrls,
  formatFinding,
  unpinnedImage,
} from '../../tools/render/checks';
import { K8sObject } from '../../tools/render/manifests';

const GPU_NODES = {
  nodeSelector: { 'nvidia.com/gpu.present': 'true' },
  tolerations: [{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }],
};

function daemonSet(pod: Record<string, unknown>): K8sObject {
  return { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' }, spec: { template: { spec: pod } } };
}

function input(objects: K8sObject[], gpus: [string, GpuExpectation][] = []): CheckInput {
  return { environment: 'staging', renders: [{ app: 'agent', namespace: 'monitoring', objects }], secrets: [], gpus: new Map(gpus) };
}

const lines = (findings: ReturnType<typeof checkGpus>) => findings.map((f) => formatFinding('staging', f));

describe('a GPU-node agent (no GPUs, on the GPU nodes)', () => {
  const container = { name: 'exporter', image: 'nvcr.io/nvidia/k8s/dcgm-exporter:4.5.3-4.8.2-distroless' };

  test('passes when it selects and tolerates the GPU nodes and requests no GPU', () => {
    const pod = { containers: [container], nodeSelector: GPU_NODES.nodeSelector, tolerations: GPU_NODES.tolerations };
    expect(checkGpus(input([daemonSet(pod)], [['agent', { count: 0, nodes: GPU_NODES }]]))).toEqual([]);
  });

  test('is found off the GPU nodes, and taking a GPU', () => {
    const pod = { containers: [{ ...container, resources: { limits: { 'nvidia.com/gpu': 1 } } }] };
    expect(lines(checkGpus(input([daemonSet(pod)], [['agent', { count: 0, nodes: GPU_NODES }]])))).toEqual([
      'staging/agent: DaemonSet monitoring/agent: spec.template.spec.containers[*].resources.limits.nvidia.com/gpu: expected none (a GPU-node agent must not take a GPU from the workloads), found containers[0]: 1',
      'staging/agent: DaemonSet monitoring/agent: spec.template.spec.nodeSelector.nvidia.com/gpu.present: expected "true" (the GPU node group\'s label), found null',
      'staging/agent: DaemonSet monitoring/agent: spec.template.spec.tolerations: no toleration of the GPU taint nvidia.com/gpu=true:NoSchedule',
    ]);
  });

  test('is not checked where it has no expectation (apps without GPUs, clusters without a GPU node group)', () => {
    expect(checkGpus(input([daemonSet({ containers: [container] })]))).toEqual([]);
  });
});

describe('pinned images', () => {
  test.each([
    ['nvcr.io/nvidia/k8s/dcgm-exporter:4.5.3-4.8.2-distroless', undefined],
    ['registry.example.com:5000/team/app:1.2.3', undefined],
    [`quay.io/prometheus/prometheus@sha256:${'a'.repeat(64)}`, undefined],
    ['busybox', 'no tag (pulls latest)'],
    ['registry.example.com:5000/team/app', 'no tag (pulls latest)'],
    ['docker.io/busybox:latest', 'tag "latest" is not a version'],
    ['busybox:', 'tag "" is not a version'],
    ['', 'no image'],
  ])('%s', (image, why) => {
    expect(unpinnedImage(image)).toBe(why);
  });

  test('names the container, init container or operator resource with an unpinned image', () => {
    const job: K8sObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'upgrade' },
      spec: { template: { spec: { initContainers: [{ name: 'wait', image: 'busybox:latest' }], containers: [{ name: 'run', image: 'kubectl:1.34.0' }] } } },
    };
    const prometheus: K8sObject = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'Prometheus',
      metadata: { name: 'p' },
      spec: { image: 'quay.io/prometheus/prometheus' },
    };
    expect(lines(checkImages(input([job, prometheus])))).toEqual([
      'staging/agent: Job monitoring/upgrade: spec.template.spec.initContainers[0].image: "busybox:latest": tag "latest" is not a version; pin a version',
      'staging/agent: Prometheus monitoring/p: spec.image: "quay.io/prometheus/prometheus": no tag (pulls latest); pin a version',
    ]);
  });
});

describe("a URL naming a StatefulSet's pods by name (a MongoDB replica set)", () => {
  const service = (clusterIP?: string): K8sObject => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'db-headless' },
    spec: { ...(clusterIP ? { clusterIP } : {}), ports: [{ port: 27017 }] },
  });
  const statefulSet = (replicas: number, serviceName = 'db-headless'): K8sObject => ({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db' },
    spec: { replicas, serviceName, template: { spec: { containers: [] } } },
  });
  const members = (n: number) => Array.from({ length: n }, (_, i) => `db-${i}.db-headless.data.svc.cluster.local:27017`).join(',');
  const uri = `mongodb://app:\${random_bytes.x.hex}@${members(3)}/app?replicaSet=rs0`;
  const check = (objects: K8sObject[]) =>
    checkServiceUrls({
      environment: 'prod',
      renders: [{ app: 'db', namespace: 'data', objects }],
      secrets: [{ name: 'app-env', namespace: 'data', data: { MONGO_URI: uri } }],
      gpus: new Map(),
    }).map((f) => formatFinding('prod', f));
  const shown = `mongodb://app:***@${members(3)}/app?replicaSet=rs0`;

  test.each([
    ['every member is a pod of the StatefulSet under its headless Service', [service('None'), statefulSet(3)], []],
    [
      'the Service is not headless',
      [service(), statefulSet(3)],
      [0, 1, 2].map(
        (i) =>
          `prod/db: Secret data/app-env (Terraform): data.MONGO_URI: URL ${shown} names pod db-${i} of Service data/db-headless, but Service data/db-headless is not headless (clusterIP: None), so its pods have no names of their own`,
      ),
    ],
    [
      'no StatefulSet governs the Service',
      [service('None'), statefulSet(3, 'db')],
      [0, 1, 2].map(
        (i) =>
          `prod/db: Secret data/app-env (Terraform): data.MONGO_URI: URL ${shown} names pod db-${i} of Service data/db-headless, but no StatefulSet of the render names db-headless its serviceName and db-${i} its pod`,
      ),
    ],
    [
      'more members than the StatefulSet has replicas',
      [service('None'), statefulSet(1)],
      [1, 2].map(
        (i) =>
          `prod/db: Secret data/app-env (Terraform): data.MONGO_URI: URL ${shown} names pod db-${i} of Service data/db-headless, but StatefulSet data/db has 1 replicas`,
      ),
    ],
  ] as [string, K8sObject[], string[]][])('%s', (_name, objects, expected) => {
    expect(check(objects)).toEqual(expected);
  });
});

describe("Pod Security: every pod (template) against its namespace's enforced level", () => {
  const root = { name: 'app', image: 'app:1.0.0' };
  const objects: K8sObject[] = [
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'backup' },
      spec: {
        jobTemplate: {
          spec: {
            template: { metadata: { annotations: { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' } }, spec: { containers: [root] } },
          },
        },
      },
    },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'debug', namespace: 'tools' }, spec: { hostPID: true, containers: [root] } },
    {
      apiVersion: 'v1',
      kind: 'PodTemplate',
      metadata: { name: 'tmpl' },
      template: { spec: { containers: [{ ...root, securityContext: { privileged: true } }] } },
    },
    // Helm test hooks are never created by Argo CD.
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'test', annotations: { 'helm.sh/hook': 'test' } }, spec: { hostNetwork: true, containers: [root] } },
  ];
  const withLevels = (podSecurity: CheckInput['podSecurity']): CheckInput => ({ ...input(objects), podSecurity });

  test('names the field of each kind, template metadata included, for the namespace it lands in', () => {
    const baseline = { level: 'baseline', version: 'v1.35' } as const;
    expect(lines(checkPodSecurity(withLevels({ monitoring: baseline, tools: baseline })))).toEqual([
      'staging/agent: CronJob monitoring/backup: spec.jobTemplate.spec.template.metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]: must be runtime/default, localhost/<profile> or empty (baseline; got "unconfined")',
      'staging/agent: Pod tools/debug: spec.hostPID: must not be true (baseline; got true)',
      'staging/agent: PodTemplate monitoring/tmpl: template.spec.containers[0].securityContext.privileged: must not be true (baseline; got true)',
    ]);
  });

  test('checks nothing in a privileged namespace or one without a level', () => {
    expect(checkPodSecurity(withLevels({ monitoring: { level: 'privileged', version: 'v1.35' } }))).toEqual([]);
    expect(checkPodSecurity(withLevels(undefined))).toEqual([]);
  });
});

describe("the ServiceAccount of an app's bucket role", () => {
  const deployment = (serviceAccountName?: string): K8sObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { template: { spec: { ...(serviceAccountName ? { serviceAccountName } : {}), containers: [{ name: 'web', image: 'example/web:1.0.0' }] } } },
  });
  const withRole = (objects: K8sObject[]): CheckInput => ({
    environment: 'staging',
    renders: [{ app: 'web', namespace: 'web', objects }],
    secrets: [],
    gpus: new Map(),
    podIdentity: new Map([['web', 'web-files']]),
  });

  test('passes when a workload runs as it', () => {
    expect(checkPodIdentity(withRole([deployment('web-files')]))).toEqual([]);
  });

  test('is found when the chart names the ServiceAccount otherwise (the pods would get no credentials)', () => {
    expect(lines(checkPodIdentity(withRole([deployment('web-sa'), deployment()])))).toEqual([
      "staging/web: ServiceAccount web/web-files: spec.template.spec.serviceAccountName: no workload runs as the ServiceAccount the Pod Identity role of the app's bucket is given to (found web-sa, default)",
    ]);
  });

  test('is not checked for apps without a bucket', () => {
    expect(checkPodIdentity({ ...withRole([deployment()]), podIdentity: undefined })).toEqual([]);
  });
});
