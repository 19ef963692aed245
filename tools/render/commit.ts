/**
 * Renders Applications from the wrapper charts of a given commit: the Applications (value files,
 * valuesObject) stay as Terraform created them, only the Git side changes — what Argo CD renders
 * when the revision it tracks moves.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EnvironmentApplications } from './applications';
import { DependencySource, RenderError, renderApplication } from './helm';

/**
 * `helm template` of every Application of `environment` from the charts at `commit` of the Git
 * clone `repo` (a temporary detached worktree). An Application whose chart cannot be rendered at
 * that commit (absent, broken) yields a comment line saying so instead of failing the others.
 * @returns application name → rendered manifests
 */
export function renderCommit(repo: string, commit: string, environment: EnvironmentApplications, helm: string, source: DependencySource): Map<string, string> {
  const worktree = fs.mkdtempSync(path.join(os.tmpdir(), 'render-commit-'));
  const run = (args: string[]) => execFileSync('git', ['-C', repo, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  run(['worktree', 'add', '--detach', '--quiet', '--end-of-options', worktree, commit]);
  try {
    const rendered = new Map<string, string>();
    for (const application of environment.applications) {
      try {
        rendered.set(application.name, renderApplication(helm, worktree, application, environment.kubeVersion, source));
      } catch (error) {
        if (!(error instanceof RenderError) && !(error as NodeJS.ErrnoException).code) throw error;
        rendered.set(application.name, `# ${application.path} cannot be rendered at ${commit}: ${(error as Error).message}\n`);
      }
    }
    return rendered;
  } finally {
    run(['worktree', 'remove', '--force', worktree]);
  }
}
