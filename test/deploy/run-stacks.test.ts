import { Call, FakeWorld, MANAGED, fakeExec, fakeRoot } from './fake-cli';
import { RunStacksOptions, StackRunError, runStacks } from '../../tools/deploy/run-stacks';

const FINALIZER = 'resources-finalizer.argocd.argoproj.io';

async function run(command: 'deploy' | 'destroy', world: FakeWorld, extra: Partial<RunStacksOptions> = {}) {
  const calls: Call[] = [];
  const log: string[] = [];
  const options: RunStacksOptions = {
    command,
    env: 'dev',
    root: fakeRoot(),
    skipSynth: true,
    tfBinary: 'tofu',
    kubectl: 'kubectl',
    log: (l) => log.push(l),
    sleep: async () => {},
    ...extra,
  };
  let error: Error | undefined;
  try {
    await runStacks(options, fakeExec(world, calls));
  } catch (err) {
    error = err as Error;
  }
  const cdktfRuns = calls.filter((c) => c.tool === 'cdktf').map((c) => `${c.args[0]} ${c.args[1]}`);
  return { calls, log, error, cdktfRuns };
}

describe('order and exit status', () => {
  test('deploy runs one stack at a time, dependencies first, each with the exit-recording shim', async () => {
    const { error, cdktfRuns, calls } = await run('deploy', {});
    expect(error).toBeUndefined();
    expect(cdktfRuns).toEqual(['deploy dev-platform', 'deploy dev-apps']);
    expect(calls.find((c) => c.tool === 'cdktf')!.args).toEqual([
      'deploy',
      'dev-platform',
      '--auto-approve',
      '--skip-synth',
      '--ignore-missing-stack-dependencies',
    ]);
  });

  test('destroy runs dependants first', async () => {
    const { error, cdktfRuns } = await run('destroy', {});
    expect(error).toBeUndefined();
    expect(cdktfRuns).toEqual(['destroy dev-apps', 'destroy dev-platform']);
  });

  test.each([
    ['killed by SIGKILL while cdktf exits 0', { tf: { code: null, signal: 'SIGKILL' } as const }, /`apply` was killed by SIGKILL/],
    ['interrupted by SIGINT', { tf: { code: null, signal: 'SIGINT' } as const }, /`apply` was killed by SIGINT/],
    ['exits 1', { tf: { code: 1 } }, /`apply` exited with 1/],
    ['never reports an exit', { tf: 'no-exit' as const }, /`apply` did not finish \(no exit status recorded\)/],
    ['fine, but cdktf exits 1', { cdktfCode: 1 }, /cdktf exited with 1/],
  ])('a platform apply that is %s stops the deploy before dev-apps, naming the command that recovers', async (_what, behaviour, reason) => {
    const { error, cdktfRuns } = await run('deploy', { cdktf: { 'dev-platform': behaviour } });
    expect(error).toBeInstanceOf(StackRunError);
    expect(error!.message).toMatch(reason);
    expect(error!.message).toMatch(/dev-platform: deploy did not finish: .*Later stacks were not applied\. To continue, run:\n {2}npm run deploy -- dev$/s);
    expect(cdktfRuns).toEqual(['deploy dev-platform']);
  });

  test('a killed dev-apps destroy never goes on to destroy dev-platform', async () => {
    const { error, cdktfRuns } = await run('destroy', { cdktf: { 'dev-apps': { tf: { code: null, signal: 'SIGKILL' } } } });
    expect(error!.message).toMatch(
      /^dev-apps: destroy did not finish: `destroy` was killed by SIGKILL\. The stacks it depends on were not destroyed\. To continue, run:\n {2}npm run destroy -- dev$/,
    );
    expect(cdktfRuns).toEqual(['destroy dev-apps']);
  });

  test('an interrupt of the wrapper fails the stack even when every CLI exited 0', async () => {
    const { error, cdktfRuns } = await run('deploy', {}, { interrupted: () => true });
    expect(error!.message).toMatch(/interrupted/);
    expect(cdktfRuns.length).toBeLessThanOrEqual(1);
  });
});

describe('adoption after an interrupted apply', () => {
  test("imports exactly the program's own objects that exist but are missing from state", async () => {
    const { error, calls, log } = await run('deploy', {
      objects: { 'namespace argocd': MANAGED, 'secret argocd/repo': MANAGED },
      state: { 'dev-platform': ['kubernetes_namespace_v1.ns_argocd', 'random_bytes.key'] },
    });
    expect(error).toBeUndefined();
    const imports = calls.filter((c) => c.args[0] === 'import').map((c) => c.args.slice(-2));
    expect(imports).toEqual([['kubernetes_secret_v1.repo', 'argocd/repo']]);
    expect(log.join('\n')).toMatch(/adopting secret argocd\/repo: it exists, is this program's, and is missing from state/);
    // The import happens before the stack's apply.
    const importAt = calls.findIndex((c) => c.args[0] === 'import');
    const applyAt = calls.findIndex((c) => c.tool === 'cdktf');
    expect(importAt).toBeLessThan(applyAt);
  });

  test('a write-only Secret left by the interrupted apply is deleted and written anew, never imported (its data would enter the state)', async () => {
    const { error, calls, log } = await run('deploy', {
      objects: { 'namespace argocd': MANAGED, 'secret argocd/repo': MANAGED, 'secret argocd/creds': MANAGED },
      state: { 'dev-platform': ['kubernetes_namespace_v1.ns_argocd', 'kubernetes_secret_v1.repo'] },
    });
    expect(error).toBeUndefined();
    expect(calls.filter((c) => c.args[0] === 'import')).toEqual([]);
    const deleteAt = calls.findIndex((c) => c.tool === 'kubectl' && c.args.includes('delete'));
    expect(calls[deleteAt].args.slice(-5)).toEqual(['delete', 'secret', '-n', 'argocd', 'creds']);
    expect(deleteAt).toBeLessThan(calls.findIndex((c) => c.tool === 'cdktf'));
    expect(log.join('\n')).toMatch(/recreating secret argocd\/creds: .*importing it would copy its data into the state/);
  });

  test('terraform killed before its first state write (no state file): everything of the program found is adopted', async () => {
    const { error, calls } = await run('deploy', {
      objects: { 'namespace argocd': MANAGED, 'secret argocd/repo': MANAGED },
      noStateFile: ['dev-platform'],
    });
    expect(error).toBeUndefined();
    expect(calls.filter((c) => c.args[0] === 'import').map((c) => c.args.slice(-2))).toEqual([
      ['kubernetes_namespace_v1.ns_argocd', 'argocd'],
      ['kubernetes_secret_v1.repo', 'argocd/repo'],
    ]);
  });

  test('imports a Kubernetes manifest with the provider import ID', async () => {
    const { calls } = await run('deploy', {
      objects: { 'namespace argocd': MANAGED, 'application.v1alpha1.argoproj.io argocd/ollama': MANAGED },
      state: { 'dev-platform': ['kubernetes_namespace_v1.ns_argocd', 'kubernetes_secret_v1.repo', 'helm_release.argocd'] },
      helmSecrets: [{ name: 'sh.helm.release.v1.argocd.v1', status: 'deployed', version: 1 }],
    });
    expect(calls.filter((c) => c.args[0] === 'import').map((c) => c.args.slice(-2))).toEqual([
      ['kubernetes_manifest.app', 'apiVersion=argoproj.io/v1alpha1,kind=Application,namespace=argocd,name=ollama'],
    ]);
  });

  test('never imports an object without the ownership labels', async () => {
    const { error, calls } = await run('deploy', { objects: { 'namespace argocd': { 'app.kubernetes.io/managed-by': 'Helm' } } });
    expect(error!.message).toMatch(
      /dev-platform: these objects exist but are not in state and do not carry this program's labels, so they are not imported:\n {2}- namespace argocd \(kubernetes_namespace_v1\.ns_argocd\) lacks app\.kubernetes\.io\/managed-by=terraform, app\.kubernetes\.io\/part-of=llm-platform/,
    );
    expect(calls.some((c) => c.args[0] === 'import')).toBe(false);
    expect(calls.some((c) => c.tool === 'cdktf')).toBe(false);
  });

  test('does not touch terraform state when nothing of the stack exists yet', async () => {
    const { calls } = await run('deploy', {});
    expect(calls.some((c) => c.args[0] === 'state' || c.args[0] === 'import')).toBe(false);
  });

  test("imports a deployed Helm release missing from state when its namespace is the program's", async () => {
    const { calls } = await run('deploy', {
      objects: { 'namespace argocd': MANAGED },
      state: { 'dev-platform': ['kubernetes_namespace_v1.ns_argocd'] },
      helmSecrets: [{ name: 'sh.helm.release.v1.argocd.v1', status: 'deployed', version: 1 }],
    });
    expect(calls.filter((c) => c.args[0] === 'import').map((c) => c.args.slice(-2))).toEqual([['helm_release.argocd', 'argocd/argocd']]);
  });
});

describe('a Helm release left pending', () => {
  const pendingInstall: FakeWorld = {
    objects: { 'namespace argocd': MANAGED },
    state: { 'dev-platform': ['kubernetes_namespace_v1.ns_argocd'] },
    helmSecrets: [{ name: 'sh.helm.release.v1.argocd.v1', status: 'pending-install', version: 1 }],
  };

  test('without consent: the deploy stops and names the flag, and deletes nothing', async () => {
    const { error, calls } = await run('deploy', pendingInstall);
    expect(error!.message).toMatch(
      /dev-platform: Helm release argocd\/argocd is pending-install \(left by an interrupted apply\); every apply fails until it is recovered\..*\n {2}npm run deploy -- dev --recover-helm$/s,
    );
    expect(calls.some((c) => c.args.includes('delete'))).toBe(false);
  });

  test('with --recover-helm: a pending install is forgotten (its objects are adopted by the next install), then the stack is applied', async () => {
    const { error, calls } = await run('deploy', pendingInstall, { recoverHelm: true });
    expect(error).toBeUndefined();
    expect(calls.find((c) => c.args.includes('delete'))!.args.slice(4)).toEqual(['delete', 'secret', '-n', 'argocd', 'sh.helm.release.v1.argocd.v1']);
    expect(calls.filter((c) => c.tool === 'cdktf')).toHaveLength(2);
  });

  test('with --recover-helm: a pending upgrade goes back to the last deployed revision', async () => {
    const { calls, log } = await run(
      'deploy',
      {
        ...pendingInstall,
        helmSecrets: [
          { name: 'sh.helm.release.v1.argocd.v1', status: 'deployed', version: 1 },
          { name: 'sh.helm.release.v1.argocd.v2', status: 'pending-upgrade', version: 2 },
        ],
      },
      { recoverHelm: true },
    );
    expect(calls.find((c) => c.args.includes('delete'))!.args.slice(4)).toEqual(['delete', 'secret', '-n', 'argocd', 'sh.helm.release.v1.argocd.v2']);
    expect(log.join('\n')).toMatch(/back to its last deployed revision 1/);
  });
});

describe('destroy never strands Applications', () => {
  const argocdRuns = [{ name: 'sh.helm.release.v1.argocd.v1', status: 'deployed', version: 1 }];

  test('waits for Argo CD to delete the Applications before destroying the stack that holds it', async () => {
    const { error, cdktfRuns, log } = await run('destroy', {
      helmSecrets: argocdRuns,
      applications: [{ name: 'ollama', finalizers: [FINALIZER] }],
      applicationsGoneAfter: 2,
    });
    expect(error).toBeUndefined();
    expect(log.join('\n')).toMatch(/dev-platform: waiting up to 300s for Argo CD to delete the Applications argocd\/ollama/);
    expect(cdktfRuns).toEqual(['destroy dev-apps', 'destroy dev-platform']);
  });

  test('refuses to destroy the Argo CD stack while Applications keep the finalizer', async () => {
    const { error, cdktfRuns, calls } = await run(
      'destroy',
      { helmSecrets: argocdRuns, applications: [{ name: 'ollama', finalizers: [FINALIZER] }] },
      { waitSeconds: 0 },
    );
    expect(error!.message).toMatch(
      /^dev-platform: not destroyed: the Applications argocd\/ollama still carry resources-finalizer\.argocd\.argoproj\.io, and removing Argo CD now would strand them\./,
    );
    expect(cdktfRuns).toEqual(['destroy dev-apps']);
    expect(calls.some((c) => c.args.includes('patch'))).toBe(false);
  });

  test('Argo CD already gone: refuses without consent, removes the finalizers with --remove-finalizers and finishes', async () => {
    const world: FakeWorld = { helmSecrets: [], applications: [{ name: 'ollama', finalizers: [FINALIZER] }] };
    const refused = await run('destroy', world);
    expect(refused.error!.message).toMatch(
      /^dev-apps: Argo CD \(Helm release argocd\/argocd\) is gone, and the Applications argocd\/ollama still carry resources-finalizer\.argocd\.argoproj\.io.*\n {2}npm run destroy -- dev --remove-finalizers$/s,
    );
    expect(refused.cdktfRuns).toEqual([]);

    const consented = await run('destroy', { ...world, applicationsGoneAfter: 1 }, { removeFinalizers: true });
    expect(consented.error).toBeUndefined();
    expect(consented.calls.find((c) => c.args.includes('patch'))!.args.slice(4)).toEqual([
      'patch',
      'application.v1alpha1.argoproj.io',
      'ollama',
      '-n',
      'argocd',
      '--type',
      'merge',
      '-p',
      '{"metadata":{"finalizers":null}}',
    ]);
    expect(consented.cdktfRuns).toEqual(['destroy dev-apps', 'destroy dev-platform']);
  });
});

describe('a stack whose provider names no cluster context (EKS)', () => {
  test("deploy skips the adoption and Helm checks rather than ask kubectl's current context, which may be another cluster", async () => {
    const { error, calls, log, cdktfRuns } = await run('deploy', { objects: { 'namespace argocd': MANAGED } }, { root: fakeRoot({ eks: true }) });
    expect(error).toBeUndefined();
    expect(calls.some((c) => c.tool === 'kubectl')).toBe(false);
    expect(log.join('\n')).toMatch(
      /dev-platform: no kube context names this stack's cluster, so the adoption and Helm checks are skipped \(pass --context <ctx> to run them\)/,
    );
    expect(cdktfRuns).toEqual(['deploy dev-platform', 'deploy dev-apps']);
  });

  test('destroy refuses before destroying anything, and names --context', async () => {
    const { error, calls, cdktfRuns } = await run(
      'destroy',
      { applications: [{ name: 'ollama', finalizers: [FINALIZER] }] },
      { root: fakeRoot({ eks: true }) },
    );
    expect(error!.message).toMatch(
      /^dev-apps: no kube context names this stack's cluster, so it cannot check that Argo CD has deleted its Applications first; run npm run destroy -- dev --context <kube context of the cluster>$/,
    );
    expect(calls.some((c) => c.tool === 'kubectl')).toBe(false);
    expect(cdktfRuns).toEqual([]);
  });

  test('with --context, kubectl targets exactly that context', async () => {
    const { calls } = await run('deploy', { objects: { 'namespace argocd': MANAGED } }, { root: fakeRoot({ eks: true }), context: 'llm-staging' });
    const kubectl = calls.filter((c) => c.tool === 'kubectl');
    expect(kubectl.length).toBeGreaterThan(0);
    for (const c of kubectl) expect(c.args.slice(0, 2)).toEqual(['--context', 'llm-staging']);
  });
});
