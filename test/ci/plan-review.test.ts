/**
 * The plan-review summary comment: counts as Terraform counts them, replacements called out,
 * skipped stacks named with the reason, the render diff split per environment, no plan values.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { COMMENT_MARKER, planCounts, renderDiffByEnvironment, stackCluster, summary } from '../../tools/ci/plan-review';

const rc = (address: string, ...actions: string[]) => ({ address, change: { actions, after: { password: 'hunter2' } } });

describe('planCounts', () => {
  test.each([
    [[], { add: 0, change: 0, destroy: 0, replace: [], deleted: [] }],
    [[rc('a.x', 'no-op'), rc('a.y', 'read')], { add: 0, change: 0, destroy: 0, replace: [], deleted: [] }],
    [[rc('a.x', 'create'), rc('a.y', 'update')], { add: 1, change: 1, destroy: 0, replace: [], deleted: [] }],
    [[rc('a.x', 'delete', 'create'), rc('a.y', 'create', 'delete')], { add: 2, change: 0, destroy: 2, replace: ['a.x', 'a.y'], deleted: [] }],
    [[rc('a.z', 'delete')], { add: 0, change: 0, destroy: 1, replace: [], deleted: ['a.z'] }],
  ])('%j', (changes, counts) => {
    expect(planCounts({ resource_changes: changes })).toEqual(counts);
  });

  test('carries no value of the plan', () => {
    expect(JSON.stringify(planCounts({ resource_changes: [rc('a.x', 'create')] }))).not.toContain('hunter2');
  });
});

test('stackCluster: the EKS cluster a stack looks up, nothing for a kubeconfig stack', () => {
  expect(stackCluster({ data: { aws_eks_cluster: { eks_cluster: { name: 'llm-staging' } } }, provider: { aws: [{ region: 'eu-west-1' }] } })).toBe(
    'llm-staging eu-west-1',
  );
  expect(stackCluster({ provider: { kubernetes: [{}] } as never })).toBeUndefined();
});

const DIFF = [
  'diff --git a/origin/main/dev/ollama.yaml b/working-tree/dev/ollama.yaml',
  '--- a/origin/main/dev/ollama.yaml',
  '+++ b/working-tree/dev/ollama.yaml',
  '-      memory: 4Gi',
  '+      memory: 5Gi',
  'diff --git a/origin/main/prod/ollama.yaml b/working-tree/prod/ollama.yaml',
  '--- a/origin/main/prod/ollama.yaml',
  '+++ b/working-tree/prod/ollama.yaml',
  '+      memory: 9Gi',
].join('\n');

test('renderDiffByEnvironment splits `npm run render -- --diff` output by environment', () => {
  const byEnv = renderDiffByEnvironment(DIFF);
  expect([...byEnv.keys()]).toEqual(['dev', 'prod']);
  expect(byEnv.get('prod')).toEqual(DIFF.split('\n').slice(5));
});

describe('summary', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plans-'));
  fs.writeFileSync(
    path.join(dir, 'staging-cluster.counts.json'),
    JSON.stringify({ add: 1, change: 2, destroy: 1, replace: ['aws_eks_node_group.gpu'], deleted: [] }),
  );
  fs.writeFileSync(path.join(dir, 'staging-cluster.txt'), 'plan text');
  fs.writeFileSync(path.join(dir, 'staging-platform.skipped'), 'the API of llm-staging is not reachable from this runner (10 s)');
  fs.writeFileSync(path.join(dir, 'staging-apps.counts.json'), JSON.stringify({ add: 0, change: 0, destroy: 0, replace: [], deleted: [] }));
  fs.writeFileSync(path.join(dir, 'prod-apps.log'), 'Error: ...');
  const text = summary(dir, DIFF, 'https://github.com/o/r/actions/runs/1');

  test('one marker, so each push updates the same comment', () => {
    expect(text.startsWith(`${COMMENT_MARKER}\n`)).toBe(true);
  });
  test('per stack adds/changes/destroys; replacements called out; no changes said so; a failed plan said so', () => {
    expect(text).toContain('| `staging-cluster` | 1 | 2 | 1 | ⚠️ **replaces** `aws_eks_node_group.gpu` |');
    expect(text).toContain('| `staging-apps` | 0 | 0 | 0 | no changes |');
    expect(text).toContain('| `prod-apps` | – | – | – | **plan failed** (see the plan log artifact) |');
  });
  test('skipped stacks are named with the reason', () => {
    expect(text).toContain('| `staging-platform` | – | – | – | **not planned**: the API of llm-staging is not reachable from this runner (10 s) |');
    expect(text).toContain('Not planned: `staging-platform`.');
  });
  test('the render diff per environment, with counts, and the artifacts linked', () => {
    expect(text).toContain('<details><summary><b>dev</b>: +1 −1 lines</summary>');
    expect(text).toContain('<details><summary><b>prod</b>: +1 −0 lines</summary>');
    expect(text).toContain('[artifacts of this run](https://github.com/o/r/actions/runs/1#artifacts)');
  });
  test('no render diff: said so', () => {
    expect(summary(dir, '', 'u')).toContain('No change to any rendered Application.');
    expect(summary(dir, undefined, 'u')).toContain('The render job produced no diff (see the run).');
  });
});
