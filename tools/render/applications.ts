/**
 * What `npm run render` renders, read from synthesized stacks: per environment the Argo CD
 * Applications (wrapper chart path, value files, valuesObject, release name, destination
 * namespace), the Secrets Terraform creates, and the cluster's Kubernetes version.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PodSecurityLevel } from '../../contracts/app-definition';
import { LOCAL_CLUSTER_KUBERNETES_VERSION } from '../../contracts/versions';

/** An Argo CD Application as Argo CD's repo-server would render it. */
export interface RenderedApplication {
  /** Application name. */
  readonly name: string;
  /** Wrapper chart path in the repository, e.g. `apps/ollama`. */
  readonly path: string;
  /** Helm release name. */
  readonly releaseName: string;
  /** Destination namespace. */
  readonly namespace: string;
  /** Value files relative to `path`, lowest precedence first. */
  readonly valueFiles: readonly string[];
  /** `spec.source.helm.valuesObject` as Kubernetes receives it (Terraform escapes undone). */
  readonly valuesObject: Record<string, unknown>;
}

/** A `kubernetes_secret_v1` of a platform stack. */
export interface TerraformSecret {
  readonly name: string;
  readonly namespace: string;
  /** Data values: literals, or strings holding Terraform expressions (`${…}`). */
  readonly data: Readonly<Record<string, string>>;
}

/** The Pod Security Standards level a namespace enforces (its `pod-security.kubernetes.io/enforce[-version]` labels). */
export interface NamespacePodSecurity {
  readonly level: PodSecurityLevel;
  /** `v1.<minor>`, or `latest` where the namespace has no version label. */
  readonly version: string;
}

/** Everything rendered for one environment. */
export interface EnvironmentApplications {
  readonly environment: string;
  /** `MAJOR.MINOR` of the cluster: the EKS cluster's version, or the local-cluster default. */
  readonly kubeVersion: string;
  readonly applications: readonly RenderedApplication[];
  readonly secrets: readonly TerraformSecret[];
  /**
   * The Pod Security level of each namespace the platform stack creates, by namespace name.
   * @default {} (nothing enforced: the admission's cluster default is `privileged`)
   */
  readonly podSecurity?: Readonly<Record<string, NamespacePodSecurity>>;
}

type Json = Record<string, any>;

/** A string as Terraform hands it to the provider: `$${` → `${`, `%%{` → `%{`. */
export function unescapeTerraform(value: string): string {
  return value.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
}

function unescapeDeep(value: unknown): any {
  if (typeof value === 'string') return unescapeTerraform(value);
  if (Array.isArray(value)) return value.map(unescapeDeep);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unescapeDeep(v)]));
  return value;
}

/** Reads `<outdir>/stacks/<stack>/cdk.tf.json` of every stack. */
export function readStacks(outdir: string): Map<string, Json> {
  const stacksDir = path.join(outdir, 'stacks');
  const stacks = new Map<string, Json>();
  for (const stack of fs.readdirSync(stacksDir).sort()) {
    const file = path.join(stacksDir, stack, 'cdk.tf.json');
    if (fs.existsSync(file)) stacks.set(stack, JSON.parse(fs.readFileSync(file, 'utf8')));
  }
  return stacks;
}

/** The Applications, Terraform Secrets and Kubernetes version of every environment in `stacks`. */
export function environmentApplications(stacks: Map<string, Json>): EnvironmentApplications[] {
  const environments = [...stacks.keys()].filter((s) => s.endsWith('-apps')).map((s) => s.slice(0, -'-apps'.length));
  return environments.map((environment) => {
    const apps = stacks.get(`${environment}-apps`)!;
    const platform = stacks.get(`${environment}-platform`) ?? {};
    const cluster = stacks.get(`${environment}-cluster`);
    const applications = Object.values<Json>(apps.resource?.kubernetes_manifest ?? {})
      .map((r) => r.manifest)
      .filter((m) => m?.kind === 'Application')
      .map((m): RenderedApplication => {
        const helm = m.spec.source.helm ?? {};
        return {
          name: m.metadata.name,
          path: m.spec.source.path,
          releaseName: helm.releaseName ?? m.metadata.name,
          namespace: m.spec.destination.namespace,
          valueFiles: helm.valueFiles ?? [],
          valuesObject: unescapeDeep(helm.valuesObject ?? {}),
        };
      });
    const namespaces = platform.resource?.kubernetes_namespace_v1 ?? {};
    const namespaceName = (value: string): string => {
      const ref = /^\$\{kubernetes_namespace_v1\.([\w-]+)\.metadata\[0\]\.name\}$/.exec(value);
      return ref && namespaces[ref[1]] ? namespaces[ref[1]].metadata.name : value;
    };
    const secrets = Object.values<Json>(platform.resource?.kubernetes_secret_v1 ?? {}).map((s): TerraformSecret => ({
      name: s.metadata.name,
      namespace: namespaceName(s.metadata.namespace),
      // Write-only data (`data_wo`): the values never reach the state, the keys and literals are here.
      data: unescapeDeep(s.data_wo ?? s.data ?? {}),
    }));
    const podSecurity = Object.fromEntries(
      Object.values<Json>(namespaces).flatMap((n) => {
        const labels = n.metadata.labels ?? {};
        const level = labels['pod-security.kubernetes.io/enforce'];
        return level ? [[n.metadata.name, { level, version: labels['pod-security.kubernetes.io/enforce-version'] ?? 'latest' }]] : [];
      }),
    );
    const eks = Object.values<Json>(cluster?.resource?.aws_eks_cluster ?? {})[0];
    return { environment, kubeVersion: eks?.version ?? LOCAL_CLUSTER_KUBERNETES_VERSION, applications, secrets, podSecurity };
  });
}

/**
 * Synthesizes the app of the repository at `repoRoot` (its own `main.ts`) into a temporary
 * directory and reads the Applications from it. `build` is that repository's `buildApp`.
 */
export function synthesizeApplications(build: (options: { outdir: string }) => { synth(): void }): EnvironmentApplications[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'render-synth-'));
  try {
    build({ outdir }).synth();
    return environmentApplications(readStacks(outdir));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * Child-process entry for `--diff`: synthesizes the checkout at argv[2] with its own `main.ts`
 * and prints its {@link EnvironmentApplications} as JSON.
 */
if (require.main === module) {
  const root = path.resolve(process.argv[2] ?? '.');
  process.chdir(root);
  const { buildApp } = require(path.join(root, 'main.ts')) as { buildApp: (o: { outdir: string; repoRoot?: string }) => { synth(): void } };
  process.stdout.write(JSON.stringify(synthesizeApplications((o) => buildApp({ ...o, repoRoot: root }))));
}
