/**
 * Secret hygiene of a real plan: no credential value may appear in `<cli> show -json <plan>` except
 * inside values Terraform itself marks sensitive.
 *
 *   plan-secrets.ts check <outdir> <plan.json>...
 *       the credentials are the live values of every computed key of the synthesized Secrets (read
 *       with kubectl) plus the TF_VAR_<variable> values supplied for them; each must be found in at
 *       least one plan (else the check looked in the wrong place), and only in sensitive values.
 *   plan-secrets.ts --selftest
 *       shows that the walker fails on planted leaks and passes on sensitive-only placements.
 *
 * Skipped (Terraform marks them sensitive): the leaves of `values` that `sensitive_values` marks
 * (resources of `prior_state` and `planned_values`, child modules included); the leaves of
 * `change.before`/`change.after` that `before_sensitive`/`after_sensitive` mark (`resource_changes`,
 * `resource_drift`, …); root `variables` declared sensitive in `configuration.root_module.variables`.
 * Everything else is searched, outputs included even when declared sensitive: an output is printed
 * by `output -raw` whatever its flag. Each credential is searched as is, base64-encoded, and, when
 * it is hex, as the base64 of its bytes (random_bytes.base64). Values are never printed.
 */
import { execFileSync } from 'child_process';
import { devStacks, secrets } from './synth';

export interface Credential {
  readonly label: string;
  readonly value: string;
}

export interface ScanResult {
  /** `<json path> holds <label>` for every non-sensitive occurrence. */
  readonly leaks: string[];
  /** Occurrences inside sensitive values, by label. */
  readonly sensitiveHits: Map<string, number>;
}

function variants(value: string): string[] {
  const forms = [value, Buffer.from(value, 'utf8').toString('base64')];
  if (/^(?:[0-9a-fA-F]{2})+$/.test(value)) forms.push(Buffer.from(value, 'hex').toString('base64'));
  return forms;
}

export function scanPlan(plan: any, credentials: readonly Credential[]): ScanResult {
  const needles = credentials.flatMap((c) => variants(c.value).map((form) => ({ label: c.label, form })));
  const leaks: string[] = [];
  const sensitiveHits = new Map<string, number>();
  const sensitiveVariables = new Set(
    Object.entries<any>(plan?.configuration?.root_module?.variables ?? {})
      .filter(([, v]) => v?.sensitive === true)
      .map(([name]) => name),
  );

  const labelsIn = (s: string) => [...new Set(needles.filter((n) => s.includes(n.form)).map((n) => n.label))];
  const countSensitive = (node: unknown): void => {
    const text = typeof node === 'string' ? node : JSON.stringify(node ?? null);
    for (const label of labelsIn(text)) sensitiveHits.set(label, (sensitiveHits.get(label) ?? 0) + 1);
  };
  const at = (mask: unknown, key: string | number): unknown => (mask !== null && typeof mask === 'object' ? (mask as any)[key] : undefined);

  // A value tree with its sensitivity mask: `true` marks the whole subtree.
  const value = (node: unknown, path: string, mask: unknown): void => {
    if (mask === true) return countSensitive(node);
    if (typeof node === 'string') {
      for (const label of labelsIn(node)) leaks.push(`${path} holds ${label}`);
    } else if (Array.isArray(node)) {
      node.forEach((v, i) => value(v, `${path}[${i}]`, at(mask, i)));
    } else if (node !== null && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) value(v, `${path}.${k}`, at(mask, k));
      // A key is the value of a map attribute's entry too.
      for (const k of Object.keys(node)) for (const label of labelsIn(k)) leaks.push(`${path} has a key holding ${label}`);
    }
  };

  // The document around the value trees.
  const doc = (node: unknown, path: string): void => {
    if (Array.isArray(node)) return node.forEach((v, i) => doc(v, `${path}[${i}]`));
    if (node === null || typeof node !== 'object') return value(node, path, undefined);
    const o = node as Record<string, unknown>;
    const paired: Record<string, string> = {};
    if (path === '$.variables') {
      for (const [name, v] of Object.entries(o)) {
        if (sensitiveVariables.has(name)) countSensitive(v);
        else value(v, `${path}.${name}`, undefined);
      }
      return;
    }
    if ('values' in o && 'sensitive_values' in o) paired.values = 'sensitive_values';
    if (('before' in o || 'after' in o) && !path.startsWith('$.output_changes')) {
      paired.before = 'before_sensitive';
      paired.after = 'after_sensitive';
    }
    for (const [k, v] of Object.entries(o)) {
      if (k in paired) value(v, `${path}.${k}`, o[paired[k]]);
      else doc(v, `${path}.${k}`);
    }
  };

  doc(plan, '$');
  return { leaks, sensitiveHits };
}

function kubectlJson(args: string[]): any {
  return JSON.parse(execFileSync(process.env.E2E_KUBECTL_BIN ?? 'kubectl', [...args, '-o', 'json'], { encoding: 'utf8' }));
}

function liveCredentials(outdir: string): Credential[] {
  const stacks = devStacks(outdir);
  const found: Credential[] = [];
  for (const spec of secrets(stacks)) {
    const live = kubectlJson(['get', 'secret', '-n', spec.namespace, spec.name]);
    for (const [key, { variables }] of Object.entries(spec.credentials)) {
      const data = live.data?.[key];
      if (!data) throw new Error(`Secret ${spec.namespace}/${spec.name} has no ${key}`);
      found.push({ label: `the live ${key} of ${spec.namespace}/${spec.name}`, value: Buffer.from(data, 'base64').toString('utf8') });
      for (const name of variables) {
        const supplied = process.env[`TF_VAR_${name}`];
        if (supplied) found.push({ label: `the supplied TF_VAR_${name}`, value: supplied });
      }
    }
  }
  return found;
}

function check(outdir: string, plans: string[]): void {
  const fs = require('fs') as typeof import('fs');
  const credentials = liveCredentials(outdir);
  if (credentials.length === 0) throw new Error('no credential found in the synthesized Secrets');
  const tooShort = credentials.filter((c) => c.value.length < 12);
  if (tooShort.length) throw new Error(`too short to search reliably: ${tooShort.map((c) => c.label).join(', ')}`);
  const seen = new Map<string, number>();
  let failed = false;
  for (const file of plans) {
    const { leaks, sensitiveHits } = scanPlan(JSON.parse(fs.readFileSync(file, 'utf8')), credentials);
    const hits = [...sensitiveHits.values()].reduce((a, b) => a + b, 0);
    for (const [label, n] of sensitiveHits) seen.set(label, (seen.get(label) ?? 0) + n);
    if (leaks.length) {
      failed = true;
      console.error(`e2e:    LEAK in ${file}:\n${leaks.map((l) => `e2e:      ${l}`).join('\n')}`);
    } else {
      console.log(`e2e:    ok  ${file}: no credential outside sensitive values (${hits} sensitive occurrences skipped)`);
    }
  }
  const unseen = credentials.filter((c) => !seen.has(c.label)).map((c) => c.label);
  if (unseen.length) {
    failed = true;
    console.error(`e2e:    not found in any plan, so the check proves nothing for: ${unseen.join(', ')}`);
  } else {
    console.log(`e2e:    ok  each of the ${credentials.length} credential values was found, only in sensitive values`);
  }
  if (failed) {
    console.error('e2e: FAIL: secret hygiene');
    process.exit(1);
  }
}

function selftest(): void {
  const secret = 'b5f3c0a1d2e4f60718293a4b5c6d7e8f';
  const creds = [{ label: 'CREDS_IV', value: secret }];
  const resource = (values: any, sensitive_values: any) => ({ address: 'x.y', values, sensitive_values });
  const plan = (extra: any) => ({
    configuration: { root_module: { variables: { iv: { sensitive: true }, plain: {} } } },
    variables: { iv: { value: secret } },
    prior_state: { values: { root_module: { resources: [resource({ data: { CREDS_IV: secret, URI: 'mongodb://x' } }, { data: true })] } } },
    resource_changes: [
      { change: { before: { data: { CREDS_IV: secret } }, before_sensitive: { data: { CREDS_IV: true } }, after: null, after_sensitive: false } },
    ],
    ...extra,
  });
  const cases: [string, any, boolean][] = [
    ['credentials only in sensitive values and a sensitive variable', plan({}), true],
    [
      'a credential in an Application valuesObject',
      plan({ planned_values: { root_module: { resources: [resource({ manifest: { spec: { source: { helm: { valuesObject: { jwt: secret } } } } } }, {})] } } }),
      false,
    ],
    [
      'a credential beside a sensitive sibling',
      plan({ resource_changes: [{ change: { after: { data: { CREDS_IV: secret, COPY: secret } }, after_sensitive: { data: { CREDS_IV: true } } } }] }),
      false,
    ],
    [
      'a credential in a child module resource',
      plan({ planned_values: { root_module: { child_modules: [{ resources: [resource({ note: `iv=${secret}` }, { other: true })] }] } } }),
      false,
    ],
    [
      'a credential in the configuration',
      plan({ configuration: { root_module: { variables: { iv: { sensitive: true } }, resources: [{ expressions: { v: { constant_value: secret } } }] } } }),
      false,
    ],
    ['a credential in a sensitive output', plan({ output_changes: { pw: { after: secret, after_sensitive: true } } }), false],
    ['a credential in a non-sensitive variable', plan({ variables: { plain: { value: secret } } }), false],
    [
      'a base64-encoded credential',
      plan({ planned_values: { root_module: { resources: [resource({ b64: Buffer.from(secret).toString('base64') }, {})] } } }),
      false,
    ],
    ['a credential as a map key', plan({ planned_values: { root_module: { resources: [resource({ labels: { [secret]: 'x' } }, {})] } } }), false],
  ];
  let failed = 0;
  for (const [name, doc, clean] of cases) {
    const { leaks, sensitiveHits } = scanPlan(doc, creds);
    const ok = clean ? leaks.length === 0 && (sensitiveHits.get('CREDS_IV') ?? 0) > 0 : leaks.length > 0;
    console.log(`e2e:    ${ok ? 'ok ' : 'BAD'} selftest: ${name} -> ${leaks.length ? `leak at ${leaks.join('; ')}` : 'clean'}`);
    if (!ok) failed++;
  }
  if (failed) {
    console.error(`e2e:    the walker selftest failed ${failed} case(s)`);
    process.exit(1);
  }
}

if (require.main === module) {
  const [command, outdir, ...plans] = process.argv.slice(2);
  if (command === '--selftest') selftest();
  else if (command === 'check' && outdir && plans.length) check(outdir, plans);
  else {
    console.error('usage: plan-secrets.ts check <outdir> <plan.json>... | --selftest');
    process.exit(2);
  }
}
