/**
 * The one synth helper of the test suite: builds environments or single constructs in a test app
 * and returns the synthesized Terraform JSON with small accessors.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
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

/** The synthesized stacks of one environment: `cluster` only on EKS. */
export interface EnvironmentSynth {
  readonly cluster?: Synth;
  readonly platform: Synth;
  readonly apps: Synth;
}

type StackTexts = { cluster?: string; platform: string; apps: string };

const fromTexts = (texts: StackTexts): EnvironmentSynth => ({
  ...(texts.cluster === undefined ? {} : { cluster: new Synth(texts.cluster, JSON.parse(texts.cluster) as TfJson) }),
  platform: new Synth(texts.platform, JSON.parse(texts.platform) as TfJson),
  apps: new Synth(texts.apps, JSON.parse(texts.apps) as TfJson),
});

/**
 * Where this run shares synthesized stacks between its test files: the run's own temporary folder
 * (test/support/tmpdir-setup.js), so nothing outlives the run; undefined outside such a run.
 */
function runShare(): string | undefined {
  return process.env.GITOPS_LLM_OUTER_TMPDIR ? path.join(os.tmpdir(), 'synthesized-environments') : undefined;
}

/**
 * The stacks of an environment of this checkout, synthesized. With the shipped catalog and
 * repository, the first test file of a run that asks synthesizes and the others read its output:
 * keyed by the validated configuration (and the repository), so a changed one is synthesized anew.
 */
export function synthEnvironment(name: string, options: { catalog?: readonly AppDefinition[]; repoRoot?: string } = {}): EnvironmentSynth {
  const env = environment(name, options.catalog);
  const share = options.catalog || options.repoRoot ? undefined : runShare();
  const key =
    share &&
    createHash('sha256')
      .update(JSON.stringify([process.cwd(), env]))
      .digest('hex')
      .slice(0, 16);
  const file = share && path.join(share, `${name}-${key}.json`);
  if (file && fs.existsSync(file)) return fromTexts(JSON.parse(fs.readFileSync(file, 'utf8')) as StackTexts);
  const stacks = environmentStacks(env, options);
  const texts: StackTexts = {
    ...(stacks.cluster ? { cluster: Testing.synth(stacks.cluster as any) } : {}),
    platform: Testing.synth(stacks.platform as any),
    apps: Testing.synth(stacks.apps as any),
  };
  if (share && file) {
    fs.mkdirSync(share, { recursive: true });
    // Whole or absent for a reader in another worker.
    const partial = `${file}.${process.pid}`;
    fs.writeFileSync(partial, JSON.stringify(texts));
    fs.renameSync(partial, file);
  }
  return fromTexts(texts);
}

/** All resources of `type` in `json`. */
export const all = (json: TfJson, type: string): any[] => new Synth('', json).all(type);
/** The single resource of `type` in `json`. */
export const only = (json: TfJson, type: string): any => new Synth('', json).only(type);
/** The `kubernetes_manifest` objects of `kind` in `json`, keyed by `metadata.name`. */
export const manifests = (json: TfJson, kind: string): Record<string, any> => new Synth('', json).manifests(kind);
