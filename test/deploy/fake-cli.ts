/**
 * Fakes of cdktf, terraform/tofu and kubectl for the deploy wrapper's tests, and a synthesized
 * output directory of two stacks shaped like an environment's platform and apps stacks.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Exec, ExecResult } from '../../tools/deploy/exec';

export const MANAGED = { 'app.kubernetes.io/managed-by': 'terraform', 'app.kubernetes.io/part-of': 'llm-platform' };

/** `cdk.tf.json` of a platform stack: namespace argocd, a Secret in it, the Argo CD release. */
export const PLATFORM = {
  provider: { kubernetes: [{ config_path: '/tmp/kubeconfig', config_context: 'ctx' }] },
  resource: {
    kubernetes_namespace_v1: { ns_argocd: { metadata: { name: 'argocd', labels: MANAGED } } },
    kubernetes_secret_v1: { repo: { metadata: { name: 'repo', namespace: '${kubernetes_namespace_v1.ns_argocd.metadata[0].name}', labels: MANAGED } } },
    helm_release: { argocd: { name: 'argocd', namespace: '${kubernetes_namespace_v1.ns_argocd.metadata[0].name}', chart: 'argo-cd' } },
    random_bytes: { key: { length: 32 } },
  },
};

/** `cdk.tf.json` of an apps stack: one Application with the resources finalizer. */
export const APPS = {
  provider: { kubernetes: [{ config_path: '/tmp/kubeconfig', config_context: 'ctx' }] },
  resource: {
    kubernetes_manifest: {
      app: {
        manifest: {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Application',
          metadata: { name: 'ollama', namespace: 'argocd', labels: MANAGED, finalizers: ['resources-finalizer.argocd.argoproj.io'] },
        },
      },
    },
  },
};

/** The provider of an EKS stack: configured from the cluster's outputs, no kubeconfig or context. */
const EKS_PROVIDER = { kubernetes: [{ host: '${data.aws_eks_cluster.cluster.endpoint}' }] };

/**
 * A temporary repository root whose cdktf.out holds `dev-platform` and `dev-apps`; with `eks`,
 * their providers name no kubeconfig or context, as on EKS.
 */
export function fakeRoot(options: { eks?: boolean } = {}): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-test-'));
  const out = path.join(root, 'cdktf.out');
  const provider = (json: object) => (options.eks ? { ...json, provider: EKS_PROVIDER } : json);
  const stacks = { 'dev-platform': { json: provider(PLATFORM), deps: [] as string[] }, 'dev-apps': { json: provider(APPS), deps: ['dev-platform'] } };
  const manifest: any = { stacks: {} };
  for (const [name, s] of Object.entries(stacks)) {
    fs.mkdirSync(path.join(out, 'stacks', name, '.terraform'), { recursive: true });
    fs.writeFileSync(path.join(out, 'stacks', name, 'cdk.tf.json'), JSON.stringify(s.json));
    manifest.stacks[name] = { name, dependencies: s.deps, workingDirectory: `stacks/${name}` };
  }
  fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify(manifest));
  return root;
}

/** One call the fakes received. */
export interface Call {
  readonly tool: string;
  readonly args: readonly string[];
  readonly cwd?: string;
}

/** How a terraform/tofu invocation under cdktf ends. */
export type TfEnd = { code: number; signal?: null } | { code: null; signal: string } | 'no-exit';

/** Behaviour of the fakes. */
export interface FakeWorld {
  /** Per stack: how its `apply`/`destroy` ends (default exit 0), and cdktf's own exit code (default 0: it reads a killed child as success). */
  cdktf?: Record<string, { tf?: TfEnd; cdktfCode?: number }>;
  /** Objects in the cluster, by `<resource> <namespace>/<name>`, with their labels. */
  objects?: Record<string, Record<string, string>>;
  /** Terraform state addresses by stack directory name. */
  state?: Record<string, string[]>;
  /** Stack directories without a state file (terraform killed before its first write). */
  noStateFile?: string[];
  /** Helm release Secrets in the cluster (namespace argocd). */
  helmSecrets?: { name: string; status: string; version: number }[];
  /** Applications in the cluster, with their finalizers; emptied after `afterPolls` lists. */
  applications?: { name: string; finalizers: string[] }[];
  /** Lists of Applications after which Argo CD has deleted them (default never). */
  applicationsGoneAfter?: number;
  /** Per stack directory: whether `plan` finds changes (default true), or how it ends otherwise. */
  plan?: Record<string, { changes?: boolean; end?: TfEnd }>;
  /** Per stack directory: how `apply <planfile>` ends: terraform's stale-plan refusal, or a kill. */
  apply?: Record<string, 'stale' | { code: null; signal: string }>;
  /** `terraform version`'s first line (default `Terraform v1.10.5`). */
  version?: string;
}

/** What terraform prints when it refuses a saved plan whose state moved. */
export const STALE_PLAN_ERROR =
  '\nError: Saved plan is stale\n\nThe given plan file can no longer be applied because the state was changed by another operation after the plan was created.\n';

const ok = (stdout = ''): ExecResult => ({ code: 0, signal: null, stdout, stderr: '' });

/** An {@link Exec} faking the three CLIs over `world`, recording every call. */
export function fakeExec(world: FakeWorld, calls: Call[]): Exec {
  let applicationLists = 0;
  return async (file, args, options = {}) => {
    const tool = path.basename(file);
    calls.push({ tool, args, cwd: options.cwd });
    if (tool === 'cdktf') {
      if (args[0] === 'synth') return ok();
      const stack = args[1];
      const statusFile = options.env?.LLM_PLATFORM_TF_STATUS_FILE;
      if (!statusFile) throw new Error('cdktf ran without the exit-recording shim');
      const behaviour = world.cdktf?.[stack] ?? {};
      const line = (o: object) => fs.appendFileSync(statusFile, `${JSON.stringify(o)}\n`);
      line({ id: 'init', event: 'start', args: ['init'] });
      line({ id: 'init', event: 'exit', code: 0, signal: null });
      line({ id: 'run', event: 'start', args: [args[0] === 'deploy' ? 'apply' : 'destroy'] });
      const end = behaviour.tf ?? { code: 0 };
      if (end !== 'no-exit') line({ id: 'run', event: 'exit', code: end.code, signal: end.signal ?? null });
      return { code: behaviour.cdktfCode ?? 0, signal: null, stdout: '', stderr: '' };
    }
    if (tool === 'kubectl') {
      const rest = args.slice(4); // --kubeconfig x --context y
      const ns = rest[rest.indexOf('-n') + 1];
      if (rest[0] === 'get' && rest[1] === 'secrets') {
        const items = (world.helmSecrets ?? []).map((s) => ({
          metadata: { name: s.name, namespace: ns, labels: { owner: 'helm', name: 'argocd', status: s.status, version: String(s.version) } },
        }));
        return ok(JSON.stringify({ items }));
      }
      if (rest[0] === 'get' && rest[1].startsWith('application') && rest[2] === '-n') {
        applicationLists++;
        const gone = world.applicationsGoneAfter !== undefined && applicationLists > world.applicationsGoneAfter;
        const items = gone ? [] : (world.applications ?? []).map((a) => ({ metadata: { name: a.name, namespace: ns, finalizers: a.finalizers } }));
        return ok(JSON.stringify({ items }));
      }
      if (rest[0] === 'get') {
        const key = `${rest[1]} ${rest.includes('-n') ? `${ns}/` : ''}${rest[2]}`;
        const labels = world.objects?.[key];
        return ok(labels ? JSON.stringify({ metadata: { labels } }) : '');
      }
      return ok();
    }
    // terraform / tofu
    const stackDir = path.basename(options.cwd ?? '');
    if (args[0] === 'version') return ok(`${world.version ?? 'Terraform v1.10.5'}\non linux_amd64\n`);
    if (args[0] === 'plan') {
      const behaviour = world.plan?.[stackDir] ?? {};
      if (behaviour.end && behaviour.end !== 'no-exit') return { code: behaviour.end.code, signal: behaviour.end.signal ?? null, stdout: '', stderr: '' };
      const out = args.find((a) => a.startsWith('-out='))!.slice('-out='.length);
      fs.writeFileSync(out, `${behaviour.changes === false ? 'empty' : 'saved'} plan of ${stackDir}`);
      return { code: behaviour.changes === false ? 0 : 2, signal: null, stdout: '', stderr: '' };
    }
    if (args[0] === 'show') {
      const changes = fs.readFileSync(args[args.length - 1], 'utf8').startsWith('saved plan');
      return ok(
        changes ? `  # ${stackDir} changes\n\nPlan: 2 to add, 1 to change, 0 to destroy.\n` : 'No changes. Your infrastructure matches the configuration.\n',
      );
    }
    if (args[0] === 'apply') {
      const behaviour = world.apply?.[stackDir];
      if (behaviour === 'stale') return { code: 1, signal: null, stdout: '', stderr: STALE_PLAN_ERROR };
      if (behaviour) return { code: null, signal: behaviour.signal, stdout: '', stderr: '' };
      return ok(`Apply complete! (${stackDir})\n`);
    }
    if (args[0] === 'state' && args[1] === 'list' && world.noStateFile?.includes(path.basename(options.cwd ?? '')))
      return { code: 1, signal: null, stdout: '', stderr: 'No state file was found!\n\nState management commands require a state file.' };
    if (args[0] === 'state' && args[1] === 'list') return ok((world.state?.[path.basename(options.cwd ?? '')] ?? []).join('\n'));
    return ok();
  };
}
