/**
 * Assertions of the e2e test against the live API server (through the toolchain's kubectl). The
 * expectations come from the synthesized dev stacks (see synth.ts), never from a second copy:
 *
 *   assert-cluster.ts deployed <outdir>    what `cdktf deploy 'dev-*'` must have created
 *   assert-cluster.ts destroyed <outdir>   that `cdktf destroy 'dev-*'` left nothing managed behind
 *
 * Prints one line per check and exits non-zero on the first failure.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as assert from 'assert/strict';
import * as path from 'path';
import { gunzipSync } from 'zlib';
import * as synth from './synth';

const kubectlBin = process.env.E2E_KUBECTL_BIN ?? 'kubectl';

function kubectl(...args: string[]): any {
  return JSON.parse(execFileSync(kubectlBin, [...args, '-o', 'json'], { encoding: 'utf8' }));
}

function exists(...args: string[]): boolean {
  return spawnSync(kubectlBin, ['get', ...args], { encoding: 'utf8' }).status === 0;
}

function check(name: string, fn: () => void): void {
  fn();
  console.log(`e2e:    ok  ${name}`);
}

/** Every value of `expected` is in `actual` (arrays element by element); `${…}` leaves are skipped. */
function contains(expected: unknown, actual: unknown, at: string): void {
  if (synth.isInterpolated(expected)) return;
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual) && actual.length === expected.length, `${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    expected.forEach((e, i) => contains(e, (actual as unknown[])[i], `${at}[${i}]`));
  } else if (expected !== null && typeof expected === 'object') {
    assert.ok(actual !== null && typeof actual === 'object', `${at}: expected an object, got ${JSON.stringify(actual)}`);
    for (const [k, v] of Object.entries(expected)) contains(v, (actual as any)[k], `${at}.${k}`);
  } else {
    assert.equal(actual, expected, at);
  }
}

/** The release a Helm release-record Secret holds (base64 of gzipped JSON, inside the Secret's base64). */
function helmRelease(record: any): any {
  return JSON.parse(gunzipSync(Buffer.from(Buffer.from(record.data.release, 'base64').toString('utf8'), 'base64')).toString('utf8'));
}

function deployed(stacks: synth.Stack[]): void {
  const namespaces = synth.namespaces(stacks);
  check(`namespaces ${namespaces.map((n) => n.name).join(', ')} exist with their labels`, () => {
    for (const ns of namespaces) contains(ns.labels, kubectl('get', 'namespace', ns.name).metadata.labels ?? {}, `namespace ${ns.name} labels`);
  });

  for (const spec of synth.secrets(stacks)) {
    const credentialKeys = Object.keys(spec.credentials);
    check(`Secret ${spec.namespace}/${spec.name}: every key; credentials ${credentialKeys.join(', ')} valid and distinct`, () => {
      const live = kubectl('get', 'secret', '-n', spec.namespace, spec.name);
      const data = Object.fromEntries(Object.entries<string>(live.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
      assert.deepEqual(Object.keys(data).sort(), [...Object.keys(spec.literals), ...credentialKeys].sort());
      for (const [key, value] of Object.entries(spec.literals)) assert.equal(data[key], value, key);
      for (const [key, { variables, template }] of Object.entries(spec.credentials)) {
        assert.ok(data[key].length > 0, `${key} is empty`);
        const parts = template.split(/\$\{[^}]*\}/);
        if (parts.every((part) => part === '')) {
          // The whole value is one credential: it satisfies its variable's validation.
          for (const name of variables) {
            const pattern = synth.validationPattern(stacks, name);
            if (pattern) assert.match(data[key], pattern, `${key} does not satisfy the validation of ${name}`);
          }
        } else {
          // A setting built around credentials (a URI with a password): its literal parts are intact.
          const shape = new RegExp(`^${parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^\\s]+')}$`);
          assert.match(data[key], shape, `${key} does not have the synthesized shape ${template}`);
        }
      }
      const values = credentialKeys.map((k) => data[k]);
      assert.equal(new Set(values).size, values.length, 'two credentials share a value');
    });
  }

  for (const release of synth.helmReleases(stacks)) {
    check(`Helm release record ${release.namespace}/${release.name}: chart ${path.basename(release.chart)} ${release.version}, deployed`, () => {
      const records = kubectl('get', 'secret', '-n', release.namespace, '-l', `owner=helm,name=${release.name}`).items;
      assert.equal(records.length, 1);
      assert.equal(records[0].type, 'helm.sh/release.v1');
      assert.equal(records[0].metadata.labels.status, 'deployed');
      const chart = helmRelease(records[0]).chart.metadata;
      assert.equal(chart.name, path.basename(release.chart));
      if (release.version) assert.equal(chart.version, release.version);
    });
  }

  check('a setting built from a credential (MONGO_URI) holds the very value of that credential in its own Secret', () => {
    const specs = synth.secrets(stacks);
    const live = new Map(
      specs.map((spec) => {
        const secret = kubectl('get', 'secret', '-n', spec.namespace, spec.name);
        return [spec, Object.fromEntries(Object.entries<string>(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]))];
      }),
    );
    // The value behind each expression, from the keys that are that expression alone.
    const byExpression = new Map<string, string>();
    for (const spec of specs)
      for (const [key, { template }] of Object.entries(spec.credentials)) if (/^\$\{[^}]*\}$/.test(template)) byExpression.set(template, live.get(spec)![key]);
    let composed = 0;
    for (const spec of specs) {
      for (const [key, { template }] of Object.entries(spec.credentials)) {
        if (/^\$\{[^}]*\}$/.test(template)) continue;
        const expected = template.replace(/\$\{[^}]*\}/g, (expression) => {
          const value = byExpression.get(expression);
          assert.ok(value !== undefined, `${spec.name}.${key} embeds ${expression}, which no Secret key holds alone`);
          return value;
        });
        assert.equal(live.get(spec)![key] === expected, true, `${spec.namespace}/${spec.name} ${key} differs from its template with the live credentials`);
        composed++;
      }
    }
    assert.ok(composed > 0, 'no composed setting found (MONGO_URI expected)');
  });

  const manifests = synth.manifests(stacks);
  for (const m of manifests) {
    check(`${m.kind} ${m.namespace}/${m.name} matches its synthesized manifest`, () => {
      contains(m.body, kubectl('get', synth.resourceName(m), '-n', m.namespace, m.name), `${m.kind} ${m.name}`);
    });
  }

  // Argo CD's own rules: an Application must fit its AppProject, or Argo CD refuses to sync it.
  const projects = new Map(manifests.filter((m) => m.kind === 'AppProject').map((m) => [m.name, m.body]));
  const namespaceNames = new Set(namespaces.map((n) => n.name));
  for (const app of manifests.filter((m) => m.kind === 'Application')) {
    check(`Application ${app.name} fits AppProject ${app.body.spec.project} and a managed namespace`, () => {
      const project = projects.get(app.body.spec.project);
      assert.ok(project, `AppProject ${app.body.spec.project} is not synthesized`);
      const { destination } = app.body.spec;
      assert.ok(namespaceNames.has(destination.namespace), `destination ${destination.namespace} is not a managed namespace`);
      assert.ok(
        project.spec.destinations.some((d: any) => d.namespace === destination.namespace && d.server === destination.server),
        `destination ${JSON.stringify(destination)} is not allowed by the project`,
      );
      for (const source of app.body.spec.sources ?? [app.body.spec.source]) {
        assert.ok(project.spec.sourceRepos.includes(source.repoURL), `source ${source.repoURL} is not allowed by the project`);
      }
    });
  }
}

function destroyed(stacks: synth.Stack[]): void {
  check('no synthesized kubernetes_manifest object remains', () => {
    const left = synth.manifests(stacks).filter((m) => exists(synth.resourceName(m), '-n', m.namespace, m.name));
    assert.deepEqual(
      left.map((m) => `${m.kind} ${m.name}`),
      [],
    );
  });
  check('no managed namespace remains (namespace controller finished)', () => {
    const names = synth.namespaces(stacks).map((n) => n.name);
    // A liveness guard, not a timing assertion: the namespace controller works asynchronously.
    const deadline = Date.now() + 120_000;
    let left = names.filter((ns) => exists('namespace', ns));
    while (left.length > 0 && Date.now() < deadline) {
      execFileSync('sleep', ['1']);
      left = names.filter((ns) => exists('namespace', ns));
    }
    assert.deepEqual(left, []);
  });
  check('no Helm release record remains', () => {
    assert.equal(kubectl('get', 'secret', '-A', '-l', 'owner=helm').items.length, 0);
  });
}

const [mode, outdir] = process.argv.slice(2);
if (!outdir || (mode !== 'deployed' && mode !== 'destroyed')) {
  console.error('usage: assert-cluster.ts deployed|destroyed <outdir>');
  process.exit(2);
}
const stacks = synth.devStacks(outdir);
if (mode === 'deployed') deployed(stacks);
else destroyed(stacks);
