/**
 * `npm run fetch-upstream`: derives tools/check/upstream-facts.json, the only upstream knowledge
 * `npm run check` uses, for every chart version the repository pins (see `pinnedCharts`).
 *
 * Upstream data is read from directories in the `../shared/upstream` layout
 * (`<chart>-<version>/values.yaml`, `Chart.yaml`, `crds/*.yaml`): `--upstream <dir>`, else
 * CHECK_UPSTREAM_DIR (dirs separated by ':'), else `.cache/upstream` then `../shared/upstream`.
 * Pins found in none of them are fetched into `.cache/upstream` with helm when helm is on PATH
 * (`helm show values/chart`; for Argo CD `helm pull` + `helm template` of its CRD templates).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isPlainObject, parseYamlDocument } from './documents';
import { deriveFacts, displayPath, FACTS_FILE, FactsPin, readFacts, serializeFacts, UpstreamFacts } from './facts';
import { loadInputs, REPO_ROOT, pinnedCharts } from './repository';

/** Usage text for `--help`. */
export const USAGE = `Usage: npm run fetch-upstream -- [options] [<chart> ...] [<chart>@<version>=<repository> ...]

Writes tools/check/upstream-facts.json from upstream chart data for every pinned chart version
(wrapper chart dependencies, helm_release charts, Application chart sources, the Argo CD CRDs).
With <chart> names, updates only the facts of those pinned charts and keeps the others.

Options:
  --from <path>        with one <chart>: read it offline from a chart archive (.tgz) or folder
                       (values.yaml and Chart.yaml, whose version must be the pinned one)
  --upstream <dir>     read upstream data only from <dir> (<chart>-<version>/values.yaml, Chart.yaml, crds/)
  --force              fetch every pin again with helm into .cache/upstream (needs helm and network)
  --check              write nothing; exit 1 when the committed facts differ from what would be written
  --offline            never run helm; use only the upstream directories
  --out <file>         write the facts there instead of tools/check/upstream-facts.json
  --root <dir>         repository root whose pins to cover (default: this checkout)
  <chart>@<version>=<repository>   also derive the facts of this chart (https:// or oci:// repository)
  -h, --help           show this text

Environment:
  CHECK_UPSTREAM_DIR   like --upstream (several directories separated by ':')
  CHECK_FETCH_DIR      where helm fetches go (default: .cache/upstream)`;

/** Default upstream directories, relative to the repository root: the helm cache, then the team's shared copy. */
export const DEFAULT_UPSTREAM_DIRS: readonly string[] = ['.cache/upstream', '../shared/upstream'];

/** The chart reference arguments helm takes for a chart in `repository`. */
function helmRef(chart: string, repository: string): string[] {
  if (repository.startsWith('oci://')) return [`${repository.replace(/\/+$/, '')}/${chart}`];
  if (repository === '') throw new Error(`no repository known for chart ${chart}`);
  return [chart, '--repo', repository];
}

/** Runs helm (found on `env.PATH`); returns its stdout or throws with its stderr. */
function helm(args: string[], env: NodeJS.ProcessEnv): string {
  const result = spawnSync('helm', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`helm ${args.join(' ')}: ${result.stderr.trim().split('\n').pop()}`);
  return result.stdout;
}

/** True when a helm binary answers. */
function hasHelm(env: NodeJS.ProcessEnv): boolean {
  return spawnSync('helm', ['version', '--short'], { encoding: 'utf8', env }).status === 0;
}

/**
 * Fetches one pin with helm into `<dest>/<chart>-<version>/`: values.yaml and Chart.yaml, or for
 * `crds` the CRDs. A failed fetch leaves nothing half-written (files are moved in at the end).
 */
function helmFetch(pin: FactsPin, dest: string, env: NodeJS.ProcessEnv): void {
  const ref = helmRef(pin.chart, pin.repository);
  // Inside `dest`, so that the final renames stay on one filesystem.
  fs.mkdirSync(dest, { recursive: true });
  const work = fs.mkdtempSync(path.join(dest, '.fetch-'));
  const target = path.join(dest, `${pin.chart}-${pin.version}`);
  try {
    if (pin.kind === 'values') {
      fs.writeFileSync(path.join(work, 'values.yaml'), helm(['show', 'values', ...ref, '--version', pin.version], env));
      fs.writeFileSync(path.join(work, 'Chart.yaml'), helm(['show', 'chart', ...ref, '--version', pin.version], env));
      fs.mkdirSync(target, { recursive: true });
      for (const file of ['values.yaml', 'Chart.yaml']) fs.renameSync(path.join(work, file), path.join(target, file));
      return;
    }
    // Argo CD ships its CRDs as templates (templates/crds/), so `helm show crds` is empty for it:
    // render each CRD template plus any plain crds/ file. --kube-version: the chart requires a
    // newer Kubernetes than helm's offline default.
    helm(['pull', ...ref, '--version', pin.version, '--untar', '--untardir', path.join(work, 'pull')], env);
    const chartDir = path.join(work, 'pull', pin.chart);
    const crds = path.join(work, 'crds');
    fs.mkdirSync(crds);
    const plain = path.join(chartDir, 'crds');
    if (fs.existsSync(plain))
      for (const file of fs.readdirSync(plain).filter((f) => f.endsWith('.yaml'))) fs.copyFileSync(path.join(plain, file), path.join(crds, file));
    const templates = path.join(chartDir, 'templates', 'crds');
    if (fs.existsSync(templates)) {
      for (const file of fs.readdirSync(templates).filter((f) => f.endsWith('.yaml'))) {
        fs.writeFileSync(
          path.join(crds, file),
          helm(['template', pin.chart, chartDir, '--kube-version', '1.31.0', '--show-only', `templates/crds/${file}`], env),
        );
      }
    }
    if (fs.readdirSync(crds).length === 0) throw new Error(`no CRDs found in ${pin.chart} ${pin.version}`);
    fs.mkdirSync(target, { recursive: true });
    fs.rmSync(path.join(target, 'crds'), { recursive: true, force: true });
    fs.renameSync(crds, path.join(target, 'crds'));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Where the CLI writes. */
export interface FetchIo {
  out(line: string): void;
  err(line: string): void;
}

/** Runs `npm run fetch-upstream`; returns the exit status. */
export function fetchUpstream(argv: readonly string[], env: NodeJS.ProcessEnv, io: FetchIo, cwd = process.cwd()): number {
  let upstream: string | undefined;
  let root: string | undefined;
  let out = FACTS_FILE;
  let force = false;
  let check = false;
  let offline = false;
  let from: string | undefined;
  const extra: FactsPin[] = [];
  const selected: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const extraPin = /^([^@=]+)@([^=]+)=(.+)$/.exec(arg);
    if (arg === '--upstream' || arg === '--root' || arg === '--out' || arg === '--from') {
      const value = argv[++i];
      if (!value) return usageError(io, `${arg} needs a path`);
      if (arg === '--upstream') upstream = value;
      else if (arg === '--root') root = value;
      else if (arg === '--from') from = path.resolve(cwd, value);
      else out = path.resolve(cwd, value);
    } else if (arg === '--force') force = true;
    else if (arg === '--check') check = true;
    else if (arg === '--offline') offline = true;
    else if (arg === '--help' || arg === '-h') {
      io.out(USAGE);
      return 0;
    } else if (extraPin) extra.push({ kind: 'values', chart: extraPin[1], version: extraPin[2], repository: extraPin[3] });
    else if (/^[a-z0-9][a-z0-9._-]*$/.test(arg)) selected.push(arg);
    else return usageError(io, `unknown argument ${arg}`);
  }
  if (from && selected.length !== 1) return usageError(io, '--from <path> needs exactly one <chart>');
  const fetchDir = path.resolve(REPO_ROOT, env.CHECK_FETCH_DIR ?? '.cache/upstream');
  const dirs = upstream
    ? [path.resolve(cwd, upstream)]
    : env.CHECK_UPSTREAM_DIR
      ? env.CHECK_UPSTREAM_DIR.split(path.delimiter)
          .filter(Boolean)
          .map((dir) => path.resolve(cwd, dir))
      : DEFAULT_UPSTREAM_DIRS.map((dir) => path.resolve(REPO_ROOT, dir));

  const { inputs } = loadInputs({ root, factsFile: FACTS_FILE, cwd });
  const allPins = [...pinnedCharts(inputs), ...extra];
  const unknown = selected.filter((chart) => !allPins.some((pin) => pin.chart === chart));
  if (unknown.length > 0) {
    io.err(`fetch-upstream: not a pinned chart: ${unknown.join(', ')} (pinned: ${[...new Set(allPins.map((pin) => pin.chart))].sort().join(', ')})`);
    return 1;
  }
  const pins = selected.length > 0 ? allPins.filter((pin) => selected.includes(pin.chart)) : allPins;
  if (from) return fromChart(pins, from, out, cwd, io);
  let derived = deriveFacts(pins, dirs, REPO_ROOT);
  const toFetch = force ? pins : derived.missing.map((entry) => entry.pin);
  if (toFetch.length > 0 && !check && !offline && hasHelm(env)) {
    for (const pin of toFetch) {
      io.out(`fetch  ${pin.kind} ${pin.chart} ${pin.version} (${pin.repository || 'no repository'})`);
      try {
        helmFetch(pin, fetchDir, env);
      } catch (error) {
        io.err(`fetch-upstream: ${pin.chart} ${pin.version}: ${(error as Error).message}`);
      }
    }
    // After --force the fresh fetch wins; otherwise it only fills what the directories lack.
    derived = deriveFacts(pins, [...new Set(force ? [fetchDir, ...dirs] : [...dirs, fetchDir])], REPO_ROOT);
  }
  if (derived.missing.length > 0) {
    for (const { pin, reason } of derived.missing) io.err(`fetch-upstream: no upstream data for ${pin.kind} ${pin.chart} ${pin.version}: ${reason}`);
    io.err(
      'fetch-upstream: nothing written. Pass --upstream <dir> holding <chart>-<version>/ folders, or run it with helm on PATH (https://helm.sh/docs/intro/install/) and network to fetch them.',
    );
    return 1;
  }
  const text = serializeFacts(selected.length > 0 ? mergeFacts(readFacts(out), derived.facts, pins) : derived.facts);
  const shown = displayPath(out, cwd);
  if (check) {
    const current = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
    if (current === text) {
      io.out(`${shown} is up to date`);
      return 0;
    }
    io.err(`${shown} is stale (or missing): run npm run fetch-upstream and commit it`);
    return 1;
  }
  const before = readFacts(out);
  fs.writeFileSync(out, text);
  const changed = before.ok && serializeFacts(before.value) === text ? 'unchanged' : 'written';
  io.out(
    `${shown} ${changed}: ${Object.keys(derived.facts.charts).length} charts, ${Object.keys(derived.facts.crds).length} CRD sets, from ${derived.facts.generated.from.join(', ')}`,
  );
  return 0;
}

/** `facts` for `pins` merged into the facts of `current` (kept for every other chart). */
function mergeFacts(current: ReturnType<typeof readFacts>, facts: UpstreamFacts, pins: readonly FactsPin[]): UpstreamFacts {
  if (!current.ok) return facts;
  const base = current.value;
  const replaced = new Set(pins.map((pin) => `/${pin.chart}-${pin.version}/`));
  const sortKeys = <T>(record: Record<string, T>) => Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
  return {
    generated: {
      ...facts.generated,
      from: [...new Set([...base.generated.from, ...facts.generated.from])].sort(),
      inputs: [...base.generated.inputs.filter((input) => ![...replaced].some((folder) => input.includes(folder))), ...facts.generated.inputs].sort(),
    },
    charts: sortKeys({ ...base.charts, ...facts.charts }),
    crds: sortKeys({ ...base.crds, ...facts.crds }),
  };
}

/**
 * `--from <path>`: the facts of the one selected chart from a chart archive or folder, offline,
 * merged into the facts file. The chart's Chart.yaml must name the pinned version.
 */
function fromChart(pins: readonly FactsPin[], from: string, out: string, cwd: string, io: FetchIo): number {
  const pin = pins.find((p) => p.kind === 'values');
  if (!pin) return usageError(io, `--from reads a chart's values; ${pins[0]?.chart} is pinned for its CRDs only`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fetch-upstream-'));
  try {
    let dir = from;
    if (fs.existsSync(from) && fs.statSync(from).isFile()) {
      const untar = spawnSync('tar', ['-xzf', from, '-C', work], { encoding: 'utf8' });
      if (untar.status !== 0) return failFrom(io, from, `not a chart archive: ${(untar.stderr || String(untar.error)).trim()}`);
      dir = path.join(work, pin.chart);
    }
    for (const file of ['Chart.yaml', 'values.yaml']) if (!fs.existsSync(path.join(dir, file))) return failFrom(io, from, `no ${pin.chart}/${file} in it`);
    const chart = parseYamlDocument(fs.readFileSync(path.join(dir, 'Chart.yaml'), 'utf8'));
    const meta = chart.ok && isPlainObject(chart.value) ? chart.value : {};
    if (meta.name !== pin.chart || String(meta.version) !== pin.version)
      return failFrom(io, from, `it is chart ${String(meta.name)} ${String(meta.version)}, the repository pins ${pin.chart} ${pin.version}`);
    // Laid out as an upstream directory, so that the facts derive exactly as from any other source.
    const upstream = path.join(work, 'upstream');
    fs.cpSync(dir, path.join(upstream, `${pin.chart}-${pin.version}`), { recursive: true });
    const derived = deriveFacts([pin], [upstream], REPO_ROOT);
    if (derived.missing.length > 0) return failFrom(io, from, derived.missing[0].reason);
    // A path outside the repository is this machine's: the committed header keeps only its name.
    const relative = displayPath(from, REPO_ROOT);
    const shown = path.isAbsolute(relative) || relative.startsWith('..') ? path.basename(from) : relative;
    derived.facts.generated.from = [shown];
    derived.facts.generated.inputs = [`${shown}:${pin.chart}/Chart.yaml`, `${shown}:${pin.chart}/values.yaml`].map((input) =>
      input.replace(`:${pin.chart}/`, `:/${pin.chart}-${pin.version}/`),
    );
    fs.writeFileSync(out, serializeFacts(mergeFacts(readFacts(out), derived.facts, [pin])));
    io.out(`${displayPath(out, cwd)} written: facts of ${pin.chart} ${pin.version} from ${shown}, other charts kept`);
    return 0;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function failFrom(io: FetchIo, from: string, reason: string): number {
  io.err(`fetch-upstream: --from ${from}: ${reason}; nothing written`);
  return 1;
}

function usageError(io: FetchIo, message: string): number {
  io.err(`fetch-upstream: ${message}\n\n${USAGE}`);
  return 2;
}

if (require.main === module) {
  process.exitCode = fetchUpstream(process.argv.slice(2), process.env, { out: (line) => console.log(line), err: (line) => console.error(line) });
}
