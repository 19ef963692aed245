/**
 * The e2e step of the GPU NodePool staging and prod get from apps/gpu-capacity: Karpenter's own
 * controllers with its `kwok` cloud provider (tools/e2e/karpenter/build.sh) and a real
 * kube-scheduler against the e2e's kube-apiserver (tools/e2e/karpenter.sh runs it inside
 * tools/e2e/control-plane.sh):
 *
 *   karpenter.ts <karpenter-kwok binary> <kube-scheduler binary> <module source dir> <helm> [environment, default staging]
 *
 * Renders the environment's gpu-capacity and ollama Applications as Argo CD would (the e2e's
 * stand-in dependency charts) and applies the rendered NodePool unchanged except for two fields:
 * `nodeClassRef` names a KWOKNodeClass (the rendered EC2NodeClass is AWS's and only AWS's provider
 * reconciles it) and `consolidateAfter` is shortened so the run takes seconds, not minutes (both
 * printed). The kwok provider gets an instance-types file derived at run time: the NodePool's
 * instance types plus one cheaper GPU type it does not list, with CPU, memory, pods and prices
 * from Karpenter's own AWS table (kwok/examples/aws_instance_types.json of the module), the GPUs
 * per type from {@link gpusPerType}, spot and on-demand offered in each of the NodePool's zones.
 * The test pods carry the rendered Ollama Deployment's nodeSelector, tolerations and GPU limit.
 *
 * Nodes here have no kubelet: a stand-in reports each kwok Node Ready with a heartbeat, as a
 * kubelet would, and confirms pod deletions (force delete). Karpenter's kwok provider creates the
 * Node objects itself. Nothing else is simulated: the scheduler marks pods Unschedulable and binds
 * them, Karpenter provisions, registers, initializes, enforces the limit and consolidates.
 *
 * Checks: (a) a pending GPU pod gets a NodeClaim and a Node of NodePool `gpu` with the pool's
 * labels and taint, a listed type and zone, spot (the cheapest offering), and the scheduler binds
 * the pod there; (b) the occupied node stays past consolidateAfter, and once the pod is gone the
 * empty node is consolidated away, no sooner than consolidateAfter; (c) maxGpus + 1 one-GPU pods
 * get maxGpus nodes and the last one stays pending: no NodeClaim beyond the limit.
 * Last line: `karpenter: N passed, N failed`; exit 0, 1 on a failed check, 3 when something it
 * needs is missing (skipped).
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import { GPU_NODE_POOL } from '../../constructs/core/gpu-nodes';
import { kubectl as k, kubectlJson as get, renderForStep, sleep } from './step-kit';

/** How long an empty node waits before Karpenter removes it in this run (the environment's is minutes). */
const CONSOLIDATE_AFTER_SECONDS = 20;
const GPU = 'nvidia.com/gpu';

let passed = 0;
let failed = 0;
function check(id: string, name: string, ok: boolean, detail = ''): void {
  if (ok) passed++;
  else failed++;
  console.log(`karpenter: ${ok ? 'PASS' : 'FAIL'} ${id} ${name}${ok || !detail ? '' : `: ${detail}`}`);
}

/**
 * GPUs of an instance type of the G families the platform uses: one GPU from xlarge to 16xlarge,
 * four on 12xlarge and 24xlarge, eight on 48xlarge and metal (AWS's accelerated computing
 * instance specifications). Undefined for any other type.
 */
function gpusPerType(instanceType: string): number | undefined {
  const match = /^(g4dn|g5|g6|g6e)\.(\w+)$/.exec(instanceType);
  if (!match) return undefined;
  const size = match[2];
  if (['xlarge', '2xlarge', '4xlarge', '8xlarge', '16xlarge'].includes(size)) return 1;
  if (['12xlarge', '24xlarge'].includes(size)) return 4;
  if (['48xlarge', 'metal'].includes(size)) return 8;
  return undefined;
}

/** An instance type of the kwok provider's instance-types file (its `InstanceTypeOptions`). */
interface KwokInstanceType {
  readonly name: string;
  readonly architecture: string;
  readonly operatingSystems: string[];
  readonly resources: Record<string, string>;
  readonly offerings: { Price: number; Available: boolean; Requirements: { key: string; operator: 'In'; values: string[] }[] }[];
}

/**
 * The kwok provider's instance types: each of `types` with its Linux entry of Karpenter's AWS
 * table (CPU, memory, pods, ephemeral storage, the price per capacity type) and its GPUs, offered
 * as spot and on-demand in every zone of `zones`.
 */
function kwokInstanceTypes(awsTable: any[], types: readonly string[], zones: readonly string[]): KwokInstanceType[] {
  return types.map((name) => {
    const entry = awsTable.find((t) => t.name === name && (t.operatingSystems ?? []).includes('linux'));
    if (!entry) throw new Error(`${name} is not in Karpenter's AWS instance-type table`);
    const gpus = gpusPerType(name);
    if (gpus === undefined) throw new Error(`the GPUs of ${name} are not known to gpusPerType (tools/e2e/karpenter.ts)`);
    const price = (capacityType: string) => {
      const prices = entry.offerings
        .filter((o: any) => o.Requirements.some((r: any) => r.key === 'karpenter.sh/capacity-type' && r.values.includes(capacityType)))
        .map((o: any) => o.Price as number);
      if (prices.length === 0) throw new Error(`Karpenter's AWS table has no ${capacityType} price of ${name}`);
      return Math.min(...prices);
    };
    return {
      name,
      // The Kubernetes name of x86_64 (the kubernetes.io/arch label).
      architecture: entry.architecture === 'x86_64' ? 'amd64' : entry.architecture,
      operatingSystems: ['linux'],
      resources: { ...entry.resources, [GPU]: String(gpus) },
      offerings: ['spot', 'on-demand'].flatMap((capacityType) =>
        zones.map((zone) => ({
          Price: price(capacityType),
          Available: true,
          Requirements: [
            { key: 'karpenter.sh/capacity-type', operator: 'In' as const, values: [capacityType] },
            { key: 'topology.kubernetes.io/zone', operator: 'In' as const, values: [zone] },
          ],
        })),
      ),
    };
  });
}

/** The rendered NodePool and EC2NodeClass of gpu-capacity and the pod template of Ollama's Deployment. */
function render(repo: string, helm: string, envName: string): { nodePool: any; nodeClasses: any[]; gpuPod: any; gpuNamespace: string } {
  const [capacity, ollama] = renderForStep(repo, helm, envName, ['gpu-capacity', 'ollama']).apps;
  const nodePools = capacity.objects.filter((o) => o.kind === 'NodePool');
  if (nodePools.length !== 1) throw new Error(`gpu-capacity renders ${nodePools.length} NodePools for ${envName}, expected 1`);
  const deployment = ollama.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'ollama');
  if (!deployment) throw new Error(`ollama renders no Deployment ollama for ${envName}`);
  return {
    nodePool: nodePools[0],
    nodeClasses: capacity.objects.filter((o) => o.kind === 'EC2NodeClass'),
    gpuPod: deployment.spec.template.spec,
    gpuNamespace: ollama.namespace,
  };
}

/** A free TCP port on the loopback interface. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const requirement = (nodePool: any, key: string): string[] =>
  (nodePool.spec.template.spec.requirements ?? []).find((r: any) => r.key === key && r.operator === 'In')?.values ?? [];
const condition = (object: any, type: string) => (object?.status?.conditions ?? []).find((c: any) => c.type === type);
const isKwokNode = (node: any) => String(node.spec?.providerID ?? '').startsWith('kwok://');

/** The kubelet's part for the kwok Nodes: Ready with a heartbeat every 10 s (the node lifecycle controller marks silent nodes Unknown). */
const heartbeats = new Map<string, number>();
function kubeletStandIn(): void {
  for (const node of get(['get', 'nodes']).items.filter(isKwokNode)) {
    if (node.metadata.deletionTimestamp) continue;
    const last = heartbeats.get(node.metadata.name) ?? 0;
    if (condition(node, 'Ready')?.status === 'True' && Date.now() - last < 10_000) continue;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const ready = { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'e2e kubelet stand-in', lastHeartbeatTime: now, lastTransitionTime: now };
    const conditions = (node.status?.conditions ?? []).filter((c: any) => c.type !== 'Ready');
    const previous = condition(node, 'Ready');
    if (previous?.status === 'True') ready.lastTransitionTime = previous.lastTransitionTime;
    try {
      k([
        'patch',
        'node',
        node.metadata.name,
        '--subresource=status',
        '--type=merge',
        '-p',
        JSON.stringify({ status: { conditions: [...conditions, ready] } }),
      ]);
      heartbeats.set(node.metadata.name, Date.now());
    } catch {
      // Deleted meanwhile: nothing to report for it.
    }
  }
}

/** Polls `probe` every second (running the kubelet stand-in first) until it returns true or `seconds` pass. */
async function waitFor(seconds: number, probe: () => boolean): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    kubeletStandIn();
    if (probe()) return true;
    if (Date.now() > deadline) return false;
    await sleep(1000);
  }
}
/** Keeps the kubelet stand-in running for `seconds`; false as soon as `invariant` does not hold. */
async function holds(seconds: number, invariant: () => boolean): Promise<boolean> {
  return !(await waitFor(seconds, () => !invariant()));
}

const nodeClaims = () => get(['get', 'nodeclaims.karpenter.sh']).items as any[];
const poolNodeClaims = () => nodeClaims().filter((c) => c.metadata.labels?.['karpenter.sh/nodepool'] === GPU_NODE_POOL);
const kwokNodes = () => (get(['get', 'nodes']).items as any[]).filter(isKwokNode);

async function main(): Promise<number> {
  const [karpenter, scheduler, source, helm, envName = 'staging'] = process.argv.slice(2);
  const repo = path.resolve(__dirname, '../..');
  const crdFiles = source ? [path.join(source, 'pkg/apis/crds'), path.join(source, 'kwok/apis/crds')] : [];
  const awsTableFile = source && path.join(source, 'kwok/examples/aws_instance_types.json');
  for (const [what, file] of [
    ['the karpenter-kwok binary', karpenter],
    ['the kube-scheduler binary', scheduler],
    ["Karpenter's CRDs", crdFiles[0]],
    ["the kwok provider's CRDs", crdFiles[1]],
    ["Karpenter's AWS instance-type table", awsTableFile],
    ['helm', helm],
  ]) {
    if (!file || !fs.existsSync(file)) {
      console.log(`karpenter: SKIPPED — ${what} is not at ${file || '(not given)'}`);
      return 3;
    }
  }

  const { nodePool: rendered, nodeClasses, gpuPod, gpuNamespace } = render(repo, helm, envName);
  const instanceTypes = requirement(rendered, 'node.kubernetes.io/instance-type');
  const capacityTypes = requirement(rendered, 'karpenter.sh/capacity-type');
  const zones = requirement(rendered, 'topology.kubernetes.io/zone');
  const maxGpus = Number(rendered.spec.limits?.[GPU]);
  const template = rendered.spec.template;
  console.log(
    `karpenter: ${envName} NodePool ${rendered.metadata.name}: ${instanceTypes.join(', ')}; ${capacityTypes.join(', ')}; ${zones.join(', ')}; limit ${maxGpus} GPUs; consolidateAfter ${rendered.spec.disruption.consolidateAfter}`,
  );
  if (rendered.metadata.name !== GPU_NODE_POOL) throw new Error(`the rendered NodePool is ${rendered.metadata.name}, not ${GPU_NODE_POOL}`);
  if (!(Number.isInteger(maxGpus) && maxGpus >= 1)) throw new Error(`the rendered NodePool has no GPU limit: ${JSON.stringify(rendered.spec.limits)}`);
  const ref = template.spec.nodeClassRef;
  if (!nodeClasses.some((c) => c.metadata.name === ref.name)) throw new Error(`the rendered NodePool's ${ref.kind} ${ref.name} is not rendered beside it`);

  // What the cloud offers: the NodePool's types and a cheaper GPU type it does not list, so a
  // NodePool whose instance-type requirement were not applied would get that one.
  const outside = 'g4dn.xlarge';
  const awsTable = JSON.parse(fs.readFileSync(awsTableFile, 'utf8'));
  const offered = kwokInstanceTypes(awsTable, [...instanceTypes, outside], zones);
  const cheapest = (types: KwokInstanceType[], capacityType: string) =>
    Math.min(...types.flatMap((t) => t.offerings.filter((o) => o.Requirements[0].values[0] === capacityType).map((o) => o.Price)));
  const listed = offered.filter((t) => instanceTypes.includes(t.name));
  // The offering Karpenter should take: spot where the NodePool allows it (cheaper), on the cheapest listed type.
  const expectedCapacity = capacityTypes.includes('spot') ? 'spot' : capacityTypes[0];
  const cheapestListed = listed.find((t) =>
    t.offerings.some((o) => o.Requirements[0].values[0] === expectedCapacity && o.Price === cheapest(listed, expectedCapacity)),
  )!;
  if (cheapest(offered, 'spot') >= cheapest(listed, 'spot')) throw new Error(`${outside} is not cheaper than the NodePool's types: it proves nothing`);
  const typesFile = path.join(process.env.E2E_CP_DIR ?? os.tmpdir(), 'karpenter-instance-types.json');
  fs.writeFileSync(typesFile, JSON.stringify(offered, null, 2));
  for (const t of offered)
    console.log(
      `karpenter:      offered ${t.name}${instanceTypes.includes(t.name) ? '' : ' (not in the NodePool)'}: ${t.resources.cpu} CPU, ${t.resources.memory}, ${t.resources[GPU]} GPU; spot ${cheapest([t], 'spot').toFixed(3)}, on-demand ${cheapest([t], 'on-demand').toFixed(3)} $/h (Karpenter's AWS table)`,
    );

  // The NodePool as applied: the rendered one, nodeClassRef and consolidateAfter replaced.
  const nodePool = structuredClone(rendered);
  nodePool.spec.template.spec.nodeClassRef = { group: 'karpenter.kwok.sh', kind: 'KWOKNodeClass', name: ref.name };
  nodePool.spec.disruption.consolidateAfter = `${CONSOLIDATE_AFTER_SECONDS}s`;
  const withoutChanged = (np: any) => {
    const copy = structuredClone(np);
    delete copy.spec.template.spec.nodeClassRef;
    delete copy.spec.disruption.consolidateAfter;
    return copy;
  };
  if (!isDeepStrictEqual(withoutChanged(nodePool), withoutChanged(rendered)))
    throw new Error('the applied NodePool differs from the rendered one beyond the two replaced fields');
  console.log(
    `karpenter: applying the rendered NodePool with nodeClassRef ${ref.group}/${ref.kind} -> karpenter.kwok.sh/KWOKNodeClass ${ref.name} (the EC2NodeClass is reconciled only by AWS's provider) and consolidateAfter ${rendered.spec.disruption.consolidateAfter} -> ${CONSOLIDATE_AFTER_SECONDS}s (shortened for this run); nothing else changed`,
  );

  for (const dir of crdFiles)
    for (const file of fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .sort())
      k(['apply', '--server-side', '-f', path.join(dir, file)]);
  const crds = ['nodepools.karpenter.sh', 'nodeclaims.karpenter.sh', 'kwoknodeclasses.karpenter.kwok.sh'];
  if (!(await waitFor(60, () => crds.every((crd) => condition(get(['get', 'crd', crd]), 'Established')?.status === 'True'))))
    throw new Error(`${crds.join(', ')} not Established after 60s`);

  const logDir = path.join(process.env.E2E_CP_DIR ?? os.tmpdir(), 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  const processes: { name: string; child: ChildProcess; log: number; file: string; exited: boolean }[] = [];
  const start = (name: string, binary: string, args: string[], env: NodeJS.ProcessEnv = process.env) => {
    const file = path.join(logDir, `${name}.log`);
    const log = fs.openSync(file, 'w');
    const entry = { name, child: spawn(binary, args, { stdio: ['ignore', log, log], env }), log, file, exited: false };
    entry.child.on('exit', () => (entry.exited = true));
    processes.push(entry);
  };
  const kubeconfig = process.env.KUBECONFIG ?? '';
  try {
    start('kube-scheduler', scheduler, [
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${await freePort()}`,
      '--leader-elect=false',
      '--profiling=false',
    ]);
    start(
      'karpenter',
      karpenter,
      [
        `--instance-types-file-path=${typesFile}`,
        '--disable-leader-election',
        `--metrics-port=${await freePort()}`,
        `--health-probe-port=${await freePort()}`,
        '--log-level=debug',
      ],
      { ...process.env, KUBECONFIG: kubeconfig },
    );
    const running = () => processes.every((p) => !p.exited);

    // The KWOKNodeClass the NodePool now names. Ready, as a NodeClass's own controller reports it
    // once its cloud settings resolve (the kwok provider has no such controller).
    k(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'karpenter.kwok.sh/v1alpha1', kind: 'KWOKNodeClass', metadata: { name: ref.name } }));
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    k([
      'patch',
      'kwoknodeclass',
      ref.name,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({
        status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', message: '', lastTransitionTime: now, observedGeneration: 1 }] },
      }),
    ]);
    k(['apply', '-f', '-'], JSON.stringify(nodePool));
    k(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: gpuNamespace } }));
    const poolReady = await waitFor(90, () => !running() || condition(get(['get', 'nodepool', GPU_NODE_POOL]), 'Ready')?.status === 'True');
    if (!poolReady || !running()) throw new Error(`NodePool ${GPU_NODE_POOL} not Ready: ${JSON.stringify(get(['get', 'nodepool', GPU_NODE_POOL]).status)}`);

    // The test pods: Ollama's scheduling as rendered (nodeSelector, tolerations, GPU limit); no
    // volumes (the model volume is EFS's) and a pause image (nothing runs here).
    const gpuLimit = gpuPod.containers?.[0]?.resources?.limits?.[GPU];
    const pod = (name: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: gpuNamespace, labels: { 'e2e.llm-platform/test': 'karpenter' } },
      spec: {
        nodeSelector: gpuPod.nodeSelector,
        tolerations: gpuPod.tolerations,
        terminationGracePeriodSeconds: 0,
        containers: [{ name: 'gpu', image: 'registry.k8s.io/pause:3.10', resources: { limits: { [GPU]: gpuLimit } } }],
      },
    });
    console.log(
      `karpenter: the GPU pods carry Ollama's nodeSelector ${JSON.stringify(gpuPod.nodeSelector)}, tolerations ${JSON.stringify(gpuPod.tolerations)}, ${GPU} ${gpuLimit}`,
    );
    if (String(gpuLimit) !== '1') throw new Error(`the rendered Ollama asks ${gpuLimit} GPUs; check c counts one-GPU pods`);
    const getPod = (name: string) => JSON.parse(k(['get', 'pod', name, '-n', gpuNamespace, '--ignore-not-found', '-o', 'json']) || 'null');
    const forceDelete = (names: string[]) =>
      k(['delete', 'pod', ...names, '-n', gpuNamespace, '--grace-period=0', '--force', '--ignore-not-found', '--wait=true']);

    // (a) a pending GPU pod gets a node from the GPU NodePool.
    const t0 = Date.now();
    k(['apply', '-f', '-'], JSON.stringify(pod('gpu-a')));
    let sawUnschedulable = false;
    const bound = await waitFor(180, () => {
      const p = getPod('gpu-a');
      const scheduled = condition(p, 'PodScheduled');
      if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') sawUnschedulable = true;
      // Bound, and its NodeClaim initialized (the scheduler may bind a moment before Karpenter marks it).
      const claimOfNode = poolNodeClaims().find((c) => p?.spec?.nodeName && c.status?.nodeName === p.spec.nodeName);
      return !running() || (Boolean(p?.spec?.nodeName) && condition(claimOfNode, 'Initialized')?.status === 'True');
    });
    const podA = getPod('gpu-a');
    const claimsA = poolNodeClaims();
    const node = podA?.spec?.nodeName ? get(['get', 'node', podA.spec.nodeName]) : undefined;
    const claim = claimsA.find((c) => c.status?.nodeName === node?.metadata.name);
    const labels = node?.metadata.labels ?? {};
    // The state may pass between two polls; the scheduler's event stays.
    const schedulerEvents = (get(['get', 'events', '-n', gpuNamespace, '--field-selector', 'involvedObject.name=gpu-a']).items as any[]).filter(
      (e) => e.reason === 'FailedScheduling' && (e.source?.component === 'default-scheduler' || e.reportingComponent === 'default-scheduler'),
    );
    check('a1', 'the scheduler first marked the GPU pod Unschedulable (no node fits it)', sawUnschedulable || schedulerEvents.length > 0);
    check(
      'a2',
      `a NodeClaim of NodePool ${GPU_NODE_POOL} launched, its Node registered, the pod bound to it`,
      bound && running() && Boolean(node) && Boolean(claim) && condition(claim, 'Initialized')?.status === 'True',
      `bound ${bound}, node ${node?.metadata.name}, nodeclaims ${JSON.stringify(claimsA.map((c) => [c.metadata.name, c.status?.nodeName]))}`,
    );
    if (bound && running())
      console.log(
        `karpenter:      pod bound to ${node?.metadata.name}, its NodeClaim initialized, ${((Date.now() - t0) / 1000).toFixed(1)} s after the pod was created`,
      );
    const templateLabels = template.metadata?.labels ?? {};
    check(
      'a3',
      `the Node carries the NodePool's labels ${JSON.stringify(templateLabels)}`,
      Boolean(node) && Object.entries(templateLabels).every(([key, value]) => labels[key] === value) && labels['karpenter.sh/nodepool'] === GPU_NODE_POOL,
      JSON.stringify(labels),
    );
    const taints = node?.spec?.taints ?? [];
    check(
      'a4',
      `the Node carries the NodePool's taint(s) ${JSON.stringify(template.spec.taints)}`,
      Boolean(node) && (template.spec.taints ?? []).every((t: any) => taints.some((n: any) => n.key === t.key && n.value === t.value && n.effect === t.effect)),
      JSON.stringify(taints),
    );
    check(
      'a5',
      `its zone is one of ${zones.join(', ')} and its type one of ${instanceTypes.join(', ')} (not ${outside}, cheaper but not listed)`,
      zones.includes(labels['topology.kubernetes.io/zone']) && instanceTypes.includes(labels['node.kubernetes.io/instance-type']),
      `${labels['topology.kubernetes.io/zone']} ${labels['node.kubernetes.io/instance-type']}`,
    );
    check(
      'a6',
      `capacity type ${expectedCapacity}${expectedCapacity === 'spot' ? ' (offered and cheaper)' : ''}, on the cheapest listed type ${cheapestListed.name}`,
      labels['karpenter.sh/capacity-type'] === expectedCapacity && labels['node.kubernetes.io/instance-type'] === cheapestListed.name,
      `${labels['karpenter.sh/capacity-type']} ${labels['node.kubernetes.io/instance-type']}`,
    );
    const gpusOfType = gpusPerType(labels['node.kubernetes.io/instance-type'] ?? '');
    check(
      'a7',
      `the Node offers ${GPU} ${gpusOfType ?? '(type unknown)'}, the GPUs of its type`,
      Boolean(node) && gpusOfType !== undefined && String(node.status?.allocatable?.[GPU]) === String(gpusOfType),
      JSON.stringify(node?.status?.allocatable),
    );

    // (b) the occupied node stays; once empty it is consolidated away after consolidateAfter.
    const nodeName = node?.metadata.name ?? '(none)';
    const nodeExists = () => JSON.parse(k(['get', 'node', nodeName, '--ignore-not-found', '-o', 'json']) || 'null') !== null;
    const stays = await holds(CONSOLIDATE_AFTER_SECONDS + 25, () => running() && nodeExists() && poolNodeClaims().length === 1);
    check(
      'b1',
      `while the pod runs on it, the node stays ${CONSOLIDATE_AFTER_SECONDS + 25} s (past consolidateAfter ${CONSOLIDATE_AFTER_SECONDS}s)`,
      Boolean(node) && stays,
    );
    const deleted = Date.now();
    forceDelete(['gpu-a']);
    const gone = await waitFor(CONSOLIDATE_AFTER_SECONDS + 120, () => !running() || (!nodeExists() && poolNodeClaims().length === 0));
    const after = (Date.now() - deleted) / 1000;
    check(
      'b2',
      'once the pod is deleted, the empty node and its NodeClaim are removed',
      Boolean(node) && gone && running() && !nodeExists() && poolNodeClaims().length === 0,
      `after ${after.toFixed(0)} s: node ${nodeExists() ? 'still there' : 'gone'}, nodeclaims ${poolNodeClaims().length}`,
    );
    check(
      'b3',
      `not before consolidateAfter (${CONSOLIDATE_AFTER_SECONDS}s): ${gone && node ? `removed ${after.toFixed(1)} s after the pod left` : 'not removed'}`,
      Boolean(node) && gone && after >= CONSOLIDATE_AFTER_SECONDS,
    );

    // (c) maxGpus + 1 one-GPU pods: maxGpus nodes, the last pod pending.
    const names = Array.from({ length: maxGpus + 1 }, (_, i) => `gpu-c${i}`);
    for (const name of names) k(['apply', '-f', '-'], JSON.stringify(pod(name)));
    const boundCount = () => names.filter((name) => getPod(name)?.spec?.nodeName).length;
    const filled = await waitFor(240, () => !running() || boundCount() >= maxGpus);
    // Watched for the whole window, past several of Karpenter's batch windows (10 s at most) and
    // provisioning loops: the most NodeClaims, Nodes and bound pods seen at any moment.
    const most = { claims: 0, nodes: 0, bound: 0 };
    await waitFor(45, () => {
      most.claims = Math.max(most.claims, poolNodeClaims().length);
      most.nodes = Math.max(most.nodes, kwokNodes().length);
      most.bound = Math.max(most.bound, boundCount());
      return false;
    });
    const limited = running() && most.claims <= maxGpus && most.nodes <= maxGpus;
    const claimsC = poolNodeClaims();
    const gpusClaimed = claimsC.reduce((sum, c) => sum + Number(c.status?.capacity?.[GPU] ?? 0), 0);
    check(
      'c1',
      `${maxGpus + 1} one-GPU pods: ${maxGpus} get nodes (the limit, maxGpus ${maxGpus})`,
      filled && most.bound === maxGpus && boundCount() === maxGpus,
      `bound ${boundCount()} (at most ${most.bound})`,
    );
    check(
      'c2',
      `no NodeClaim beyond the limit for 45 s: ${maxGpus} NodeClaims with ${maxGpus} GPUs, ${maxGpus} Nodes`,
      limited && claimsC.length === maxGpus && gpusClaimed === maxGpus && kwokNodes().length === maxGpus,
      `${claimsC.length} NodeClaims, ${gpusClaimed} GPUs, ${kwokNodes().length} Nodes (at most ${most.claims} NodeClaims, ${most.nodes} Nodes)`,
    );
    const pending = names.filter((name) => !getPod(name)?.spec?.nodeName);
    const pendingPod = pending.length === 1 ? getPod(pending[0]) : undefined;
    const events = pendingPod ? (get(['get', 'events', '-n', gpuNamespace, '--field-selector', `involvedObject.name=${pending[0]}`]).items as any[]) : [];
    const limitEvent = events.find((e) => /limit/i.test(e.message ?? '') && (e.source?.component === 'karpenter' || e.reportingComponent === 'karpenter'));
    check(
      'c3',
      "the last pod stays Pending, Unschedulable, with Karpenter's event naming the limit",
      pendingPod?.status?.phase === 'Pending' && condition(pendingPod, 'PodScheduled')?.reason === 'Unschedulable' && Boolean(limitEvent),
      `pending ${JSON.stringify(pending)}; events ${JSON.stringify(events.map((e) => `${e.reportingComponent || e.source?.component}: ${e.reason}: ${e.message}`))}`,
    );
    if (limitEvent) console.log(`karpenter:      ${pending[0]}: ${limitEvent.reason}: ${limitEvent.message}`);
    check(
      'c4',
      'the controllers kept running',
      running(),
      processes
        .filter((p) => p.exited)
        .map((p) => p.name)
        .join(', '),
    );
  } finally {
    if (failed > 0 || processes.some((p) => p.exited)) {
      for (const p of processes) {
        console.log(`karpenter: ${p.name}'s log (${p.file}), last lines:`);
        console.log(fs.readFileSync(p.file, 'utf8').split('\n').slice(-40).join('\n'));
      }
    }
    for (const p of processes.reverse()) {
      if (!p.exited) {
        p.child.kill('SIGTERM');
        for (let i = 0; i < 150 && !p.exited; i++) await sleep(100);
        if (!p.exited) p.child.kill('SIGKILL');
      }
      fs.closeSync(p.log);
    }
  }
  console.log(`karpenter: ${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`karpenter: FAIL: ${(error as Error).stack ?? error}`);
    process.exit(1);
  },
);
