/**
 * A content-addressed cache of `helm template` outputs. The key covers everything the output
 * depends on: the helm binary, the arguments and every file of the staged chart (its own files,
 * the dependencies copied into `charts/`, the value files). The same chart and values at another
 * commit, in another worktree or in the next test run hit the same entry; any changed byte misses.
 * Only successful renders are stored.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** Where the cache lives: this checkout's `node_modules/.cache/`, beside jest's, eslint's and prettier's. */
export const TEMPLATE_CACHE_DIR = path.resolve(__dirname, '..', '..', 'node_modules', '.cache', 'helm-template');

/**
 * Entries kept: a full render of the shipped environments is about 45, so this keeps the renders
 * of many recent edits; the least recently used go first.
 */
const MAX_ENTRIES = 2000;

/** True unless `RENDER_CACHE=off`. */
export function templateCacheEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.RENDER_CACHE !== 'off';
}

function hashTree(hash: ReturnType<typeof createHash>, root: string, dir = ''): void {
  const entries = fs.readdirSync(path.join(root, dir), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const relative = dir ? `${dir}/${entry.name}` : entry.name;
    // helm follows symbolic links: so does the key.
    const kind = entry.isSymbolicLink() ? fs.statSync(path.join(root, relative)) : entry;
    if (kind.isDirectory()) {
      hash.update(`d\0${relative}\0`);
      hashTree(hash, root, relative);
    } else {
      const content = fs.readFileSync(path.join(root, relative));
      hash.update(`f\0${relative}\0${content.length}\0`);
      hash.update(content);
    }
  }
}

/**
 * The key of one `helm template` run: `args` with `workDir` written as a placeholder (the staging
 * folder's name is random), the helm binary's path, size and modification time, and the content
 * of every file under `workDir`.
 */
export function templateKey(helm: string, args: readonly string[], workDir: string): string {
  const hash = createHash('sha256');
  const binary = fs.statSync(helm, { throwIfNoEntry: false }) ?? fs.statSync(whichOnPath(helm));
  hash.update(`helm\0${helm}\0${binary.size}\0${binary.mtimeMs}\0`);
  for (const arg of args) hash.update(`a\0${arg.split(workDir).join('<work>')}\0`);
  hashTree(hash, workDir);
  return hash.digest('hex');
}

function whichOnPath(command: string): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, command);
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`${command} is not on the PATH`);
}

/** The stored output for `key`, marked as recently used; undefined when there is none. */
export function readTemplate(key: string, dir = TEMPLATE_CACHE_DIR): string | undefined {
  const file = path.join(dir, key);
  try {
    const text = fs.readFileSync(file, 'utf8');
    const now = new Date();
    fs.utimesSync(file, now, now);
    return text;
  } catch {
    return undefined;
  }
}

/** The folders pruned by this process: listing the cache once per run is enough. */
const pruned = new Set<string>();

/**
 * Stores `text` under `key` (written to a temporary name and renamed, so a parallel reader sees a
 * whole entry or none) and, once per process, drops the least recently used entries beyond
 * {@link MAX_ENTRIES}. A cache that cannot be written is only a slower render.
 */
export function writeTemplate(key: string, text: string, dir = TEMPLATE_CACHE_DIR, maxEntries = MAX_ENTRIES): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    const temporary = path.join(dir, `.${key}.${process.pid}`);
    fs.writeFileSync(temporary, text);
    fs.renameSync(temporary, path.join(dir, key));
    if (pruned.has(dir)) return;
    pruned.add(dir);
    const entries = fs
      .readdirSync(dir)
      .filter((name) => !name.startsWith('.'))
      .map((name) => ({ name, used: fs.statSync(path.join(dir, name)).mtimeMs }));
    if (entries.length <= maxEntries) return;
    entries.sort((a, b) => a.used - b.used);
    for (const entry of entries.slice(0, entries.length - maxEntries)) fs.rmSync(path.join(dir, entry.name), { force: true });
  } catch {
    // Read-only or full disk: the render itself succeeded.
  }
}
