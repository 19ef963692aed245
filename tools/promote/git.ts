/**
 * Git plumbing for promotion: every call is `git` with an argument array (never a shell), and a
 * failure carries git's own message.
 */
import { execFileSync } from 'child_process';

/** A refusal or failure of a promotion step, printed as is (no stack trace). */
export class PromoteError extends Error {}

/** Runs `git -C <repo> <args>` and returns its trimmed stdout. */
export function git(repo: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  try {
    return execFileSync('git', ['-C', repo, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...env, GIT_TERMINAL_PROMPT: '0' },
      maxBuffer: 64 * 1024 * 1024,
    }).trim();
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '').trim();
    throw new PromoteError(`git ${args[0]} failed: ${stderr || (error as Error).message}`);
  }
}

/** Whether `git -C <repo> <args>` exits 0 (for predicates such as `merge-base --is-ancestor`). */
export function gitSucceeds(repo: string, args: readonly string[]): boolean {
  try {
    execFileSync('git', ['-C', repo, ...args], { stdio: 'ignore', env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
    return true;
  } catch {
    return false;
  }
}

/** Whether `ancestor` is `descendant` or one of its ancestors. */
export function isAncestor(repo: string, ancestor: string, descendant: string): boolean {
  return gitSucceeds(repo, ['merge-base', '--is-ancestor', ancestor, descendant]);
}

/** The full SHA of a commit object present in `repo`, or undefined. */
export function commitSha(repo: string, revision: string): string | undefined {
  try {
    return git(repo, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`]);
  } catch {
    return undefined;
  }
}

/** One line per commit in `from..to` (newest first): short SHA and subject. */
export function commitLines(repo: string, from: string | undefined, to: string, limit = 200): string[] {
  const range = from ? `${from}..${to}` : to;
  const out = git(repo, ['log', '--no-decorate', `--max-count=${limit}`, '--format=%h %s', range, '--']);
  return out ? out.split('\n') : [];
}

/** The number of commits in `from..to`. */
export function countCommits(repo: string, from: string, to: string): number {
  return Number(git(repo, ['rev-list', '--count', `${from}..${to}`, '--']));
}

/** Refs of a remote (`git ls-remote`), tags peeled: full ref name → commit SHA. */
export function remoteRefs(repo: string, remote: string): Map<string, string> {
  const refs = new Map<string, string>();
  for (const line of git(repo, ['ls-remote', '--heads', '--tags', '--end-of-options', remote]).split('\n')) {
    const [sha, name] = line.split('\t');
    if (!sha || !name) continue;
    if (name.endsWith('^{}')) refs.set(name.slice(0, -3), sha);
    else if (!refs.has(name)) refs.set(name, sha);
  }
  return refs;
}

/**
 * The contents of `paths` at `commit`, all read by one `git cat-file --batch`: path → text, or
 * undefined where the commit has no such file.
 */
export function filesAt(repo: string, commit: string, paths: readonly string[]): Map<string, string | undefined> {
  const files = new Map<string, string | undefined>();
  if (paths.length === 0) return files;
  const bad = paths.find((p) => /[\n\r]/.test(p));
  if (bad !== undefined) throw new PromoteError(`cannot read ${JSON.stringify(bad)}: a path with a line break`);
  let out: Buffer;
  try {
    out = execFileSync('git', ['-C', repo, 'cat-file', '--batch'], {
      input: paths.map((p) => `${commit}:${p}\n`).join(''),
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
    throw new PromoteError(`git cat-file failed: ${stderr || (error as Error).message}`);
  }
  // Per object: "<sha> <type> <size>\n<content>\n", or "<name> missing\n" (and "ambiguous").
  let at = 0;
  for (const p of paths) {
    const end = out.indexOf(0x0a, at);
    const header = out.subarray(at, end).toString('utf8').split(' ');
    at = end + 1;
    if (header.length !== 3 || !/^\d+$/.test(header[2])) {
      files.set(p, undefined);
      continue;
    }
    const size = Number(header[2]);
    files.set(p, header[1] === 'blob' ? out.subarray(at, at + size).toString('utf8') : undefined);
    at += size + 1;
  }
  return files;
}
