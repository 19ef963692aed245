/**
 * A command-line entry point of the repository bundled into one JavaScript file, so a test that
 * runs the CLI many times as a real process pays TypeScript loading once per suite instead of
 * once per run (tsx transpiles and resolves every module at each start).
 */
import { Plugin, build } from 'esbuild';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');

/**
 * Each project file keeps what it was as a module of its own: its `__dirname` (the repository paths
 * it derives stay right), and `require.main === module` only for the entry point (another CLI's
 * main block must not run inside this one).
 */
function asSources(entry: string): Plugin {
  return {
    name: 'as-sources',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        let source = fs.readFileSync(args.path, 'utf8').replace(/\b__dirname\b/g, JSON.stringify(path.dirname(args.path)));
        if (args.path !== entry) source = source.replace(/\brequire\.main === module\b/g, 'false');
        return { contents: source, loader: 'ts' };
      });
    },
  };
}

/**
 * Bundles `entry` (relative to the repository root) and returns the path of the JavaScript file:
 * `node <file> <args>` behaves as `tsx <entry> <args>`. It is written under the repository's
 * `node_modules/.cache`, so what it resolves at run time resolves as from the sources, and removed
 * when the test process exits.
 */
export async function bundleCli(entry: string): Promise<string> {
  const cache = path.join(ROOT, 'node_modules', '.cache', 'cli-bundle');
  fs.mkdirSync(cache, { recursive: true });
  const dir = fs.mkdtempSync(path.join(cache, `${path.basename(entry, '.ts')}-`));
  const outfile = path.join(dir, 'cli.js');
  const entryPath = path.join(ROOT, entry);
  const result = await build({
    entryPoints: [entryPath],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: `node${process.versions.node.split('.')[0]}`,
    packages: 'external',
    outfile,
    plugins: [asSources(entryPath)],
    logLevel: 'silent',
  });
  if (result.errors.length > 0) throw new Error(`bundling ${entry}: ${result.errors.map((e) => e.text).join('; ')}`);
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return outfile;
}
