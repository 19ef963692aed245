/** The few `kubectl` calls of the deploy wrapper. */
import { Exec } from './exec';
import { KubeTarget, StackObject } from './stack-objects';
import { LiveObject } from './adoption';

/** kubectl bound to one cluster. */
export class Kube {
  constructor(
    private readonly exec: Exec,
    private readonly kubectl: string,
    private readonly target: KubeTarget,
  ) {}

  private args(args: readonly string[]): string[] {
    return [
      ...(this.target.kubeconfig ? ['--kubeconfig', this.target.kubeconfig] : []),
      ...(this.target.context ? ['--context', this.target.context] : []),
      ...args,
    ];
  }

  /** Runs kubectl; throws with its error output when it fails. */
  async run(args: readonly string[]): Promise<string> {
    const result = await this.exec(this.kubectl, this.args(args));
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${result.stderr.trim() || `exit ${result.code ?? result.signal}`}`);
    return result.stdout;
  }

  /** Lists objects as parsed JSON; a resource type the API server does not serve lists nothing. */
  async list(resource: string, namespace: string, selector?: string): Promise<any[]> {
    const result = await this.exec(this.kubectl, this.args(['get', resource, '-n', namespace, ...(selector ? ['-l', selector] : []), '-o', 'json']));
    if (result.code !== 0) {
      if (/doesn't have a resource type|the server could not find the requested resource/.test(result.stderr)) return [];
      throw new Error(`kubectl get ${resource} -n ${namespace} failed: ${result.stderr.trim() || `exit ${result.code ?? result.signal}`}`);
    }
    return JSON.parse(result.stdout).items ?? [];
  }

  /** Whether an object exists, with its labels. */
  async live(o: StackObject): Promise<LiveObject> {
    const result = await this.exec(
      this.kubectl,
      this.args(['get', o.resource, o.name, ...(o.namespace ? ['-n', o.namespace] : []), '--ignore-not-found', '-o', 'json']),
    );
    if (result.code !== 0) {
      if (/doesn't have a resource type/.test(result.stderr)) return { exists: false };
      throw new Error(`kubectl get ${o.resource} ${o.name} failed: ${result.stderr.trim() || `exit ${result.code ?? result.signal}`}`);
    }
    if (!result.stdout.trim()) return { exists: false };
    return { exists: true, labels: JSON.parse(result.stdout).metadata?.labels ?? {} };
  }
}
