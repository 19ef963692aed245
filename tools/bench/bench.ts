/**
 * `npm run bench`: synthesizes every stack of every environment RUNS times per path and prints the
 * median wall time and the peak memory (largest resident set of any node process involved).
 *
 * `npm run bench -- --test` instead measures `npm test` BENCH_TEST_RUNS times (default 3), each
 * time cold (every cache emptied first) and then warm (the caches the cold run left, nothing
 * changed), against its targets: wall time, and the CPU time (user + sys) of every process.
 *
 * `npm run bench -- --scale [N M]` synthesizes N environments × the catalog plus M fixture apps
 * (default 10 × 20; tools/bench/scale.ts) BENCH_SCALE_RUNS times (default 1) and prints the wall
 * time, the peak memory and the stacks and resources written.
 *
 * Paths measured:
 *   - app, transpile-only:  node --require tsx/cjs main.ts (tsx's transpile cache warm)
 *   - app, precompiled:     node dist/main.js             (after `npm run build`)
 *   - cdktf synth:          the cdktf CLI running the app from cdktf.json
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CATALOG } from '../../apps/catalog';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const repoRoot = path.resolve(__dirname, '..', '..');
const probe = path.join(__dirname, 'rss-probe.js');

interface Target {
  readonly name: string;
  readonly command: string[];
  readonly wallSeconds: number;
  readonly peakMiB: number;
  /** Writes no stacks (the floor). */
  readonly loadsOnly?: boolean;
}

const TARGETS: Target[] = [
  { name: 'app (node, transpile-only)', command: [process.execPath, '--require', 'tsx/cjs', 'main.ts'], wallSeconds: 0.5, peakMiB: 400 },
  { name: 'app (node, precompiled)', command: [process.execPath, 'dist/main.js'], wallSeconds: 0.5, peakMiB: 400 },
  { name: 'cdktf synth', command: [process.execPath, 'node_modules/cdktf-cli/bundle/bin/cdktf', 'synth'], wallSeconds: 3, peakMiB: 400 },
  // Loading cdktf and the provider modules the compiled program requires, nothing built: what the
  // precompiled app costs beyond it is the program's own work (target: at most as much again).
  { name: 'floor (cdktf + providers)', command: [process.execPath, 'tools/bench/floor.js'], wallSeconds: 0.5, peakMiB: 400, loadsOnly: true },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Stands for the run's output folder in a command. */
const OUTDIR = '<outdir>';

/** One run: wall seconds, the peak RSS over every node process it started, stacks and resources written. */
function runOnce(command: string[]): { seconds: number; peakBytes: number; stacks: number; resources: number } {
  const rssDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-rss-'));
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-out-'));
  const env = {
    ...process.env,
    CHECKPOINT_DISABLE: '1',
    CI: '1',
    BENCH_RSS_DIR: rssDir,
    CDKTF_OUTDIR: outdir,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${probe}`.trim(),
  };
  const args = (command[command.length - 1] === 'synth' ? [...command.slice(1), '--output', outdir] : command.slice(1)).map((a) => (a === OUTDIR ? outdir : a));
  const started = process.hrtime.bigint();
  const result = spawnSync(command[0], args, { cwd: repoRoot, env, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`${command.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  const peakBytes = Math.max(0, ...fs.readdirSync(rssDir).map((f) => Number(fs.readFileSync(path.join(rssDir, f), 'utf8'))));
  const stackDirs = fs.existsSync(path.join(outdir, 'stacks')) ? fs.readdirSync(path.join(outdir, 'stacks')) : [];
  const resources = stackDirs
    .map((stack) => JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as { resource?: Record<string, object> })
    .reduce((sum, json) => sum + Object.values(json.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0), 0);
  fs.rmSync(rssDir, { recursive: true, force: true });
  fs.rmSync(outdir, { recursive: true, force: true });
  return { seconds, peakBytes, stacks: stackDirs.length, resources };
}

/** CPU seconds (user + sys) of the finished children this process waited for; Linux only. */
function childrenCpuSeconds(): number | undefined {
  if (!fs.existsSync('/proc/self/stat')) return undefined;
  // Fields after the command name (which ends with ')'): cutime and cstime are the 14th and 15th.
  const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(')').pop()!.trim().split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** One `npm test`: wall seconds and CPU seconds of every process it ran. */
function timedTest(): { wall: number; cpu?: number } {
  const cpuBefore = childrenCpuSeconds();
  const started = process.hrtime.bigint();
  const result = spawnSync('npm', ['test', '--silent'], { cwd: repoRoot, env: { ...process.env, CHECKPOINT_DISABLE: '1', CI: '1' }, encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`npm test failed (${result.status}):\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`);
  const cpuAfter = childrenCpuSeconds();
  return { wall, cpu: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore };
}

/** `npm test` with every cache it uses emptied first (transpile, tsc, eslint, prettier, jest), then again warm. */
function coldAndWarmTest(): { cold: { wall: number; cpu?: number }; warm: { wall: number; cpu?: number } } {
  fs.rmSync(path.join(repoRoot, 'node_modules', '.cache'), { recursive: true, force: true });
  // tsx keeps its transpile cache in the temp folder, per user.
  fs.rmSync(path.join(os.tmpdir(), `tsx-${os.userInfo().uid}`), { recursive: true, force: true });
  const clear = spawnSync(process.execPath, ['node_modules/.bin/jest', '--clearCache'], { cwd: repoRoot, encoding: 'utf8' });
  if (clear.status !== 0) throw new Error(`jest --clearCache failed:\n${clear.stderr}`);
  return { cold: timedTest(), warm: timedTest() };
}

/** Targets of `npm test` on the team's 2-core machines (wall seconds). */
const TEST_SECONDS = { cold: 30, warm: 15 };

/** `--scale [N M]`: N environments × M fixture apps in one synthesis. */
function scale(args: string[]): void {
  const [environments, apps] = [Number(args[0] ?? 10), Number(args[1] ?? 20)];
  if (![environments, apps].every((n) => Number.isInteger(n) && n >= 1))
    throw new Error(`usage: npm run bench -- --scale [N M] (positive integers; got ${args.join(' ')})`);
  const runs = Array.from({ length: Number(process.env.BENCH_SCALE_RUNS ?? 1) }, () =>
    runOnce([process.execPath, '--require', 'tsx/cjs', 'tools/bench/scale.ts', String(environments), String(apps), OUTDIR]),
  );
  const wall = median(runs.map((r) => r.seconds));
  const peak = Math.max(...runs.map((r) => r.peakBytes)) / 2 ** 20;
  console.log(
    `scale ${environments} environments × ${apps} fixture apps (+${CATALOG.length} shipped): ${runs[0].stacks} stacks, ${runs[0].resources} resources; ` +
      `median ${wall.toFixed(1)} s of ${runs.map((r) => r.seconds.toFixed(1)).join(', ')} s, peak RSS ${peak.toFixed(0)} MiB on ${os.cpus().length} CPUs, node ${process.version}`,
  );
}

function main(): void {
  const scaleAt = process.argv.indexOf('--scale');
  if (scaleAt >= 0) return scale(process.argv.slice(scaleAt + 1));
  if (process.argv.includes('--test')) {
    const runs = Array.from({ length: Number(process.env.BENCH_TEST_RUNS ?? 3) }, coldAndWarmTest);
    const load = os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
    for (const kind of ['cold', 'warm'] as const) {
      const wall = median(runs.map((r) => r[kind].wall));
      const cpus = runs.map((r) => r[kind].cpu).filter((c): c is number => c !== undefined);
      const cpu = cpus.length ? `; CPU (user + sys) median ${median(cpus).toFixed(1)} s of ${cpus.map((c) => c.toFixed(1)).join(', ')} s` : '';
      console.log(
        `npm test, ${kind} caches: wall median ${wall.toFixed(1)} s of ${runs.map((r) => r[kind].wall.toFixed(1)).join(', ')} s${cpu} on ${os.cpus().length} CPUs, ` +
          `load ${load} — ${wall <= TEST_SECONDS[kind] ? 'within' : 'OVER'} (≤ ${TEST_SECONDS[kind]} s)`,
      );
    }
    return;
  }
  console.log(`Preparing: npm run build (precompiled path) and a warm-up run of each path…`);
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: repoRoot, encoding: 'utf8', stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed');
  for (const target of TARGETS) runOnce(target.command);

  console.log(`\n${RUNS} runs each on ${os.cpus().length} CPUs, node ${process.version}\n`);
  const rows = TARGETS.map((target) => {
    const runs = Array.from({ length: RUNS }, () => runOnce(target.command));
    const stacks = new Set(runs.map((r) => r.stacks));
    if (stacks.size !== 1 || (runs[0].stacks === 0) !== (target.loadsOnly ?? false))
      throw new Error(`${target.name}: stacks written per run: ${[...stacks].join(', ')}`);
    const wall = median(runs.map((r) => r.seconds));
    const peak = Math.max(...runs.map((r) => r.peakBytes)) / 2 ** 20;
    return { target, wall, peak, stacks: runs[0].stacks };
  });
  console.log('path                          stacks  median wall   peak RSS    target');
  for (const { target, wall, peak, stacks } of rows) {
    const ok = wall <= target.wallSeconds && peak <= target.peakMiB ? 'within' : 'OVER';
    console.log(
      `${target.name.padEnd(30)}${String(stacks).padStart(6)}  ${wall.toFixed(2).padStart(9)} s  ${peak.toFixed(0).padStart(6)} MiB    ${ok} (≤ ${target.wallSeconds} s, ≤ ${target.peakMiB} MiB)`,
    );
  }
  const wallOf = (name: string) => rows.find((r) => r.target.name === name)!.wall;
  const ratio = wallOf('app (node, precompiled)') / wallOf('floor (cdktf + providers)');
  console.log(`\nprecompiled app / floor: ${ratio.toFixed(1)}× — ${ratio <= 2 ? 'within' : 'OVER'} (≤ 2×)`);
}

main();
