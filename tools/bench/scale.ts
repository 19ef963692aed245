/**
 * The scale fixture of `npm run bench -- --scale [N M]`: N environments (copies of the shipped
 * ones, round robin, renamed) × the shipped catalog plus M fixture apps, synthesized in one
 * process.
 *
 *   node --require tsx/cjs tools/bench/scale.ts <environments> <fixture apps> <outdir>
 *
 * The fixture apps are catalog entries built in memory; their wrapper charts (and the value files
 * of the renamed environments) are written to a temporary repository root, never into apps/.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CATALOG } from '../../apps/catalog';
import { APPS_DIR, BASE_VALUE_FILE, environmentValueFile } from '../../constructs/apps/wrapper-chart';
import { withoutCreationStacks } from '../../constructs/core/creation-stacks';
import { AppDefinition, defineApp } from '../../contracts/app-definition';
import { EnvironmentConfig, ENVIRONMENTS } from '../../environments';
import { buildApp } from '../../main';

/** One fixture app: its own namespace, a generated credential, a client of Ollama every third app. */
function fixtureApp(index: number): AppDefinition {
  const name = `fixture-${index}`;
  return defineApp<undefined>({
    name,
    namespace: name,
    host: 'none',
    dependsOn: index % 3 === 0 ? ['ollama'] : [],
    clientPodLabels: (release) => ({ 'app.kubernetes.io/instance': release }),
    services: { http: { serviceName: (release) => release, port: 8080, scheme: 'http' } },
    secrets: [{ name: `${name}-credentials`, credentials: [{ key: 'API_KEY', generatedBytes: 32, pattern: '^\\S{32,}$', rule: 'at least 32 characters' }] }],
    values: (context) => ({
      replicaCount: 1,
      networkPolicy: { ingressController: { from: context.ingress.sources } },
      upstream: { serviceUrl: context.serviceUrl(name, 'http'), clients: context.clients.map((c) => c.app) },
    }),
  });
}

/** The shipped catalog plus `count` fixture apps. */
export function fixtureCatalog(count: number): AppDefinition[] {
  return [...CATALOG, ...Array.from({ length: count }, (_, i) => fixtureApp(i))];
}

/** `count` environments: the shipped ones in turn, named `<name><k>` (dev1, staging1, prod1, dev2, …). */
export function fixtureEnvironments(count: number): EnvironmentConfig[] {
  return Array.from({ length: count }, (_, i) => {
    const base = ENVIRONMENTS[i % ENVIRONMENTS.length];
    return { ...structuredClone(base), name: `${base.name}${Math.floor(i / ENVIRONMENTS.length) + 1}` };
  });
}

/**
 * A repository root holding a wrapper chart for every app of `catalog`: the shipped apps' charts
 * with their value files copied for each renamed environment, the fixtures' minimal charts.
 */
export function fixtureRepoRoot(catalog: readonly AppDefinition[], environments: readonly EnvironmentConfig[], repoRoot: string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-scale-'));
  for (const app of catalog) {
    const dir = path.join(root, APPS_DIR, app.name);
    fs.mkdirSync(dir, { recursive: true });
    const shipped = path.join(repoRoot, APPS_DIR, app.name);
    if (fs.existsSync(shipped)) {
      fs.copyFileSync(path.join(shipped, 'Chart.yaml'), path.join(dir, 'Chart.yaml'));
      fs.copyFileSync(path.join(shipped, BASE_VALUE_FILE), path.join(dir, BASE_VALUE_FILE));
    } else {
      fs.writeFileSync(
        path.join(dir, 'Chart.yaml'),
        `apiVersion: v2\nname: ${app.name}\nversion: 0.1.0\ndependencies:\n  - name: fixture\n    version: 1.0.0\n    repository: https://charts.example.test\n`,
      );
      fs.writeFileSync(path.join(dir, BASE_VALUE_FILE), '{}\n');
    }
    for (const environment of environments) {
      const base = environment.name.replace(/\d+$/, '');
      const source = path.join(shipped, environmentValueFile(base));
      const target = path.join(dir, environmentValueFile(environment.name));
      if (fs.existsSync(source)) fs.copyFileSync(source, target);
      else fs.writeFileSync(target, '{}\n');
    }
  }
  return root;
}

if (require.main === module) {
  const [environmentCount, appCount, outdir] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]];
  if (![environmentCount, appCount].every((n) => Number.isInteger(n) && n >= 1) || !outdir) {
    console.error('usage: node --require tsx/cjs tools/bench/scale.ts <environments> <fixture apps> <outdir>');
    process.exit(2);
  }
  const catalog = fixtureCatalog(appCount);
  const environments = fixtureEnvironments(environmentCount);
  const repoRoot = fixtureRepoRoot(catalog, environments, path.resolve(__dirname, '..', '..'));
  try {
    withoutCreationStacks(() => buildApp({ environments, catalog, repoRoot, outdir, env: {} }).synth());
  } finally {
    fs.rmSync(repoRoot, { recursive: true, force: true });
  }
}
