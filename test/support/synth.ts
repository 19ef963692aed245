/**
 * The one synth helper of the test suite: builds environments or single constructs in a test app
 * and returns the synthesized Terraform JSON with small accessors.
 */
import { App, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { CATALOG } from '../../apps/catalog';
import { AppDefinition } from '../../contracts/app-definition';
import { EnvironmentStacks, addEnvironmentStacks } from '../../stacks/environment-stacks';
import { ValidEnvironment } from '../../environments';
import { environment } from './environments';

export { environment, rawEnvironment } from './environments';

/** Synthesized Terraform JSON of one stack. */
export type TfJson = {
  terraform: Record<string, any>;
  provider?: Record<string, any[]>;
  resource?: Record<string, Record<string, any>>;
  data?: Record<string, Record<string, any>>;
  variable?: Record<string, any>;
  output?: Record<string, any>;
};

/** The stacks of one environment in a fresh test app whose output directory is `cdktf.out`. */
export function environmentStacks(env: ValidEnvironment, options: { catalog?: readonly AppDefinition[]; repoRoot?: string } = {}): EnvironmentStacks {
  const app: App = Testing.app({ outdir: 'cdktf.out' });
  return addEnvironmentStacks(app, env, { catalog: options.catalog ?? CATALOG, repoRoot: options.repoRoot ?? process.cwd() });
}

/** A synthesized stack: the raw string (for cdktf's matchers) and the parsed JSON with accessors. */
export class Synth {
  constructor(
    public readonly text: string,
    public readonly json: TfJson,
  ) {}

  /** All resources of `type`. */
  all(type: string): any[] {
    return Object.values(this.json.resource?.[type] ?? {});
  }

  /** The single resource of `type`, failing when there is not exactly one. */
  only(type: string): any {
    const all = this.all(type);
    if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
    return all[0];
  }

  /** The `kubernetes_manifest` objects of `kind`, keyed by `metadata.name`. */
  manifests(kind: string): Record<string, any> {
    return Object.fromEntries(
      this.all('kubernetes_manifest')
        .map((r) => r.manifest)
        .filter((m) => m.kind === kind)
        .map((m) => [m.metadata.name, m]),
    );
  }

  /** The address (`type.id`) of the resource of `type` for which `match` holds. */
  address(type: string, match: (resource: any) => boolean): string {
    const id = Object.keys(this.json.resource?.[type] ?? {}).find((key) => match(this.json.resource![type][key]));
    if (!id) throw new Error(`no ${type} matches`);
    return `${type}.${id}`;
  }
}

/** Synthesizes one stack. */
export function synth(stack: Construct): Synth {
  const text = Testing.synth(stack as any);
  return new Synth(text, JSON.parse(text) as TfJson);
}

/** Synthesizes the constructs `build` adds to a fresh test stack. */
export function synthScope(build: (scope: Construct) => void): Synth {
  const text = Testing.synthScope(build);
  return new Synth(text, JSON.parse(text) as TfJson);
}

/** The stacks of a shipped environment, synthesized: `cluster` only on EKS. */
export function synthEnvironment(name: string, options: { catalog?: readonly AppDefinition[]; repoRoot?: string } = {}) {
  const stacks = environmentStacks(environment(name, options.catalog), options);
  return {
    stacks,
    cluster: stacks.cluster ? synth(stacks.cluster) : undefined,
    platform: synth(stacks.platform),
    apps: synth(stacks.apps),
  };
}

/** All resources of `type` in `json`. */
export const all = (json: TfJson, type: string): any[] => new Synth('', json).all(type);
/** The single resource of `type` in `json`. */
export const only = (json: TfJson, type: string): any => new Synth('', json).only(type);
/** The `kubernetes_manifest` objects of `kind` in `json`, keyed by `metadata.name`. */
export const manifests = (json: TfJson, kind: string): Record<string, any> => new Synth('', json).manifests(kind);
