/** Parsed command line of `npm run check`. */
export interface CliOptions {
  /** Repository root (default: two levels above this file). */
  root?: string;
  /** `--upstream <dir>`: the only place to look for upstream data. */
  upstreamDir?: string;
  /** `--require-upstream` or CHECK_REQUIRE_UPSTREAM=1: anything NOT CHECKED fails the run. */
  requireUpstream: boolean;
  /** `--synth-dir <dir>`: read an existing `cdktf.out` instead of synthesizing main.ts. */
  synthDir?: string;
  /** `--list-charts`: print the pinned upstream charts (for fetch-upstream.sh) and exit. */
  listCharts: boolean;
  help: boolean;
}

/** Usage text for `--help`. */
export const USAGE = `Usage: npm run check -- [options]

Checks wrapper chart values against the upstream charts, Argo CD manifests against the Argo CD
CRDs, and version/image pins. Prints one line per problem (file:path: message) and a summary.

Options:
  --upstream <dir>     look for upstream data only in <dir> (<chart>-<version>/values.yaml,
                       argo-cd-<version>/crds/); default: searchRoots in tools/check/upstream.json
  --require-upstream   exit 1 when anything could not be checked (also CHECK_REQUIRE_UPSTREAM=1)
  --synth-dir <dir>    check an existing synth output (e.g. cdktf.out) instead of main.ts's buildApp()
  --root <dir>         repository root (default: this checkout)
  --list-charts        print "values|crds <chart> <version> <repository>" per pinned chart and exit
  -h, --help           show this text

Environment:
  CHECK_UPSTREAM_DIR       like --upstream (several directories separated by ':')
  CHECK_REQUIRE_UPSTREAM   1 = like --require-upstream

Exit status: 1 on any problem, or on anything NOT CHECKED with --require-upstream; else 0.`;

/** True for the environment values that switch a flag on. */
function envFlag(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes'].includes(value.toLowerCase());
}

/** Parses argv (without node and script) and the environment; returns an error text on bad usage. */
export function parseCliOptions(argv: readonly string[], env: NodeJS.ProcessEnv): CliOptions | { error: string } {
  const options: CliOptions = { requireUpstream: envFlag(env.CHECK_REQUIRE_UPSTREAM), listCharts: false, help: false };
  const valueFlags: Record<string, 'root' | 'upstreamDir' | 'synthDir'> = { '--root': 'root', '--upstream': 'upstreamDir', '--synth-dir': 'synthDir' };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith('--') && argv[i].includes('=') ? [argv[i].slice(0, argv[i].indexOf('=')), argv[i].slice(argv[i].indexOf('=') + 1)] : [argv[i], undefined];
    if (flag in valueFlags) {
      const value = inline ?? argv[++i];
      if (!value) return { error: `${flag} needs a directory` };
      options[valueFlags[flag]] = value;
    } else if (flag === '--require-upstream') options.requireUpstream = true;
    else if (flag === '--list-charts') options.listCharts = true;
    else if (flag === '--help' || flag === '-h') options.help = true;
    else return { error: `unknown option ${argv[i]}` };
  }
  return options;
}
