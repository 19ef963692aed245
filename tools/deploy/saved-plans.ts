/**
 * Reviewed applies: `npm run plan -- <env>` writes a saved plan per stack (`terraform plan -out`)
 * with a readable summary and a manifest of what each plan was made from; `npm run deploy -- <env>
 * --plan <dir>` applies exactly those plans (`terraform apply <planfile>`), refusing plans made from
 * other synthesized JSON or other plan inputs, and reporting terraform's own refusal of a plan
 * whose state moved ("Saved plan is stale").
 *
 * A stack is planned only when every stack it depends on is current (planned with no changes in
 * the same run): the apps stack plans against the CRDs the platform stack installs, and the
 * providers of both are configured from the cluster stack's outputs, so a plan made before those
 * are applied would be a plan of something else. The others are recorded as waiting; after
 * `deploy --plan`, the next `plan` writes theirs (a fresh environment takes one round per stack).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Exec, ExecResult } from './exec';
import { Env, RunStacksOptions, StackRunError, adopt, runEnv, stackJson, synthesize, tf } from './run-stacks';
import { StackInfo, orderedStacks, readManifest } from './stack-order';

/** File name of the manifest beside the saved plans. */
export const PLAN_MANIFEST = 'plans.json';
/** File name of the readable summary beside the saved plans. */
export const PLAN_SUMMARY = 'SUMMARY.txt';

/** What became of one stack in `plan`. */
export type PlannedStatus = 'planned' | 'current' | 'waiting' | 'applied';

/** One stack's entry in the plan manifest. */
export interface PlannedStack {
  readonly name: string;
  /**
   * `planned`: a saved plan with changes to apply; `current`: planned without changes (nothing to
   * apply); `waiting`: not planned, a stack it depends on has changes to apply first; `applied`:
   * applied by `deploy --plan` (its plan file is deleted).
   */
  readonly status: PlannedStatus;
  /** The saved plan, relative to the manifest (planned only). */
  readonly planFile?: string;
  /** The readable plan (`terraform show`), relative to the manifest (planned and current). */
  readonly showFile?: string;
  /** terraform's one-line summary: `Plan: 1 to add, 0 to change, 0 to destroy.` or `No changes.` */
  readonly summary?: string;
  /** sha256 of the stack's `cdk.tf.json` the plan was made from. */
  readonly stackJsonSha256?: string;
  /** sha256 of the plan's other inputs, {@link PlanInputs}. */
  readonly inputsSha256?: string;
  /** Those inputs, to say which one changed. */
  readonly inputs?: PlanInputs;
  /** The stacks with changes to apply first (waiting only). */
  readonly waitsFor?: readonly string[];
}

/** The manifest `plan` writes next to the plans (no secret in it). */
export interface PlanManifest {
  readonly version: 1;
  readonly env: string;
  readonly createdAt: string;
  /** The first line of `<tf> version`. */
  readonly tfVersion: string;
  readonly stacks: readonly PlannedStack[];
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** The default directory of an environment's saved plans. */
export function defaultPlanDir(root: string, env: string): string {
  return path.join(root, 'plans', env);
}

/** The command that writes fresh plans, with the flags of this run that `plan` takes too. */
export function replanCommand(options: Pick<RunStacksOptions, 'env' | 'context' | 'planDir' | 'root'>): string {
  const flags: string[] = [];
  const dir = options.planDir ? path.resolve(options.root, options.planDir) : undefined;
  if (dir && dir !== defaultPlanDir(options.root, options.env)) flags.push('--out', path.relative(options.root, dir) || '.');
  if (options.context) flags.push('--context', options.context);
  return `npm run plan -- ${options.env}${flags.length ? ` ${flags.join(' ')}` : ''}`;
}

/** The command that applies the plans of `planDir`, with the same --context. */
export function applyCommand(options: Pick<RunStacksOptions, 'env' | 'context' | 'planDir' | 'root'>): string {
  const dir = options.planDir ?? defaultPlanDir(options.root, options.env);
  const context = options.context ? ` --context ${options.context}` : '';
  return `npm run deploy -- ${options.env} --plan ${path.relative(options.root, path.resolve(options.root, dir)) || '.'}${context}`;
}

/** terraform's one-line summary of a plan, from `terraform show` text. */
export function planSummary(showText: string): string {
  const line = /^(?:Plan: .*|No changes\..*|Changes to Outputs:)$/m.exec(showText)?.[0];
  return line ?? 'no summary line (read the plan)';
}

/** Why a terraform/tofu run did not finish cleanly, or undefined when it exited with one of `ok`. */
function failure(e: Env, what: string, result: ExecResult, ok: readonly number[]): string | undefined {
  if (e.options.interrupted?.()) return `\`${what}\` was interrupted (SIGINT/SIGTERM)`;
  if (result.signal) return `\`${what}\` was killed by ${result.signal}`;
  if (result.code === null || !ok.includes(result.code)) return `\`${what}\` exited with ${result.code}`;
  return undefined;
}

async function tfVersion(e: Env, cwd: string): Promise<string> {
  return (await tf(e, cwd, ['version'])).split('\n')[0].trim();
}

/** A stack's plan inputs besides its JSON (none of them secret). */
export interface PlanInputs {
  /** The first line of `<tf> version`. */
  readonly tfVersion: string;
  /** sha256 of the stack's `.terraform.lock.hcl` (the providers' versions and checksums). */
  readonly providerLockSha256: string | null;
  /** The kube context the run targets. */
  readonly context: string | null;
}

function planInputs(e: Env, stackDir: string, tfVersion: string): PlanInputs {
  const lock = path.join(stackDir, '.terraform.lock.hcl');
  return { tfVersion, providerLockSha256: fs.existsSync(lock) ? sha256(fs.readFileSync(lock)) : null, context: e.options.context ?? null };
}

const inputsDigest = (inputs: PlanInputs) => sha256(JSON.stringify([inputs.tfVersion, inputs.providerLockSha256, inputs.context]));

/** What differs between the inputs a plan was made with and today's, for the user. */
function inputChanges(planned: PlanInputs | undefined, now: PlanInputs): string {
  if (!planned) return 'not recorded';
  const changes: string[] = [];
  if (planned.tfVersion !== now.tfVersion) changes.push(`${planned.tfVersion} planned, ${now.tfVersion} now`);
  if (planned.providerLockSha256 !== now.providerLockSha256) changes.push('another provider lock file (.terraform.lock.hcl)');
  if (planned.context !== now.context) changes.push(`--context ${planned.context ?? '(none)'} planned, ${now.context ?? '(none)'} now`);
  return changes.join('; ');
}

function stackDirOf(e: Env, stack: StackInfo): string {
  return path.join(e.outdir, stack.workingDirectory);
}

function jsonDigest(e: Env, stack: StackInfo): string {
  return sha256(fs.readFileSync(path.join(stackDirOf(e, stack), 'cdk.tf.json')));
}

/** Removes what an earlier `plan` wrote into `dir` (only its own files). */
function clearPlanDir(dir: string): void {
  if (!fs.existsSync(dir)) return;
  for (const f of fs.readdirSync(dir)) {
    if (f === PLAN_MANIFEST || f === PLAN_SUMMARY || f.endsWith('.tfplan') || f.endsWith('.plan.txt')) fs.rmSync(path.join(dir, f), { force: true });
  }
}

function summaryText(manifest: PlanManifest, options: RunStacksOptions): string {
  const lines = [`Saved plans of ${manifest.env}, ${manifest.createdAt}, ${manifest.tfVersion}`, ''];
  for (const s of manifest.stacks) {
    if (s.status === 'planned') lines.push(`${s.name}: ${s.summary} (${s.showFile})`);
    if (s.status === 'current') lines.push(`${s.name}: no changes`);
    if (s.status === 'waiting') lines.push(`${s.name}: not planned: it plans against ${s.waitsFor!.join(', ')}, which has changes to apply first`);
  }
  const planned = manifest.stacks.filter((s) => s.status === 'planned');
  const waiting = manifest.stacks.filter((s) => s.status === 'waiting');
  lines.push('');
  if (planned.length > 0) lines.push(`Review the plans, then apply exactly them: ${applyCommand(options)}`);
  else lines.push('Nothing to apply.');
  if (waiting.length > 0) lines.push(`Then plan again for ${waiting.map((s) => s.name).join(', ')}: ${replanCommand(options)}`);
  return `${lines.join('\n')}\n`;
}

/**
 * `npm run plan -- <env>`: synthesizes, then per stack in dependency order adopts what an
 * interrupted apply left (as deploy does), initializes and writes `<stack>.tfplan`, its readable
 * `<stack>.plan.txt`, and the manifest and summary. Resolves to the manifest.
 * @throws StackRunError at the first stack whose terraform/tofu did not finish cleanly.
 */
export async function planStacks(options: RunStacksOptions, exec: Exec): Promise<PlanManifest> {
  const e = runEnv(options, exec);
  const dir = path.resolve(options.root, options.planDir ?? defaultPlanDir(options.root, options.env));
  await synthesize(e);
  const stacks = orderedStacks(readManifest(e.outdir), options.env, 'deploy');
  // Saved plans hold the variables' values and the state's, secrets included.
  if (fs.existsSync(dir) && (fs.statSync(dir).mode & 0o077) !== 0) {
    const mode = (fs.statSync(dir).mode & 0o777).toString(8);
    throw new StackRunError(`${dir}: must be private to its owner (mode ${mode}): saved plans hold secrets; run chmod 700 on it or choose another --out`);
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  clearPlanDir(dir);
  let version: string | undefined;
  const pending = new Set<string>();
  const planned: PlannedStack[] = [];
  for (const stack of stacks) {
    if (options.interrupted?.())
      throw new StackRunError(`interrupted before ${stack.name}; no plan was written for it. To plan again, run:\n  ${replanCommand(options)}`);
    const waitsFor = stack.dependencies.filter((d) => pending.has(d));
    if (waitsFor.length > 0) {
      pending.add(stack.name);
      planned.push({ name: stack.name, status: 'waiting', waitsFor });
      e.log(`── plan ${stack.name}: waits for ${waitsFor.join(', ')} to be applied`);
      continue;
    }
    e.log(`── plan ${stack.name}`);
    const stackDir = stackDirOf(e, stack);
    await adopt(e, stack, stackJson(e, stack));
    await tf(e, stackDir, ['init', '-input=false', '-no-color']);
    version ??= await tfVersion(e, stackDir);
    const planFile = `${stack.name}.tfplan`;
    const args = ['plan', '-input=false', '-detailed-exitcode', `-out=${path.join(dir, planFile)}`];
    const result = await e.exec(options.tfBinary, args, { cwd: stackDir, passThrough: true });
    const why = failure(e, `${options.tfBinary} plan`, result, [0, 2]);
    if (why)
      throw new StackRunError(
        `${stack.name}: plan did not finish: ${why}. No plan was written for it or the stacks after it. To plan again, run:\n  ${replanCommand(options)}`,
      );
    fs.chmodSync(path.join(dir, planFile), 0o600);
    const showFile = `${stack.name}.plan.txt`;
    const show = await tf(e, stackDir, ['show', '-no-color', path.join(dir, planFile)]);
    fs.writeFileSync(path.join(dir, showFile), show, { mode: 0o600 });
    const inputs = planInputs(e, stackDir, version);
    const changes = result.code === 2;
    if (changes) pending.add(stack.name);
    else fs.rmSync(path.join(dir, planFile));
    planned.push({
      name: stack.name,
      status: changes ? 'planned' : 'current',
      planFile: changes ? planFile : undefined,
      showFile,
      summary: planSummary(show),
      stackJsonSha256: jsonDigest(e, stack),
      inputsSha256: inputsDigest(inputs),
      inputs,
    });
  }
  const manifest: PlanManifest = { version: 1, env: options.env, createdAt: new Date().toISOString(), tfVersion: version ?? 'unknown', stacks: planned };
  fs.writeFileSync(path.join(dir, PLAN_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  const summary = summaryText(manifest, { ...options, planDir: dir });
  fs.writeFileSync(path.join(dir, PLAN_SUMMARY), summary, { mode: 0o600 });
  e.log(`\n${summary}`);
  return manifest;
}

/** Reads and checks the manifest of `dir`. */
export function readPlanManifest(dir: string, env: string): PlanManifest {
  const file = path.join(dir, PLAN_MANIFEST);
  if (!fs.existsSync(file)) throw new StackRunError(`${file} does not exist: write the plans first with npm run plan -- ${env}`);
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as PlanManifest;
  if (manifest.version !== 1 || !Array.isArray(manifest.stacks)) throw new StackRunError(`${file} is not a plan manifest of this version`);
  if (manifest.env !== env) throw new StackRunError(`${file} holds the plans of ${manifest.env}, not of ${env}`);
  return manifest;
}

/**
 * `npm run deploy -- <env> --plan <dir>`: synthesizes, refuses before applying anything when a
 * stack's JSON or plan inputs differ from what its plan was made from, then applies each saved
 * plan in order with `terraform apply <planfile>` and deletes it (a saved plan holds secrets and
 * applies once). Resolves to the stacks applied.
 * @throws StackRunError naming the stack, the reason and the command to re-plan.
 */
export async function applyPlans(options: RunStacksOptions, exec: Exec): Promise<string[]> {
  const e = runEnv(options, exec);
  const dir = path.resolve(options.root, options.planDir!);
  const manifest = readPlanManifest(dir, options.env);
  await synthesize(e);
  const stacks = orderedStacks(readManifest(e.outdir), options.env, 'deploy');
  const replan = replanCommand(options);
  const names = stacks.map((s) => s.name);
  const recorded = manifest.stacks.map((s) => s.name);
  if (names.join(',') !== recorded.join(',')) {
    throw new StackRunError(
      `the plans in ${dir} are of the stacks ${recorded.join(', ')}, but ${options.env} now has ${names.join(', ')}. Nothing was applied. Plan again:\n  ${replan}`,
    );
  }
  const toApply = stacks
    .map((stack) => ({ stack, entry: manifest.stacks.find((s) => s.name === stack.name)! }))
    .filter(({ entry }) => entry.status === 'planned');
  if (toApply.length === 0) {
    const waiting = manifest.stacks.filter((s) => s.status === 'waiting');
    throw new StackRunError(
      `${dir} holds no plan to apply${waiting.length ? ` (${waiting.map((s) => s.name).join(', ')} still to plan)` : ''}. Plan again:\n  ${replan}`,
    );
  }
  // Every check first: nothing is applied unless every plan is what it claims to be, and no stack
  // that was current when planned has changed since (the plans after it were made against it).
  for (const stack of stacks) {
    const entry = manifest.stacks.find((s) => s.name === stack.name)!;
    if (entry.status !== 'planned' && entry.status !== 'current') continue;
    const now = jsonDigest(e, stack);
    if (now !== entry.stackJsonSha256) {
      throw new StackRunError(
        `${stack.name}: the plan was made from other synthesized JSON (cdk.tf.json sha256 ${entry.stackJsonSha256?.slice(0, 12)} planned, ${now.slice(0, 12)} now): the code or the configuration changed since the plan. Nothing was applied. Plan again and review:\n  ${replan}`,
      );
    }
  }
  let version: string | undefined;
  for (const { stack, entry } of toApply) {
    const stackDir = stackDirOf(e, stack);
    const planFile = path.join(dir, entry.planFile!);
    if (!fs.existsSync(planFile))
      throw new StackRunError(`${stack.name}: its saved plan ${planFile} is missing. Nothing was applied. Plan again:\n  ${replan}`);
    await tf(e, stackDir, ['init', '-input=false', '-no-color']);
    version ??= await tfVersion(e, stackDir);
    const inputs = planInputs(e, stackDir, version);
    if (inputsDigest(inputs) !== entry.inputsSha256) {
      throw new StackRunError(
        `${stack.name}: the plan was made with other inputs (${inputChanges(entry.inputs, inputs)}). Nothing was applied. Plan again and review:\n  ${replan}`,
      );
    }
  }
  const done: string[] = [];
  let entries = [...manifest.stacks];
  const record = (name: string) => {
    entries = entries.map((s) => (s.name === name ? { ...s, status: 'applied' as const, planFile: undefined } : s));
    fs.writeFileSync(path.join(dir, PLAN_MANIFEST), `${JSON.stringify({ ...manifest, stacks: entries }, null, 2)}\n`, { mode: 0o600 });
  };
  for (const { stack, entry } of toApply) {
    if (options.interrupted?.())
      throw new StackRunError(`interrupted before ${stack.name}; it and the stacks after it were not applied. To continue, run:\n  ${applyCommand(options)}`);
    e.log(`── apply ${stack.name} (${entry.summary})`);
    const planFile = path.join(dir, entry.planFile!);
    const result = await e.exec(options.tfBinary, ['apply', '-input=false', planFile], { cwd: stackDirOf(e, stack), tee: true });
    if (/Saved plan is stale/.test(result.stdout + result.stderr)) {
      throw new StackRunError(
        `${stack.name}: ${options.tfBinary} refused the saved plan: the state changed after it was planned (Saved plan is stale). Nothing of ${stack.name} was applied${done.length ? `; ${done.join(', ')} was` : ''}. Plan again and review:\n  ${replan}`,
      );
    }
    const why = failure(e, `${options.tfBinary} apply ${entry.planFile}`, result, [0]);
    if (why) {
      throw new StackRunError(
        `${stack.name}: apply did not finish: ${why}. Later stacks were not applied. A saved plan applies at most once: plan again (it adopts what the interrupted apply created) and review:\n  ${replan}`,
      );
    }
    fs.rmSync(planFile, { force: true });
    record(stack.name);
    done.push(stack.name);
  }
  const waiting = entries.filter((s) => s.status === 'waiting').map((s) => s.name);
  e.log(`deploy --plan: ${done.join(', ')} applied`);
  if (waiting.length > 0) e.log(`${waiting.join(', ')} plan against what was just applied: plan them now and review:\n  ${replan}`);
  return done;
}
