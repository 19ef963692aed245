/**
 * Assertions of the Argo CD e2e stage against the live API server (bounded waits, no timing
 * assertions). Each check prints `e2e:    ok  <what>` or fails with the reason.
 *
 *   assert-argocd.ts synced <cdktf.out> <env> <revision> [timeout s]
 *       every Application of the <env>-* stacks is Synced at <revision>, its last sync Succeeded,
 *       and no error condition (permission, comparison, spec) is set
 *   assert-argocd.ts workloads <cdktf.out> <env> <git work tree>
 *       what Argo CD applied carries what the environment asked for (GPU limit, scheduling,
 *       models, resources from the value files in Git, the Secret reference, service names)
 *   assert-argocd.ts destroyed <cdktf.out> <env> [timeout s]
 *       nothing the <env>-* stacks or their Applications created is left (callable after
 *       `cdktf destroy` too)
 */
import { spawnSync } from 'child_process';
import * as assert from 'assert/strict';
import * as path from 'path';
import { ENVIRONMENTS, loadEnvironments } from '../../../environments';
import { ValidEnvironment } from '../../../environments/schema';
import { CATALOG, DCGM_EXPORTER, KUBE_PROMETHEUS_STACK, LIBRECHAT, OLLAMA, OllamaSettings, PLATFORM_MONITORING } from '../../../apps/catalog';
import { GPU_NODES, KUBERNETES_TAINT_EFFECT } from '../../../constructs/core/gpu-nodes';

const LIBRECHAT_SECRET_NAME = 'librechat-credentials-env';
import { planObjects } from './synth-objects';
import { mergedValue } from './work-copy';

type K8sObject = any;

const kubectlBin = process.env.E2E_KUBECTL_BIN ?? 'kubectl';

function kubectlJson(args: string[]): K8sObject | undefined {
  const result = spawnSync(kubectlBin, [...args, '-o', 'json'], { encoding: 'utf8' });
  if (result.status !== 0) {
    if (/NotFound|not found/.test(result.stderr)) return undefined;
    throw new Error(`kubectl ${args.join(' ')}: ${result.stderr.trim()}`);
  }
  return JSON.parse(result.stdout);
}

function sleep(seconds: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, seconds * 1000);
}

/** Polls `probe` (null = satisfied, else the reason) for at most `timeout` seconds. */
export function waitFor(what: string, timeout: number, probe: () => string | null): number {
  const started = Date.now();
  let reason: string | null = 'not checked yet';
  while ((reason = probe()) !== null) {
    if (Date.now() - started > timeout * 1000) throw new Error(`${what}: not reached within ${timeout}s: ${reason}`);
    sleep(1);
  }
  return (Date.now() - started) / 1000;
}

function check(name: string, fn: () => void): void {
  fn();
  console.log(`e2e:    ok  ${name}`);
}

/** The Application and AppProject manifests the `<env>-*` stacks create. */
function argoObjects(outDir: string, env: string): { applications: K8sObject[]; projects: K8sObject[]; all: K8sObject[] } {
  const all = planObjects(outDir, `${env}-`).objects.map((o) => o.object as K8sObject);
  return { applications: all.filter((o) => o.kind === 'Application'), projects: all.filter((o) => o.kind === 'AppProject'), all };
}

/** Why an Application is not yet synced at `revision`, or null. */
function notSynced(app: K8sObject | undefined, revision: string): string | null {
  if (!app) return 'Application not found';
  const errors = (app.status?.conditions ?? []).filter((c: K8sObject) => /Error$/.test(c.type));
  if (errors.length > 0) return `conditions: ${errors.map((c: K8sObject) => `${c.type}: ${c.message}`).join('; ')}`;
  const sync = app.status?.sync ?? {};
  const op = app.status?.operationState ?? {};
  if (sync.status !== 'Synced') return `sync status ${sync.status ?? 'unknown'} at ${sync.revision ?? '?'}`;
  if (sync.revision !== revision) return `synced at ${sync.revision}, waiting for ${revision}`;
  // A commit that leaves an app's manifests unchanged makes it Synced at that revision without a
  // new sync operation, so the last operation may be at an older revision; it must have succeeded.
  if (op.phase !== 'Succeeded') return `last sync operation ${op.phase ?? 'none yet'}: ${op.message ?? ''}`;
  return null;
}

function synced(outDir: string, env: string, revision: string, timeout: number): void {
  for (const manifest of argoObjects(outDir, env).applications) {
    const { name, namespace } = manifest.metadata;
    const seconds = waitFor(`Application ${name}`, timeout, () => notSynced(kubectlJson(['get', 'applications.argoproj.io', '-n', namespace, name]), revision));
    const app = kubectlJson(['get', 'applications.argoproj.io', '-n', namespace, name]);
    const warnings = (app.status?.conditions ?? []).map((c: K8sObject) => `${c.type}: ${c.message}`);
    const kinds = (app.status?.resources ?? []).map((r: K8sObject) => `${r.kind}/${r.name}`).join(', ');
    console.log(
      `e2e:    ok  Application ${name} Synced at ${revision.slice(0, 12)} in project ${app.spec.project} (waited ${seconds.toFixed(1)}s; resources: ${kinds})`,
    );
    for (const warning of warnings) console.log(`e2e:        condition ${warning}`);
  }
}

function environment(name: string): ValidEnvironment {
  const env = loadEnvironments(ENVIRONMENTS, CATALOG, {
    GITOPS_REPO_URL: process.env.GITOPS_REPO_URL,
    GITOPS_REVISION: process.env.GITOPS_REVISION,
    PLATFORM_OVERRIDES_FILE: process.env.PLATFORM_OVERRIDES_FILE,
  }).find((e) => e.name === name);
  if (!env) throw new Error(`unknown environment ${name}`);
  return env;
}

function container(namespace: string, deployment: string): K8sObject {
  const object = kubectlJson(['get', 'deployment', '-n', namespace, deployment]);
  assert.ok(object, `Deployment ${namespace}/${deployment} not found`);
  return { pod: object.spec.template.spec, main: object.spec.template.spec.containers[0] };
}

function workloads(outDir: string, envName: string, gitTree: string): void {
  const env = environment(envName);
  const settings = (env.apps as Record<string, unknown>).ollama as OllamaSettings;
  const { applications } = argoObjects(outDir, envName);
  const app = (name: string) => applications.find((a) => a.metadata.name === name);
  const valueFiles = (name: string) => (app(name)?.spec.source.helm.valueFiles ?? []).map((f: string) => path.join(gitTree, app(name).spec.source.path, f));

  const ollama = container(OLLAMA.namespace, OLLAMA.name);
  check(`Ollama: GPU limit as the environment asks (gpuCount ${settings.gpuCount})`, () => {
    const limit = ollama.main.resources?.limits?.['nvidia.com/gpu'];
    assert.equal(limit, settings.gpuCount > 0 ? String(settings.gpuCount) : undefined);
  });
  check(
    `Ollama: resources from the value files in Git (${valueFiles(OLLAMA.name)
      .map((f: string) => path.basename(f))
      .join(' + ')})`,
    () => {
      const wanted = mergedValue(valueFiles(OLLAMA.name), `${OLLAMA.name}.resources`) as K8sObject;
      const live = ollama.main.resources;
      for (const kind of ['requests', 'limits']) {
        for (const [key, value] of Object.entries(wanted?.[kind] ?? {})) assert.equal(live?.[kind]?.[key], String(value), `${kind}.${key}`);
      }
    },
  );
  const scheduling = env.cluster.kind === 'eks';
  check(`Ollama: node selector and tolerations ${scheduling ? 'select and tolerate the GPU nodes' : 'absent (the environment asks for none)'}`, () => {
    if (scheduling) {
      assert.equal(ollama.pod.nodeSelector?.[GPU_NODES.label.key], GPU_NODES.label.value);
      assert.ok(
        (ollama.pod.tolerations ?? []).some((t: K8sObject) => t.key === GPU_NODES.taint.key && t.effect === KUBERNETES_TAINT_EFFECT[GPU_NODES.taint.effect]),
      );
    } else {
      assert.equal(ollama.pod.nodeSelector, undefined);
      assert.equal(ollama.pod.tolerations, undefined);
    }
  });
  check(`Ollama: models to pull (${settings.models.join(', ')})`, () => {
    assert.equal(ollama.main.env.find((e: K8sObject) => e.name === 'E2E_MODELS_PULL')?.value, settings.models.join(','));
  });

  const librechat = container(LIBRECHAT.namespace, LIBRECHAT.name);
  check(`LibreChat: credentials from the Secret ${LIBRECHAT_SECRET_NAME} (envFrom secretRef)`, () => {
    const refs = (librechat.main.envFrom ?? []).map((e: K8sObject) => e.secretRef?.name).filter(Boolean);
    assert.deepEqual(refs, [LIBRECHAT_SECRET_NAME]);
    assert.ok(kubectlJson(['get', 'secret', '-n', LIBRECHAT.namespace, LIBRECHAT_SECRET_NAME]), 'the Secret exists');
  });
  check('every service URL in the Secret names a Service Argo CD created, with that port', () => {
    const secret = kubectlJson(['get', 'secret', '-n', LIBRECHAT.namespace, LIBRECHAT_SECRET_NAME]);
    const urls = Object.values<string>(secret.data)
      .map((v) => Buffer.from(v, 'base64').toString('utf8'))
      .filter((v) => /^[a-z]+:\/\/[^/]+\.svc\.cluster\.local/.test(v));
    assert.ok(urls.length > 0, 'no service URL in the Secret');
    for (const url of urls) {
      const { hostname, port } = new URL(url);
      const [service, namespace] = hostname.split('.');
      const svc = kubectlJson(['get', 'service', '-n', namespace, service]);
      assert.ok(svc, `${url}: Service ${namespace}/${service} not found`);
      assert.ok(
        svc.spec.ports.some((p: K8sObject) => String(p.port) === port),
        `${url}: Service ${namespace}/${service} has no port ${port}`,
      );
    }
  });
  check('LibreChat: librechat.yaml is mounted and reads the Ollama URL from its environment (${OLLAMA_BASE_URL}, not evaluated on the way)', () => {
    const volume = (librechat.pod.volumes ?? []).find((v: K8sObject) => v.configMap);
    assert.ok(volume, 'no ConfigMap volume');
    const cm = kubectlJson(['get', 'configmap', '-n', LIBRECHAT.namespace, volume.configMap.name]);
    assert.match(cm.data['librechat.yaml'], /baseURL: \$\{OLLAMA_BASE_URL\}\/v1\//);
  });
  check("NetworkPolicies: default-deny ingress in every app namespace; Ollama admits LibreChat's namespace", () => {
    for (const namespace of new Set(applications.map((a) => a.spec.destination.namespace as string))) {
      const policies = kubectlJson(['get', 'networkpolicy', '-n', namespace])?.items ?? [];
      const denyAll = policies.find(
        (p: K8sObject) =>
          Object.keys(p.spec.podSelector ?? {}).length === 0 && (p.spec.policyTypes ?? []).includes('Ingress') && !(p.spec.ingress ?? []).length,
      );
      assert.ok(denyAll, `no default-deny ingress policy in ${namespace}`);
    }
    const ollamaPolicies = kubectlJson(['get', 'networkpolicy', '-n', OLLAMA.namespace])?.items ?? [];
    const fromLibrechat = ollamaPolicies.some((p: K8sObject) =>
      (p.spec.ingress ?? []).some((rule: K8sObject) =>
        (rule.from ?? []).some((peer: K8sObject) => peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === LIBRECHAT.namespace),
      ),
    );
    assert.ok(fromLibrechat, 'no policy admits LibreChat into the Ollama namespace');
  });
  if (applications.some((a) => a.metadata.name === KUBE_PROMETHEUS_STACK.name)) monitoring(applications);
}

/** The monitoring apps: server-side apply of large CRDs, the components project, CRDs before their resources. */
function monitoring(applications: readonly K8sObject[]): void {
  const namespace = KUBE_PROMETHEUS_STACK.namespace;
  check('Monitoring: the Prometheus stack applied its CRDs server-side (one exceeds the client-side annotation limit)', () => {
    const crd = kubectlJson(['get', 'customresourcedefinition', 'servicemonitors.monitoring.coreos.com', '--show-managed-fields']);
    assert.ok(crd, 'CRD servicemonitors.monitoring.coreos.com not found');
    assert.equal(crd.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'], undefined);
    assert.ok(
      (crd.metadata.managedFields ?? []).some((f: K8sObject) => f.operation === 'Apply'),
      `no server-side Apply in managedFields: ${JSON.stringify((crd.metadata.managedFields ?? []).map((f: K8sObject) => [f.manager, f.operation]))}`,
    );
  });
  check("Monitoring: exactly the apps with cluster-scoped kinds are in llm-platform-components; the Prometheus stack's ClusterRole exists", () => {
    const components = applications.filter((a) => a.spec.project === 'llm-platform-components').map((a) => a.metadata.name);
    const expected = CATALOG.filter((app) => (app.clusterResources ?? []).length > 0).map((app) => app.name);
    assert.deepEqual([...components].sort(), [...expected].sort());
    assert.ok(components.includes(KUBE_PROMETHEUS_STACK.name));
    assert.ok(kubectlJson(['get', 'clusterrole', `${KUBE_PROMETHEUS_STACK.name}-prometheus`]), 'ClusterRole not found');
  });
  check("Monitoring: the exporter's and the platform's ServiceMonitors and PrometheusRule exist once the CRDs do", () => {
    assert.ok(kubectlJson(['get', 'servicemonitors.monitoring.coreos.com', '-n', DCGM_EXPORTER.namespace, DCGM_EXPORTER.name]), 'dcgm-exporter ServiceMonitor');
    assert.ok(kubectlJson(['get', 'servicemonitors.monitoring.coreos.com', '-n', PLATFORM_MONITORING.namespace, `${PLATFORM_MONITORING.name}-argocd`]));
    const rule = kubectlJson(['get', 'prometheusrules.monitoring.coreos.com', '-n', PLATFORM_MONITORING.namespace, PLATFORM_MONITORING.name]);
    assert.ok(rule, 'PrometheusRule not found');
    const alerts = rule.spec.groups.flatMap((g: K8sObject) => g.rules.map((r: K8sObject) => r.alert));
    assert.ok(alerts.includes('DcgmExporterTargetMissing') && alerts.includes('OllamaUnavailable'), `alerts: ${alerts.join(', ')}`);
  });
  check("Monitoring: the chat probe's targets resolve to the apps' Services in the cluster, whose policies admit the probe", () => {
    const probe = kubectlJson(['get', 'probes.monitoring.coreos.com', '-n', PLATFORM_MONITORING.namespace, `${PLATFORM_MONITORING.name}-chat`]);
    assert.ok(probe, 'Probe not found');
    const targets: string[] = probe.spec.targets.staticConfig.static;
    assert.equal(targets.length, 2, `targets: ${targets.join(', ')}`);
    for (const target of targets) {
      const url = new URL(target);
      const [name, ns] = url.hostname.split('.');
      const service = kubectlJson(['get', 'service', '-n', ns, name]);
      assert.ok(service, `${target}: no Service ${ns}/${name}`);
      assert.ok(
        service.spec.ports.some((p: K8sObject) => p.port === Number(url.port)),
        `${target}: Service ${ns}/${name} has no port ${url.port}`,
      );
      const policies = kubectlJson(['get', 'networkpolicies', '-n', ns])!.items.filter((np: K8sObject) =>
        (np.spec.ingress ?? []).some((rule: K8sObject) =>
          (rule.from ?? []).some((peer: K8sObject) => peer.podSelector?.matchLabels?.['app.kubernetes.io/name'] === 'chat-probe'),
        ),
      );
      assert.equal(policies.length, 1, `${ns}: NetworkPolicies admitting the chat probe: ${policies.map((np: K8sObject) => np.metadata.name).join(', ')}`);
    }
    assert.ok(kubectlJson(['get', 'secret', '-n', KUBE_PROMETHEUS_STACK.namespace, 'alertmanager-receivers']), 'Secret alertmanager-receivers not found');
  });
  check("Monitoring: Grafana reads its admin credential from the Terraform Secret's keys", () => {
    const grafana = container(namespace, `${KUBE_PROMETHEUS_STACK.name}-grafana`);
    const secret = kubectlJson(['get', 'secret', '-n', namespace, 'grafana-admin']);
    assert.ok(secret, 'Secret grafana-admin not found');
    for (const variable of grafana.main.env.filter((e: K8sObject) => e.valueFrom?.secretKeyRef)) {
      assert.equal(variable.valueFrom.secretKeyRef.name, 'grafana-admin');
      assert.ok(secret.data[variable.valueFrom.secretKeyRef.key], `Secret grafana-admin has no key ${variable.valueFrom.secretKeyRef.key}`);
    }
  });
}

function destroyed(outDir: string, envName: string, timeout: number): void {
  const { applications, all } = argoObjects(outDir, envName);
  const namespaces = all.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name);
  const appNamespaces = applications.map((a) => a.spec.destination.namespace);
  const left = (): string | null => {
    const found: string[] = [];
    for (const object of all) {
      const kind = object.apiVersion === 'v1' ? object.kind : `${object.kind.toLowerCase()}.${object.apiVersion.split('/')[0]}`;
      const args = ['get', kind, object.metadata.name, ...(object.metadata.namespace ? ['-n', object.metadata.namespace] : [])];
      if (kubectlJson(args)) found.push(`${object.kind} ${object.metadata.name}`);
    }
    for (const namespace of appNamespaces) {
      const list = kubectlJson(['get', 'deployments,statefulsets,replicasets,pods,services,configmaps,persistentvolumeclaims,ingresses', '-n', namespace]);
      for (const item of list?.items ?? []) {
        if (item.kind === 'ConfigMap' && item.metadata.name === 'kube-root-ca.crt') continue;
        found.push(`${item.kind} ${namespace}/${item.metadata.name}`);
      }
    }
    return found.length === 0 ? null : `still present: ${found.join(', ')}`;
  };
  const seconds = waitFor('teardown', timeout, left);
  console.log(`e2e:    ok  nothing left: no Application, AppProject, workload, Secret or namespace (${namespaces.join(', ')}) (waited ${seconds.toFixed(1)}s)`);
}

if (require.main === module) {
  const [command, outDir, env, ...rest] = process.argv.slice(2);
  try {
    if (command === 'synced' && rest.length >= 1) synced(outDir, env, rest[0], Number(rest[1] ?? 180));
    else if (command === 'workloads' && rest.length === 1) workloads(outDir, env, rest[0]);
    else if (command === 'destroyed') destroyed(outDir, env, Number(rest[0] ?? 180));
    else {
      console.error('usage: assert-argocd.ts synced|workloads|destroyed <cdktf.out> <env> ... (see the header of this file)');
      process.exitCode = 2;
    }
  } catch (err) {
    console.error(`e2e: FAIL: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}
