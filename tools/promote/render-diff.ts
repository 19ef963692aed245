/**
 * The render diff of a promotion: every Application of the environment rendered from the charts
 * of the commit it runs and of the commit it will run, as one unified diff.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EnvironmentApplications, synthesizeApplications } from '../render/applications';
import { CommitRenderError, renderCommit } from '../render/commit';
import { DependencySource } from '../render/helm';
import { buildApp } from '../../main';
import { PromoteError } from './git';

/**
 * The Applications of `env` as the configuration of `projectRoot` creates them (synthesized
 * in-process; `env` holds the synth-time overrides).
 */
export function environmentApplications(projectRoot: string, env: string, processEnv: NodeJS.ProcessEnv = process.env): EnvironmentApplications {
  const found = synthesizeApplications((o) => buildApp({ ...o, repoRoot: projectRoot, env: processEnv })).find((e) => e.environment === env);
  if (!found) throw new PromoteError(`no Applications synthesized for ${env}`);
  return found;
}

function writeRender(dir: string, rendered: ReadonlyMap<string, string>): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [app, text] of rendered) fs.writeFileSync(path.join(dir, `${app}.yaml`), text);
}

/**
 * Unified diff of the Applications rendered at `from` (nothing when undefined: the ref does not
 * exist yet) and at `to`; file names are `<commit>/<app>.yaml`. Empty when nothing changes.
 * @throws PromoteError when a chart present at either commit does not render
 */
export function renderDiff(
  repo: string,
  applications: EnvironmentApplications,
  from: string | undefined,
  to: string,
  helm: string,
  source: DependencySource,
): string {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'promote-diff-'));
  try {
    // The directories are named after the commits, so the diff's file names say which is which.
    const before = from ? from.slice(0, 12) : 'none';
    const after = to.slice(0, 12);
    try {
      writeRender(path.join(work, before), from ? renderCommit(repo, from, applications, helm, source) : new Map());
      writeRender(path.join(work, after), renderCommit(repo, to, applications, helm, source));
    } catch (error) {
      if (error instanceof CommitRenderError) throw new PromoteError(`render failed: ${error.message}`);
      throw error;
    }
    const diff = spawnSync('git', ['diff', '--no-index', '--no-color', '--src-prefix=', '--dst-prefix=', '--', before, after], {
      cwd: work,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (diff.status !== 0 && diff.status !== 1) throw new PromoteError(`git diff failed: ${diff.stderr.trim()}`);
    return diff.stdout;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
