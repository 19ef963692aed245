/**
 * The e2e step of Ollama's scale to zero: KEDA's own operator (tools/e2e/keda/build.sh) against
 * the e2e's real kube-apiserver and kube-controller-manager (tools/e2e/keda.sh runs it inside
 * tools/e2e/control-plane.sh):
 *
 *   keda.ts <operator binary> <module source dir> <helm> [environment, default staging]
 *
 * Renders the environment's wrapper charts as Argo CD would (the e2e's stand-in dependency
 * charts), takes Ollama's ScaledObject and the Deployment it scales, installs KEDA's CRDs from
 * the module source (its config/crd kustomization) and starts the operator with a throw-away
 * certificate for its metrics gRPC service (no webhook, no metrics API server: the HPA KEDA
 * writes has no external metrics here, and with minReplicaCount 0 and maxReplicaCount 1 every
 * replica change is KEDA's own, through the Deployment's scale subresource). No kubelet runs
 * pods: what is proved is the replica count KEDA sets.
 *
 * The ScaledObject is applied as rendered except for what a run of minutes needs, each printed:
 * the cron trigger's start and end become a one-minute window a little ahead of now, written as
 * minute, hour, day and month in the trigger's own timezone (which stays as rendered; the
 * operator runs with a different TZ, so a schedule read in the process's zone would miss the
 * window); pollingInterval and cooldownPeriod are shortened; a prometheus trigger's serverAddress
 * points at a fake Prometheus HTTP API on the loopback (same path) that answers /api/v1/query with
 * a one-sample vector of the value the step sets and records the queries it receives.
 *
 * Checks: the render (one ScaledObject of Ollama, its target a Deployment of the same render,
 * only trigger types this build links, at most one of each); Argo CD's Application for Ollama
 * ignores that Deployment's /spec/replicas; the operator makes the ScaledObject Ready; with every
 * trigger inactive, 1 -> 0; cron (when the rendered ScaledObject has that trigger): 0 until the
 * window's start, 0 -> 1 at it (KEDA's event naming the cron trigger), 1 until the window's end
 * and -> 0 one cooldown after it; prometheus (when it has that trigger): a value above the
 * activation threshold wakes 0 -> 1 (the event naming the prometheus trigger), the value 0
 * returns it to 0 one cooldown later, the fake received only the rendered query at the rendered
 * path; every replica change the watch saw is one the operator logged making, and the HPA
 * controller made none. A check of an absent trigger type is reported SKIPPED.
 * Last line: `keda: N passed, N failed, N skipped`; exit 0, 1 on a failed check, 3 when something
 * it needs is missing (skipped).
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { namespaceOf } from '../render/manifests';
import { kubectl as k, kubectlJson as get, renderForStep, sleep, spawnKubectl, waitFor } from './step-kit';

/** The trigger types the operator of tools/e2e/keda/build.sh links (its SCALERS). */
const LINKED = (process.env.E2E_KEDA_SCALERS ?? 'cron prometheus').split(/\s+/).filter(Boolean);
/** Seconds between KEDA's polls of the triggers, for this run (KEDA's default: 30). */
const POLLING_SECONDS = 5;
/** The cooldown of this run (the rendered one is minutes). */
const COOLDOWN_SECONDS = 20;
/** Allowance for a poll, the scale update and the watch that sees it. */
const SLACK_SECONDS = 15;
/** The zone the operator process runs in: neither UTC nor a zone a staging schedule would use. */
const OPERATOR_TZ = 'Pacific/Chatham';

let passed = 0;
let failed = 0;
let skipped = 0;
let step = 0;
function check(name: string, ok: boolean, detail = ''): boolean {
  step++;
  if (ok) passed++;
  else failed++;
  console.log(`keda: ${String(step).padStart(2)}. ${ok ? 'PASS' : 'FAIL'} ${name}${ok || !detail ? '' : `: ${detail}`}`);
  return ok;
}
function skip(name: string, why: string): void {
  step++;
  skipped++;
  console.log(`keda: ${String(step).padStart(2)}. SKIPPED ${name}: ${why}`);
}
const note = (text: string) => console.log(`keda:     ${text}`);

/** What the render and the synthesized Application give the step. */
interface Rendered {
  readonly namespace: string;
  readonly scaledObjects: any[];
  readonly deployments: any[];
  /** The environment's Argo CD Application of Ollama, as the apps stack writes it. */
  readonly application: any;
}

/** Ollama's objects of `envName`, rendered from the wrapper chart, and its Application. */
function render(repo: string, helm: string, envName: string): Rendered {
  const { stacks, apps } = renderForStep(repo, helm, envName, ['ollama']);
  const [app] = apps;
  const application = Object.values<any>(stacks.get(`${envName}-apps`)?.resource?.kubernetes_manifest ?? {})
    .map((r) => r.manifest)
    .find((m) => m?.kind === 'Application' && m.metadata.name === 'ollama');
  const of = (kind: string) =>
    app.objects.filter((o) => o.kind === kind).map((o) => ({ ...o, metadata: { ...o.metadata, namespace: namespaceOf(o, app.namespace) } }));
  return { namespace: app.namespace, scaledObjects: of('ScaledObject'), deployments: of('Deployment'), application };
}

/** The wall-clock fields of `at` in `timeZone`, and that zone's UTC offset then. */
function wallClock(at: Date, timeZone: string) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      timeZoneName: 'longOffset',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const num = (key: string) => Number(parts[key]);
  return { minute: num('minute'), hour: num('hour'), day: num('day'), month: num('month'), offset: parts.timeZoneName.replace('GMT', 'UTC') || 'UTC' };
}

/** A cron expression firing once, at the minute `at` starts, read in `timeZone`. */
function cronAt(at: Date, timeZone: string): string {
  const w = wallClock(at, timeZone);
  return `${w.minute} ${w.hour} ${w.day} ${w.month} *`;
}

/** The fake Prometheus HTTP API: a one-sample vector of `value`, and every query it received. */
class FakePrometheus {
  value = 0;
  readonly queries: { path: string; query: string }[] = [];
  private readonly server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (!url.pathname.endsWith('/api/v1/query')) {
      res.writeHead(404).end();
      return;
    }
    this.queries.push({ path: url.pathname.slice(0, -'/api/v1/query'.length), query: url.searchParams.get('query') ?? '' });
    const body = { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [Date.now() / 1000, String(this.value)] }] } };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });

  /** Listens on a free loopback port; returns it. */
  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The Deployment's spec.replicas over time, from a kubectl watch. */
class ReplicaWatch {
  readonly samples: { at: number; replicas: number }[] = [];
  private readonly child: ChildProcess;
  private buffer = '';

  constructor(namespace: string, name: string) {
    this.child = spawnKubectl(['-n', namespace, 'get', 'deployment', name, '--watch', '-o', 'jsonpath={.spec.replicas}{"\\n"}'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    this.child.stdout!.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('utf8');
      let newline: number;
      while ((newline = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, newline).trim();
        this.buffer = this.buffer.slice(newline + 1);
        if (/^\d+$/.test(line)) this.samples.push({ at: Date.now(), replicas: Number(line) });
      }
    });
  }

  get current(): number | undefined {
    return this.samples.at(-1)?.replicas;
  }

  /** The time from which, at or after `since`, the replicas were `replicas` (waiting until `deadline`). */
  async when(replicas: number, since: number, deadline: number): Promise<number | undefined> {
    for (;;) {
      if (this.samples.filter((s) => s.at <= since).at(-1)?.replicas === replicas) return since;
      const hit = this.samples.find((s) => s.at > since && s.replicas === replicas);
      if (hit) return hit.at;
      if (Date.now() > deadline) return undefined;
      await sleep(250);
    }
  }

  /** The replica counts seen from `from` (the one holding then) until before `to`. */
  seen(from: number, to: number): number[] {
    const holding = this.samples.filter((s) => s.at <= from).at(-1);
    return [...(holding ? [holding.replicas] : []), ...this.samples.filter((s) => s.at > from && s.at < to).map((s) => s.replicas)];
  }

  /** The changes of the replica count, in order (`1->0`). */
  transitions(): string[] {
    return this.samples.flatMap((s, i) => (i > 0 && s.replicas !== this.samples[i - 1].replicas ? [`${this.samples[i - 1].replicas}->${s.replicas}`] : []));
  }

  stop(): void {
    this.child.kill('SIGTERM');
  }
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** KEDA's activation Events of the ScaledObject (`Scaled <kind> <ns>/<name> from 0 to 1, triggered by <metric names>`). */
function activations(namespace: string, scaledObject: string): string[] {
  return get(['get', 'events', '-n', namespace, '--field-selector', `involvedObject.kind=ScaledObject,involvedObject.name=${scaledObject}`])
    .items.map((e: any) => String(e.message ?? e.note ?? ''))
    .filter((m: string) => / from 0 to 1, triggered by /.test(m));
}

/** A throw-away CA and a loopback serving certificate in `dir` (ca.crt, tls.crt, tls.key), for the operator's metrics gRPC service. */
function throwAwayCertificates(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'ca.key']);
  openssl([
    'req',
    '-x509',
    '-new',
    '-key',
    'ca.key',
    '-subj',
    '/CN=e2e-keda-ca',
    '-days',
    '1',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-out',
    'ca.crt',
  ]);
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'tls.key']);
  openssl(['req', '-new', '-key', 'tls.key', '-subj', '/CN=keda-operator', '-out', 'tls.csr']);
  fs.writeFileSync(path.join(dir, 'tls.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
  openssl(['x509', '-req', '-in', 'tls.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', 'tls.ext', '-out', 'tls.crt']);
}

async function main(): Promise<number> {
  const [operator, source, helm, envName = 'staging'] = process.argv.slice(2);
  const repo = path.resolve(__dirname, '../..');
  const crds = source && path.join(source, 'config/crd');
  for (const [what, file] of [
    ["KEDA's operator binary", operator],
    ["KEDA's CRD kustomization", crds && path.join(crds, 'kustomization.yaml')],
    ['helm', helm],
  ]) {
    if (!file || !fs.existsSync(file)) {
      console.log(`keda: SKIPPED — ${what} is not at ${file || '(not given)'}`);
      return 3;
    }
  }

  const rendered = render(repo, helm, envName);
  const [rendSo] = rendered.scaledObjects;
  const target = rendSo?.spec?.scaleTargetRef ?? {};
  const deployment = rendered.deployments.find((d) => d.metadata.name === target.name);
  const render1 = check(
    `${envName} renders one ScaledObject of Ollama, its target a Deployment of the same render`,
    rendered.scaledObjects.length === 1 && (target.apiVersion ?? 'apps/v1') === 'apps/v1' && (target.kind ?? 'Deployment') === 'Deployment' && !!deployment,
    `ScaledObjects ${JSON.stringify(rendered.scaledObjects.map((o) => o.metadata.name))}, target ${JSON.stringify(target)}, Deployments ${JSON.stringify(rendered.deployments.map((d) => d.metadata.name))}`,
  );
  if (!render1) return 1;
  const triggers: any[] = rendSo.spec.triggers ?? [];
  const types = triggers.map((t) => t.type);
  const cronIndex = types.indexOf('cron');
  const promIndex = types.indexOf('prometheus');
  const render2 = check(
    `its triggers (${types.join(', ')}) are all linked in this operator (${LINKED.join(', ')}), without authenticationRef, at most one of each type`,
    types.length > 0 && types.every((t) => LINKED.includes(t)) && triggers.every((t) => !t.authenticationRef) && new Set(types).size === types.length,
    JSON.stringify(triggers),
  );
  const ignored = (rendered.application?.spec?.ignoreDifferences ?? []).some(
    (d: any) => d.group === 'apps' && d.kind === 'Deployment' && d.name === target.name && (d.jsonPointers ?? []).includes('/spec/replicas'),
  );
  check(
    `Argo CD's Application ollama in ${envName} leaves /spec/replicas of Deployment ${target.name} to KEDA (ignoreDifferences, RespectIgnoreDifferences)`,
    ignored && (rendered.application?.spec?.syncPolicy?.syncOptions ?? []).includes('RespectIgnoreDifferences=true'),
    JSON.stringify({ ignoreDifferences: rendered.application?.spec?.ignoreDifferences, syncOptions: rendered.application?.spec?.syncPolicy?.syncOptions }),
  );
  if (!render2) return 1;

  const namespace = rendered.namespace;
  const soName = rendSo.metadata.name;
  const cron = cronIndex >= 0 ? triggers[cronIndex] : undefined;
  const prom = promIndex >= 0 ? triggers[promIndex] : undefined;

  // KEDA's CRDs and the namespaces.
  k(['apply', '--server-side', '-k', crds]);
  const crdNames = ['scaledobjects.keda.sh', 'triggerauthentications.keda.sh', 'clustertriggerauthentications.keda.sh', 'scaledjobs.keda.sh'];
  const established = await waitFor(60, () =>
    crdNames.every((crd) => (get(['get', 'crd', crd]).status?.conditions ?? []).some((c: any) => c.type === 'Established' && c.status === 'True')),
  );
  if (!established) throw new Error(`${crdNames.join(', ')} not Established after 60s`);
  for (const ns of ['keda', namespace]) k(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }));

  const fake = new FakePrometheus();
  const fakePort = prom ? await fake.start() : 0;
  const dir = fs.mkdtempSync(path.join(process.env.E2E_CP_DIR ?? os.tmpdir(), 'keda-'));
  throwAwayCertificates(path.join(dir, 'certs'));
  const logFile = path.join(process.env.E2E_CP_DIR ?? dir, 'logs', 'keda-operator.log');
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.openSync(logFile, 'w');
  const keda: ChildProcess = spawn(
    operator,
    [
      '--leader-elect=false',
      '--enable-prometheus-metrics=false',
      '--metrics-bind-address=0',
      '--health-probe-bind-address=0',
      '--metrics-service-bind-address=127.0.0.1:0',
      `--cert-dir=${path.join(dir, 'certs')}`,
      `--ca-dir=${path.join(dir, 'certs')}`,
      '--zap-time-encoding=iso8601',
    ],
    {
      stdio: ['ignore', log, log],
      env: { ...process.env, TZ: OPERATOR_TZ, WATCH_NAMESPACE: '', KEDA_CLUSTER_OBJECT_NAMESPACE: 'keda', POD_NAMESPACE: 'keda' },
    },
  );
  let exited = false;
  keda.on('exit', () => (exited = true));
  let watch: ReplicaWatch | undefined;
  try {
    // The Deployment as rendered, at one replica: Ollama running, as before the active hours end.
    const startReplicas = deployment.spec?.replicas ?? 1;
    if (startReplicas !== 1) note(`the rendered Deployment has replicas ${startReplicas}; applied with 1`);
    k(['apply', '-f', '-'], JSON.stringify({ ...deployment, spec: { ...deployment.spec, replicas: 1 } }));
    watch = new ReplicaWatch(namespace, target.name);
    if (!(await waitFor(30, () => watch!.current === 1))) throw new Error(`the watch of Deployment ${namespace}/${target.name} saw no replicas 1`);

    // The window: one minute, starting at the first minute boundary at least 45 s ahead.
    const windowStart = Math.ceil((Date.now() + 45_000) / 60_000) * 60_000;
    const windowEnd = windowStart + 60_000;
    const so = structuredClone(rendSo);
    so.spec.pollingInterval = POLLING_SECONDS;
    so.spec.cooldownPeriod = COOLDOWN_SECONDS;
    note(`applied ScaledObject ${namespace}/${soName} as rendered, except (for a run of minutes):`);
    note(
      `  pollingInterval ${rendSo.spec.pollingInterval ?? '(KEDA default 30)'} -> ${POLLING_SECONDS}; cooldownPeriod ${rendSo.spec.cooldownPeriod ?? '(KEDA default 300)'} -> ${COOLDOWN_SECONDS}`,
    );
    if (cron) {
      const timeZone: string = cron.metadata.timezone;
      const start = cronAt(new Date(windowStart), timeZone);
      const end = cronAt(new Date(windowEnd), timeZone);
      so.spec.triggers[cronIndex].metadata = { ...cron.metadata, start, end };
      note(
        `  cron (trigger ${cronIndex}) start "${cron.metadata.start}" -> "${start}", end "${cron.metadata.end}" -> "${end}" in ${timeZone} (${wallClock(new Date(windowStart), timeZone).offset} then), ` +
          `the window ${iso(windowStart)} to ${iso(windowEnd)}; the operator runs with TZ=${OPERATOR_TZ} (${wallClock(new Date(windowStart), OPERATOR_TZ).offset})`,
      );
    }
    if (prom) {
      const original = new URL(prom.metadata.serverAddress);
      const loopback = `http://127.0.0.1:${fakePort}${original.pathname.replace(/\/$/, '')}`;
      so.spec.triggers[promIndex].metadata = { ...prom.metadata, serverAddress: loopback };
      note(`  prometheus (trigger ${promIndex}) serverAddress ${prom.metadata.serverAddress} -> ${loopback} (the fake Prometheus, answering 0 until check b)`);
    }
    const applied = Date.now();
    k(['apply', '-f', '-'], JSON.stringify(so));

    const ready = await waitFor(90, () => {
      if (exited) return true;
      const conditions = get(['get', 'scaledobject', soName, '-n', namespace]).status?.conditions ?? [];
      return conditions.some((c: any) => c.type === 'Ready' && c.status === 'True');
    });
    if (
      !check(
        `the operator (TZ=${OPERATOR_TZ}) keeps running and makes the ScaledObject Ready`,
        ready && !exited,
        exited ? 'the operator exited' : 'not Ready after 90 s',
      )
    )
      return 1;

    // Every trigger inactive (before the cron window, the fake answering 0): 1 -> 0.
    const toZero = await watch.when(0, applied, cron ? windowStart : applied + (POLLING_SECONDS + SLACK_SECONDS) * 1000);
    check(
      cron
        ? `a. cron: outside the window, 1 -> 0 before the window starts (${iso(windowStart)})`
        : `with every trigger inactive, 1 -> 0 within ${POLLING_SECONDS + SLACK_SECONDS} s of the ScaledObject`,
      toZero !== undefined,
      `replicas ${watch.current}`,
    );
    if (toZero !== undefined) note(`1 -> 0 ${secs(toZero - applied)} after the ScaledObject was applied`);

    // a. cron: 0 -> 1 at the window's start, 1 -> 0 a cooldown after its end.
    if (!cron) {
      skip("a. cron: 0 -> 1 at the window's start", 'the rendered ScaledObject has no cron trigger');
      skip("a. cron: 1 -> 0 one cooldown after the window's end", 'the rendered ScaledObject has no cron trigger');
    } else {
      const woke = toZero === undefined ? undefined : await watch.when(1, toZero, windowStart + (POLLING_SECONDS + SLACK_SECONDS) * 1000);
      const earlyWake = toZero !== undefined && watch.seen(toZero, windowStart).some((r) => r !== 0);
      const cronEvent = activations(namespace, soName).some((m) => m.includes(`s${cronIndex}-cron-`));
      check(
        `a. cron: 0 until the window's start, 0 -> 1 within ${POLLING_SECONDS + SLACK_SECONDS} s of it, KEDA's event naming the cron trigger (s${cronIndex}-cron-…)`,
        !earlyWake && woke !== undefined && woke >= windowStart && cronEvent,
        `woke ${woke === undefined ? 'never' : `at ${iso(woke)}`}, early ${earlyWake}, activation events ${JSON.stringify(activations(namespace, soName))}`,
      );
      if (woke !== undefined) note(`0 -> 1 ${secs(woke - windowStart)} after the window's start`);
      const slept = woke === undefined ? undefined : await watch.when(0, windowEnd, windowEnd + (COOLDOWN_SECONDS + POLLING_SECONDS + SLACK_SECONDS) * 1000);
      const droppedEarly = watch.seen(woke ?? windowStart, windowEnd).some((r) => r !== 1);
      check(
        `a. cron: 1 until the window's end (${iso(windowEnd)}), 1 -> 0 one cooldown (${COOLDOWN_SECONDS} s) after it`,
        woke !== undefined && !droppedEarly && slept !== undefined && slept >= windowEnd + (COOLDOWN_SECONDS - POLLING_SECONDS - 1) * 1000,
        `1 -> 0 ${slept === undefined ? 'never' : `${secs(slept - windowEnd)} after the end`}, dropped before the end ${droppedEarly}`,
      );
      if (slept !== undefined) note(`1 -> 0 ${secs(slept - windowEnd)} after the window's end`);
    }

    // b. prometheus: a value above the activation threshold wakes it, 0 for a cooldown returns it to 0.
    if (!prom) {
      skip(
        'b. prometheus: wake on a value above the activation threshold, back to 0 one cooldown after 0',
        'the rendered ScaledObject has no prometheus trigger',
      );
      skip('b. prometheus: the fake Prometheus received the rendered query', 'the rendered ScaledObject has no prometheus trigger');
    } else {
      const threshold = Number(prom.metadata.activationThreshold ?? 0);
      const before = Date.now();
      fake.value = threshold + 1;
      note(`the fake Prometheus answers ${fake.value} (activationThreshold ${prom.metadata.activationThreshold ?? '(default 0)'}) from ${iso(before)}`);
      const up = await watch.when(1, before, before + (POLLING_SECONDS + SLACK_SECONDS) * 1000);
      const promEvent = activations(namespace, soName).some((m) => m.includes(`s${promIndex}-prometheus`));
      check(
        `b. prometheus: 0 -> 1 within ${POLLING_SECONDS + SLACK_SECONDS} s of a value above the activation threshold, KEDA's event naming the prometheus trigger (s${promIndex}-prometheus…)`,
        up !== undefined && promEvent,
        `woke ${up === undefined ? 'never' : `after ${secs(up - before)}`}, activation events ${JSON.stringify(activations(namespace, soName))}`,
      );
      if (up !== undefined) note(`0 -> 1 ${secs(up - before)} after the value rose`);
      const zeroAt = Date.now();
      fake.value = 0;
      const down = await watch.when(0, zeroAt, zeroAt + (COOLDOWN_SECONDS + POLLING_SECONDS + SLACK_SECONDS) * 1000);
      check(
        `b. prometheus: the value 0 returns it 1 -> 0 one cooldown (${COOLDOWN_SECONDS} s) later`,
        up !== undefined && down !== undefined && down >= zeroAt + (COOLDOWN_SECONDS - POLLING_SECONDS - 1) * 1000,
        `1 -> 0 ${down === undefined ? 'never' : `${secs(down - zeroAt)} after the value fell`}`,
      );
      if (down !== undefined) note(`1 -> 0 ${secs(down - zeroAt)} after the value fell to 0`);
      const wanted = { path: new URL(prom.metadata.serverAddress).pathname.replace(/\/$/, ''), query: prom.metadata.query };
      const strange = fake.queries.filter((q) => q.path !== wanted.path || q.query !== wanted.query);
      check(
        `b. prometheus: the fake Prometheus received only the rendered query at the rendered path (${fake.queries.length} queries)`,
        fake.queries.length > 0 && strange.length === 0,
        `wanted ${JSON.stringify(wanted)}, got ${JSON.stringify(strange.slice(0, 3))}`,
      );
    }

    // Every change of the replica count was KEDA's: the operator logs each scale it makes.
    const seen = watch.transitions();
    const scaled = fs
      .readFileSync(logFile, 'utf8')
      .split('\n')
      .flatMap((line) => {
        try {
          const entry = JSON.parse(line);
          return entry.logger === 'scaleexecutor' && 'New Replicas Count' in entry
            ? [`${entry['Original Replicas Count']}->${entry['New Replicas Count']}`]
            : [];
        } catch {
          return [];
        }
      });
    const hpaRescales = get(['get', 'events', '-n', namespace, '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler,reason=SuccessfulRescale'])
      .items.length;
    check(
      `every replica change seen (${seen.join(', ')}) is one keda-operator logged making, in order; the HPA controller made none`,
      seen.length > 0 && seen.join() === scaled.join() && hpaRescales === 0,
      `keda-operator logged ${JSON.stringify(scaled)}, HPA rescale events ${hpaRescales}`,
    );
    check('the operator kept running', !exited);
  } finally {
    watch?.stop();
    if (failed > 0 || exited) {
      console.log(`keda: the operator's log (${logFile}), last lines:`);
      console.log(fs.readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n'));
    }
    if (!exited) {
      keda.kill('SIGTERM');
      if (!(await waitFor(15, () => exited))) keda.kill('SIGKILL');
    }
    fs.closeSync(log);
    if (prom) await fake.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => {
    console.log(`keda: ${passed} passed, ${failed} failed, ${skipped} skipped`);
    process.exit(code);
  },
  (error) => {
    console.error(`keda: FAIL: ${(error as Error).stack ?? error}`);
    process.exit(1);
  },
);
