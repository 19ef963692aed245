/**
 * Secret hygiene of a real plan and state: no credential value may appear anywhere in
 * `<cli> show -json <plan>` or `<cli> show -json` (the state) — not even inside values Terraform
 * marks sensitive. Every credential reaches its Secret through a write-only argument (`data_wo`)
 * from an ephemeral value, so neither a plan nor the state has a place for it.
 *
 *   plan-secrets.ts check <outdir> <document.json>...
 *       the credentials are the live values of every computed key of the synthesized Secrets (read
 *       with kubectl) plus the TF_VAR_<variable> values supplied for them; none may occur in any
 *       document. Together the documents must list every synthesized Secret among their
 *       resources (else the check looked at the wrong thing, and a clean result proves nothing).
 *   plan-secrets.ts --selftest
 *       shows that the walker finds planted values everywhere (sensitive ones, keys, base64) and
 *       that the resources a document lists are found.
 *
 * Each credential is searched as is, base64-encoded, and, when it is hex, as the base64 of its
 * bytes. Values are never printed.
 */
import { execFileSync } from 'child_process';
import { devStacks, resources, secrets } from './synth';

export interface Credential {
  readonly label: string;
  readonly value: string;
}

function variants(value: string): string[] {
  const forms = [value, Buffer.from(value, 'utf8').toString('base64')];
  if (/^(?:[0-9a-fA-F]{2})+$/.test(value)) forms.push(Buffer.from(value, 'hex').toString('base64'));
  return forms;
}

/** `<json path> holds <label>` for every string or key of `doc` that contains a credential in any form. */
export function scanDocument(doc: unknown, credentials: readonly Credential[]): string[] {
  const needles = credentials.flatMap((c) => variants(c.value).map((form) => ({ label: c.label, form })));
  const labelsIn = (s: string) => [...new Set(needles.filter((n) => s.includes(n.form)).map((n) => n.label))];
  const found: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (typeof node === 'string') for (const label of labelsIn(node)) found.push(`${path} holds ${label}`);
    else if (Array.isArray(node)) node.forEach((v, i) => walk(v, `${path}[${i}]`));
    else if (node !== null && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        for (const label of labelsIn(k)) found.push(`${path} has a key holding ${label}`);
        walk(v, `${path}.${k}`);
      }
    }
  };
  walk(doc, '$');
  return found;
}

/** Addresses of every managed resource a plan or state document lists (root and child modules). */
export function documentAddresses(doc: any): Set<string> {
  const addresses = new Set<string>();
  const module = (m: any): void => {
    for (const r of m?.resources ?? []) if (typeof r?.address === 'string') addresses.add(r.address);
    for (const child of m?.child_modules ?? []) module(child);
  };
  module(doc?.values?.root_module);
  module(doc?.planned_values?.root_module);
  module(doc?.prior_state?.values?.root_module);
  for (const change of doc?.resource_changes ?? []) if (typeof change?.address === 'string') addresses.add(change.address);
  return addresses;
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

function check(outdir: string, documents: string[]): void {
  const fs = require('fs') as typeof import('fs');
  const credentials = liveCredentials(outdir);
  if (credentials.length === 0) throw new Error('no credential found in the synthesized Secrets');
  const tooShort = credentials.filter((c) => c.value.length < 12);
  if (tooShort.length) throw new Error(`too short to search reliably: ${tooShort.map((c) => c.label).join(', ')}`);
  const expected = resources(devStacks(outdir), 'kubernetes_secret_v1').map(({ type, id }) => `${type}.${id}`);
  const covered = new Set<string>();
  let failed = false;
  for (const file of documents) {
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    const listed = documentAddresses(doc);
    for (const address of listed) covered.add(address);
    const found = scanDocument(doc, credentials);
    if (found.length) {
      failed = true;
      console.error(`e2e:    LEAK in ${file}:\n${found.map((l) => `e2e:      ${l}`).join('\n')}`);
    } else {
      console.log(
        `e2e:    ok  ${file}: none of the ${credentials.length} credential values, in any form (${expected.filter((a) => listed.has(a)).length} Secrets listed)`,
      );
    }
  }
  const missing = expected.filter((a) => !covered.has(a));
  if (missing.length) {
    failed = true;
    console.error(`e2e:    the documents list no ${missing.join(', ')}: the check looked at the wrong thing`);
  }
  if (failed) {
    console.error('e2e: FAIL: secret hygiene');
    process.exit(1);
  }
  console.log('e2e:    ok  every synthesized Secret is in the documents, and no credential is');
}

function selftest(): void {
  const secret = 'b5f3c0a1d2e4f60718293a4b5c6d7e8f';
  const creds = [{ label: 'CREDS_IV', value: secret }];
  const secretResource = (values: any, sensitive_values: any = {}) => ({ address: 'kubernetes_secret_v1.s', values, sensitive_values });
  const state = (values: any) => ({ values: { root_module: { resources: [secretResource(values)] } } });
  const cases: [string, any, boolean][] = [
    ['a state whose Secret has only write-only data (none in state)', state({ data: null, data_wo: null, data_wo_revision: 1 }), true],
    ['a plan with the write-only revision only', { planned_values: { root_module: { resources: [secretResource({ data_wo_revision: 1 })] } } }, true],
    ['a credential in state, even where marked sensitive', state({ data: { CREDS_IV: secret } }), false],
    [
      'a credential in a sensitive plan change',
      { resource_changes: [{ address: 'x', change: { after: { data: { CREDS_IV: secret } }, after_sensitive: { data: true } } }] },
      false,
    ],
    ['a credential as a (sensitive) variable of a plan', { variables: { iv: { value: secret } } }, false],
    [
      'a credential in a Helm release value in a child module',
      {
        values: {
          root_module: { child_modules: [{ resources: [{ address: 'module.m.helm_release.a', values: { metadata: [{ values: `{"s":"${secret}"}` }] } }] }] },
        },
      },
      false,
    ],
    ['a base64-encoded credential', state({ binary_data: { k: Buffer.from(secret).toString('base64') } }), false],
    ["the base64 of a hex credential's bytes", state({ b: Buffer.from(secret, 'hex').toString('base64') }), false],
    ['a credential as a map key', state({ labels: { [secret]: 'x' } }), false],
  ];
  let failed = 0;
  for (const [name, doc, clean] of cases) {
    const found = scanDocument(doc, creds);
    const ok = clean ? found.length === 0 : found.length > 0;
    console.log(`e2e:    ${ok ? 'ok ' : 'BAD'} selftest: ${name} -> ${found.length ? `found at ${found.join('; ')}` : 'clean'}`);
    if (!ok) failed++;
  }
  const listed = [
    ...documentAddresses({
      values: { root_module: { resources: [{ address: 'a.b' }], child_modules: [{ resources: [{ address: 'module.m.c.d' }] }] } },
      resource_changes: [{ address: 'e.f' }],
    }),
  ].sort();
  const coverageOk = JSON.stringify(listed) === JSON.stringify(['a.b', 'e.f', 'module.m.c.d']);
  console.log(`e2e:    ${coverageOk ? 'ok ' : 'BAD'} selftest: the resources a document lists are found in state, plan and changes`);
  if (!coverageOk) failed++;
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
    console.error('usage: plan-secrets.ts check <outdir> <plan-or-state.json>... | --selftest');
    process.exit(2);
  }
}
