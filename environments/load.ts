/**
 * Turns the environment files plus the synth-time overrides into validated configurations, or
 * fails with every problem listed as `<env>.<field.path>: <rule>`.
 */
import * as fs from 'fs';
import { z } from 'zod';
import { AppDefinition } from '../contracts/app-definition';
import { catalogProblems } from '../contracts/app-catalog';
import { EnvironmentConfig, ValidEnvironment, environmentSchema } from './schema';
import { deepMerge, isPlainObject } from '../contracts/merge';
import { guardInput } from './input-guard';
import { gitRevision, gitUrl } from './rules';

/** Invalid configuration: `problems` holds one `<env>.<field.path>: <rule>` line per problem. */
export class ConfigError extends Error {
  /** One line per problem. */
  public readonly problems: readonly string[];

  constructor(problems: string[]) {
    super(`Invalid environment configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Environment variables that change the configuration at synth time. */
export interface SynthOverrides {
  /** Overrides `gitops.repoUrl` of every environment (forks, CI). */
  readonly GITOPS_REPO_URL?: string;
  /** Overrides `gitops.targetRevision` of every environment (forks, CI). */
  readonly GITOPS_REVISION?: string;
  /**
   * Path of a JSON file `{ "<env>": { …partial config… } }` deep-merged into the environments,
   * for settings that belong to one machine (another kube context, a local chart mirror).
   */
  readonly PLATFORM_OVERRIDES_FILE?: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
}

function readOverridesFile(file: string, names: string[], problems: string[]): Record<string, Json> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    problems.push(`PLATFORM_OVERRIDES_FILE: cannot read ${file} as JSON (${(err as Error).message})`);
    return {};
  }
  if (!isPlainObject(parsed)) {
    problems.push(`PLATFORM_OVERRIDES_FILE: ${file} must hold an object keyed by environment name`);
    return {};
  }
  const unsafe = guardInput(parsed);
  if (unsafe.length > 0) {
    for (const problem of unsafe) problems.push(`PLATFORM_OVERRIDES_FILE: ${formatPath(problem.path)}: ${problem.message}`);
    return {};
  }
  for (const key of Object.keys(parsed)) {
    if (!names.includes(key)) {
      problems.push(`PLATFORM_OVERRIDES_FILE: unknown environment "${key}" in ${file} (known: ${names.join(', ')})`);
    }
  }
  return parsed as Record<string, Json>;
}

function checkVariable(name: keyof SynthOverrides, value: string, schema: z.ZodType, problems: string[]): void {
  const [unsafe] = guardInput(value);
  // Never echo text that failed the guard: it may hold control characters or a template.
  if (unsafe) problems.push(`${name}: ${unsafe.message}`);
  else {
    const result = schema.safeParse(value);
    if (!result.success) problems.push(`${name}: ${result.error.issues[0].message} (got "${value}")`);
  }
}

/** One schema per catalog: building it is the costly part of validation. */
const schemas = new WeakMap<readonly AppDefinition[], ReturnType<typeof environmentSchema>>();
function schemaFor(catalog: readonly AppDefinition[]): ReturnType<typeof environmentSchema> {
  let schema = schemas.get(catalog);
  if (!schema) schemas.set(catalog, (schema = environmentSchema(catalog)));
  return schema;
}

/**
 * Validates every environment (after applying `overrides`) against the schema of `catalog` (the
 * caller passes it: environments are data and import no catalog) and returns them in order.
 * @throws ConfigError listing every problem; nothing is returned unless all environments are valid.
 */
export function loadEnvironments(configs: readonly EnvironmentConfig[], catalog: readonly AppDefinition[], overrides: SynthOverrides = {}): ValidEnvironment[] {
  const problems: string[] = catalogProblems(catalog);
  if (problems.length > 0) throw new ConfigError(problems);
  const schema = schemaFor(catalog);
  const names = configs.map((c) => c.name);
  names.forEach((name, i) => {
    if (names.indexOf(name) < i) problems.push(`${name}.name: must be unique (defined more than once)`);
  });

  const { GITOPS_REPO_URL: repoUrl, GITOPS_REVISION: revision, PLATFORM_OVERRIDES_FILE: file } = overrides;
  if (repoUrl !== undefined) checkVariable('GITOPS_REPO_URL', repoUrl, gitUrl(), problems);
  if (revision !== undefined) checkVariable('GITOPS_REVISION', revision, gitRevision(), problems);
  const fileOverrides = file ? readOverridesFile(file, names, problems) : {};

  const valid: ValidEnvironment[] = [];
  for (const config of configs) {
    let candidate = deepMerge(config, fileOverrides[config.name] ?? {}) as EnvironmentConfig;
    const gitops = { ...(candidate.gitops ?? {}) };
    if (repoUrl !== undefined) gitops.repoUrl = repoUrl;
    if (revision !== undefined) gitops.targetRevision = revision;
    candidate = { ...candidate, gitops };

    const unsafe = guardInput(candidate);
    if (unsafe.length > 0) {
      for (const problem of unsafe) problems.push(`${config.name}.${formatPath(problem.path)}: ${problem.message}`);
      continue;
    }
    const result = schema.safeParse(candidate);
    if (result.success) {
      valid.push(result.data);
    } else {
      for (const issue of result.error.issues) {
        problems.push(`${config.name}.${formatPath(issue.path)}: ${issue.message}`);
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return valid;
}
