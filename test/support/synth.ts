import { Testing, TerraformStack } from 'cdktf';
import { App } from 'cdktf';
import { ENVIRONMENTS, EnvironmentConfig, ValidEnvironment, loadEnvironments } from '../../environments';
import { EnvironmentStacks, addEnvironmentStacks } from '../../constructs/environment-stacks';

/** Synthesized Terraform JSON of one stack. */
export type TfJson = {
  terraform: Record<string, any>;
  provider?: Record<string, any[]>;
  resource?: Record<string, Record<string, any>>;
  data?: Record<string, Record<string, any>>;
  variable?: Record<string, any>;
  output?: Record<string, any>;
};

/** The shipped configuration of `name`, validated. */
export function environment(name: string): ValidEnvironment {
  const env = loadEnvironments(ENVIRONMENTS).find((e) => e.name === name);
  if (!env) throw new Error(`no environment ${name}`);
  return env;
}

/** A deep copy of the shipped raw configuration of `name`, for tests that break it. */
export function rawEnvironment(name: string): any {
  const env = ENVIRONMENTS.find((e) => e.name === name);
  if (!env) throw new Error(`no environment ${name}`);
  return structuredClone(env) as EnvironmentConfig;
}

/** The stacks of one environment in a fresh test app whose output directory is `cdktf.out`. */
export function environmentStacks(env: ValidEnvironment): EnvironmentStacks {
  const app: App = Testing.app({ outdir: 'cdktf.out' });
  return addEnvironmentStacks(app, env, process.cwd());
}

/** Synthesizes one stack and returns both the raw string (for matchers) and the parsed JSON. */
export function synth(stack: TerraformStack): { text: string; json: TfJson } {
  const text = Testing.synth(stack);
  return { text, json: JSON.parse(text) as TfJson };
}

/** The single resource of `type` in `json`, failing when there is not exactly one. */
export function only(json: TfJson, type: string): any {
  const all = Object.values(json.resource?.[type] ?? {});
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0];
}

/** All resources of `type` in `json`. */
export function all(json: TfJson, type: string): any[] {
  return Object.values(json.resource?.[type] ?? {});
}

/** The `kubernetes_manifest` objects of `kind`, keyed by `metadata.name`. */
export function manifests(json: TfJson, kind: string): Record<string, any> {
  return Object.fromEntries(
    all(json, 'kubernetes_manifest')
      .map((r) => r.manifest)
      .filter((m) => m.kind === kind)
      .map((m) => [m.metadata.name, m]),
  );
}
