/**
 * The plan-review comment as the default branch builds it from a pull request's artifacts: the
 * artifacts are data (bounded, validated, shown literally); the warnings and the footer come from
 * what the pull request cannot forge (its changed files as GitHub lists them, the configuration's
 * promotion chain).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { commentInput } from '../../tools/ci/plan-review';
import { code, fenced, readBounded } from '../../tools/ci/markdown';
import {
  COMMENT_MARKER,
  FooterFacts,
  PlanStatus,
  ReviewInput,
  changeAreas,
  footer,
  planStatus,
  readPlans,
  renderDiffByEnvironment,
  reviewComment,
} from '../../tools/ci/review-comment';
import { configuredChain } from '../../tools/promote/config';

const chain = configuredChain({});
const envs = chain.map((l) => l.env);
const mainline = chain.filter((l) => l.followsMainline);
const promoted = chain.filter((l) => !l.followsMainline);
const HEAD = 'a'.repeat(40);
const RUN = 'https://github.com/o/r/actions/runs/1';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'review-'));
const write = (dir: string, files: Record<string, string>) => {
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
};
const counts = (add: number, change: number, destroy: number, replace: string[] = [], deleted: string[] = []) =>
  JSON.stringify({ add, change, destroy, replace, deleted });
const diffOf = (env: string, ...lines: string[]) =>
  [
    `diff --git a/origin/main/${env}/ollama.yaml b/working-tree/${env}/ollama.yaml`,
    `--- a/origin/main/${env}/ollama.yaml`,
    `+++ b/working-tree/${env}/ollama.yaml`,
    ...lines,
  ].join('\n');

test('the configuration has a mainline environment and promoted ones (what the footer speaks of)', () => {
  expect(mainline.length).toBeGreaterThan(0);
  expect(promoted.length).toBeGreaterThan(0);
});

describe('markdown of untrusted text', () => {
  test.each([
    ['plain', '`plain`'],
    ['a `tick` inside', '``a `tick` inside``'],
    ['```` fence', '````` ```` fence `````'],
    ['two\nlines\r\n', '`two lines `'],
    ['<img src=x onerror=alert(1)> @org/team [x](http://evil)', '`<img src=x onerror=alert(1)> @org/team [x](http://evil)`'],
    ['bidi \u202e override \u0000', '`bidi \ufffd override \ufffd`'],
  ])('code(%j) is one literal code span: %s', (text, expected) => {
    expect(code(text)).toBe(expected);
  });
  test('in a table cell, | is escaped; long text is cut', () => {
    expect(code('a | b', 200, true)).toBe('`a \\| b`');
    expect(code('x'.repeat(300), 10)).toBe(`\`${'x'.repeat(10)}…\``);
  });
  test.each([['no ticks'], ['```\n</details>\n```'], ['`````````']])('fenced(%j): the fence is longer than any backtick run inside', (text) => {
    const block = fenced(text, 'diff');
    const fence = /^(`+)diff\n/.exec(block)![1];
    expect(block.endsWith(`\n${fence}`)).toBe(true);
    expect(Math.max(...(text.match(/`+/g) ?? ['']).map((r) => r.length))).toBeLessThan(fence.length);
    expect(fence.length).toBeGreaterThanOrEqual(3);
  });
  test('readBounded: at most maxBytes, says it cut; follows no symlink (an artifact cannot point at the runner)', () => {
    const dir = write(tmp(), { 'a.txt': '0123456789' });
    expect(readBounded(path.join(dir, 'a.txt'), 4)).toEqual({ text: '0123', truncated: true });
    expect(readBounded(path.join(dir, 'a.txt'), 10)).toEqual({ text: '0123456789', truncated: false });
    fs.symlinkSync(path.join(dir, 'a.txt'), path.join(dir, 'link'));
    expect(readBounded(path.join(dir, 'link'), 10)).toBeUndefined();
    expect(readBounded(path.join(dir, 'missing'), 10)).toBeUndefined();
  });
});

describe('readPlans', () => {
  const env = promoted[0].env;
  test.each([
    [`${env}-cluster.counts.json`, counts(1, 0, 0), { status: 'planned' }],
    [
      `${env}-cluster.counts.json`,
      '{"add": -1, "change": 0, "destroy": 0, "replace": [], "deleted": []}',
      { status: 'failed', reason: 'its counts are not valid (see the plan artifact)' },
    ],
    [
      `${env}-cluster.counts.json`,
      counts(1, 0, 0).replace('}', ',"note":"x"}'),
      { status: 'failed', reason: 'its counts are not valid (see the plan artifact)' },
    ],
    [`${env}-cluster.counts.json`, 'not json', { status: 'failed', reason: 'its counts are not valid (see the plan artifact)' }],
    [`${env}-cluster.log`, 'Error', { status: 'failed', reason: 'plan failed (see the plan log artifact)' }],
    [`${env}-cluster.skipped`, 'no **runner** [x](y)\n', { status: 'skipped', reason: 'no **runner** [x](y)' }],
  ])('%s = %j → %j', (file, text, expected) => {
    const { stacks, ignored } = readPlans(write(tmp(), { [file]: text }), envs);
    expect(ignored).toBe(0);
    expect(stacks).toEqual([expect.objectContaining({ stack: `${env}-cluster`, env, ...expected })]);
  });
  test.each([['unknown-cluster.counts.json'], ['../x.counts.json'.replace('/', '_')], [`${env}-cluster.sh`], [`${env.toUpperCase()}-CLUSTER.txt`]])(
    'ignores %s (not a stack of a configured environment)',
    (file) => {
      expect(readPlans(write(tmp(), { [file]: counts(0, 0, 0) }), envs)).toEqual({ stacks: [], ignored: 1 });
    },
  );
  test('planStatus per environment', () => {
    const dir = write(tmp(), { [`${env}-cluster.counts.json`]: counts(0, 0, 0), [`${env}-apps.counts.json`]: counts(0, 1, 0) });
    const cases: [Record<string, string>, PlanStatus][] = [
      [{ [`${env}-cluster.counts.json`]: counts(0, 0, 0) }, 'no-changes'],
      [{ [`${env}-cluster.counts.json`]: counts(0, 0, 0), [`${env}-apps.counts.json`]: counts(0, 1, 0) }, 'changes'],
      [{ [`${env}-cluster.counts.json`]: counts(0, 0, 0), [`${env}-apps.skipped`]: 'unreachable' }, 'incomplete'],
      [{ [`${env}-cluster.log`]: 'Error' }, 'incomplete'],
      [{}, 'not-planned'],
    ];
    for (const [files, status] of cases) expect(planStatus(readPlans(write(tmp(), files), envs).stacks, env)).toBe(status);
    expect(dir).toBeTruthy();
  });
});

test('renderDiffByEnvironment splits `npm run render -- --diff` output by environment', () => {
  const diff = `${diffOf('dev', '-a', '+b')}\n${diffOf('prod', '+c')}`;
  const byEnv = renderDiffByEnvironment(diff);
  expect([...byEnv.keys()]).toEqual(['dev', 'prod']);
  expect(byEnv.get('prod')).toEqual(diff.split('\n').slice(5));
});

test('changeAreas: what each changed file affects', () => {
  expect(
    changeAreas([
      'apps/ollama/values.yaml',
      'apps/catalog.ts',
      'environments/prod.ts',
      'stacks/apps-stack.ts',
      'tools/render/render.ts',
      'package.json',
      'docs/x.md',
    ]),
  ).toEqual({
    argoCd: ['apps/ollama/values.yaml', 'apps/catalog.ts'],
    terraform: ['apps/catalog.ts', 'environments/prod.ts', 'stacks/apps-stack.ts', 'package.json'],
    evidence: ['tools/render/render.ts', 'package.json'],
  });
});

describe('footer: what reaches which environment, when', () => {
  const facts = (over: Partial<FooterFacts>): FooterFacts => ({ chain, plans: new Map(), terraformInputs: false, renderChanged: new Set(), ...over });
  const line = (lines: string[], env: string) => lines.find((l) => l.startsWith(`- **${env}** `));
  const promote = (l: (typeof chain)[number]) => {
    const previous = promoted.find((p) => p.env === l.previous);
    return `\`npm run promote -- ${l.env}\` moves \`${l.ref}\` to a commit that contains this merge${previous ? ` (once ${previous.env} runs it)` : ''}`;
  };
  const reviewed = (env: string) => `a reviewed \`npm run plan -- ${env}\` applied with \`npm run deploy -- ${env} --plan <dir>\``;

  test('a later environment receives the change only once the one before it runs it', () => {
    const lines = footer(facts({ renderChanged: new Set(envs) }));
    const later = promoted.filter((l) => promoted.some((p) => p.env === l.previous));
    expect(later.length).toBeGreaterThan(0);
    for (const l of later) expect(line(lines, l.env)).toContain(`this merge (once ${l.previous} runs it)`);
  });

  test('app change only: the mainline at merge, the promoted environments at promotion', () => {
    const lines = footer(facts({ renderChanged: new Set(envs), plans: new Map(promoted.map((l) => [l.env, 'no-changes'])) }));
    for (const l of mainline)
      expect(line(lines, l.env)).toBe(`- **${l.env}** follows \`main\`: Argo CD applies the render changes above when it syncs \`main\` after the merge.`);
    for (const l of promoted)
      expect(line(lines, l.env)).toBe(
        `- **${l.env}** follows \`${l.ref}\`: the render changes above arrive only when ${promote(l)}; no Terraform change planned.`,
      );
    expect(lines).toContain(`Merging moves only \`main\`: ${promoted.map((l) => l.env).join(' and ')} change only through the commands above.`);
  });

  test('Terraform change: deploy for the mainline, a reviewed plan for the promoted environments', () => {
    const lines = footer(facts({ terraformInputs: true, plans: new Map(promoted.map((l) => [l.env, 'changes'])) }));
    for (const l of mainline)
      expect(line(lines, l.env)).toBe(
        `- **${l.env}** follows \`main\`: no rendered change; Terraform-side changes (a new app's namespace, Secrets and Application; infrastructure) reach it only with \`npm run deploy -- ${l.env}\`.`,
      );
    for (const l of promoted)
      expect(line(lines, l.env)).toBe(
        `- **${l.env}** follows \`${l.ref}\`: no rendered change; the Terraform changes planned above apply only with ${reviewed(l.env)}.`,
      );
  });

  test('plans missing or incomplete while Terraform inputs change: said so, never "no change"', () => {
    const [first, ...rest] = promoted;
    const lines = footer(facts({ terraformInputs: true, plans: new Map([[first.env, 'incomplete']]) }));
    expect(line(lines, first.env)).toBe(
      `- **${first.env}** follows \`${first.ref}\`: no rendered change; Terraform not fully planned here: its changes apply only with ${reviewed(first.env)}.`,
    );
    for (const l of rest)
      expect(line(lines, l.env)).toBe(
        `- **${l.env}** follows \`${l.ref}\`: no rendered change; Terraform not planned here: its changes apply only with ${reviewed(l.env)}.`,
      );
  });

  test('no render evidence: unknown, with when it would arrive', () => {
    const lines = footer(facts({ renderChanged: undefined }));
    for (const l of mainline)
      expect(line(lines, l.env)).toBe(
        `- **${l.env}** follows \`main\`: render unknown (no render artifact); whatever the charts and values render reaches it when Argo CD syncs \`main\` after the merge.`,
      );
    for (const l of promoted)
      expect(line(lines, l.env)).toBe(`- **${l.env}** follows \`${l.ref}\`: render unknown (no render artifact); app changes arrive only when ${promote(l)}.`);
  });
});

describe('reviewComment', () => {
  const [staging] = promoted;
  const base = (over: Partial<ReviewInput>): ReviewInput => ({
    chain,
    headSha: HEAD,
    runUrl: RUN,
    jobs: [{ name: 'test', conclusion: 'success' }],
    changedFiles: [],
    ...over,
  });
  const renderFile = (text: string) => write(tmp(), { 'diff.txt': text }) + '/diff.txt';

  test('one marker first, so each run updates the same comment; commit and run named', () => {
    const text = reviewComment(base({}));
    expect(text.startsWith(`${COMMENT_MARKER}\n## Plan review\n\nCommit \`${HEAD}\`; [workflow run](${RUN}).`)).toBe(true);
  });

  test('stacks: counts, replacements and deletions called out, skipped and failed ones said so; reasons literal', () => {
    const plans = write(tmp(), {
      [`${staging.env}-cluster.counts.json`]: counts(1, 2, 2, ['aws_eks_node_group.gpu'], ['aws_x.y["a|b"]']),
      [`${staging.env}-platform.skipped`]: 'unreachable](http://evil) @team',
      [`${staging.env}-apps.counts.json`]: counts(0, 0, 0),
      [`${staging.env}-extra.log`]: 'Error',
    });
    const text = reviewComment(base({ plansDir: plans }));
    expect(text).toContain(`| \`${staging.env}-cluster\` | 1 | 2 | 2 | ⚠️ **replaces** \`aws_eks_node_group.gpu\`; destroys \`aws_x.y["a\\|b"]\` |`);
    expect(text).toContain(`| \`${staging.env}-platform\` | – | – | – | **not planned**: \`unreachable](http://evil) @team\` |`);
    expect(text).toContain(`| \`${staging.env}-apps\` | 0 | 0 | 0 | no changes |`);
    expect(text).toContain(`| \`${staging.env}-extra\` | – | – | – | **plan failed (see the plan log artifact)** |`);
    expect(text).toContain(`Not planned: \`${staging.env}-platform\`.`);
  });

  test('the render diff per configured environment, inside a fence it cannot close', () => {
    const hostile = diffOf(staging.env, '+ ````', '+</details>', '+@org/team <script>');
    const text = reviewComment(base({ renderDiffFile: renderFile(`${diffOf('dev', '-a', '+b')}\n${hostile}\n${diffOf('evil<b>', '+x')}`) }));
    expect(text).toContain('<details><summary><b>dev</b>: +1 −1 lines</summary>');
    expect(text).toContain(`<details><summary><b>${staging.env}</b>: +3 −0 lines</summary>\n\n\`\`\`\`\`diff\n${hostile}\n\`\`\`\`\`\n\n</details>`);
    expect(text).not.toContain('<b>evil');
    expect(text).toContain('Ignored: diff sections for environments that are not configured (`evil<b>`).');
  });

  test('no render artifact is never "no change"', () => {
    const text = reviewComment(base({ renderDiffFile: undefined }));
    expect(text).toContain('⚠️ **No render diff**: the render job left no `diff.txt` (see the run).');
    expect(text).not.toContain('No change to any rendered Application.');
  });

  test('an empty render diff while the pull request changes what the render reads: flagged', () => {
    const file = renderFile('');
    expect(reviewComment(base({ renderDiffFile: file, changedFiles: ['docs/x.md'] }))).not.toContain('yet the render diff is empty');
    const text = reviewComment(base({ renderDiffFile: file, changedFiles: ['apps/ollama/values.yaml', 'docs/x.md'] }));
    expect(text).toContain('No change to any rendered Application.');
    expect(text).toContain(
      '⚠️ This pull request changes files the render reads (`apps/ollama/values.yaml`), yet the render diff is empty: check that this is expected.',
    );
    expect(reviewComment(base({ renderDiffFile: file, changedFiles: undefined }))).toContain(
      '⚠️ This pull request changes files the render reads, yet the render diff is empty: check that this is expected.',
    );
  });

  test('a render job that failed: its diff is marked incomplete', () => {
    const text = reviewComment(base({ renderDiffFile: renderFile(diffOf('dev', '+b')), jobs: [{ name: 'render', conclusion: 'failure' }] }));
    expect(text).toContain('⚠️ **The render job did not succeed**: the diff below may be incomplete.');
  });

  test('a pull request that changes the tooling behind the evidence is called out', () => {
    const text = reviewComment(base({ changedFiles: ['.github/workflows/plan.yml', 'tools/render/render.ts', 'apps/x.yaml'] }));
    expect(text).toContain(
      '⚠️ **This pull request changes the code that produced the evidence below**: `.github/workflows/plan.yml`, `tools/render/render.ts`. The plans, render diff and job results come from that code; the footer and these warnings do not. Review those files first.',
    );
  });

  test('jobs with their results, names literal', () => {
    const text = reviewComment(
      base({
        jobs: [
          { name: 'plan (prod)', conclusion: 'failure' },
          { name: '[x](y)|z', conclusion: '' },
        ],
      }),
    );
    expect(text).toContain('| `plan (prod)` | `failure` |');
    expect(text).toContain('| `[x](y)\\|z` | `unfinished` |');
  });

  test('the comment stays within GitHub’s 65536 characters whatever the artifacts hold', () => {
    const big = envs.map((e) => diffOf(e, ...Array.from({ length: 20_000 }, (_, i) => `+line ${i}`))).join('\n');
    const plans = write(tmp(), {
      [`${staging.env}-cluster.counts.json`]: counts(
        9,
        0,
        0,
        Array.from({ length: 5000 }, (_, i) => `aws_x.y[${i}]`),
      ),
    });
    const text = reviewComment(base({ renderDiffFile: renderFile(big), plansDir: plans, changedFiles: Array.from({ length: 3000 }, (_, i) => `tools/f${i}`) }));
    expect(text.length).toBeLessThan(65_536);
    expect(text).toContain('… (truncated: the full diff is in the rendered artifact)');
    expect(text).toContain('and 4985 more');
  });
});

describe('commentInput (the command line of the comment job)', () => {
  const jobs = write(tmp(), { 'jobs.jsonl': '{"name":"test","conclusion":"success"}\nnot json\n{"name":"plan (prod)","conclusion":null}\n' });
  const changed = write(tmp(), { 'files.jsonl': '"apps/a.yaml"\n"docs/a\\nb.md"\n42\n' });
  test('reads the job and file lists as JSON lines, dropping what does not parse', () => {
    const input = commentInput(['--head', HEAD, '--run-url', RUN, '--jobs', `${jobs}/jobs.jsonl`, '--changed', `${changed}/files.jsonl`], chain);
    expect(input.jobs).toEqual([
      { name: 'test', conclusion: 'success' },
      { name: 'plan (prod)', conclusion: '' },
    ]);
    expect(input.changedFiles).toEqual(['apps/a.yaml', 'docs/a\nb.md']);
  });
  test.each([
    [['--head', 'main', '--run-url', RUN, '--jobs', 'x'], 'comment: --head must be a full commit SHA (got "main")'],
    [['--head', HEAD, '--run-url', 'javascript:alert(1)', '--jobs', 'x'], 'comment: --run-url must be a workflow run\'s https URL (got "javascript:alert(1)")'],
    [['--head', HEAD, '--run-url', RUN], 'comment: --jobs is required'],
    [['--exec', 'x'], 'comment: unexpected argument "--exec"'],
  ])('%j: %s', (argv, message) => {
    expect(() => commentInput(argv, chain)).toThrow(message);
  });
});
