import * as fs from 'fs';
import * as path from 'path';
import { isPlainObject } from './object-path';

/** The chart whose CRDs validate Argo CD manifests. */
export interface ArgoCdChartPin {
  chart: string;
  repository: string;
  version: string;
}

/** Contents of `tools/check/upstream.json`. */
export interface UpstreamConfig {
  /** Directories holding upstream data, tried in order; relative paths are relative to the repository root. */
  searchRoots: string[];
  /** File names below a root; `{chart}` and `{version}` are substituted. */
  layout: { values: string; chart: string; crds: string };
  /** Fallback Argo CD chart pin when no synthesized stack has a helm_release for it. */
  argoCd: ArgoCdChartPin;
  /**
   * Where parsed upstream YAML and compiled CRD validators are cached (relative to the repository
   * root; keyed by content, so never stale); omit to disable.
   */
  cacheDir?: string;
}

/** Path of the config file shipped next to the check. */
export const UPSTREAM_CONFIG_FILE = path.join(__dirname, 'upstream.json');

/** Environment variable that replaces the configured search roots (`:`-separated list). */
export const UPSTREAM_DIR_ENV = 'CHECK_UPSTREAM_DIR';

/** Validates parsed `upstream.json` content; throws with the offending field named. */
export function parseUpstreamConfig(raw: unknown, source = 'upstream.json'): UpstreamConfig {
  const fail = (field: string, expected: string): never => {
    throw new Error(`${source}: ${field} must be ${expected}`);
  };
  if (!isPlainObject(raw)) return fail('the document', 'an object');
  const strings = (value: unknown, field: string): string[] =>
    Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : fail(field, 'a list of strings');
  const string = (value: unknown, field: string): string => (typeof value === 'string' && value !== '' ? value : fail(field, 'a non-empty string'));
  const searchRoots = strings(raw.searchRoots, 'searchRoots');
  const layout = isPlainObject(raw.layout) ? raw.layout : fail('layout', 'an object');
  const argoCd = isPlainObject(raw.argoCd) ? raw.argoCd : fail('argoCd', 'an object');
  return {
    searchRoots,
    layout: {
      values: string(layout.values, 'layout.values'),
      chart: string(layout.chart, 'layout.chart'),
      crds: string(layout.crds, 'layout.crds'),
    },
    argoCd: {
      chart: string(argoCd.chart, 'argoCd.chart'),
      repository: string(argoCd.repository, 'argoCd.repository'),
      version: string(argoCd.version, 'argoCd.version'),
    },
    cacheDir: raw.cacheDir === undefined ? undefined : string(raw.cacheDir, 'cacheDir'),
  };
}

/** Reads and validates `upstream.json` (by default the one next to the check). */
export function loadUpstreamConfig(file = UPSTREAM_CONFIG_FILE): UpstreamConfig {
  return parseUpstreamConfig(JSON.parse(fs.readFileSync(file, 'utf8')), path.basename(file));
}

/**
 * The absolute upstream roots to search: `--upstream <dir>` if given, else `CHECK_UPSTREAM_DIR`,
 * else the configured roots. Relative config roots resolve against the repository root; flag and
 * environment paths resolve against the working directory, as users expect of a CLI argument.
 */
export function resolveSearchRoots(options: {
  config: UpstreamConfig;
  repoRoot: string;
  flag?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}): string[] {
  const cwd = options.cwd ?? process.cwd();
  if (options.flag) return [path.resolve(cwd, options.flag)];
  const fromEnv = options.env?.[UPSTREAM_DIR_ENV];
  if (fromEnv) return fromEnv.split(path.delimiter).filter(Boolean).map((dir) => path.resolve(cwd, dir));
  return options.config.searchRoots.map((dir) => path.resolve(options.repoRoot, dir));
}

/** Substitutes `{chart}` and `{version}` in a layout pattern. */
export function layoutPath(pattern: string, chart: string, version: string): string {
  return pattern.replace(/\{chart\}/g, chart).replace(/\{version\}/g, version);
}
