/**
 * `npm run deploy|destroy -- <env>`: `cdktf deploy|destroy` one stack at a time, dependencies
 * first (destroy: dependants first), stopping at the first stack whose terraform/tofu did not
 * finish cleanly. Before each apply it adopts the program's own objects an interrupted apply left
 * outside state and recovers a Helm release left pending (with consent); before each destroy it
 * makes sure no Argo CD Application with the resources finalizer is stranded.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describeObject, missingOwnershipLabels, planAdoption } from './adoption';
import { parseStatus, verdict } from './cli-status';
import { Exec } from './exec';
import { pendingRecovery, releaseRevisions } from './helm-pending';
import { Kube } from './kube';
import { StackInfo, orderedStacks, readManifest } from './stack-order';
import { KubeTarget, StackObject, StackRelease, finalizedObjects, kubeTarget, stackObjects, stackReleases } from './stack-objects';

/** Argo CD's finalizer: deleting the Application deletes what it deployed, done by Argo CD. */
export const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

/** Options of {@link runStacks}. */
export interface RunStacksOptions {
  /** `plan` writes saved plans (tools/deploy/saved-plans.ts); `deploy` with `planDir` applies them. */
  readonly command: 'deploy' | 'destroy' | 'plan';
  /** Environment name: the stacks `<env>-*`. */
  readonly env: string;
  /** Repository root (cdktf.json). */
  readonly root: string;
  /** Synthesized output directory. @default `<root>/cdktf.out` */
  readonly outdir?: string;
  /** Skip `cdktf synth` (the output directory is current). @default false */
  readonly skipSynth?: boolean;
  /** The real terraform/tofu. */
  readonly tfBinary: string;
  /** kubectl. */
  readonly kubectl: string;
  /** Remove the pending records of a Helm release left pending (consent). @default false */
  readonly recoverHelm?: boolean;
  /** Remove the resources finalizer from Applications Argo CD can no longer process (consent). @default false */
  readonly removeFinalizers?: boolean;
  /** How long a destroy waits for Argo CD to delete Applications. @default 300 */
  readonly waitSeconds?: number;
  /** plan: where the saved plans go; deploy: the saved plans to apply (instead of cdktf deploy). */
  readonly planDir?: string;
  /** kube context for stacks whose provider has no literal kubeconfig/context (EKS). */
  readonly context?: string;
  /** Extra flags of the command, repeated in recovery hints. */
  readonly hintFlags?: readonly string[];
  /** Whether SIGINT/SIGTERM reached the wrapper. */
  readonly interrupted?: () => boolean;
  readonly log?: (line: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A stack's failure: the message and the command that recovers. */
export class StackRunError extends Error {}

/** What every step of a run shares. */
export interface Env {
  readonly options: RunStacksOptions;
  readonly exec: Exec;
  readonly log: (line: string) => void;
  readonly outdir: string;
}

/** The {@link Env} of a run. */
export function runEnv(options: RunStacksOptions, exec: Exec): Env {
  return { options, exec, log: options.log ?? ((l) => console.error(l)), outdir: options.outdir ?? path.join(options.root, 'cdktf.out') };
}

/** A stack's synthesized `cdk.tf.json`, parsed. */
export function stackJson(e: Env, stack: StackInfo): any {
  return JSON.parse(fs.readFileSync(path.join(e.outdir, stack.workingDirectory, 'cdk.tf.json'), 'utf8'));
}

/**
 * kubectl for the stack's cluster, or undefined when neither the stack's provider nor --context
 * names one: kubectl's current context may be another cluster (dev's, say), and adopting,
 * recovering Helm records or removing finalizers there would act on the wrong cluster.
 */
function kubeFor(e: Env, json: any): Kube | undefined {
  const target: KubeTarget = kubeTarget(json, e.options.context ? { context: e.options.context } : {});
  if (!target.kubeconfig && !target.context) return undefined;
  return new Kube(e.exec, e.options.kubectl, target);
}

/** The command to re-run, with the flags given and `extra`. */
export function recoveryCommand(options: Pick<RunStacksOptions, 'command' | 'env' | 'hintFlags'>, extra: readonly string[] = []): string {
  const flags = [...new Set([...(options.hintFlags ?? []), ...extra])];
  return `npm run ${options.command} -- ${options.env}${flags.length ? ` ${flags.join(' ')}` : ''}`;
}

/** Runs terraform/tofu in `stackDir`, capturing its output; throws unless it exits 0. */
export async function tf(e: Env, stackDir: string, args: readonly string[]): Promise<string> {
  const result = await e.exec(e.options.tfBinary, args, { cwd: stackDir });
  if (result.code !== 0)
    throw new StackRunError(`${e.options.tfBinary} ${args.join(' ')} in ${stackDir} failed:\n${result.stderr.trim() || result.stdout.trim()}`);
  return result.stdout;
}

async function stateAddresses(e: Env, stackDir: string): Promise<Set<string>> {
  if (!fs.existsSync(path.join(stackDir, '.terraform'))) await tf(e, stackDir, ['init', '-input=false', '-no-color']);
  const list = await e.exec(e.options.tfBinary, ['state', 'list'], { cwd: stackDir });
  // Killed before its first state write, terraform leaves no state file, and `state list` then
  // fails (OpenTofu prints nothing): nothing is in state, so everything found is to adopt.
  if (list.code !== 0 && /No state file was found/.test(list.stderr + list.stdout)) return new Set();
  if (list.code !== 0) throw new StackRunError(`${e.options.tfBinary} state list in ${stackDir} failed:\n${list.stderr.trim() || list.stdout.trim()}`);
  const out = list.stdout;
  return new Set(
    out
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
  );
}

/** Helm release records: the pending ones recovered with consent; whether a revision is deployed. */
async function recoverRelease(e: Env, kube: Kube, stack: StackInfo, release: StackRelease): Promise<boolean> {
  const revisions = releaseRevisions({ items: await kube.list('secrets', release.namespace, `owner=helm,name=${release.name}`) });
  const recovery = pendingRecovery(revisions);
  if (recovery.action === 'none') return revisions.some((r) => r.status === 'deployed');
  const what = `Helm release ${release.namespace}/${release.name} is ${recovery.pending} (left by an interrupted apply)`;
  const fix =
    recovery.action === 'rollback'
      ? `back to its last deployed revision ${recovery.to}`
      : 'forgotten (no revision was ever deployed; the next install adopts the objects it created)';
  if (!e.options.recoverHelm) {
    throw new StackRunError(
      `${stack.name}: ${what}; every apply fails until it is recovered. To put it ${fix} by removing the Secrets ${recovery.remove.join(', ')}, run:\n  ${recoveryCommand(e.options, ['--recover-helm'])}`,
    );
  }
  await kube.run(['delete', 'secret', '-n', release.namespace, ...recovery.remove]);
  e.log(`${stack.name}: ${what}: ${fix} (removed ${recovery.remove.join(', ')})`);
  return recovery.action === 'rollback';
}

/** Imports what an interrupted apply created but did not record, after the ownership check. */
export async function adopt(e: Env, stack: StackInfo, json: any): Promise<void> {
  const stackDir = path.join(e.outdir, stack.workingDirectory);
  const objects = stackObjects(json);
  const releases = stackReleases(json);
  if (objects.length === 0 && releases.length === 0) return;
  const kube = kubeFor(e, json);
  if (!kube) {
    e.log(`${stack.name}: no kube context names this stack's cluster, so the adoption and Helm checks are skipped (pass --context <ctx> to run them)`);
    return;
  }
  const live = new Map<string, Awaited<ReturnType<Kube['live']>>>();
  for (const o of objects) live.set(o.address, await kube.live(o));
  const deployedReleases: StackRelease[] = [];
  for (const release of releases) {
    const namespace = objects.find((o) => o.resource === 'namespace' && o.name === release.namespace);
    if (namespace && !live.get(namespace.address)?.exists) continue; // nothing of it can exist yet
    if (await recoverRelease(e, kube, stack, release)) deployedReleases.push(release);
  }
  if (![...live.values()].some((l) => l.exists) && deployedReleases.length === 0) return;
  const state = await stateAddresses(e, stackDir);
  const plan = planAdoption(objects, state, (o) => live.get(o.address) ?? { exists: false });
  if (plan.foreign.length > 0) {
    const lines = plan.foreign.map((f) => `  - ${describeObject(f.object)} (${f.object.address}) lacks ${f.missing.join(', ')}`);
    throw new StackRunError(
      `${stack.name}: these objects exist but are not in state and do not carry this program's labels, so they are not imported:\n${lines.join('\n')}\nDelete them, or import each one you know to be this stack's with \`${e.options.tfBinary} -chdir=${stackDir} import <address> <id>\`, then re-run ${recoveryCommand(e.options)}`,
    );
  }
  const imports: { address: string; id: string; what: string }[] = plan.imports.map((o: StackObject) => ({
    address: o.address,
    id: o.importId,
    what: describeObject(o),
  }));
  for (const release of deployedReleases) {
    if (state.has(release.address)) continue;
    const namespace = objects.find((o) => o.resource === 'namespace' && o.name === release.namespace);
    const found = namespace ? live.get(namespace.address) : undefined;
    // A release is the program's own when it lives in a namespace this stack creates and owns.
    if (found?.exists && missingOwnershipLabels(found.labels).length === 0) {
      imports.push({ address: release.address, id: `${release.namespace}/${release.name}`, what: `Helm release ${release.namespace}/${release.name}` });
    }
  }
  for (const i of imports) {
    e.log(`${stack.name}: adopting ${i.what}: it exists, is this program's, and is missing from state (import ${i.address})`);
    await tf(e, stackDir, ['import', '-input=false', '-no-color', i.address, i.id]);
  }
}

/** Live objects of `resource` in `namespace` that still carry the resources finalizer. */
async function finalizedLive(kube: Kube, resource: string, namespace: string): Promise<any[]> {
  return (await kube.list(resource, namespace)).filter((o) => (o.metadata?.finalizers ?? []).includes(RESOURCES_FINALIZER));
}

async function removeFinalizers(e: Env, kube: Kube, resource: string, items: readonly any[]): Promise<void> {
  for (const item of items) {
    await kube.run(['patch', resource, item.metadata.name, '-n', item.metadata.namespace, '--type', 'merge', '-p', '{"metadata":{"finalizers":null}}']);
    e.log(`removed the finalizers of ${resource} ${item.metadata.namespace}/${item.metadata.name} (--remove-finalizers)`);
  }
}

/**
 * Before destroying `stack`: Applications with the resources finalizer must not outlive the Argo
 * CD that removes it. The stack holding Argo CD waits for them to go; where Argo CD is gone, the
 * finalizer is removed only with --remove-finalizers.
 */
async function guardApplications(e: Env, stacks: readonly StackInfo[], stack: StackInfo): Promise<void> {
  const all = stacks.map((s) => ({ stack: s, json: stackJson(e, s) }));
  const apps = all.flatMap((s) => finalizedObjects(s.json, RESOURCES_FINALIZER).map((o) => ({ ...o, stack: s.stack.name })));
  if (apps.length === 0) return;
  const namespaces = [...new Set(apps.map((a) => a.namespace).filter((n): n is string => !!n))];
  const controller = all
    .flatMap((s) => stackReleases(s.json).map((r) => ({ ...r, stack: s.stack.name, json: s.json })))
    .find((r) => namespaces.includes(r.namespace));
  const holdsApps = apps.some((a) => a.stack === stack.name);
  const holdsController = controller?.stack === stack.name;
  if (!holdsApps && !holdsController) return;
  const json = stackJson(e, stack);
  const kube = kubeFor(e, json);
  if (!kube)
    throw new StackRunError(
      `${stack.name}: no kube context names this stack's cluster, so it cannot check that Argo CD has deleted its Applications first; run ${recoveryCommand(e.options, ['--context', '<kube context of the cluster>'])}`,
    );
  const resource = apps[0].resource;
  const live = async () => (await Promise.all(namespaces.map((n) => finalizedLive(kube, resource, n)))).flat();
  const controllerRuns = controller
    ? (await kube.list('secrets', controller.namespace, `owner=helm,name=${controller.name}`)).some((s) => s.metadata?.labels?.status === 'deployed')
    : false;
  let remaining = await live();
  if (remaining.length === 0) return;
  const names = () => remaining.map((r) => `${r.metadata.namespace}/${r.metadata.name}`).join(', ');
  if (!controllerRuns) {
    if (!e.options.removeFinalizers) {
      throw new StackRunError(
        `${stack.name}: Argo CD${controller ? ` (Helm release ${controller.namespace}/${controller.name})` : ''} is gone, and the Applications ${names()} still carry ${RESOURCES_FINALIZER}: nothing would ever remove it, and their namespace would hang in Terminating. To remove the finalizers (their workloads go with their namespaces) and finish the destroy, run:\n  ${recoveryCommand(e.options, ['--remove-finalizers'])}`,
      );
    }
    await removeFinalizers(e, kube, resource, remaining);
    return;
  }
  if (!holdsController) return; // Argo CD runs: deleting the Applications lets it clean up.
  const sleep = e.options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const deadline = Date.now() + (e.options.waitSeconds ?? 300) * 1000;
  e.log(`${stack.name}: waiting up to ${e.options.waitSeconds ?? 300}s for Argo CD to delete the Applications ${names()}`);
  while (remaining.length > 0 && Date.now() < deadline && !e.options.interrupted?.()) {
    await sleep(2000);
    remaining = await live();
  }
  if (remaining.length === 0) return;
  if (!e.options.removeFinalizers) {
    throw new StackRunError(
      `${stack.name}: not destroyed: the Applications ${names()} still carry ${RESOURCES_FINALIZER}, and removing Argo CD now would strand them. Re-run ${recoveryCommand(e.options)} once Argo CD has deleted them (kubectl -n ${namespaces.join(',')} get applications), or, to give up on Argo CD's cleanup, ${recoveryCommand(e.options, ['--remove-finalizers'])}`,
    );
  }
  await removeFinalizers(e, kube, resource, remaining);
}

/** Runs `cdktf <command> <stack>` with the exit-recording shim; throws unless everything exited 0. */
async function runCdktf(e: Env, stack: StackInfo): Promise<void> {
  const statusDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-platform-run-'));
  const statusFile = path.join(statusDir, 'status.jsonl');
  fs.writeFileSync(statusFile, '');
  try {
    const cdktf = path.join(e.options.root, 'node_modules', '.bin', 'cdktf');
    const result = await e.exec(cdktf, [e.options.command, stack.name, '--auto-approve', '--skip-synth', '--ignore-missing-stack-dependencies'], {
      cwd: e.options.root,
      passThrough: true,
      env: {
        TERRAFORM_BINARY_NAME: path.join(e.options.root, 'tools', 'deploy', 'record-exit.js'),
        LLM_PLATFORM_TF_BINARY: e.options.tfBinary,
        LLM_PLATFORM_TF_STATUS_FILE: statusFile,
      },
    });
    // When cdktf dies first (Ctrl-C), terraform/tofu may still be stopping and hold the state
    // lock: wait (bounded) until every invocation has ended, so a re-run does not race it.
    const unfinished = () => {
      const lines = parseStatus(fs.readFileSync(statusFile, 'utf8'));
      return lines.filter((l) => l.event === 'start').some((s) => !lines.some((l) => l.event === 'exit' && l.id === s.id));
    };
    const sleep = e.options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
    for (let waited = 0; unfinished() && waited < 60_000; waited += 500) await sleep(500);
    const v = verdict(result, parseStatus(fs.readFileSync(statusFile, 'utf8')), e.options.interrupted?.() ?? false);
    if (!v.ok) {
      const later = e.options.command === 'deploy' ? 'Later stacks were not applied.' : 'The stacks it depends on were not destroyed.';
      throw new StackRunError(
        `${stack.name}: ${e.options.command} did not finish: ${v.reasons.join('; ')}. ${later} To continue, run:\n  ${recoveryCommand(e.options)}`,
      );
    }
  } finally {
    fs.rmSync(statusDir, { recursive: true, force: true });
  }
}

/** `cdktf synth`, unless the options skip it. */
export async function synthesize(e: Env): Promise<void> {
  if (e.options.skipSynth) return;
  const synth = await e.exec(path.join(e.options.root, 'node_modules', '.bin', 'cdktf'), ['synth'], { cwd: e.options.root, passThrough: true });
  if (synth.code !== 0) {
    const what = e.options.command === 'plan' ? 'planned' : `${e.options.command}ed`;
    throw new StackRunError(`cdktf synth failed (exit ${synth.code ?? synth.signal}); nothing was ${what}`);
  }
}

/**
 * Deploys or destroys the stacks of one environment in order; resolves to the names done.
 * @throws StackRunError at the first stack that did not finish, naming the recovery command.
 */
export async function runStacks(options: RunStacksOptions, exec: Exec): Promise<string[]> {
  if (options.command === 'plan' || options.planDir) throw new Error('saved plans are written and applied by tools/deploy/saved-plans.ts');
  const e = runEnv(options, exec);
  await synthesize(e);
  const stacks = orderedStacks(readManifest(e.outdir), options.env, options.command);
  const done: string[] = [];
  for (const stack of stacks) {
    if (options.interrupted?.()) throw new StackRunError(`interrupted before ${stack.name}. To continue, run:\n  ${recoveryCommand(options)}`);
    e.log(`── ${options.command} ${stack.name}`);
    if (options.command === 'deploy') await adopt(e, stack, stackJson(e, stack));
    else await guardApplications(e, stacks, stack);
    await runCdktf(e, stack);
    done.push(stack.name);
  }
  e.log(`${options.command}: ${done.join(', ')} done`);
  return done;
}
