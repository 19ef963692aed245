/**
 * `npm run check`: runs every rule of rules.ts over the wrapper charts, the synthesized stacks and
 * the committed upstream facts, prints one `file:path: message` line per problem and a summary.
 * `CHECK_TIMING=1` prints how long each phase took.
 */
import * as path from 'path';
import { FACTS_COMMAND, FACTS_FILE } from './facts';
import { loadInputs, pinnedCharts } from './repository';
import { CheckReport, Finding, runRules } from './rule';
import { RULES } from './rules';

/** Parsed command line of `npm run check`. */
export interface CliOptions {
  /** `--root <dir>`: repository root (default: this checkout). */
  root?: string;
  /** `--synth-dir <dir>`: read an existing `cdktf.out` instead of synthesizing main.ts. */
  synthDir?: string;
  /** `--facts <file>`: upstream facts to use instead of tools/check/upstream-facts.json. */
  facts?: string;
  /**
   * Anything NOT CHECKED fails the run, unless `--allow-unchecked` (for local experiments, e.g. a
   * chart whose facts are not derived yet).
   */
  requireUpstream: boolean;
  /** `--list-charts`: print the pinned upstream charts the facts must cover, and exit. */
  listCharts: boolean;
  help: boolean;
}

/** Usage text for `--help`. */
export const USAGE = `Usage: npm run check -- [options]

Checks wrapper chart values against the upstream charts' values keys, Argo CD manifests against
the Argo CD CRD schemas, version/image pins, and that environments with allowPreReleases false
run no pre-releases. Upstream knowledge comes only from tools/check/upstream-facts.json
(regenerate it with ${FACTS_COMMAND}). Prints one line per problem (file:path: message) and a summary.

Rules:
${RULES.map((rule) => `  ${rule.id.padEnd(19)}${rule.description}`).join('\n')}

Options:
  --allow-unchecked    exit 0 although something could not be checked (a local experiment; never in CI)
  --require-upstream   the default: exit 1 when anything could not be checked
  --synth-dir <dir>    check an existing synth output (e.g. cdktf.out) instead of main.ts's buildApp()
  --root <dir>         repository root (default: this checkout)
  --facts <file>       upstream facts file (default: tools/check/upstream-facts.json)
  --list-charts        print "values|crds <chart> <version> <repository>" per pinned chart and exit
  -h, --help           show this text

Exit status: 1 on any problem, or on anything NOT CHECKED without --allow-unchecked; 2 on bad usage; else 0.`;

/** Parses argv (without node and script); returns an error text on bad usage. */
export function parseCliOptions(argv: readonly string[]): CliOptions | { error: string } {
  const options: CliOptions = { requireUpstream: true, listCharts: false, help: false };
  const valueFlags: Record<string, 'root' | 'synthDir' | 'facts'> = { '--root': 'root', '--synth-dir': 'synthDir', '--facts': 'facts' };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] =
      argv[i].startsWith('--') && argv[i].includes('=')
        ? [argv[i].slice(0, argv[i].indexOf('=')), argv[i].slice(argv[i].indexOf('=') + 1)]
        : [argv[i], undefined];
    if (flag in valueFlags) {
      const value = inline ?? argv[++i];
      if (!value) return { error: `${flag} needs a value` };
      options[valueFlags[flag]] = value;
    } else if (flag === '--upstream')
      return { error: `--upstream moved to ${FACTS_COMMAND} -- --upstream <dir>: the check reads only the facts derived from it` };
    else if (flag === '--require-upstream') options.requireUpstream = true;
    else if (flag === '--allow-unchecked') options.requireUpstream = false;
    else if (flag === '--list-charts') options.listCharts = true;
    else if (flag === '--help' || flag === '-h') options.help = true;
    else return { error: `unknown option ${argv[i]}` };
  }
  return options;
}

/** One problem as printed: `file:path: message` (`file: message` when the whole file is meant). */
export function formatFinding(finding: Finding): string {
  return finding.path ? `${finding.file}:${finding.path}: ${finding.message}` : `${finding.file}: ${finding.message}`;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/**
 * The lines the CLI prints: problems (sorted by file, in the order found within a file), NOT
 * CHECKED items, the summary, and a loud warning or failure line when something was not checked.
 */
export function formatReport(report: CheckReport, options: { requireUpstream: boolean; stacks?: string }): string[] {
  const lines = [...report.findings].sort((a, b) => a.file.localeCompare(b.file)).map(formatFinding);
  for (const item of report.notChecked) lines.push(`NOT CHECKED: ${item.subject}: ${item.reason}`);
  const { stats } = report;
  lines.push(
    `check: ${plural(stats.chartsChecked, 'chart')} checked, ${stats.chartsNotChecked} not checked; ` +
      `${plural(stats.valuesDocumentsChecked, 'values document')}; ${plural(stats.manifestsValidated, 'manifest')} validated; ` +
      `${plural(stats.pinsChecked, 'pin')} checked${options.stacks ? `; stacks ${options.stacks}` : ''}; ${plural(report.findings.length, 'problem')}`,
  );
  if (report.notChecked.length > 0) {
    const count = plural(report.notChecked.length, 'item');
    lines.push(
      options.requireUpstream
        ? `FAILED: ${count} NOT CHECKED. Derive the missing facts with the command each line names (${FACTS_COMMAND} -- <chart>, offline with --from <chart .tgz or folder>); --allow-unchecked only for a local experiment.`
        : `WARNING: ${count} NOT CHECKED — not a pass for them (--allow-unchecked). Run the command each line names before committing; without the flag this fails.`,
    );
  }
  return lines;
}

/** 1 on any problem, or on anything NOT CHECKED when upstream facts are required; else 0. */
export function exitCode(report: CheckReport, requireUpstream: boolean): number {
  if (report.findings.length > 0) return 1;
  return requireUpstream && report.notChecked.length > 0 ? 1 : 0;
}

/** Where the CLI writes. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** Runs the CLI: parses the command line, checks (or lists the pinned charts), prints, and returns the exit status. */
export function main(argv: readonly string[], env: NodeJS.ProcessEnv, io: CliIo, cwd = process.cwd()): number {
  const options = parseCliOptions(argv);
  if ('error' in options) {
    io.err(`check: ${options.error}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    io.out(USAGE);
    return 0;
  }
  if (env.CHECK_UPSTREAM_DIR)
    io.err(`check: CHECK_UPSTREAM_DIR is ignored; the check reads only the upstream facts (${FACTS_COMMAND} reads upstream directories)`);
  const started = Date.now();
  const onPhase = env.CHECK_TIMING ? (phase: string) => io.err(`check timing: ${phase} at ${Date.now() - started} ms`) : undefined;
  const factsFile = options.facts ? path.resolve(cwd, options.facts) : FACTS_FILE;
  const { inputs, stacksDescription } = loadInputs({ root: options.root, synthDir: options.synthDir, factsFile, cwd, onPhase });

  if (options.listCharts) {
    if (!stacksDescription) io.err('check: no stacks; listing the apps/ charts and the default Argo CD pin only');
    for (const pin of pinnedCharts(inputs)) io.out([pin.kind, pin.chart, pin.version, pin.repository].join('\t'));
    return 0;
  }

  const report = runRules(RULES, inputs);
  onPhase?.('checks');
  for (const line of formatReport(report, { requireUpstream: options.requireUpstream, stacks: stacksDescription })) io.out(line);
  return exitCode(report, options.requireUpstream);
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), process.env, { out: (line) => console.log(line), err: (line) => console.error(line) });
  if (process.env.CHECK_TIMING) console.error(`check timing: ${Math.round(process.uptime() * 1000)} ms since the process started`);
}
