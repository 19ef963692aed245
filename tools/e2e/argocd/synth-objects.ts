/**
 * MODE kubectl of the Argo CD e2e stage: creates (or deletes) with kubectl the Kubernetes objects
 * that `cdktf deploy` would create from the synthesized stacks, for machines without the pinned
 * Terraform providers.
 *
 *   synth-objects.ts create <cdktf.out> <stack prefix>   e.g. `create cdktf.out dev-`
 *   synth-objects.ts delete <cdktf.out> <stack prefix>   the same objects, in reverse order
 *
 * Generic over the resources of the stacks: `kubernetes_namespace_v1`, `kubernetes_secret_v1` and
 * `kubernetes_manifest` become objects (a Secret's write-only `data_wo` like `data`); `var.*`,
 * `ephemeral.random_password.<name>.result` and `random_bytes` feed their `${...}` expressions
 * (`TF_VAR_<name>` when set, else a fresh random value of the block's length and alphabet, one per
 * block and run, like Terraform's); other types are listed as not created. Stacks are taken in dependency
 * order (manifest.json), resources in `depends_on`/reference order; deletion reverses it, waiting
 * (bounded) for each object to be gone, like Terraform's destroy.
 */
import { execFileSync } from 'child_process';
import { randomBytes, randomInt } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** One Terraform resource of a synthesized stack. */
interface Resource {
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly stack: string;
  readonly config: JsonObject;
}

/** A Kubernetes object to create, with the resource it comes from. */
export interface PlannedObject {
  readonly address: string;
  readonly object: JsonObject;
}

const kubectlBin = process.env.E2E_KUBECTL_BIN ?? 'kubectl';
const DELETE_TIMEOUT = process.env.E2E_ARGOCD_DELETE_TIMEOUT ?? '180s';

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The stacks whose names start with `prefix`, dependencies first. */
export function stacksInOrder(outDir: string, prefix: string): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(outDir, 'manifest.json'), 'utf8'));
  const stacks: Record<string, { dependencies?: string[] }> = manifest.stacks;
  const ordered: string[] = [];
  const visit = (name: string): void => {
    if (ordered.includes(name) || !name.startsWith(prefix)) return;
    for (const dep of stacks[name]?.dependencies ?? []) visit(dep);
    ordered.push(name);
  };
  Object.keys(stacks).sort().forEach(visit);
  if (ordered.length === 0) throw new Error(`no stack named ${prefix}* in ${outDir}/manifest.json`);
  return ordered;
}

function readResources(outDir: string, stack: string): Resource[] {
  const json = JSON.parse(fs.readFileSync(path.join(outDir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
  const resources: Resource[] = [];
  for (const [type, byName] of Object.entries<Record<string, JsonObject>>(json.resource ?? {})) {
    for (const [name, config] of Object.entries(byName)) resources.push({ address: `${type}.${name}`, type, name, stack, config });
  }
  return resources;
}

/** Addresses a resource refers to: `depends_on` plus `${type.name...}` references. */
function dependenciesOf(resource: Resource, known: Set<string>): string[] {
  const deps = new Set<string>((resource.config.depends_on as string[] | undefined) ?? []);
  for (const match of JSON.stringify(resource.config).matchAll(/\b([a-z0-9_]+\.[A-Za-z0-9_-]+)\./g)) {
    if (known.has(match[1]) && match[1] !== resource.address) deps.add(match[1]);
  }
  return [...deps].filter((d) => known.has(d));
}

function topologicalOrder(resources: Resource[]): Resource[] {
  const byAddress = new Map(resources.map((r) => [r.address, r]));
  const known = new Set(byAddress.keys());
  const ordered: Resource[] = [];
  const visiting = new Set<string>();
  const visit = (r: Resource): void => {
    if (ordered.includes(r)) return;
    if (visiting.has(r.address)) throw new Error(`dependency cycle at ${r.address}`);
    visiting.add(r.address);
    for (const dep of dependenciesOf(r, known)) visit(byAddress.get(dep)!);
    visiting.delete(r.address);
    ordered.push(r);
  };
  resources.forEach(visit);
  return ordered;
}

/** Splits `a, f(b, c), d` at top-level commas. */
function splitArguments(text: string): string[] {
  const args: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === ',' && depth === 0) {
      args.push(current.trim());
      current = '';
      continue;
    }
    if (ch === '(' || ch === '[') depth++;
    if (ch === ')' || ch === ']') depth--;
    current += ch;
  }
  if (current.trim() !== '') args.push(current.trim());
  return args;
}

/** Evaluates the small subset of Terraform expressions the stacks use. */
/** The characters an `ephemeral "random_password"` block draws from (the provider's defaults). */
export function passwordAlphabet(config: JsonObject): string {
  const on = (key: string) => config[key] !== false;
  return [
    on('upper') ? 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' : '',
    on('lower') ? 'abcdefghijklmnopqrstuvwxyz' : '',
    on('numeric') ? '0123456789' : '',
    on('special') ? String(config.override_special ?? '!@#$%&*()-_=+[]{}<>:?') : '',
  ].join('');
}

/** The `ephemeral "random_password"` blocks of the stacks, by name. */
function readEphemeralPasswords(outDir: string, stacks: string[]): Map<string, JsonObject> {
  const blocks = new Map<string, JsonObject>();
  for (const stack of stacks) {
    const json = JSON.parse(fs.readFileSync(path.join(outDir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
    for (const [name, config] of Object.entries<JsonObject>(json.ephemeral?.random_password ?? {})) blocks.set(name, config);
  }
  return blocks;
}

class Evaluator {
  private readonly generated = new Map<string, string>();

  constructor(
    private readonly resources: Map<string, Resource>,
    private readonly passwords: Map<string, JsonObject> = new Map(),
  ) {}

  /**
   * Resolves every `${...}` in a value, and Terraform's escapes (`$${` and `%%{` are the literal
   * `${` and `%{`); a string that is one expression keeps the result's type.
   */
  resolve(value: Json): Json {
    if (typeof value === 'string') {
      const whole = /^\$\{(.*)\}$/s.exec(value);
      if (whole && !whole[1].includes('${')) return this.expression(whole[1].trim());
      return value.replace(/\$\$\{|%%\{|\$\{([^}]*)\}/g, (match: string, expr: string | undefined) =>
        match === '$${' ? '${' : match === '%%{' ? '%{' : String(this.expression((expr ?? '').trim())),
      );
    }
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(v)]));
    return value;
  }

  private expression(expr: string): Json {
    // `(x == null) ? a : b`: a credential that is never generated (empty until supplied).
    const conditional = /^\((.+?) == null\) \? (.+?) : (.+)$/s.exec(expr);
    if (conditional) return this.expression(conditional[1]) === null ? this.expression(conditional[2]) : this.expression(conditional[3]);
    const call = /^([a-z_]+)\((.*)\)$/s.exec(expr);
    if (call) {
      const args = splitArguments(call[2]).map((a) => this.expression(a));
      if (call[1] === 'coalesce') return args.find((a) => a !== null && a !== '') ?? null;
      throw new Error(`unsupported function ${call[1]}() in \${${expr}}`);
    }
    if (/^".*"$/s.test(expr)) return JSON.parse(expr);
    const variable = /^var\.([A-Za-z0-9_]+)$/.exec(expr);
    if (variable) return process.env[`TF_VAR_${variable[1]}`] ?? null;
    const password = /^ephemeral\.random_password\.([A-Za-z0-9_-]+)\.result$/.exec(expr);
    if (password) {
      const config = this.passwords.get(password[1]);
      if (!config) throw new Error(`no ephemeral random_password ${password[1]} in the stacks`);
      const key = `ephemeral.random_password.${password[1]}`;
      if (!this.generated.has(key)) {
        const alphabet = passwordAlphabet(config);
        this.generated.set(key, Array.from({ length: Number(config.length) }, () => alphabet[randomInt(alphabet.length)]).join(''));
      }
      return this.generated.get(key)!;
    }
    const reference = /^([a-z0-9_]+\.[A-Za-z0-9_-]+)((?:\.[A-Za-z0-9_]+|\[\d+\])+)$/.exec(expr);
    if (reference && this.resources.has(reference[1])) return this.attribute(this.resources.get(reference[1])!, reference[2]);
    throw new Error(`unsupported expression \${${expr}}`);
  }

  private attribute(resource: Resource, accessor: string): Json {
    if (resource.type === 'random_bytes' && accessor === '.hex') {
      if (!this.generated.has(resource.address)) {
        this.generated.set(resource.address, randomBytes(Number(resource.config.length)).toString('hex'));
      }
      return this.generated.get(resource.address)!;
    }
    // Terraform blocks are lists of one (`metadata[0].name`); the objects are plain maps.
    let value: Json = this.resolve(resource.config);
    for (const part of accessor.match(/\.[A-Za-z0-9_]+|\[\d+\]/g) ?? []) {
      if (part.startsWith('[')) {
        if (Array.isArray(value)) value = value[Number(part.slice(1, -1))];
        continue;
      }
      value = isObject(value) ? (value[part.slice(1)] ?? null) : null;
    }
    return value;
  }
}

function metadataOf(config: JsonObject): JsonObject {
  const metadata = config.metadata;
  return (Array.isArray(metadata) ? metadata[0] : metadata) as JsonObject;
}

function toObject(resource: Resource, evaluator: Evaluator): JsonObject | string {
  const config = evaluator.resolve(resource.config) as JsonObject;
  switch (resource.type) {
    case 'kubernetes_namespace_v1':
      return { apiVersion: 'v1', kind: 'Namespace', metadata: metadataOf(config) };
    case 'kubernetes_secret_v1': {
      // Terraform takes plain strings in `data` (or the write-only `data_wo`) and stores them base64-encoded.
      const data = Object.fromEntries(
        Object.entries((config.data_wo ?? config.data ?? {}) as JsonObject).map(([k, v]) => [k, Buffer.from(String(v ?? '')).toString('base64')]),
      );
      return { apiVersion: 'v1', kind: 'Secret', metadata: metadataOf(config), type: config.type ?? 'Opaque', data };
    }
    case 'kubernetes_manifest':
      return config.manifest as JsonObject;
    case 'random_bytes':
      return 'consumed by the expressions that reference it';
    default:
      return `no kubectl equivalent (${resource.type} is left to the stage or to Terraform)`;
  }
}

/** Every object the stacks `<prefix>*` create, in creation order, plus what is not created. */
export function planObjects(outDir: string, prefix: string): { objects: PlannedObject[]; skipped: string[] } {
  const stacks = stacksInOrder(outDir, prefix);
  const resources = stacks.flatMap((stack) => topologicalOrder(readResources(outDir, stack)));
  const evaluator = new Evaluator(new Map(resources.map((r) => [r.address, r])), readEphemeralPasswords(outDir, stacks));
  const objects: PlannedObject[] = [];
  const skipped: string[] = [];
  for (const resource of resources) {
    const result = toObject(resource, evaluator);
    if (typeof result === 'string') skipped.push(`${resource.stack}: ${resource.address}: ${result}`);
    else objects.push({ address: `${resource.stack}: ${resource.address}`, object: result });
  }
  return { objects, skipped };
}

function describe(object: JsonObject): string {
  const metadata = object.metadata as JsonObject;
  return `${object.kind} ${metadata.namespace ? `${metadata.namespace}/` : ''}${metadata.name}`;
}

function kubectl(args: string[], input?: string): void {
  execFileSync(kubectlBin, args, { input, stdio: ['pipe', 'ignore', 'inherit'] });
}

/** `kind/namespace/name` of what an Application deployed, from its status (empty if none). */
function deployedBy(name: string, namespace: string): { kind: string; group?: string; namespace?: string; name: string }[] {
  try {
    const app = JSON.parse(
      execFileSync(kubectlBin, ['get', 'applications.argoproj.io', name, '-n', namespace, '-o', 'json'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    );
    // Argo CD never deletes CustomResourceDefinitions with an Application (deleting one would
    // delete every custom resource of its kind in the cluster): they stay, by design.
    return (app.status?.resources ?? []).filter((r: { kind: string }) => r.kind !== 'CustomResourceDefinition');
  } catch {
    return [];
  }
}

function stillExists(r: { kind: string; group?: string; namespace?: string; name: string }): boolean {
  const kind = r.group ? `${r.kind.toLowerCase()}.${r.group}` : r.kind;
  const args = ['get', kind, r.name, '--ignore-not-found', '-o', 'name', ...(r.namespace ? ['-n', r.namespace] : [])];
  return execFileSync(kubectlBin, args, { encoding: 'utf8' }).trim() !== '';
}

function create(outDir: string, prefix: string): void {
  const { objects, skipped } = planObjects(outDir, prefix);
  for (const line of skipped) console.log(`e2e:    not created by kubectl: ${line}`);
  for (const { address, object } of objects) {
    kubectl(['create', '-f', '-'], JSON.stringify(object));
    console.log(`e2e:    created ${describe(object)} (${address})`);
  }
}

function remove(outDir: string, prefix: string): void {
  const { objects } = planObjects(outDir, prefix);
  for (const { address, object } of [...objects].reverse()) {
    const metadata = object.metadata as JsonObject;
    const started = Date.now();
    const args = ['delete', String(object.kind), String(metadata.name), '--ignore-not-found', '--wait=true', `--timeout=${DELETE_TIMEOUT}`];
    if (metadata.namespace) args.push('-n', String(metadata.namespace));
    if (object.apiVersion !== 'v1') args[1] = `${String(object.kind).toLowerCase()}.${String(object.apiVersion).split('/')[0]}`;
    // The resources finalizer: Argo CD deletes what the Application deployed before letting it go.
    const deployed = object.kind === 'Application' ? deployedBy(String(metadata.name), String(metadata.namespace)) : [];
    kubectl(args);
    const left = deployed.filter(stillExists);
    if (left.length > 0) throw new Error(`${describe(object)} is gone but not what it deployed: ${left.map((r) => `${r.kind}/${r.name}`).join(', ')}`);
    const note = object.kind === 'Application' ? `; Argo CD deleted its ${deployed.length} resources first` : '';
    console.log(`e2e:    deleted ${describe(object)} (${address}) in ${((Date.now() - started) / 1000).toFixed(1)}s${note}`);
  }
}

if (require.main === module) {
  const [command, outDir, prefix] = process.argv.slice(2);
  try {
    if (command === 'create' && outDir && prefix) create(outDir, prefix);
    else if (command === 'delete' && outDir && prefix) remove(outDir, prefix);
    else if (command === 'print' && outDir && prefix) console.log(JSON.stringify(planObjects(outDir, prefix), null, 2));
    else {
      console.error('usage: synth-objects.ts create|delete|print <cdktf.out> <stack prefix>');
      process.exitCode = 2;
    }
  } catch (err) {
    console.error(`e2e: FAIL: synth-objects ${command}: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}
