/**
 * The promotion chain of this repository's configuration (environments/*.ts plus the overrides
 * file), never with GITOPS_REVISION: that variable points every environment at one revision, which
 * is exactly what promotion replaces.
 */
import { ENVIRONMENTS, EnvironmentConfig, ValidEnvironment, loadEnvironments } from '../../environments';
import { CATALOG } from '../../apps/catalog';
import { ChainLink, promotionChain } from './chain';
import { PromoteError } from './git';

/** The validated `environments` (default: the repository's) with the overrides of `env`. */
export function configuredEnvironments(env: NodeJS.ProcessEnv = process.env, environments: readonly EnvironmentConfig[] = ENVIRONMENTS): ValidEnvironment[] {
  if (env.GITOPS_REVISION !== undefined)
    throw new PromoteError('GITOPS_REVISION is set: it makes every environment follow one revision; unset it to promote or read status');
  return loadEnvironments(environments, CATALOG, { GITOPS_REPO_URL: env.GITOPS_REPO_URL, PLATFORM_OVERRIDES_FILE: env.PLATFORM_OVERRIDES_FILE });
}

/** The promotion chain of {@link configuredEnvironments}. */
export function configuredChain(env: NodeJS.ProcessEnv = process.env, environments: readonly EnvironmentConfig[] = ENVIRONMENTS): ChainLink[] {
  return promotionChain(configuredEnvironments(env, environments));
}

/** A remote name as `git remote add` accepts it, never an option or a URL. */
export const REMOTE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** The remote name, or a PromoteError. */
export function checkRemote(remote: string): string {
  if (!REMOTE_NAME.test(remote)) throw new PromoteError(`--remote: must be a remote name such as origin (got "${remote}")`);
  return remote;
}
