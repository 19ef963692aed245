/**
 * Facts the e2e test derives from the synthesized JSON of the dev stacks (`<outdir>/stacks/dev-*`),
 * so that no script repeats a name, version or namespace of the product:
 *
 *   synth.ts providers <outdir>                     namespace/type=version of every required provider
 *   synth.ts argocd-chart-version <outdir>          version of the Argo CD helm_release
 *   synth.ts credential-variable <outdir> <KEY>     the variable that supplies a Secret key
 *   synth.ts validation-message <outdir> <var>      the error message of a variable's validation
 *   synth.ts finalized-manifests <outdir>           "<kind>.<group> <namespace> <name>" of every
 *                                                   kubernetes_manifest object with finalizers
 *   synth.ts secrets <outdir>                       "<namespace> <name>" of every Secret
 *   synth.ts outputs <outdir>                       every output name
 *   synth.ts stacks-within <outdir> <spec>...       "<stack> ok" for every stack (any environment)
 *                                                   whose providers are all among the given
 *                                                   namespace/type=version, else "<stack> <missing>"
 */
import * as fs from 'fs';
import * as path from 'path';

/** The stacks the e2e deploys (the README's `cdktf deploy 'dev-*'`). */
export const STACK_PREFIX = 'dev-';
/** The chart name of Argo CD's Helm repository, replaced by the e2e's stand-in. */
export const ARGOCD_CHART = 'argo-cd';

export interface Stack {
  readonly name: string;
  readonly json: any;
}

export interface Resource {
  readonly stack: string;
  readonly type: string;
  readonly id: string;
  readonly body: any;
}

export function devStacks(outdir: string): Stack[] {
  return allStacks(outdir, STACK_PREFIX);
}

export function allStacks(outdir: string, prefix = ''): Stack[] {
  const dir = path.join(outdir, 'stacks');
  const names = fs
    .readdirSync(dir)
    .filter((n) => n.startsWith(prefix))
    .sort();
  if (names.length === 0) throw new Error(`no ${prefix}* stack in ${dir}`);
  return names.map((name) => ({ name, json: JSON.parse(fs.readFileSync(path.join(dir, name, 'cdk.tf.json'), 'utf8')) }));
}

export function resources(stacks: Stack[], type: string): Resource[] {
  return stacks.flatMap((s) => Object.entries<any>(s.json.resource?.[type] ?? {}).map(([id, body]) => ({ stack: s.name, type, id, body })));
}

/** `namespace/type=version` of every provider the stacks require, sorted and unique. */
export function requiredProviders(stacks: Stack[]): string[] {
  const specs = stacks.flatMap((s) => Object.values<any>(s.json.terraform?.required_providers ?? {}).map((p) => `${p.source}=${p.version}`));
  return [...new Set(specs)].sort();
}

/** Resolves `${<type>.<id>.metadata[0].name}` to that resource's name; other strings pass through. */
export function resolveName(stacks: Stack[], value: string): string {
  const ref = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.metadata\[0\]\.name\}$/.exec(value);
  if (!ref) return value;
  const target = resources(stacks, ref[1]).find((r) => r.id === ref[2]);
  if (!target) throw new Error(`unresolvable reference ${value}`);
  return target.body.metadata.name;
}

export function isInterpolated(value: unknown): boolean {
  return typeof value === 'string' && value.includes('${');
}

export interface HelmRelease {
  readonly name: string;
  readonly namespace: string;
  readonly chart: string;
  readonly version: string;
}

export function helmReleases(stacks: Stack[]): HelmRelease[] {
  return resources(stacks, 'helm_release').map(({ body }) => ({
    name: body.name,
    namespace: resolveName(stacks, body.namespace ?? 'default'),
    chart: body.chart,
    version: body.version,
  }));
}

/** The Argo CD release: its chart is `argo-cd` (or the e2e's stand-in directory of that name). */
export function argocdRelease(stacks: Stack[]): HelmRelease {
  const found = helmReleases(stacks).filter((r) => path.basename(r.chart) === ARGOCD_CHART);
  if (found.length !== 1) throw new Error(`expected one helm_release of chart ${ARGOCD_CHART}, found ${found.length}`);
  if (!found[0].version) throw new Error(`the ${ARGOCD_CHART} helm_release pins no version`);
  return found[0];
}

export interface SecretSpec {
  readonly name: string;
  readonly namespace: string;
  /** Literal values of the synthesized Secret (connection settings, …). */
  readonly literals: Record<string, string>;
  /**
   * Keys whose values Terraform computes (variables, random_*): the credentials, and the settings
   * built from one (`template` is the synthesized value, e.g. a URI around a password).
   */
  readonly credentials: Record<string, { readonly variables: string[]; readonly template: string }>;
}

export function secrets(stacks: Stack[]): SecretSpec[] {
  return resources(stacks, 'kubernetes_secret_v1').map(({ body }) => {
    const literals: Record<string, string> = {};
    const credentials: Record<string, { variables: string[]; template: string }> = {};
    // Write-only data (`data_wo`) holds the same expressions `data` did; neither holds a value.
    for (const [key, value] of Object.entries<string>(body.data_wo ?? body.data ?? {})) {
      if (isInterpolated(value)) credentials[key] = { variables: [...value.matchAll(/\bvar\.([A-Za-z0-9_-]+)/g)].map((m) => m[1]), template: value };
      else literals[key] = value;
    }
    return { name: body.metadata.name, namespace: resolveName(stacks, body.metadata.namespace ?? 'default'), literals, credentials };
  });
}

/** The one variable that supplies Secret key `key`. */
export function credentialVariable(stacks: Stack[], key: string): string {
  const vars = secrets(stacks).flatMap((s) => s.credentials[key]?.variables ?? []);
  if (vars.length !== 1) throw new Error(`expected one variable supplying ${key}, found ${vars.join(', ') || 'none'}`);
  return vars[0];
}

export function variable(stacks: Stack[], name: string): any {
  const found = stacks.map((s) => s.json.variable?.[name]).filter((v) => v !== undefined);
  if (found.length !== 1) throw new Error(`expected one variable ${name}, found ${found.length}`);
  return found[0];
}

/** The RE2 pattern in a variable's `can(regex("<pattern>", var.x))` validation, if any. */
export function validationPattern(stacks: Stack[], name: string): RegExp | undefined {
  for (const v of variable(stacks, name).validation ?? []) {
    const m = /regex\("((?:[^"\\]|\\.)*)"/.exec(v.condition);
    if (m) return new RegExp(JSON.parse(`"${m[1]}"`));
  }
  return undefined;
}

export interface Manifest {
  readonly kind: string;
  readonly group: string;
  readonly namespace: string;
  readonly name: string;
  readonly body: any;
}

export function manifests(stacks: Stack[]): Manifest[] {
  return resources(stacks, 'kubernetes_manifest').map(({ body }) => {
    const m = body.manifest;
    const group = m.apiVersion.includes('/') ? m.apiVersion.split('/')[0] : '';
    return { kind: m.kind, group, namespace: resolveName(stacks, m.metadata.namespace ?? 'default'), name: m.metadata.name, body: m };
  });
}

/** `kind.group` as kubectl accepts it. */
export function resourceName(m: Manifest): string {
  return m.group ? `${m.kind.toLowerCase()}.${m.group}` : m.kind.toLowerCase();
}

export function namespaces(stacks: Stack[]): { name: string; labels: Record<string, string> }[] {
  return resources(stacks, 'kubernetes_namespace_v1').map(({ body }) => ({ name: body.metadata.name, labels: body.metadata.labels ?? {} }));
}

function main(argv: string[]): void {
  const [command, outdir, arg, ...rest] = argv;
  if (!outdir) throw new Error('usage: synth.ts <command> <outdir> [arg...]');
  if (command === 'stacks-within') {
    const given = new Set([arg, ...rest]);
    for (const stack of allStacks(outdir)) {
      const missing = requiredProviders([stack]).filter((p) => !given.has(p));
      console.log(`${stack.name} ${missing.length ? missing.join(',') : 'ok'}`);
    }
    return;
  }
  const stacks = devStacks(outdir);
  const lines: string[] = (() => {
    switch (command) {
      case 'providers':
        return requiredProviders(stacks);
      case 'argocd-chart-version':
        return [argocdRelease(stacks).version];
      case 'credential-variable':
        return [credentialVariable(stacks, arg)];
      case 'validation-message': {
        const messages = (variable(stacks, arg).validation ?? []).map((v: any) => v.error_message);
        if (messages.length !== 1) throw new Error(`expected one validation of ${arg}, found ${messages.length}`);
        return messages;
      }
      case 'finalized-manifests':
        return manifests(stacks)
          .filter((m) => (m.body.metadata.finalizers ?? []).length > 0)
          .map((m) => `${resourceName(m)} ${m.namespace} ${m.name}`);
      case 'secrets':
        return secrets(stacks).map((s) => `${s.namespace} ${s.name}`);
      case 'outputs':
        return stacks.flatMap((s) => Object.keys(s.json.output ?? {}));
      default:
        throw new Error(`unknown command ${command}`);
    }
  })();
  for (const line of lines) console.log(line);
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    console.error(`synth.ts: ${(err as Error).message}`);
    process.exit(1);
  }
}
