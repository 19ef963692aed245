/**
 * The stacks of one environment, read from the synthesized `cdktf.out/manifest.json`, in the order
 * they are deployed (dependencies first) or destroyed (dependants first).
 */
import * as fs from 'fs';
import * as path from 'path';

/** One synthesized stack, as the cdktf manifest describes it. */
export interface StackInfo {
  /** Stack name, `<env>-<layer>`. */
  readonly name: string;
  /** Names of the stacks it depends on. */
  readonly dependencies: readonly string[];
  /** Its Terraform working directory, relative to the output directory. */
  readonly workingDirectory: string;
}

/** The stacks listed in `<outdir>/manifest.json`. */
export function readManifest(outdir: string): StackInfo[] {
  const file = path.join(outdir, 'manifest.json');
  if (!fs.existsSync(file)) throw new Error(`${file} does not exist: synthesize first (run without --skip-synth)`);
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as { stacks?: Record<string, StackInfo> };
  return Object.values(manifest.stacks ?? {}).map((s) => ({ name: s.name, dependencies: [...(s.dependencies ?? [])], workingDirectory: s.workingDirectory }));
}

/** The environments the stacks belong to (the part of each stack name before its last `-`). */
export function environmentsOf(stacks: readonly StackInfo[]): string[] {
  return [...new Set(stacks.map((s) => s.name.replace(/-[^-]+$/, '')))].sort();
}

/**
 * The stacks of `env` in deploy order (every stack after the stacks it depends on; ties by name)
 * or, for `destroy`, the reverse.
 * @throws Error for an unknown environment, a dependency outside the environment or a cycle.
 */
export function orderedStacks(stacks: readonly StackInfo[], env: string, direction: 'deploy' | 'destroy'): StackInfo[] {
  const own = stacks.filter((s) => s.name.startsWith(`${env}-`) && s.name.slice(env.length + 1).indexOf('-') === -1);
  if (own.length === 0) {
    throw new Error(`unknown environment "${env}": the synthesized stacks belong to ${environmentsOf(stacks).join(', ') || 'no environment'}`);
  }
  const names = new Set(own.map((s) => s.name));
  for (const s of own) {
    const outside = s.dependencies.find((d) => !names.has(d));
    if (outside) throw new Error(`${s.name} depends on ${outside}, which is not a stack of ${env}`);
  }
  const ordered: StackInfo[] = [];
  const done = new Set<string>();
  let pending = [...own].sort((a, b) => a.name.localeCompare(b.name));
  while (pending.length > 0) {
    const ready = pending.filter((s) => s.dependencies.every((d) => done.has(d)));
    if (ready.length === 0) throw new Error(`the stacks ${pending.map((s) => s.name).join(', ')} depend on each other in a cycle`);
    for (const s of ready) {
      ordered.push(s);
      done.add(s.name);
    }
    pending = pending.filter((s) => !done.has(s.name));
  }
  return direction === 'deploy' ? ordered : ordered.reverse();
}
