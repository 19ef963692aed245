/**
 * What the e2e's controller steps (tools/e2e/external-secrets.ts, keda.ts, karpenter.ts) share:
 * kubectl against the API server of control-plane.sh (E2E_KUBECTL_BIN, E2E_KUBE_CONTEXT), and an
 * environment's Applications synthesized from the repository and rendered as Argo CD would (helm,
 * the e2e's stand-in dependency charts).
 */
import { ChildProcess, SpawnOptions, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CATALOG } from '../../apps/catalog';
import { buildApp } from '../../main';
import { environmentApplications, readStacks } from '../render/applications';
import { RenderedApp, renderApplications } from '../render/render';
import { writeStandIns } from './argocd/stand-ins';

const kubectlBin = process.env.E2E_KUBECTL_BIN ?? 'kubectl';
const context = process.env.E2E_KUBE_CONTEXT ?? 'e2e-local';

/** Runs kubectl with `args` (and `input` on stdin) against the step's control plane; its stdout. */
export const kubectl = (args: string[], input?: string): string =>
  execFileSync(kubectlBin, ['--context', context, ...args], { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });

/** Starts kubectl with `args` against the step's control plane (a watch, say). */
export const spawnKubectl = (args: string[], options: SpawnOptions): ChildProcess => spawn(kubectlBin, ['--context', context, ...args], options);

/** `kubectl <args> -o json`, parsed. */
export const kubectlJson = (args: string[]): any => JSON.parse(kubectl([...args, '-o', 'json']));

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` every 500 ms until it returns true or `seconds` pass. */
export async function waitFor(seconds: number, probe: () => boolean): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    if (probe()) return true;
    if (Date.now() > deadline) return false;
    await sleep(500);
  }
}

/** An environment's synthesized stacks and its rendered Applications. */
export interface StepRender {
  /** The synthesized stacks by name (`<env>-apps`, …). */
  readonly stacks: ReturnType<typeof readStacks>;
  /** The rendered Applications, in the order asked for (all of them when none were named). */
  readonly apps: readonly RenderedApp[];
}

/** Synthesizes `repo`'s stacks and renders `envName`'s Applications `apps` (default: all) with `helm`. */
export function renderForStep(repo: string, helm: string, envName: string, apps?: readonly string[]): StepRender {
  const chartsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-step-charts-'));
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-step-synth-'));
  try {
    fs.cpSync(path.join(repo, 'tools/e2e/argocd/charts'), chartsDir, { recursive: true });
    writeStandIns(repo, chartsDir, chartsDir, CATALOG);
    buildApp({ outdir, repoRoot: repo, env: {}, verifyGeneratedValues: true }).synth();
    const stacks = readStacks(outdir);
    const environment = environmentApplications(stacks).find((e) => e.environment === envName);
    if (!environment) throw new Error(`no environment ${envName} among the synthesized stacks`);
    const applications = apps
      ? apps.map((name) => {
          const found = environment.applications.find((a) => a.name === name);
          if (!found) throw new Error(`${envName} has no Application ${name}`);
          return found;
        })
      : environment.applications;
    const [rendered] = renderApplications([{ ...environment, applications }], repo, helm, { chartsDir });
    return { stacks, apps: rendered.apps };
  } finally {
    fs.rmSync(chartsDir, { recursive: true, force: true });
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
