/**
 * The e2e step of the ExternalSecrets staging and prod carry: External Secrets Operator's own
 * controller (tools/e2e/external-secrets/build.sh) against the e2e's real kube-apiserver
 * (tools/e2e/external-secrets.sh runs it inside tools/e2e/control-plane.sh):
 *
 *   external-secrets.ts <controller binary> <module source dir> <helm> [environment, default staging]
 *
 * Renders the environment's wrapper charts as Argo CD would (the e2e's stand-in dependency
 * charts) and takes their SecretStores and ExternalSecrets. Installs ESO's CRDs from the module
 * source (its config/crds/bases kustomization), starts the controller with only its SecretStore
 * and ExternalSecret reconcilers, and creates in each app namespace the SecretStore of the
 * rendered name with ESO's `fake` provider in place of AWS Secrets Manager, holding a distinct
 * random value for exactly each Secrets Manager name and JSON property the rendered
 * ExternalSecrets read (the fake provider reads `remoteRef.property` as a JSON path, as the AWS
 * provider does). The rendered ExternalSecrets are applied unchanged. One Secret exists
 * beforehand, as Terraform wrote it before the migration to Secrets Manager.
 *
 * Asserts: the names and properties read are exactly those the platform stack writes (one
 * Secrets Manager secret per catalog Secret, `secretsManagerName`, a property per credential);
 * every ExternalSecret Ready; the Secrets in the app namespaces are exactly the catalog's, each
 * with exactly its credential and setting keys, owned by its ExternalSecret; every credential is
 * the store's value of its own secret and property, every setting the catalog's composition over
 * those values (so LibreChat's MONGO_URI embeds librechat-mongodb's `mongodb-passwords`); the
 * Secret Terraform wrote is adopted in place; after a new value of `mongodb-passwords` and the
 * documented `force-sync` annotation, the password and MONGO_URI both carry the new value.
 * Last line: `external-secrets: N passed, N failed`; exit 0, 1 on a failed check, 3 when
 * something it needs is missing (skipped).
 */
import { ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import { CATALOG } from '../../apps/catalog';
import { AppSecretDefinition } from '../../contracts/app-definition';
import { SECRET_STORE_NAME, secretsManagerName } from '../../contracts/external-secrets';
import { ENVIRONMENTS, loadEnvironments } from '../../environments';
import { appContexts } from '../../stacks/app-contexts';
import { namespaceOf } from '../render/manifests';
import { kubectl as k, kubectlJson as get, renderForStep, waitFor } from './step-kit';

const decode = (data: Record<string, string> | undefined) =>
  Object.fromEntries(Object.entries(data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));

let passed = 0;
let failed = 0;
function check(name: string, ok: boolean, detail = ''): void {
  if (ok) passed++;
  else failed++;
  console.log(`external-secrets: ${ok ? 'ok  ' : 'FAIL'} ${name}${ok || !detail ? '' : `: ${detail}`}`);
}

/** A rendered object of an app namespace. */
interface Rendered {
  readonly namespace: string;
  readonly object: any;
}

/** The environment's SecretStores and ExternalSecrets, rendered from the wrapper charts. */
function renderSecretObjects(repo: string, helm: string, envName: string): { stores: Rendered[]; externalSecrets: Rendered[] } {
  const { apps } = renderForStep(repo, helm, envName);
  const of = (kind: string) =>
    apps.flatMap((a) => a.objects.filter((o) => o.kind === kind).map((o): Rendered => ({ namespace: namespaceOf(o, a.namespace), object: o })));
  return { stores: of('SecretStore'), externalSecrets: of('ExternalSecret') };
}

const readyCondition = (es: any) => (es.status?.conditions ?? []).find((c: any) => c.type === 'Ready');

async function main(): Promise<number> {
  const [controller, source, helm, envName = 'staging'] = process.argv.slice(2);
  const repo = path.resolve(__dirname, '../..');
  const kustomization = source && path.join(source, 'config/crds/bases/kustomization.yaml');
  for (const [what, file] of [
    ['the controller binary', controller],
    ["ESO's CRD kustomization", kustomization],
    ['helm', helm],
  ]) {
    if (!file || !fs.existsSync(file)) {
      console.log(`external-secrets: SKIPPED — ${what} is not at ${file || '(not given)'}`);
      return 3;
    }
  }
  const environment = loadEnvironments(ENVIRONMENTS, CATALOG).find((e) => e.name === envName);
  if (!environment || environment.cluster.kind !== 'eks') throw new Error(`${envName} is not an EKS environment`);
  const clusterName = environment.cluster.name;
  const contexts = appContexts(environment, CATALOG);

  const { stores, externalSecrets } = renderSecretObjects(repo, helm, envName);
  const withSecrets = CATALOG.filter((app) => (app.secrets ?? []).length > 0);
  check(
    `${envName} renders one SecretStore ${SECRET_STORE_NAME} per app namespace with Secrets`,
    isDeepStrictEqual(
      stores.map((s) => `${s.namespace}/${s.object.metadata.name}`).sort(),
      [...new Set(withSecrets.map((a) => a.namespace))].map((ns) => `${ns}/${SECRET_STORE_NAME}`).sort(),
    ),
    JSON.stringify(stores.map((s) => `${s.namespace}/${s.object.metadata.name}`)),
  );

  // What the ExternalSecrets read, and what the platform stack writes: the same (name, property) pairs.
  const reads = new Map<string, Map<string, Set<string>>>(); // namespace → Secrets Manager name → properties
  for (const { namespace, object } of externalSecrets)
    for (const d of object.spec.data ?? []) {
      const names = reads.get(namespace) ?? new Map<string, Set<string>>();
      names.set(d.remoteRef.key, (names.get(d.remoteRef.key) ?? new Set()).add(d.remoteRef.property));
      reads.set(namespace, names);
    }
  const readPairs = [...reads.values()].flatMap((names) => [...names].flatMap(([name, properties]) => [...properties].map((p) => `${name} ${p}`))).sort();
  const writtenPairs = withSecrets
    .flatMap((app) => app.secrets!.flatMap((s) => s.credentials.map((c) => `${secretsManagerName(clusterName, app.namespace, s.name)} ${c.key}`)))
    .sort();
  check(
    'the ExternalSecrets read exactly the Secrets Manager names and properties the platform stack writes',
    isDeepStrictEqual(readPairs, writtenPairs),
    `read ${JSON.stringify(readPairs)}, written ${JSON.stringify(writtenPairs)}`,
  );

  // Both providers read a property with gjson over the secret's JSON string; the AWS provider
  // also escapes dots first. Plain keys mean the same top-level member to both.
  const special = readPairs.map((pair) => pair.split(' ')[1]).filter((property) => /[.*?#|@\\!=<>%~]/.test(property));
  check('every property read is a plain JSON key (the fake and the AWS provider resolve it alike)', special.length === 0, special.join(', '));

  // A distinct value per (name, property): a read of the wrong one cannot go unnoticed.
  const values = new Map<string, Record<string, string>>(); // Secrets Manager name → JSON object
  for (const names of reads.values())
    for (const [name, properties] of names) values.set(name, Object.fromEntries([...properties].map((p) => [p, randomBytes(24).toString('base64url')])));
  const fakeStore = (namespace: string) => {
    const rendered = stores.find((s) => s.namespace === namespace)?.object;
    return {
      apiVersion: 'external-secrets.io/v1',
      kind: 'SecretStore',
      metadata: { name: rendered?.metadata.name ?? SECRET_STORE_NAME, namespace, annotations: rendered?.metadata.annotations ?? {} },
      spec: { provider: { fake: { data: [...(reads.get(namespace)?.keys() ?? [])].map((name) => ({ key: name, value: JSON.stringify(values.get(name)) })) } } },
    };
  };

  k(['apply', '--server-side', '-k', path.dirname(kustomization)]);
  const crds = ['externalsecrets.external-secrets.io', 'secretstores.external-secrets.io'];
  const established = await waitFor(60, () =>
    crds.every((crd) => (get(['get', 'crd', crd]).status?.conditions ?? []).some((c: any) => c.type === 'Established' && c.status === 'True')),
  );
  if (!established) throw new Error(`${crds.join(', ')} not Established after 60s`);

  const logFile = path.join(process.env.E2E_CP_DIR ?? os.tmpdir(), 'logs', 'external-secrets.log');
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.openSync(logFile, 'w');
  const started = Date.now();
  const eso: ChildProcess = spawn(
    controller,
    [
      '--metrics-addr=0',
      '--enable-leader-election=false',
      '--enable-cluster-store-reconciler=false',
      '--enable-cluster-external-secret-reconciler=false',
      '--enable-push-secret-reconciler=false',
      '--enable-cluster-push-secret-reconciler=false',
      '--zap-time-encoding=iso8601',
    ],
    { stdio: ['ignore', log, log] },
  );
  let exited = false;
  eso.on('exit', () => (exited = true));
  try {
    const namespaces = [...reads.keys()];
    k(
      ['apply', '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: namespaces.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })) }),
    );
    for (const namespace of namespaces) k(['apply', '-f', '-'], JSON.stringify(fakeStore(namespace)));

    // A Secret as Terraform wrote it before the environment moved to Secrets Manager.
    const librechat = CATALOG.find((a) => a.name === 'librechat')!;
    const mongodbSecret = librechat.secrets!.find((s) => s.name === 'librechat-mongodb')!;
    k(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: mongodbSecret.name, namespace: librechat.namespace },
        stringData: Object.fromEntries(mongodbSecret.credentials.map((c) => [c.key, `terraform-${c.key}`])),
      }),
    );
    const preexisting = get(['get', 'secret', mongodbSecret.name, '-n', librechat.namespace]).metadata.uid;

    for (const { namespace, object } of externalSecrets) k(['apply', '-n', namespace, '-f', '-'], JSON.stringify(object));
    const allReady = await waitFor(120, () => {
      if (exited) return true;
      return externalSecrets.every(
        ({ namespace, object }) => readyCondition(get(['get', 'externalsecret', object.metadata.name, '-n', namespace]))?.status === 'True',
      );
    });
    check('the controller keeps running', !exited);
    for (const { namespace, object } of externalSecrets) {
      const ready = readyCondition(get(['get', 'externalsecret', object.metadata.name, '-n', namespace]));
      check(`ExternalSecret ${namespace}/${object.metadata.name} is Ready`, ready?.status === 'True', JSON.stringify(ready ?? 'no Ready condition'));
    }
    if (allReady && !exited)
      console.log(`external-secrets:      every ExternalSecret Ready ${((Date.now() - started) / 1000).toFixed(1)} s after the controller started`);

    // The Secrets the apps read: exactly the catalog's, with exactly its keys and values.
    const value = (namespace: string, secret: string, key: string) => values.get(secretsManagerName(clusterName, namespace, secret))?.[key];
    const managed = get(['get', 'secrets', '-A', '-l', 'reconcile.external-secrets.io/managed=true']).items.map(
      (s: any) => `${s.metadata.namespace}/${s.metadata.name}`,
    );
    const expected = withSecrets.flatMap((app) => app.secrets!.map((s) => `${app.namespace}/${s.name}`));
    check('ESO manages exactly the Secrets of the catalog', isDeepStrictEqual([...managed].sort(), [...expected].sort()), JSON.stringify(managed));
    const live = new Map<string, Record<string, string>>();
    for (const app of withSecrets) {
      const context = contexts.get(app.name)!;
      for (const secret of app.secrets!) {
        const id = `${app.namespace}/${secret.name}`;
        const object = JSON.parse(k(['get', 'secret', secret.name, '-n', app.namespace, '--ignore-not-found', '-o', 'json']) || '{}');
        const data = decode(object.data);
        live.set(id, data);
        const settings = secret.settings?.(context, (name, key) => value(app.namespace, name, key) ?? `(no value of ${name} ${key})`) ?? {};
        const expectedData = { ...Object.fromEntries(secret.credentials.map((c) => [c.key, value(app.namespace, secret.name, c.key)])), ...settings };
        check(
          `Secret ${id} has exactly the keys the app reads`,
          isDeepStrictEqual(Object.keys(data).sort(), Object.keys(expectedData).sort()),
          `${JSON.stringify(Object.keys(data))} vs ${JSON.stringify(Object.keys(expectedData))}`,
        );
        const wrong = Object.keys(expectedData).filter((key) => data[key] !== expectedData[key]);
        check(
          `Secret ${id}: each credential is its Secrets Manager property, each setting the catalog's composition`,
          wrong.length === 0,
          `wrong: ${wrong.join(', ')}`,
        );
        const owner = (object.metadata?.ownerReferences ?? []).find((o: any) => o.controller);
        check(`Secret ${id} is owned by its ExternalSecret`, owner?.kind === 'ExternalSecret' && owner?.name === secret.name, JSON.stringify(owner));
      }
    }
    const password = live.get(`${librechat.namespace}/librechat-mongodb`)?.['mongodb-passwords'] ?? '';
    const uri = live.get(`${librechat.namespace}/librechat-credentials-env`)?.MONGO_URI ?? '';
    check(
      "LibreChat's MONGO_URI embeds librechat-mongodb's mongodb-passwords",
      password.length > 0 && uri.includes(`:${password}@`) && password === value(librechat.namespace, 'librechat-mongodb', 'mongodb-passwords'),
      uri.replace(/:[^:@/]+@/, ':***@'),
    );
    check(
      'the Secret Terraform wrote is adopted in place (same object), its values replaced',
      get(['get', 'secret', mongodbSecret.name, '-n', librechat.namespace]).metadata.uid === preexisting &&
        mongodbSecret.credentials.every(
          (c) => live.get(`${librechat.namespace}/${mongodbSecret.name}`)?.[c.key] === value(librechat.namespace, mongodbSecret.name, c.key),
        ),
    );

    // Rotation: a new value of the property, the documented force-sync; both Secrets follow.
    const rotatedName = secretsManagerName(clusterName, librechat.namespace, 'librechat-mongodb');
    const rotated = randomBytes(24).toString('base64url');
    values.set(rotatedName, { ...values.get(rotatedName)!, 'mongodb-passwords': rotated });
    k(['apply', '-f', '-'], JSON.stringify(fakeStore(librechat.namespace)));
    const readers = externalSecrets.filter(({ object }) =>
      (object.spec.data ?? []).some((d: any) => d.remoteRef.key === rotatedName && d.remoteRef.property === 'mongodb-passwords'),
    );
    for (const { namespace, object } of readers)
      k(['annotate', 'externalsecret', object.metadata.name, '-n', namespace, `force-sync=${Date.now()}`, '--overwrite']);
    const secretValue = (name: string, key: string) => decode(get(['get', 'secret', name, '-n', librechat.namespace]).data)[key] ?? '';
    const followed = await waitFor(
      60,
      () => secretValue('librechat-mongodb', 'mongodb-passwords') === rotated && secretValue('librechat-credentials-env', 'MONGO_URI').includes(`:${rotated}@`),
    );
    // Who reads it, by the catalog: its own Secret, and every Secret whose settings embed it.
    const embeds = (secret: AppSecretDefinition) => {
      let used = secret.name === 'librechat-mongodb';
      secret.settings?.(contexts.get(librechat.name)!, (name, key) => {
        used ||= name === 'librechat-mongodb' && key === 'mongodb-passwords';
        return 'x';
      });
      return used;
    };
    const expectedReaders = librechat.secrets!.filter(embeds).map((s) => s.name);
    check(
      `the ExternalSecrets that read mongodb-passwords are exactly ${expectedReaders.join(', ')}`,
      isDeepStrictEqual(readers.map((r) => r.object.metadata.name).sort(), [...expectedReaders].sort()),
      JSON.stringify(readers.map((r) => r.object.metadata.name)),
    );
    check(`after a new mongodb-passwords and the force-sync annotation, the password and MONGO_URI both carry it`, followed);
  } finally {
    if (failed > 0 || exited) {
      console.log(`external-secrets: the controller's log (${logFile}), last lines:`);
      console.log(fs.readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n'));
    }
    if (!exited) {
      eso.kill('SIGTERM');
      if (!(await waitFor(15, () => exited))) eso.kill('SIGKILL');
    }
    fs.closeSync(log);
  }
  console.log(`external-secrets: ${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`external-secrets: FAIL: ${(error as Error).stack ?? error}`);
    process.exit(1);
  },
);
