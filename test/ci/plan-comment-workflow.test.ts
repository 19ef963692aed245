/**
 * plan-comment.yml's scripts, run as the workflow runs them, with a stand-in `gh` that answers
 * from fixtures (its `--jq` through jq): the pull request is the open one whose head is the run's
 * commit, the changed files and jobs come from the API as JSON lines, the comment is built by this
 * checkout's tooling, and it is posted or updated only while the head is still that commit.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { COMMENT_MARKER } from '../../tools/ci/review-comment';

const ROOT = path.resolve(__dirname, '../..');
const steps = (
  parse(fs.readFileSync(path.join(ROOT, '.github/workflows/plan-comment.yml'), 'utf8')) as { jobs: { comment: { steps: { name?: string; run?: string }[] } } }
).jobs.comment.steps;
const script = (name: string) => steps.find((s) => s.name?.startsWith(name))!.run!;
const hasJq = spawnSync('jq', ['--version']).status === 0;
if (!hasJq) console.warn('plan-comment-workflow.test.ts: jq not found (the stand-in gh needs it): the workflow script tests are skipped');

const GH = `#!/usr/bin/env bash
set -euo pipefail
[ "$1" = api ] || exit 97
shift
method=GET path= jqexpr= body=
while [ $# -gt 0 ]; do
  case "$1" in
    -X|--method) method=$2; shift 2 ;;
    -f) shift 2 ;;
    -F) body=\${2#body=@}; shift 2 ;;
    --jq) jqexpr=$2; shift 2 ;;
    --paginate) shift ;;
    *) path=$1; shift ;;
  esac
done
echo "$method $path" >> "$GH_LOG"
if [ "$method" != GET ]; then [ -z "$body" ] || cp "$body" "$GH_LOG.body"; echo '{}'; exit 0; fi
file="$GH_FIXTURES/$(echo "$path" | tr '/' '_').json"
[ -f "$file" ] || { echo "no fixture for $path" >&2; exit 1; }
if [ -n "$jqexpr" ]; then jq -r "$jqexpr" "$file"; else cat "$file"; fi
`;

const HEAD = 'c'.repeat(40);

function setUp(fixtures: Record<string, unknown>) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-comment-'));
  const dirs = { bin: path.join(root, 'bin'), fixtures: path.join(root, 'fixtures'), temp: path.join(root, 'temp') };
  Object.values(dirs).forEach((d) => fs.mkdirSync(d));
  fs.writeFileSync(path.join(dirs.bin, 'gh'), GH, { mode: 0o755 });
  for (const [api, body] of Object.entries(fixtures)) fs.writeFileSync(path.join(dirs.fixtures, `${api.replace(/\//g, '_')}.json`), JSON.stringify(body));
  const log = path.join(root, 'gh.log');
  const output = path.join(root, 'output');
  const run = (name: string, env: Record<string, string>) => {
    fs.writeFileSync(output, '');
    const r = spawnSync('bash', ['-c', script(name)], {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        PATH: `${dirs.bin}:${process.env.PATH}`,
        GH_LOG: log,
        GH_FIXTURES: dirs.fixtures,
        RUNNER_TEMP: dirs.temp,
        GITHUB_OUTPUT: output,
        GITHUB_STEP_SUMMARY: path.join(root, 'summary'),
        GH_TOKEN: 'x',
        REPOSITORY: 'o/r',
        HEAD_SHA: HEAD,
        ...env,
      },
    });
    return { status: r.status, stderr: r.stderr, stdout: r.stdout, output: fs.readFileSync(output, 'utf8') };
  };
  const calls = () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : []);
  return { root, dirs, run, calls, posted: () => fs.readFileSync(`${log}.body`, 'utf8') };
}

const PR_ENV = { RUN_ID: '5', HEAD_OWNER: 'o', HEAD_BRANCH: 'feature/$(touch pwned)' };
const FIXTURES = {
  'repos/o/r/pulls': [
    { number: 7, head: { sha: 'd'.repeat(40) } },
    { number: 8, head: { sha: HEAD } },
  ],
  'repos/o/r/pulls/8': { number: 8, changed_files: 2, head: { sha: HEAD } },
  'repos/o/r/pulls/8/files': [{ filename: 'apps/ollama/values.yaml' }, { filename: 'tools/ci/x\n`y`.ts', previous_filename: 'tools/ci/old.ts' }],
  'repos/o/r/actions/runs/5/jobs': {
    jobs: [
      { name: 'test', conclusion: 'success' },
      { name: 'render', conclusion: null },
    ],
  },
  'repos/o/r/issues/8/comments': [
    { id: 1, user: { login: 'someone' }, body: `${COMMENT_MARKER}\nno changes` },
    { id: 2, user: { login: 'github-actions[bot]' }, body: `${COMMENT_MARKER}\nold` },
    { id: 3, user: { login: 'github-actions[bot]' }, body: 'another bot comment' },
    { id: 4, user: { login: 'github-actions[bot]' }, body: `${COMMENT_MARKER}\nno changes (posted by a modified plan.yml)` },
  ],
};

(hasJq ? describe : describe.skip)('plan-comment.yml (jq present)', () => {
  test('finds the pull request by its head commit; files and jobs as JSON lines; nothing of the branch name runs', () => {
    const { run, dirs, root } = setUp(FIXTURES);
    const found = run('the pull request', PR_ENV);
    expect(found).toMatchObject({ status: 0, output: 'number=8\n' });
    expect(fs.readFileSync(path.join(dirs.temp, 'review/files.jsonl'), 'utf8')).toBe('"apps/ollama/values.yaml"\n"tools/ci/x\\n`y`.ts"\n"tools/ci/old.ts"\n');
    expect(fs.readFileSync(path.join(dirs.temp, 'review/jobs.jsonl'), 'utf8')).toBe(
      '{"name":"test","conclusion":"success"}\n{"name":"render","conclusion":null}\n',
    );
    expect(fs.existsSync(path.join(ROOT, 'pwned')) || fs.existsSync(path.join(root, 'pwned'))).toBe(false);
  });

  test('no open pull request at that commit: nothing to comment', () => {
    const { run, calls } = setUp({ ...FIXTURES, 'repos/o/r/pulls': [{ number: 7, head: { sha: 'd'.repeat(40) } }] });
    expect(run('the pull request', PR_ENV)).toMatchObject({ status: 0, output: '' });
    expect(calls()).toEqual(['GET repos/o/r/pulls']);
  });

  test('more files than the API lists: the list is left out (the comment then assumes everything changed)', () => {
    const { run, dirs } = setUp({ ...FIXTURES, 'repos/o/r/pulls/8': { changed_files: 3001, head: { sha: HEAD } } });
    expect(run('the pull request', PR_ENV).status).toBe(0);
    expect(fs.existsSync(path.join(dirs.temp, 'review/files.jsonl'))).toBe(false);
  });

  test('writes the comment with this checkout’s tooling, updates the bot’s marked comment (not a look-alike) and deletes any second one', () => {
    const { run, dirs, calls, posted } = setUp(FIXTURES);
    expect(run('the pull request', PR_ENV).status).toBe(0);
    fs.mkdirSync(path.join(dirs.temp, 'evidence/rendered'), { recursive: true });
    fs.writeFileSync(path.join(dirs.temp, 'evidence/rendered/diff.txt'), '');
    const written = run('write the comment', { RUN_URL: 'https://github.com/o/r/actions/runs/5' });
    expect(written.stderr).toBe('');
    expect(written.status).toBe(0);
    const comment = fs.readFileSync(path.join(dirs.temp, 'review/comment.md'), 'utf8');
    expect(comment).toContain('⚠️ **This pull request changes the code that produced the evidence below**: ``tools/ci/x `y`.ts``, `tools/ci/old.ts`.');
    expect(comment).toContain('⚠️ This pull request changes files the render reads (`apps/ollama/values.yaml`), yet the render diff is empty');
    expect(run('create or update', { PR: '8' }).status).toBe(0);
    expect(calls().slice(-4)).toEqual([
      'GET repos/o/r/pulls/8',
      'GET repos/o/r/issues/8/comments',
      'PATCH repos/o/r/issues/comments/2',
      'DELETE repos/o/r/issues/comments/4',
    ]);
    expect(posted()).toBe(comment);
  });

  test('no comment of its own yet: creates one', () => {
    const { run, dirs, calls } = setUp({ ...FIXTURES, 'repos/o/r/issues/8/comments': [FIXTURES['repos/o/r/issues/8/comments'][0]] });
    fs.mkdirSync(path.join(dirs.temp, 'review'), { recursive: true });
    fs.writeFileSync(path.join(dirs.temp, 'review/comment.md'), `${COMMENT_MARKER}\nbody\n`);
    expect(run('create or update', { PR: '8' }).status).toBe(0);
    expect(calls().at(-1)).toBe('POST repos/o/r/issues/8/comments');
  });

  test('the pull request moved on to another commit: no comment for the old one', () => {
    const { run, dirs, calls } = setUp({ ...FIXTURES, 'repos/o/r/pulls/8': { changed_files: 2, head: { sha: 'e'.repeat(40) } } });
    fs.mkdirSync(path.join(dirs.temp, 'review'), { recursive: true });
    fs.writeFileSync(path.join(dirs.temp, 'review/comment.md'), `${COMMENT_MARKER}\nbody\n`);
    const r = run('create or update', { PR: '8' });
    expect(r).toMatchObject({ status: 0, stdout: 'pull request #8 moved on to another commit: its own run comments\n' });
    expect(calls()).toEqual(['GET repos/o/r/pulls/8']);
  });

  test('a comment file without the marker is not posted', () => {
    const { run, dirs, calls } = setUp(FIXTURES);
    fs.mkdirSync(path.join(dirs.temp, 'review'), { recursive: true });
    fs.writeFileSync(path.join(dirs.temp, 'review/comment.md'), 'no marker\n');
    const r = run('create or update', { PR: '8' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('the comment does not start with its marker');
    expect(calls()).toEqual([]);
  });
});
