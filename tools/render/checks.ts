/**
 * Semantic checks of a rendered environment: what Argo CD would deploy is consistent with itself
 * and with the Secrets Terraform creates. Each finding names the object and the field.
 */
import { parse } from 'yaml';
import { NamespacePodSecurity, TerraformSecret } from './applications';
import { K8sObject, containersOf, isHelmTestHook, namespaceOf, podSpecOf, podSpecPath, podTemplateOf } from './manifests';
import { evaluatePodSecurity } from './pod-security';

/** The render of one Application. */
export interface AppRender {
  readonly app: string;
  readonly namespace: string;
  readonly objects: readonly K8sObject[];
}

/** GPU needs of an app on this environment's cluster. */
export interface GpuExpectation {
  /** NVIDIA GPUs per pod; 0 for an agent that runs on the GPU nodes without using a GPU. */
  readonly count: number;
  /** Node selector and tolerations of the GPU nodes, on clusters with a GPU node group. */
  readonly nodes?: {
    readonly nodeSelector: Record<string, string>;
    readonly tolerations: readonly { key: string; operator: string; value?: string; effect: string }[];
  };
  /**
   * The names of the app's workloads that need the GPUs.
   * @default - every workload of the app
   */
  readonly workloads?: readonly string[];
}

/** What the checks compare a rendered environment with. */
export interface CheckInput {
  readonly environment: string;
  readonly renders: readonly AppRender[];
  /** Secrets created by Terraform (the platform stack). */
  readonly secrets: readonly TerraformSecret[];
  /** GPU needs by app name (apps without GPUs are absent). */
  readonly gpus: ReadonlyMap<string, GpuExpectation>;
  /**
   * The Pod Security level each namespace enforces, by namespace name.
   * @default {} (nothing checked)
   */
  readonly podSecurity?: Readonly<Record<string, NamespacePodSecurity>>;
  /**
   * The ServiceAccount each app's Pod Identity role is given to (apps with a bucket), by app name.
   * @default - nothing checked
   */
  readonly podIdentity?: ReadonlyMap<string, string>;
}

/** One problem: `<env>/<app>: <Kind> <namespace>/<name>: <field>: <message>`. */
export interface Finding {
  readonly app: string;
  readonly object: string;
  readonly field: string;
  readonly message: string;
}

/** A finding as one line. */
export function formatFinding(environment: string, finding: Finding): string {
  return `${environment}/${finding.app}: ${finding.object}: ${finding.field}: ${finding.message}`;
}

const objectName = (o: K8sObject, ns: string) => `${o.kind} ${ns}/${o.metadata.name}`;

/** Every check; findings in render order. */
export function checkEnvironment(input: CheckInput): Finding[] {
  return [
    ...checkServiceUrls(input),
    ...checkRwoRollouts(input),
    ...checkGpus(input),
    ...checkImages(input),
    ...checkReferences(input),
    ...checkPodSecurity(input),
    ...checkPodIdentity(input),
  ];
}

/**
 * An app whose bucket role EKS Pod Identity gives to a ServiceAccount has a workload running as
 * that ServiceAccount: a chart that names it otherwise leaves the pods without credentials.
 */
export function checkPodIdentity(input: CheckInput): Finding[] {
  const findings: Finding[] = [];
  for (const [app, serviceAccount] of input.podIdentity ?? []) {
    const ours = workloads(input).filter((w) => w.render.app === app);
    if (ours.some((w) => w.pod.serviceAccountName === serviceAccount)) continue;
    const render = input.renders.find((r) => r.app === app);
    findings.push({
      app,
      object: `ServiceAccount ${render?.namespace ?? '?'}/${serviceAccount}`,
      field: 'spec.template.spec.serviceAccountName',
      message: `no workload runs as the ServiceAccount the Pod Identity role of the app's bucket is given to (found ${
        [...new Set(ours.map((w) => w.pod.serviceAccountName ?? 'default'))].join(', ') || 'no workload'
      })`,
    });
  }
  return findings;
}

/** Workloads of the renders that Argo CD creates (Helm test hooks excluded). */
function workloads(input: CheckInput) {
  return input.renders.flatMap((render) =>
    render.objects
      .filter((o) => podSpecOf(o) && !isHelmTestHook(o))
      .map((o) => ({ render, object: o, namespace: namespaceOf(o, render.namespace), pod: podSpecOf(o), podPath: podSpecPath(o.kind) })),
  );
}

// ---------------------------------------------------------------------------------------------
// In-cluster URLs

const TERRAFORM_EXPRESSION = /\$\{(?:[^{}]|\{[^{}]*\})*\}/g;
/** A Go template action of an ExternalSecret's `target.template` (a credential stands in as `***`). */
const TEMPLATE_ACTION = /\{\{(?:[^{}]|\{[^{}]*\})*\}\}/g;

/**
 * The Secrets the rendered ExternalSecrets produce (External Secrets Operator writes exactly the
 * keys of `target.template.data`), as Terraform Secrets would be: their template actions stand in
 * as Terraform expressions, so the checks treat both sources of a Secret alike.
 */
export function externalSecretTargets(renders: CheckInput['renders']): TerraformSecret[] {
  return renders.flatMap((r) =>
    r.objects
      .filter((o) => o.kind === 'ExternalSecret')
      .map((o: any) => ({
        name: o.spec?.target?.name ?? o.metadata.name,
        namespace: namespaceOf(o, r.namespace),
        data: Object.fromEntries(
          Object.entries<string>(o.spec?.target?.template?.data ?? {}).map(([k, v]) => [k, String(v).replace(TEMPLATE_ACTION, '${***}')]),
        ),
      })),
  );
}

const URL_PATTERN = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/]*@)?([^/?#]+)/i;

/** An in-cluster URL's target: a Service's port, or one pod's name under a headless Service. */
interface ClusterTarget {
  service: string;
  namespace: string;
  port: number;
  /** `<pod>.<service>.<namespace>.svc…`: a StatefulSet pod's own name. */
  pod?: string;
}

/**
 * The in-cluster targets of a URL: every host of its authority (`a:1,b:2` for MongoDB's replica
 * sets) that is `[<pod>.]<svc>.<ns>.svc[.cluster.local]`, with its port (explicit, else the
 * scheme's default).
 */
function clusterTargets(url: string): ClusterTarget[] {
  const match = URL_PATTERN.exec(url);
  if (!match) return [];
  const defaults: Record<string, number> = { http: 80, https: 443, mongodb: 27017, redis: 6379 };
  return match[2].split(',').flatMap((authority) => {
    const hostPort = /^([^:]+)(?::(\d+))?$/.exec(authority);
    const host = hostPort && /^(?:([a-z0-9-]+)\.)?([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?\.?$/.exec(hostPort[1].toLowerCase());
    if (!host) return [];
    const port = hostPort[2] ? Number(hostPort[2]) : defaults[match[1].toLowerCase()];
    return port === undefined ? [] : [{ service: host[2], namespace: host[3], port, ...(host[1] ? { pod: host[1] } : {}) }];
  });
}

/** `${VAR}` references resolved through `variables`; unknown ones are left as they are. */
function resolveVariables(value: string, variables: Readonly<Record<string, string>>): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => variables[name] ?? whole);
}

/** Every string in a parsed YAML value, with its dotted path. */
function strings(value: unknown, path: string, out: { path: string; value: string }[] = []): { path: string; value: string }[] {
  if (typeof value === 'string') out.push({ path, value });
  else if (Array.isArray(value)) value.forEach((v, i) => strings(v, `${path}[${i}]`, out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) strings(v, path ? `${path}.${k}` : k, out);
  return out;
}

/**
 * URLs of the Terraform Secrets (Terraform expressions such as a generated password stand in as
 * `***`) and of every `librechat.yaml` in a rendered ConfigMap (`${VAR}` resolved through the
 * keys of the Terraform Secrets of its namespace) must name a rendered Service and port.
 */
export function checkServiceUrls(input: CheckInput): Finding[] {
  const findings: Finding[] = [];
  const services = input.renders.flatMap((r) =>
    r.objects.filter((o) => o.kind === 'Service').map((o) => ({ object: o, namespace: namespaceOf(o, r.namespace) })),
  );
  const statefulSets = input.renders.flatMap((r) =>
    r.objects.filter((o) => o.kind === 'StatefulSet').map((o) => ({ object: o, namespace: namespaceOf(o, r.namespace) })),
  );
  const appOfNamespace = (namespace: string) => input.renders.find((r) => r.namespace === namespace)?.app ?? '(terraform)';
  const verify = (app: string, object: string, field: string, url: string) => {
    for (const target of clusterTargets(url)) verifyTarget(app, object, field, url, target);
  };
  const verifyTarget = (app: string, object: string, field: string, url: string, target: ClusterTarget) => {
    const service = services.find((s) => s.object.metadata.name === target.service && s.namespace === target.namespace);
    const ports: number[] = (service?.object.spec?.ports ?? []).map((p: any) => Number(p.port));
    if (service && ports.includes(target.port) && target.pod !== undefined) {
      // A pod's own name exists under a headless Service that a StatefulSet governs, for its ordinals.
      const owner = statefulSets.find(
        (s) =>
          s.namespace === target.namespace &&
          s.object.spec?.serviceName === target.service &&
          target.pod!.startsWith(`${s.object.metadata.name}-`) &&
          /^\d+$/.test(target.pod!.slice(s.object.metadata.name.length + 1)),
      );
      const ordinal = owner ? Number(target.pod.slice(owner.object.metadata.name.length + 1)) : -1;
      const why =
        service.object.spec?.clusterIP !== 'None'
          ? `Service ${target.namespace}/${target.service} is not headless (clusterIP: None), so its pods have no names of their own`
          : !owner
            ? `no StatefulSet of the render names ${target.service} its serviceName and ${target.pod} its pod`
            : ordinal >= Number(owner.object.spec?.replicas ?? 1)
              ? `StatefulSet ${target.namespace}/${owner.object.metadata.name} has ${owner.object.spec?.replicas ?? 1} replicas`
              : undefined;
      if (why)
        findings.push({ app, object, field, message: `URL ${url} names pod ${target.pod} of Service ${target.namespace}/${target.service}, but ${why}` });
      return;
    }
    if (service && ports.includes(target.port)) return;
    const known = services
      .filter((s) => s.namespace === target.namespace)
      .map((s) => `${s.object.metadata.name}:${(s.object.spec?.ports ?? []).map((p: any) => p.port).join('/')}`);
    const why = service
      ? `Service ${target.namespace}/${target.service} has no port ${target.port} (ports: ${ports.join(', ')})`
      : `the render has no Service ${target.namespace}/${target.service}`;
    findings.push({
      app,
      object,
      field,
      message: `URL ${url} names port ${target.port} of Service ${target.namespace}/${target.service}, but ${why}; Services in ${target.namespace}: ${known.join(', ') || 'none'}`,
    });
  };

  const secrets = [...input.secrets, ...externalSecretTargets(input.renders)];
  for (const secret of secrets) {
    for (const [key, raw] of Object.entries(secret.data)) {
      verify(
        appOfNamespace(secret.namespace),
        `Secret ${secret.namespace}/${secret.name} (Terraform)`,
        `data.${key}`,
        raw.replace(TERRAFORM_EXPRESSION, '***'),
      );
    }
  }
  for (const render of input.renders) {
    for (const configMap of render.objects.filter((o) => o.kind === 'ConfigMap' && typeof o.data?.['librechat.yaml'] === 'string')) {
      const namespace = namespaceOf(configMap, render.namespace);
      const variables = Object.assign({}, ...secrets.filter((s) => s.namespace === namespace).map((s) => s.data));
      let config: unknown;
      try {
        config = parse(configMap.data['librechat.yaml']);
      } catch (error) {
        findings.push({
          app: render.app,
          object: objectName(configMap, namespace),
          field: 'data.librechat.yaml',
          message: `not YAML: ${(error as Error).message}`,
        });
        continue;
      }
      for (const { path, value } of strings(config, '')) {
        const resolved = resolveVariables(value, variables).replace(TERRAFORM_EXPRESSION, '***');
        const shown = resolved === value ? value : `${value} (= ${resolved})`;
        if (clusterTargets(resolved).length === 0) continue;
        const before = findings.length;
        verify(render.app, objectName(configMap, namespace), `data.librechat.yaml: ${path}`, resolved);
        if (findings.length > before)
          findings[findings.length - 1] = {
            ...findings[findings.length - 1],
            message: findings[findings.length - 1].message.replace(`URL ${resolved}`, `URL ${shown}`),
          };
      }
    }
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------
// ReadWriteOnce volumes

/**
 * A Deployment that rolls (RollingUpdate, the default) with a ReadWriteOnce claim starts the new
 * pod while the old one holds the volume: on another node it never starts, on the same node two
 * processes share one data directory.
 */
export function checkRwoRollouts(input: CheckInput): Finding[] {
  const findings: Finding[] = [];
  const claims = input.renders.flatMap((r) =>
    r.objects.filter((o) => o.kind === 'PersistentVolumeClaim').map((o) => ({ object: o, namespace: namespaceOf(o, r.namespace) })),
  );
  for (const { render, object, namespace, pod, podPath } of workloads(input)) {
    if (object.kind !== 'Deployment') continue;
    const strategy = object.spec?.strategy?.type ?? 'RollingUpdate';
    if (strategy !== 'RollingUpdate') continue;
    (pod.volumes ?? []).forEach((volume: any, i: number) => {
      const claimName = volume.persistentVolumeClaim?.claimName;
      if (!claimName) return;
      const claim = claims.find((c) => c.object.metadata.name === claimName && c.namespace === namespace);
      const modes: string[] = claim?.object.spec?.accessModes ?? [];
      const rwo = modes.find((m) => m === 'ReadWriteOnce' || m === 'ReadWriteOncePod');
      if (!rwo) return;
      findings.push({
        app: render.app,
        object: objectName(object, namespace),
        field: object.spec?.strategy?.type ? 'spec.strategy.type' : 'spec.strategy.type (unset: RollingUpdate)',
        message: `rolls with two pods while ${podPath}.volumes[${i}] mounts ${rwo} claim ${claimName}; set strategy Recreate (or use a StatefulSet)`,
      });
    });
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------
// GPUs

/**
 * Workloads of an app that needs GPUs request them and, where the cluster has GPU nodes, land on
 * them; the workloads of a GPU-node agent (count 0) land on them without requesting any.
 */
export function checkGpus(input: CheckInput): Finding[] {
  const findings: Finding[] = [];
  for (const { render, object, namespace, pod, podPath } of workloads(input)) {
    const expected = input.gpus.get(render.app);
    if (!expected) continue;
    if (expected.workloads && !expected.workloads.includes(object.metadata?.name)) continue;
    const name = objectName(object, namespace);
    const limits = containersOf(pod).map(({ container, path }) => ({ path, value: container.resources?.limits?.['nvidia.com/gpu'] }));
    const requested = expected.count > 0 ? limits.some((l) => Number(l.value) === expected.count) : limits.every((l) => l.value === undefined);
    if (!requested) {
      const found = limits.filter((l) => l.value !== undefined).map((l) => `${l.path}: ${l.value}`);
      findings.push({
        app: render.app,
        object: name,
        field: `${podPath}.containers[*].resources.limits.nvidia.com/gpu`,
        message:
          expected.count > 0
            ? `expected ${expected.count} (apps.${render.app} of the environment), found ${found.join(', ') || 'none'}`
            : `expected none (a GPU-node agent must not take a GPU from the workloads), found ${found.join(', ')}`,
      });
    }
    if (!expected.nodes) continue;
    for (const [key, value] of Object.entries(expected.nodes.nodeSelector)) {
      if (pod.nodeSelector?.[key] !== value) {
        findings.push({
          app: render.app,
          object: name,
          field: `${podPath}.nodeSelector.${key}`,
          message: `expected "${value}" (the GPU node group's label), found ${JSON.stringify(pod.nodeSelector?.[key] ?? null)}`,
        });
      }
    }
    for (const toleration of expected.nodes.tolerations) {
      const tolerated = (pod.tolerations ?? []).some(
        (t: any) =>
          t.key === toleration.key &&
          (t.effect === undefined || t.effect === toleration.effect) &&
          (t.operator === 'Exists' || ((t.operator ?? 'Equal') === 'Equal' && t.value === toleration.value)),
      );
      if (!tolerated) {
        findings.push({
          app: render.app,
          object: name,
          field: `${podPath}.tolerations`,
          message: `no toleration of the GPU taint ${toleration.key}=${toleration.value ?? ''}:${toleration.effect}`,
        });
      }
    }
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------
// Pinned images

/** Custom resources whose operator runs pods from `spec.image` (Prometheus Operator kinds). */
const OPERATOR_IMAGE_KINDS = ['Prometheus', 'Alertmanager', 'ThanosRuler', 'PrometheusAgent'];

/** Why an image reference is not pinned, or undefined when it has a version tag or a digest. */
export function unpinnedImage(image: unknown): string | undefined {
  if (typeof image !== 'string' || image === '') return 'no image';
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return undefined;
  // The tag follows the last ":" after the last "/" (a registry port is before it).
  const name = image.slice(image.lastIndexOf('/') + 1);
  const colon = name.lastIndexOf(':');
  if (colon < 0) return 'no tag (pulls latest)';
  const tag = name.slice(colon + 1);
  if (tag === '' || tag === 'latest') return `tag "${tag}" is not a version`;
  return undefined;
}

/**
 * Every container image (init containers, Jobs and hooks included) and every image of a
 * Prometheus Operator resource has a version tag or a digest: what Argo CD deploys is what was
 * reviewed, not whatever `latest` is on the day a node pulls it.
 */
export function checkImages(input: CheckInput): Finding[] {
  const findings: Finding[] = [];
  for (const { render, object, namespace, pod, podPath } of workloads(input)) {
    for (const { container, path } of containersOf(pod)) {
      const why = unpinnedImage(container.image);
      if (why)
        findings.push({
          app: render.app,
          object: objectName(object, namespace),
          field: `${podPath}.${path}.image`,
          message: `${JSON.stringify(container.image ?? null)}: ${why}; pin a version`,
        });
    }
  }
  for (const render of input.renders) {
    for (const object of render.objects.filter((o) => OPERATOR_IMAGE_KINDS.includes(o.kind) && o.spec?.image !== undefined)) {
      const why = unpinnedImage(object.spec.image);
      if (why)
        findings.push({
          app: render.app,
          object: objectName(object, namespaceOf(object, render.namespace)),
          field: 'spec.image',
          message: `${JSON.stringify(object.spec.image)}: ${why}; pin a version`,
        });
    }
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------
// Secret and ConfigMap references

interface Reference {
  readonly kind: 'Secret' | 'ConfigMap';
  readonly name: string;
  readonly key?: string;
  readonly optional: boolean;
  readonly field: string;
}

function references(pod: any, podPath: string): Reference[] {
  const refs: Reference[] = [];
  for (const { container, path } of containersOf(pod)) {
    (container.envFrom ?? []).forEach((source: any, i: number) => {
      if (source.secretRef)
        refs.push({ kind: 'Secret', name: source.secretRef.name, optional: !!source.secretRef.optional, field: `${podPath}.${path}.envFrom[${i}].secretRef` });
      if (source.configMapRef)
        refs.push({
          kind: 'ConfigMap',
          name: source.configMapRef.name,
          optional: !!source.configMapRef.optional,
          field: `${podPath}.${path}.envFrom[${i}].configMapRef`,
        });
    });
    (container.env ?? []).forEach((variable: any, i: number) => {
      const secret = variable.valueFrom?.secretKeyRef;
      const configMap = variable.valueFrom?.configMapKeyRef;
      if (secret)
        refs.push({
          kind: 'Secret',
          name: secret.name,
          key: secret.key,
          optional: !!secret.optional,
          field: `${podPath}.${path}.env[${i}] (${variable.name})`,
        });
      if (configMap)
        refs.push({
          kind: 'ConfigMap',
          name: configMap.name,
          key: configMap.key,
          optional: !!configMap.optional,
          field: `${podPath}.${path}.env[${i}] (${variable.name})`,
        });
    });
  }
  (pod.volumes ?? []).forEach((volume: any, i: number) => {
    const field = `${podPath}.volumes[${i}] (${volume.name})`;
    if (volume.secret) refs.push({ kind: 'Secret', name: volume.secret.secretName, optional: !!volume.secret.optional, field });
    if (volume.configMap) refs.push({ kind: 'ConfigMap', name: volume.configMap.name, optional: !!volume.configMap.optional, field });
    (volume.projected?.sources ?? []).forEach((source: any, j: number) => {
      if (source.secret) refs.push({ kind: 'Secret', name: source.secret.name, optional: !!source.secret.optional, field: `${field}.projected.sources[${j}]` });
      if (source.configMap)
        refs.push({ kind: 'ConfigMap', name: source.configMap.name, optional: !!source.configMap.optional, field: `${field}.projected.sources[${j}]` });
    });
  });
  return refs;
}

/**
 * Every Secret and ConfigMap a workload references (envFrom, env valueFrom, volumes; optional
 * references too) is rendered or created by Terraform, and has the key it reads.
 */
export function checkReferences(input: CheckInput): Finding[] {
  const findings: Finding[] = [];
  const rendered = input.renders.flatMap((r) =>
    r.objects
      .filter((o) => o.kind === 'Secret' || o.kind === 'ConfigMap')
      .map((o) => ({
        kind: o.kind,
        name: o.metadata.name,
        namespace: namespaceOf(o, r.namespace),
        keys: Object.keys({ ...(o.data ?? {}), ...(o.stringData ?? {}), ...(o.binaryData ?? {}) }),
      })),
  );
  const terraform = [...input.secrets, ...externalSecretTargets(input.renders)].map((s) => ({
    kind: 'Secret',
    name: s.name,
    namespace: s.namespace,
    keys: Object.keys(s.data),
  }));
  const available = [...rendered, ...terraform];
  for (const { render, object, namespace, pod, podPath } of workloads(input)) {
    for (const ref of references(pod, podPath)) {
      const target = available.find((a) => a.kind === ref.kind && a.name === ref.name && a.namespace === namespace);
      const optional = ref.optional ? ' (optional: true — the pod would start without it)' : '';
      if (!target) {
        findings.push({
          app: render.app,
          object: objectName(object, namespace),
          field: ref.field,
          message: `${ref.kind} ${namespace}/${ref.name} is neither rendered nor created by Terraform${optional}`,
        });
      } else if (ref.key !== undefined && !target.keys.includes(ref.key)) {
        findings.push({
          app: render.app,
          object: objectName(object, namespace),
          field: ref.field,
          message: `${ref.kind} ${namespace}/${ref.name} has no key ${ref.key} (keys: ${target.keys.join(', ')})${optional}`,
        });
      }
    }
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------
// Pod Security

/**
 * Every pod (template) Argo CD creates passes the Pod Security level its namespace enforces, as
 * the admission controller evaluates it: a Pod that fails is refused, and a workload whose
 * template fails is accepted with a warning but never gets its pods.
 */
export function checkPodSecurity(input: CheckInput): Finding[] {
  const findings: Finding[] = [];
  for (const { render, object, namespace, podPath } of workloads(input)) {
    const policy = input.podSecurity?.[namespace];
    if (!policy) continue;
    const metadataPath = podPath.replace(/spec$/, 'metadata');
    for (const violation of evaluatePodSecurity(policy.level, policy.version, podTemplateOf(object)!)) {
      findings.push({
        app: render.app,
        object: objectName(object, namespace),
        field: violation.field.replace(/^spec(?=[.[]|$)/, podPath).replace(/^metadata(?=[.[]|$)/, metadataPath),
        message: violation.message,
      });
    }
  }
  return findings;
}
