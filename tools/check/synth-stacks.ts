import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Finding, NotChecked } from './findings';
import { StackFile } from './terraform-stacks';
import type { BuildAppOptions } from '../../main';

/** Stacks to check, or why there are none: a NOT CHECKED item, or a finding (synthesis failed). */
export type StacksResult =
  | { ok: true; stacks: StackFile[]; findings: Finding[]; description: string }
  | { ok: false; notChecked?: NotChecked; finding?: Finding };

/** What goes unchecked without synthesized stacks; named in the NOT CHECKED line. */
const STACK_CHECKS = 'synthesized stacks (Argo CD manifests, Application values, helm_release and provider pins)';

/**
 * Runs `fn` with V8's own stack trace formatting instead of a source-map-mapped one (jest and
 * source-map-support install such). cdktf captures a full stack trace for every token it creates; mapping
 * thousands of them through source maps costs ~0.5 s, and the check never shows them.
 */
function withPlainStackTraces<T>(fn: () => T): T {
  const errorClass = Error as { prepareStackTrace?: unknown };
  const previous = errorClass.prepareStackTrace;
  errorClass.prepareStackTrace = undefined;
  try {
    return fn();
  } finally {
    errorClass.prepareStackTrace = previous;
  }
}

/**
 * Reads `<dir>/stacks/<stack>/cdk.tf.json` for every stack (also accepts the `stacks` directory
 * itself). `displayDir` replaces `dir` in the file names shown in findings.
 */
export function readSynthDir(dir: string, displayDir: string): { stacks: StackFile[]; findings: Finding[] } {
  const stacksDir = fs.existsSync(path.join(dir, 'stacks')) ? path.join(dir, 'stacks') : dir;
  const displayStacks = stacksDir === dir ? displayDir : `${displayDir}/stacks`;
  const stacks: StackFile[] = [];
  const findings: Finding[] = [];
  if (!fs.existsSync(stacksDir)) return { stacks, findings };
  for (const stack of fs.readdirSync(stacksDir).sort()) {
    const jsonFile = path.join(stacksDir, stack, 'cdk.tf.json');
    if (!fs.existsSync(jsonFile)) continue;
    const file = `${displayStacks}/${stack}/cdk.tf.json`;
    try {
      stacks.push({ stack, file, json: JSON.parse(fs.readFileSync(jsonFile, 'utf8')) });
    } catch (error) {
      findings.push({ file, path: '', message: `invalid JSON: ${(error as Error).message}` });
    }
  }
  return { stacks, findings };
}

/** Stacks from an existing synth output directory (`--synth-dir`). */
export function stacksFromDir(dir: string, displayDir: string): StacksResult {
  if (!fs.existsSync(dir)) return { ok: false, notChecked: { subject: STACK_CHECKS, reason: `${displayDir} does not exist` } };
  const { stacks, findings } = readSynthDir(dir, displayDir);
  if (stacks.length === 0 && findings.length === 0) {
    return { ok: false, notChecked: { subject: STACK_CHECKS, reason: `no <stack>/cdk.tf.json under ${displayDir}` } };
  }
  return { ok: true, stacks, findings, description: `read from ${displayDir}` };
}

/**
 * Synthesizes the app in-process: `require(<repoRoot>/main.ts).buildApp({ outdir }).synth()` into a
 * temporary directory, then reads the stacks. Findings name the files as `cdktf.out/stacks/...`,
 * where `cdktf synth` would write them. A missing main.ts or buildApp export is NOT CHECKED; a
 * throwing buildApp (invalid configuration) is a finding.
 */
export function synthesizeStacks(repoRoot: string): StacksResult {
  const mainFile = path.join(repoRoot, 'main.ts');
  if (!fs.existsSync(mainFile)) {
    return { ok: false, notChecked: { subject: STACK_CHECKS, reason: `${mainFile} not found (or pass --synth-dir <cdktf.out>)` } };
  }
  let buildApp: unknown;
  try {
    buildApp = withPlainStackTraces(() => (require(mainFile) as { buildApp?: unknown }).buildApp);
  } catch (error) {
    return { ok: false, finding: { file: 'main.ts', path: '', message: `cannot load main.ts: ${firstLine(error)}` } };
  }
  if (typeof buildApp !== 'function') {
    return { ok: false, notChecked: { subject: STACK_CHECKS, reason: 'main.ts does not export buildApp(options?: { outdir?: string; env?: NodeJS.ProcessEnv }): App' } };
  }
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-synth-'));
  try {
    withPlainStackTraces(() => (buildApp as (options: BuildAppOptions) => { synth(): void })({ outdir, repoRoot }).synth());
    const { stacks, findings } = readSynthDir(outdir, 'cdktf.out');
    if (stacks.length === 0) return { ok: false, notChecked: { subject: STACK_CHECKS, reason: 'buildApp().synth() produced no stacks' } };
    return { ok: true, stacks, findings, description: 'synthesized in-process from main.ts' };
  } catch (error) {
    return { ok: false, finding: { file: 'main.ts', path: '', message: `buildApp().synth() failed: ${firstLine(error)}` } };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
