/**
 * What a commit holds for an environment: the apps whose generated value file
 * (`apps/<app>/generated/<env>.yaml`) is there. Argo CD renders exactly those at that revision, so
 * this is the set of Applications an environment's ref expects.
 */
import { GENERATED_VALUES_DIR } from '../../constructs/apps/wrapper-chart';
import { git } from './git';

/** The apps `commit` holds for `env`, sorted. */
export function appsAt(repo: string, commit: string, env: string): string[] {
  const files = git(repo, ['ls-tree', '-r', '--name-only', '--end-of-options', commit, '--', 'apps']);
  const pattern = new RegExp(`^apps/([a-z0-9-]+)/${GENERATED_VALUES_DIR}/${env}\\.yaml$`);
  return files
    .split('\n')
    .map((file) => pattern.exec(file)?.[1])
    .filter((app): app is string => app !== undefined)
    .sort();
}

/** How the apps of two commits differ for one environment. */
export interface AppsChange {
  /** Apps the later commit adds: Terraform must create their namespace, Secrets and Application. */
  readonly added: readonly string[];
  /** Apps the later commit drops: their Applications would point at a chart the ref no longer has. */
  readonly removed: readonly string[];
}

/** The apps `to` adds to and drops from `from` (everything is added when `from` is undefined). */
export function appsChange(repo: string, env: string, from: string | undefined, to: string): AppsChange {
  const before = from ? appsAt(repo, from, env) : [];
  const after = appsAt(repo, to, env);
  return { added: after.filter((a) => !before.includes(a)), removed: before.filter((a) => !after.includes(a)) };
}
