/**
 * What the plan job reduces a plan to (counts as Terraform counts them, no plan values) and the
 * EKS cluster it probes before planning. The comment itself: review-comment.test.ts.
 */
import { planCounts, stackCluster } from '../../tools/ci/plan-review';

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
