/**
 * The documented way to plan, deploy and destroy an environment:
 *
 *   npm run plan    -- <env> [--out <dir>] [--recover-helm] [--context <kube context>]
 *   npm run deploy  -- <env> --plan <dir> [--context <kube context>]
 *   npm run deploy  -- <env> [--recover-helm] [--context <kube context>]
 *   npm run destroy -- <env> [--remove-finalizers] [--wait-seconds <n>] [--context <kube context>]
 *
 * terraform/tofu is TERRAFORM_BINARY_NAME (default `terraform`), kubectl is KUBECTL (default
 * `kubectl`). Exit status 0 when every stack finished, 1 at the first that did not (the message
 * names the command that recovers), 2 for bad usage. See docs/interrupted-runs.md.
 */
import { spawnExec } from './exec';
import { runStacks } from './run-stacks';
import { applyPlans, planStacks } from './saved-plans';

const USAGE = `usage: npm run plan -- <env> [--out <dir>] [--recover-helm] [--context <ctx>]
       npm run deploy -- <env> --plan <dir> [--context <ctx>]
       npm run deploy -- <env> [--recover-helm] [--context <ctx>]
       npm run destroy -- <env> [--remove-finalizers] [--wait-seconds <n>] [--context <ctx>]`;

/** Parsed command line. */
export interface CliArgs {
  readonly command: 'deploy' | 'destroy' | 'plan';
  readonly env: string;
  readonly recoverHelm: boolean;
  readonly removeFinalizers: boolean;
  readonly waitSeconds: number;
  readonly context?: string;
  /** plan: where the plans go (`--out`); deploy: the plans to apply (`--plan`). */
  readonly planDir?: string;
  readonly skipSynth: boolean;
  /** The flags to repeat in recovery hints. */
  readonly hintFlags: string[];
}

/**
 * Parses `<plan|deploy|destroy> <env> [flags]`.
 * @throws Error with the usage for anything else.
 */
export function parseArgs(argv: readonly string[]): CliArgs {
  const [command, ...rest] = argv;
  if (command !== 'deploy' && command !== 'destroy' && command !== 'plan')
    throw new Error(`unknown command "${command ?? ''}": expected plan, deploy or destroy\n${USAGE}`);
  let env: string | undefined;
  let recoverHelm = false;
  let removeFinalizers = false;
  let waitSeconds = 300;
  let context: string | undefined;
  let planDir: string | undefined;
  let skipSynth = false;
  const hintFlags: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${arg}: needs a value\n${USAGE}`);
      return v;
    };
    if (arg === '--recover-helm' && command !== 'destroy') recoverHelm = true;
    else if ((arg === '--out' && command === 'plan') || (arg === '--plan' && command === 'deploy')) {
      planDir = value();
      if (!/^[A-Za-z0-9._/-]{1,255}$/.test(planDir))
        throw new Error(`${arg}: must be a directory path of letters, digits, ".", "_", "-" and "/" (got "${planDir}")`);
      if (command === 'plan') hintFlags.push(arg, planDir);
    } else if (arg === '--remove-finalizers' && command === 'destroy') removeFinalizers = true;
    else if (arg === '--wait-seconds' && command === 'destroy') {
      const v = value();
      if (!/^\d{1,5}$/.test(v)) throw new Error(`--wait-seconds: must be a whole number of seconds (got "${v}")`);
      waitSeconds = Number(v);
      hintFlags.push(arg, v);
    } else if (arg === '--context') {
      context = value();
      if (!/^[A-Za-z0-9@:._/-]{1,253}$/.test(context)) throw new Error(`--context: must be a kube context name (got "${context}")`);
      hintFlags.push(arg, context);
    } else if (arg === '--skip-synth') skipSynth = true;
    else if (!arg.startsWith('-') && env === undefined) {
      if (!/^[a-z][a-z0-9]{0,30}$/.test(arg)) throw new Error(`environment: must be lowercase letters and digits (got "${arg}")`);
      env = arg;
    } else throw new Error(`unknown argument "${arg}" for ${command}\n${USAGE}`);
  }
  if (!env) throw new Error(`missing environment\n${USAGE}`);
  if (planDir !== undefined && command === 'deploy' && recoverHelm)
    throw new Error(
      `--recover-helm: not with --plan: a saved plan applies to the state it was planned against; recover with npm run plan -- ${env} --recover-helm`,
    );
  return { command, env, recoverHelm, removeFinalizers, waitSeconds, context, planDir, skipSynth, hintFlags };
}

async function main(): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  let interrupted = false;
  // Ctrl-C reaches cdktf and terraform/tofu too; wait for them to stop and report, do not die first.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => (interrupted = true));
  try {
    const run = args.command === 'plan' ? planStacks : args.planDir !== undefined ? applyPlans : runStacks;
    await run(
      {
        command: args.command,
        env: args.env,
        root: process.cwd(),
        skipSynth: args.skipSynth,
        tfBinary: process.env.TERRAFORM_BINARY_NAME || 'terraform',
        kubectl: process.env.KUBECTL || 'kubectl',
        recoverHelm: args.recoverHelm,
        removeFinalizers: args.removeFinalizers,
        waitSeconds: args.waitSeconds,
        context: args.context,
        planDir: args.planDir,
        hintFlags: args.hintFlags,
        interrupted: () => interrupted,
      },
      spawnExec,
    );
    return 0;
  } catch (err) {
    console.error(`\n✗ ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

if (require.main === module) {
  main().then((code) => process.exit(code));
}
