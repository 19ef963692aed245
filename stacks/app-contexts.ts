import { ingressAnnotationSets, ingressAnnotations } from '../environments/ingress-controllers';
import { ValidEnvironment } from '../environments/schema';
import { AppContext, AppDefinition, NetworkPeer } from '../contracts/app-definition';
import { clientsOf, serviceUrl } from '../contracts/app-catalog';
import { GPU_NODES, GPU_NODE_POOL, KUBERNETES_TAINT_EFFECT } from '../constructs/core/gpu-nodes';
import { KARPENTER_DISCOVERY_TAG, karpenterNodeRoleName } from '../constructs/cluster/names';
import { karpenterAmiAlias } from '../contracts/eks-ami-releases';
import { SHARED_MODEL_VOLUME, STATEFUL_STORAGE_CLASS } from '../constructs/platform/names';
import { secretsManagerName } from '../contracts/external-secrets';
import { secretSource } from '../environments/secret-source';
import { appBucketName } from '../contracts/object-storage';

/**
 * What each app of `catalog` computes its values and Secrets from in `env`: its settings, its
 * host and URL when the environment publishes it, the ingress set-up (with the annotations the
 * environment's controller needs, environments/ingress-controllers.ts), GPU scheduling on clusters
 * with a GPU node group, the StorageClass of stateful volumes, the zones of the nodes, the app's
 * own bucket, and the in-cluster URLs of the catalog's Services.
 */
export function appContexts(env: ValidEnvironment, catalog: readonly AppDefinition[]): Map<string, AppContext<unknown>> {
  const settings = env.apps as Record<string, unknown>;
  const hosts = env.ingress.hosts as Record<string, string | undefined>;
  const gpuNodes =
    env.cluster.kind === 'eks'
      ? {
          nodeSelector: { [GPU_NODES.label.key]: GPU_NODES.label.value },
          // Karpenter launches GPU nodes in every zone of the VPC; the managed group in its own.
          zones: env.cluster.gpuCapacity ? env.cluster.vpc.availabilityZones : env.cluster.gpuNodes.availabilityZones,
          tolerations: [{ key: GPU_NODES.taint.key, operator: 'Equal', value: GPU_NODES.taint.value, effect: KUBERNETES_TAINT_EFFECT[GPU_NODES.taint.effect] }],
        }
      : undefined;
  const cluster = env.cluster;
  const gpuCapacity =
    cluster.kind === 'eks' && cluster.gpuCapacity
      ? {
          nodePool: GPU_NODE_POOL,
          discoveryTag: { key: KARPENTER_DISCOVERY_TAG, value: cluster.name },
          nodeRole: karpenterNodeRoleName(cluster.name),
          amiAlias: karpenterAmiAlias(cluster.gpuNodes.amiType, cluster.gpuNodes.releaseVersion),
          instanceTypes: cluster.gpuCapacity.instanceTypes,
          capacityTypes: cluster.gpuCapacity.capacityTypes,
          zones: cluster.vpc.availabilityZones,
          maxGpus: cluster.gpuCapacity.maxGpus,
          diskSizeGiB: cluster.gpuCapacity.diskSizeGiB,
          consolidateAfter: cluster.gpuCapacity.consolidateAfter,
          sharedModelVolume: SHARED_MODEL_VOLUME,
          label: GPU_NODES.label,
          taint: { key: GPU_NODES.taint.key, value: GPU_NODES.taint.value, effect: KUBERNETES_TAINT_EFFECT[GPU_NODES.taint.effect] },
        }
      : undefined;
  const contexts = new Map<string, AppContext<unknown>>();
  for (const app of catalog) {
    const externalSecrets =
      secretSource(env) === 'aws-secrets-manager' && cluster.kind === 'eks'
        ? { region: cluster.region, nameOf: (secret: string) => secretsManagerName(cluster.name, app.namespace, secret) }
        : undefined;
    const host = app.host === 'required' || app.host === 'optional' ? hosts[app.name] : undefined;
    const ranges = env.ingress.sourceRanges[app.name];
    // The apps serve chat completions, which stream for minutes.
    const annotations = ingressAnnotations(env, {
      streaming: true,
      allow: ranges ? { ranges, services: [app.ingressService?.(app.name) ?? app.name] } : undefined,
    });
    contexts.set(app.name, {
      environment: env.name,
      release: app.name,
      settings: settings[app.name],
      ingress: {
        className: env.ingress.className,
        tls: env.ingress.tls,
        annotations,
        sources: ingressSources(env),
        sticky: { ...ingressAnnotationSets(env).sticky },
      },
      host,
      url: host ? externalUrl(env, host) : undefined,
      gpuNodes,
      gpuCapacity,
      // On EKS the stateful volumes are retained and backed up; minikube's default class deletes them.
      statefulStorageClass: env.cluster.kind === 'eks' ? STATEFUL_STORAGE_CLASS : undefined,
      zones: cluster.kind === 'eks' ? cluster.vpc.availabilityZones : [],
      // The platform stack creates the same bucket (stacks/platform-stack.ts).
      objectStorage:
        cluster.kind === 'eks' && app.objectStorage?.enabled(settings[app.name])
          ? { bucket: appBucketName(cluster.name, app.name), region: cluster.region }
          : undefined,
      externalSecrets,
      clients: clientsOf(catalog, app.name),
      serviceUrl: (name, service) => serviceUrl(catalog, name, service),
      settingsOf: (name) => settings[name],
    });
  }
  return contexts;
}

/** The external URL of a host under the environment's ingress. */
export function externalUrl(env: ValidEnvironment, host: string): string {
  return `${env.ingress.tls ? 'https' : 'http'}://${host}`;
}

/**
 * The minikube `ingress` addon's controller pods (namespace `ingress-nginx`), the only ingress
 * source of a local cluster.
 */
export const MINIKUBE_INGRESS_CONTROLLER: NetworkPeer = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
  podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' } },
};

/**
 * Where ingress traffic to published apps comes from. On EKS it is the VPC range: an ALB with
 * target type `ip` connects from its own VPC addresses, and an in-cluster controller's pods have
 * VPC addresses too (VPC CNI), so one ipBlock admits either without knowing which is installed.
 * What it admits is only the port the ingress publishes to the internet anyway.
 */
export function ingressSources(env: ValidEnvironment): NetworkPeer[] {
  return env.cluster.kind === 'eks' ? [{ ipBlock: { cidr: env.cluster.vpc.cidr } }] : [MINIKUBE_INGRESS_CONTROLLER];
}
