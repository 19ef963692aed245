/**
 * Argo CD behind the shared ALB and its allowlist: each backend of Argo CD's Ingress has exactly
 * one condition list, the gRPC one keeping its header match. The first suite reads the synthesized
 * Helm values; the second renders them with the real argo-cd chart, which is not in this
 * repository: point `ARGOCD_CHART_DIR` at an unpacked argo-cd chart of the pinned version
 * (`helm pull argo/argo-cd --version <pin> --untar`), or keep it as
 * `../shared/upstream/argo-cd-<pin>/chart`. Without it (or without helm) that suite is skipped
 * with a warning.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { ARGOCD_CHART } from '../../contracts/versions';
import { ARGOCD_GRPC_SERVICE, ARGOCD_SERVER_SERVICE } from '../../constructs/platform/argocd';
import { duplicateKeys } from '../../tools/render/duplicate-keys';
import { findHelm } from '../../tools/render/helm';
import { K8sObject, parseManifests } from '../../tools/render/manifests';
import { all, environment, synthEnvironment } from '../support/synth';
import { SHARED_UPSTREAM_DIR } from '../support/upstream';

const ALB = 'alb.ingress.kubernetes.io';
const HEADER_MATCH = { field: 'http-header', httpHeaderConfig: { httpHeaderName: 'Content-Type', values: ['application/grpc'] } };
const ENVIRONMENTS = ['staging', 'prod'] as const;

/** The argo-cd release's values of an environment's synthesized platform stack. */
function argocdValues(name: (typeof ENVIRONMENTS)[number]): any {
  const release = all(synthEnvironment(name).platform.json, 'helm_release').find((r) => r.chart === 'argo-cd');
  return parse(release.values[0]);
}

/** The conditions each backend Service's rule must have: the header match for gRPC, the allowlist on both. */
function expectedConditions(name: (typeof ENVIRONMENTS)[number]): Record<string, unknown[]> {
  const ranges = environment(name).ingress.sourceRanges.argocd;
  const allow = ranges ? [{ field: 'source-ip', sourceIpConfig: { values: ranges } }] : [];
  return { [ARGOCD_SERVER_SERVICE]: allow, [ARGOCD_GRPC_SERVICE]: [HEADER_MATCH, ...allow] };
}

/**
 * The annotation keys the argo-cd chart's Ingress template writes itself, before the values'
 * annotations: in its AWS mode (`server.ingress.controller: aws`,
 * templates/argocd-server/aws/ingress.yaml of argo-helm charts/argo-cd 10.1.1) the gRPC backend's
 * condition, `conditions.<server fullname>-grpc`; none in the generic mode.
 */
function chartOwnAnnotations(values: any): string[] {
  return values.server.ingress.controller === 'aws' ? [`${ALB}/conditions.${ARGOCD_SERVER_SERVICE}-grpc`] : [];
}

describe.each(ENVIRONMENTS)('%s: Argo CD on the ALB, from the synthesized values', (name) => {
  const values = argocdValues(name);
  const annotations: Record<string, string> = values.server.ingress.annotations;

  test('the allowlist is configured (the shipped environments publish Argo CD behind it)', () => {
    expect(environment(name).ingress.sourceRanges.argocd?.length).toBeGreaterThan(0);
  });

  test('no annotation repeats a key the chart writes itself', () => {
    expect(chartOwnAnnotations(values).filter((key) => key in annotations)).toEqual([]);
  });

  test('one condition list per backend: the header match and the allowlist for gRPC, the allowlist for the UI', () => {
    for (const [service, conditions] of Object.entries(expectedConditions(name))) {
      expect(JSON.parse(annotations[`${ALB}/conditions.${service}`])).toEqual(conditions);
    }
  });

  test('the gRPC rule comes first: the ALB evaluates an Ingress’s paths in order', () => {
    expect(values.server.ingress.extraPaths.map((p: any) => p.backend.service.name)).toEqual([ARGOCD_GRPC_SERVICE]);
  });
});

/** An unpacked argo-cd chart of the pinned version, outside the repository. */
const CHART_DIR = process.env.ARGOCD_CHART_DIR ?? path.join(SHARED_UPSTREAM_DIR, `argo-cd-${ARGOCD_CHART.version}`, 'chart');
const helm = findHelm();
const chartVersion = fs.existsSync(path.join(CHART_DIR, 'Chart.yaml'))
  ? String(parse(fs.readFileSync(path.join(CHART_DIR, 'Chart.yaml'), 'utf8')).version)
  : undefined;
const skipReason = !helm
  ? 'no helm (set RENDER_HELM or put helm on the PATH)'
  : chartVersion === undefined
    ? `no argo-cd chart at ${CHART_DIR} (set ARGOCD_CHART_DIR)`
    : undefined;
if (skipReason) process.emitWarning(`SKIPPED the render of the real argo-cd chart: ${skipReason}`);

/**
 * `helm template` of the chart with `values`, from a temporary copy. The chart's one dependency,
 * redis-ha, is disabled by our values; Helm still wants it in `charts/`, so a copy without it gets
 * an empty stand-in of the pinned version (never rendered).
 */
function renderChart(values: unknown, kubeVersion: string): string {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'argocd-chart-'));
  try {
    const chart = path.join(work, 'argo-cd');
    fs.cpSync(CHART_DIR, chart, { recursive: true });
    for (const dependency of parse(fs.readFileSync(path.join(chart, 'Chart.yaml'), 'utf8')).dependencies ?? []) {
      const dir = path.join(chart, 'charts', dependency.name);
      if (fs.existsSync(dir) || fs.existsSync(`${dir}-${dependency.version}.tgz`)) continue;
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'Chart.yaml'), `apiVersion: v2\nname: ${dependency.name}\nversion: ${dependency.version}\n`);
    }
    fs.writeFileSync(path.join(work, 'values.json'), JSON.stringify(values));
    return execFileSync(
      helm!,
      ['template', 'argocd', chart, '--namespace', 'argocd', '--kube-version', `${kubeVersion}.0`, '--values', path.join(work, 'values.json')],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

(skipReason ? describe.skip : describe).each(ENVIRONMENTS)('%s: Argo CD on the ALB, rendered by the real argo-cd chart', (name) => {
  let text: string;
  let objects: K8sObject[];
  const find = (kind: string, objectName: string) => objects.find((o) => o.kind === kind && o.metadata.name === objectName)!;
  beforeAll(() => {
    const env = environment(name);
    if (env.cluster.kind !== 'eks') throw new Error(`${name} is not an EKS environment`);
    text = renderChart(argocdValues(name), env.cluster.kubernetesVersion);
    objects = parseManifests(text);
  });

  test('the chart is the pinned version', () => {
    expect(chartVersion).toBe(ARGOCD_CHART.version);
  });

  test('no mapping key is given twice anywhere in the render', () => {
    expect(duplicateKeys(text, 'argocd')).toEqual([]);
  });

  test('one Ingress, its gRPC path first; each backend with its one condition list', () => {
    const ingresses = objects.filter((o) => o.kind === 'Ingress');
    expect(ingresses.map((o) => o.metadata.name)).toEqual([ARGOCD_SERVER_SERVICE]);
    const [ingress] = ingresses;
    expect(
      ingress.spec.rules.flatMap((rule: any) => rule.http.paths.map((p: any) => `${p.path} ${p.backend.service.name}:${p.backend.service.port.number}`)),
    ).toEqual([`/ ${ARGOCD_GRPC_SERVICE}:443`, `/ ${ARGOCD_SERVER_SERVICE}:443`]);
    const conditions = Object.fromEntries(
      Object.entries(ingress.metadata.annotations!)
        .filter(([key]) => key.startsWith(`${ALB}/conditions.`))
        .map(([key, value]) => [key.slice(`${ALB}/conditions.`.length), JSON.parse(value)]),
    );
    expect(conditions).toEqual(expectedConditions(name));
  });

  test('the gRPC Service speaks gRPC to the API server pods on the port the Ingress names', () => {
    const service = find('Service', ARGOCD_GRPC_SERVICE);
    expect(service.metadata.namespace).toBe('argocd');
    expect(service.metadata.annotations).toEqual({ [`${ALB}/backend-protocol-version`]: 'GRPC' });
    expect(service.spec.type).toBe('ClusterIP');
    const server = find('Deployment', ARGOCD_SERVER_SERVICE);
    expect(server.spec.template.metadata.labels).toMatchObject(service.spec.selector);
    // Nothing else carries the selected labels: the Service reaches the API server only.
    const selected = objects.filter(
      (o) =>
        ['Deployment', 'StatefulSet'].includes(o.kind) && Object.entries(service.spec.selector).every(([k, v]) => o.spec.template.metadata.labels?.[k] === v),
    );
    expect(selected.map((o) => o.metadata.name)).toEqual([ARGOCD_SERVER_SERVICE]);
    const containerPort = server.spec.template.spec.containers[0].ports.find((p: any) => p.name === 'server');
    const https = service.spec.ports.find((p: any) => p.port === 443);
    expect(https.targetPort).toBe(containerPort.name);
    expect(find('Service', ARGOCD_SERVER_SERVICE).spec.ports.map((p: any) => p.port)).toEqual(service.spec.ports.map((p: any) => p.port));
  });
});
