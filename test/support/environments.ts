/** The shipped environments for tests: validated, or raw copies to break. Loads no cdktf. */
import { CATALOG } from '../../apps/catalog';
import { AppDefinition } from '../../contracts/app-definition';
import { ConfigError, ENVIRONMENTS, EnvironmentConfig, ValidEnvironment, loadEnvironments } from '../../environments';

/** The shipped configuration of `name`, validated. */
export function environment(name: string, catalog: readonly AppDefinition[] = CATALOG): ValidEnvironment {
  const env = loadEnvironments(ENVIRONMENTS, catalog).find((e) => e.name === name);
  if (!env) throw new Error(`no environment ${name}`);
  return env;
}

/** A deep copy of the shipped raw configuration of `name`, for tests that break it. */
export function rawEnvironment(name: string): any {
  const env = ENVIRONMENTS.find((e) => e.name === name);
  if (!env) throw new Error(`no environment ${name}`);
  return structuredClone(env) as EnvironmentConfig;
}

/** Validates all shipped environments with `envName` changed by `mutate`; returns the problem lines. */
export function problemsAfter(envName: string, mutate: (env: any) => void): readonly string[] {
  const configs = ENVIRONMENTS.map((e) => (e.name === envName ? rawEnvironment(e.name) : e));
  mutate(configs.find((e) => e.name === envName));
  try {
    loadEnvironments(configs, CATALOG);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}
