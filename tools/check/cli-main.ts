import * as path from 'path';
import { CheckReport, Finding, mergeReport } from './findings';
import { parseCliOptions, USAGE } from './cli-options';
import { pinnedCharts } from './pinned-charts';
import { exitCode, formatReport } from './report-format';
import { runCheck } from './run-check';
import { stacksFromDir, StacksResult, synthesizeStacks } from './synth-stacks';
import { loadUpstreamConfig, resolveSearchRoots, UpstreamConfig } from './upstream-config';
import { displayPath, fileUpstreamSource, UpstreamSource } from './upstream-source';
import { loadWrapperCharts, WrapperChart } from './wrapper-charts';

/** Where the CLI writes. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** The repository this file belongs to. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** What to check, as the CLI flags and environment say. */
export interface CheckRepositoryOptions {
  /** Repository root holding `apps/` and `main.ts` (default: this checkout). */
  repoRoot?: string;
  /** Only place to look for upstream data (`--upstream`). */
  upstreamDir?: string;
  /** Existing synth output to read instead of synthesizing main.ts (`--synth-dir`). */
  synthDir?: string;
  /** Environment (CHECK_UPSTREAM_DIR; default: none). */
  env?: NodeJS.ProcessEnv;
  /** Directory relative flag values resolve against (default: process.cwd()). */
  cwd?: string;
  /** Called after each phase, for `CHECK_TIMING`. */
  onPhase?: (phase: string) => void;
}

/** Everything loaded for a run. */
interface LoadedRepository {
  config: UpstreamConfig;
  upstream: UpstreamSource;
  cacheDir?: string;
  charts: WrapperChart[];
  chartFindings: Finding[];
  stacks: StacksResult;
  repoRoot: string;
}

function loadRepository(options: CheckRepositoryOptions): LoadedRepository {
  const cwd = options.cwd ?? process.cwd();
  const repoRoot = options.repoRoot ? path.resolve(cwd, options.repoRoot) : REPO_ROOT;
  const config = loadUpstreamConfig();
  const roots = resolveSearchRoots({ config, repoRoot, flag: options.upstreamDir, env: options.env, cwd });
  // Caches live in the tool's own checkout (content-keyed, so shared safely), never in a --root.
  const cacheDir = config.cacheDir && path.resolve(REPO_ROOT, config.cacheDir);
  const upstream = fileUpstreamSource({ roots, layout: config.layout, displayBase: cwd, cacheDir });
  const wrappers = loadWrapperCharts(repoRoot);
  options.onPhase?.('apps/ loaded');
  const synthDir = options.synthDir && path.resolve(cwd, options.synthDir);
  const stacks = synthDir ? stacksFromDir(synthDir, displayPath(synthDir, repoRoot)) : synthesizeStacks(repoRoot);
  options.onPhase?.('stacks loaded');
  return { config, upstream, cacheDir, charts: wrappers.charts, chartFindings: wrappers.findings, stacks, repoRoot };
}

/**
 * Runs the whole check on a repository: wrapper charts under `apps/`, the synthesized stacks
 * (in-process from main.ts, or `synthDir`) and the upstream data. Returns the report and how the
 * stacks were obtained.
 */
export function checkRepository(options: CheckRepositoryOptions = {}): { report: CheckReport; stacks?: string } {
  const loaded = loadRepository(options);
  const { stacks } = loaded;
  const report = runCheck({ charts: loaded.charts, stacks: stacks.ok ? stacks.stacks : [], upstream: loaded.upstream, argoCd: loaded.config.argoCd, cacheDir: loaded.cacheDir });
  mergeReport(report, { findings: loaded.chartFindings });
  if (stacks.ok) mergeReport(report, { findings: stacks.findings });
  else mergeReport(report, { findings: stacks.finding ? [stacks.finding] : [], notChecked: stacks.notChecked ? [stacks.notChecked] : [] });
  if (loaded.charts.length === 0) report.notChecked.unshift({ subject: 'wrapper charts', reason: `no apps/<name>/Chart.yaml under ${loaded.repoRoot}` });
  options.onPhase?.('checks');
  return { report, stacks: stacks.ok ? stacks.description : undefined };
}

/**
 * `npm run check`: parses the command line, runs {@link checkRepository} (or lists the pinned
 * charts for fetch-upstream.sh), prints problems and the summary, and returns the exit status.
 */
export function main(argv: readonly string[], env: NodeJS.ProcessEnv, io: CliIo, cwd = process.cwd()): number {
  const options = parseCliOptions(argv, env);
  if ('error' in options) {
    io.err(`check: ${options.error}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    io.out(USAGE);
    return 0;
  }
  const started = Date.now();
  const onPhase = env.CHECK_TIMING ? (phase: string) => io.err(`check timing: ${phase} at ${Date.now() - started} ms`) : undefined;
  const repositoryOptions = { repoRoot: options.root, upstreamDir: options.upstreamDir, synthDir: options.synthDir, env, cwd, onPhase };

  if (options.listCharts) {
    const loaded = loadRepository(repositoryOptions);
    if (!loaded.stacks.ok) io.err(`check: no stacks (${loaded.stacks.notChecked?.reason ?? loaded.stacks.finding?.message}); listing apps/ charts and the default Argo CD pin only`);
    for (const pin of pinnedCharts(loaded.charts, loaded.stacks.ok ? loaded.stacks.stacks : [], loaded.config.argoCd)) {
      io.out([pin.kind, pin.chart, pin.version, pin.repository].join('\t'));
    }
    return 0;
  }

  const { report, stacks } = checkRepository(repositoryOptions);
  for (const line of formatReport(report, { requireUpstream: options.requireUpstream, stacks })) io.out(line);
  return exitCode(report, options.requireUpstream);
}
