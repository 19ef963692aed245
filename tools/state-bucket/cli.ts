/**
 * `npm run state-bucket -- <env>`: creates the S3 bucket (and its KMS key) that the environment's
 * stacks keep their state in, once per account, before the first deploy. It synthesizes the
 * `<env>-state` stack (stacks/state-stack.ts) into `cdktf.out/state-bucket` and runs
 * `terraform init` and `terraform apply` there; terraform shows the plan and asks before it
 * changes anything. The stack's own state stays in `terraform.<env>-state.tfstate` (docs/eks.md#the-state-bucket).
 *
 * Exit status 0 when the apply finished, 2 for bad usage, 1 for anything else (configuration, terraform).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import { CATALOG } from '../../apps/catalog';
import { ENVIRONMENTS, loadEnvironments } from '../../environments';
import { StateStack } from '../../stacks/state-stack';
import { Exec, spawnExec } from '../deploy/exec';

const USAGE = 'usage: npm run state-bucket -- <env>';

/** Options of {@link createStateBucket}. */
export interface StateBucketOptions {
  /** The environment whose `state` names the bucket. */
  readonly env: string;
  /** Repository root. */
  readonly root: string;
  /** terraform/tofu. */
  readonly tfBinary: string;
  /**
   * Environment variables the environments are read with (overrides).
   * @default process.env
   */
  readonly variables?: NodeJS.ProcessEnv;
  readonly log?: (line: string) => void;
}

/** The directory the `<env>-state` stack is synthesized into. */
export function stateStackDir(root: string, env: string): string {
  return path.join(root, 'cdktf.out', 'state-bucket', 'stacks', `${env}-state`);
}

/**
 * Parses `<env>`.
 * @throws Error with the usage for anything else.
 */
export function parseStateBucketArgs(argv: readonly string[]): string {
  if (argv.length !== 1 || argv[0].startsWith('-')) throw new Error(USAGE);
  if (!/^[a-z][a-z0-9]{0,30}$/.test(argv[0])) throw new Error(`environment: must be lowercase letters and digits (got "${argv[0]}")`);
  return argv[0];
}

/**
 * Synthesizes `<env>-state` and applies it with terraform/tofu (which asks before it changes anything).
 * @throws Error for an unknown environment or one without S3 state (nothing synthesized), or when terraform did not finish.
 */
export async function createStateBucket(options: StateBucketOptions, exec: Exec): Promise<void> {
  const v = options.variables ?? process.env;
  const environments = loadEnvironments(ENVIRONMENTS, CATALOG, {
    GITOPS_REPO_URL: v.GITOPS_REPO_URL,
    GITOPS_REVISION: v.GITOPS_REVISION,
    PLATFORM_OVERRIDES_FILE: v.PLATFORM_OVERRIDES_FILE,
  });
  const environment = environments.find((e) => e.name === options.env);
  if (!environment) throw new Error(`unknown environment "${options.env}": the environments are ${environments.map((e) => e.name).join(', ')}`);
  const state = environment.state;
  if (state.backend !== 's3') throw new Error(`${options.env}.state.backend: must be "s3" for a state bucket (got "${state.backend}")`);
  const outdir = path.join(options.root, 'cdktf.out', 'state-bucket');
  fs.mkdirSync(outdir, { recursive: true });
  const app = new App({ outdir, stackTraces: false });
  new StateStack(app, `${options.env}-state`, { bucket: state.bucket, region: state.region, tags: { 'llm-platform/environment': options.env } });
  app.synth();
  const cwd = stateStackDir(options.root, options.env);
  const log = options.log ?? ((l: string) => console.error(l));
  for (const args of [['init', '-input=false'], ['apply']]) {
    log(`── ${options.tfBinary} ${args.join(' ')} (${path.relative(options.root, cwd)})`);
    const result = await exec(options.tfBinary, args, { cwd, passThrough: true });
    if (result.signal) throw new Error(`\`${options.tfBinary} ${args[0]}\` was killed by ${result.signal}; run npm run state-bucket -- ${options.env} again`);
    if (result.code !== 0) throw new Error(`\`${options.tfBinary} ${args[0]}\` exited with ${result.code}; nothing more was done`);
  }
  log(`s3://${state.bucket} is ready. Keep terraform.${options.env}-state.tfstate (it holds no secret): it is the only record of the bucket in Terraform.`);
}

async function main(): Promise<number> {
  let env: string;
  try {
    env = parseStateBucketArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  try {
    await createStateBucket({ env, root: process.cwd(), tfBinary: process.env.TERRAFORM_BINARY_NAME || 'terraform' }, spawnExec);
    return 0;
  } catch (err) {
    console.error(`\n✗ ${(err as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  main().then((code) => process.exit(code));
}
