/**
 * Temporary Git repositories for the promotion tests: a bare "remote" and a clone with `origin`
 * pointing at it, commits made with a fixed identity.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promotionChain } from '../../tools/promote/chain';

/** The promotion refs of staging and prod, as the shipped environments name them. */
export const STAGING = 'refs/heads/env/staging';
export const PROD = 'refs/heads/env/prod';

/** dev on `main`, then staging and prod on their promotion refs. */
export const CHAIN = promotionChain([
  { name: 'dev', gitops: { targetRevision: 'main' } },
  { name: 'staging', gitops: { targetRevision: STAGING } },
  { name: 'prod', gitops: { targetRevision: PROD } },
]);

const IDENTITY = {
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};
Object.assign(process.env, IDENTITY);

/** A remote and a clone. */
export interface GitFixture {
  readonly root: string;
  readonly remote: string;
  readonly clone: string;
  /** Runs git in the clone and returns its trimmed stdout. */
  git(...args: string[]): string;
  /** Writes `files` (path → content) in the clone, commits them on the current branch, returns the SHA. */
  commit(message: string, files?: Record<string, string>): string;
  /** Sets a ref of the remote (no checks: the test's own set-up). */
  setRemoteRef(ref: string, sha: string): void;
  /** A ref of the remote, or undefined. */
  remoteRef(ref: string): string | undefined;
}

const run = (cwd: string, args: string[]) => execFileSync('git', ['-C', cwd, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** The fixture's accessors over `root` (remote.git and clone), commits numbered after `commits`. */
function fixtureAt(root: string, commits = 0): GitFixture & { readonly commits: () => number } {
  const remote = path.join(root, 'remote.git');
  const clone = path.join(root, 'clone');
  let counter = commits;
  return {
    root,
    remote,
    clone,
    commits: () => counter,
    git: (...args) => run(clone, args),
    commit(message, files = { [`change-${++counter}.txt`]: `${message}\n` }) {
      for (const [file, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(clone, file)), { recursive: true });
        fs.writeFileSync(path.join(clone, file), content);
      }
      run(clone, ['add', '-A']);
      run(clone, ['commit', '--quiet', '--no-gpg-sign', '-m', message]);
      return run(clone, ['rev-parse', 'HEAD']);
    },
    // Written in the remote directly: a push would also move the clone's remote-tracking refs.
    setRemoteRef(ref, sha) {
      run(clone, ['push', '--quiet', '--force', 'origin', `${sha}:refs/fixture/objects`]);
      run(remote, ['update-ref', ref, sha]);
    },
    remoteRef(ref) {
      const line = run(clone, ['ls-remote', 'origin', ref]);
      return line ? line.split('\t')[0] : undefined;
    },
  };
}

/** A new remote + clone on branch main with one initial commit pushed. */
export function gitFixture(): GitFixture {
  return fromTemplate('initial', () => undefined).f;
}

/** Pristine copies of fixtures already built in this process, by key. */
const templates = new Map<string, { root: string; commits: number; data: unknown }>();
process.on('exit', () => {
  for (const { root } of templates.values()) fs.rmSync(root, { recursive: true, force: true });
});

/**
 * A fixture in the state `build` brings a new one to (the initial commit pushed, then whatever it
 * does), with what it returned. `build` runs once per key and process; later calls copy its result
 * (git's files, with the folder's path in the clones' remote URLs rewritten): the same commits,
 * without running git again.
 */
export function fromTemplate<T>(key: string, build: (f: GitFixture) => T): { f: GitFixture; data: T } {
  const template = templates.get(key);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'promote-test-'));
  if (template) {
    fs.cpSync(template.root, root, { recursive: true });
    for (const entry of fs.readdirSync(root)) {
      const config = path.join(root, entry, '.git', 'config');
      if (fs.existsSync(config)) fs.writeFileSync(config, fs.readFileSync(config, 'utf8').split(template.root).join(root));
    }
    return { f: fixtureAt(root, template.commits), data: template.data as T };
  }
  const f = fixtureAt(root);
  fs.mkdirSync(f.clone);
  run(root, ['init', '--quiet', '--bare', '-b', 'main', f.remote]);
  run(f.clone, ['init', '--quiet', '-b', 'main']);
  run(f.clone, ['remote', 'add', 'origin', f.remote]);
  f.commit('initial');
  run(f.clone, ['push', '--quiet', 'origin', 'main']);
  const data = build(f);
  const pristine = fs.mkdtempSync(path.join(os.tmpdir(), 'promote-template-'));
  fs.cpSync(root, pristine, { recursive: true });
  for (const entry of fs.readdirSync(pristine)) {
    const config = path.join(pristine, entry, '.git', 'config');
    if (fs.existsSync(config)) fs.writeFileSync(config, fs.readFileSync(config, 'utf8').split(root).join(pristine));
  }
  templates.set(key, { root: pristine, commits: f.commits(), data });
  return { f, data };
}
