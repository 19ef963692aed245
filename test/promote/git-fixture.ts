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

/** A new remote + clone on branch main with one initial commit pushed. */
export function gitFixture(): GitFixture {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'promote-test-'));
  const remote = path.join(root, 'remote.git');
  const clone = path.join(root, 'clone');
  const run = (cwd: string, args: string[]) => execFileSync('git', ['-C', cwd, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  fs.mkdirSync(clone);
  run(root, ['init', '--quiet', '--bare', '-b', 'main', remote]);
  run(clone, ['init', '--quiet', '-b', 'main']);
  run(clone, ['remote', 'add', 'origin', remote]);
  let counter = 0;
  const fixture: GitFixture = {
    root,
    remote,
    clone,
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
  fixture.commit('initial');
  run(clone, ['push', '--quiet', 'origin', 'main']);
  return fixture;
}
