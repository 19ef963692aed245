/**
 * Renders Applications from the wrapper charts of a given commit: the Applications (path, value
 * file names) stay as Terraform created them, the charts and every value come from the commit —
 * what Argo CD renders when the revision it tracks moves.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EnvironmentApplications } from './applications';
import { DependencySource, RenderError, renderApplication } from './helm';

/** A chart that exists at a commit but does not render there: a promotion to it must not go ahead. */
export class CommitRenderError extends Error {}

/**
 * `helm template` of every Application of `environment` from the charts at `commit` of the Git
 * clone `repo` (a temporary detached worktree). An Application whose wrapper chart is not at that
 * commit (an app added or removed since) is left out; one whose chart is there and fails to render
 * fails the whole render.
 * @returns application name → rendered manifests
 * @throws CommitRenderError naming the chart, the commit and helm's message
 */
export function renderCommit(repo: string, commit: string, environment: EnvironmentApplications, helm: string, source: DependencySource): Map<string, string> {
  const worktree = fs.mkdtempSync(path.join(os.tmpdir(), 'render-commit-'));
  const run = (args: string[]) => execFileSync('git', ['-C', repo, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  run(['worktree', 'add', '--detach', '--quiet', '--end-of-options', worktree, commit]);
  try {
    const rendered = new Map<string, string>();
    for (const application of environment.applications) {
      if (!fs.existsSync(path.join(worktree, application.path, 'Chart.yaml'))) continue;
      try {
        rendered.set(application.name, renderApplication(helm, worktree, application, environment.kubeVersion, source));
      } catch (error) {
        if (!(error instanceof RenderError) && !(error as NodeJS.ErrnoException).code) throw error;
        throw new CommitRenderError(`${application.path} cannot be rendered at ${commit.slice(0, 12)}: ${(error as Error).message}`);
      }
    }
    return rendered;
  } finally {
    run(['worktree', 'remove', '--force', worktree]);
  }
}
