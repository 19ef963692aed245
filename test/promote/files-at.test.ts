/**
 * `filesAt`: many files of one commit read by one `git cat-file --batch`, as `npm run status`
 * reads the pins of every Application.
 */
import { filesAt } from '../../tools/promote/git';
import { gitFixture } from './git-fixture';

describe('filesAt', () => {
  const f = gitFixture();
  const c1 = f.commit('files', { 'apps/a/Chart.yaml': 'name: a\n', 'apps/a/values.yaml': 'note: "größe ✓"\n', 'apps/b/empty.yaml': '' });
  f.commit('changed later', { 'apps/a/Chart.yaml': 'name: a-later\n' });

  test('each file as the commit holds it, multi-byte text and empty files included; absent files and folders are undefined', () => {
    const files = filesAt(f.clone, c1, ['apps/a/values.yaml', 'apps/a/Chart.yaml', 'apps/none.yaml', 'apps/b/empty.yaml', 'apps/b', 'apps/a/values.yaml']);
    expect([...files]).toEqual([
      ['apps/a/values.yaml', 'note: "größe ✓"\n'],
      ['apps/a/Chart.yaml', 'name: a\n'],
      ['apps/none.yaml', undefined],
      ['apps/b/empty.yaml', ''],
      ['apps/b', undefined],
    ]);
  });

  test('no paths: no git run, an empty map', () => {
    expect(filesAt('/nonexistent', c1, []).size).toBe(0);
  });

  test('a path with a line break is refused (it would end the batch line)', () => {
    expect(() => filesAt(f.clone, c1, ['apps/a\nHEAD:secret'])).toThrow('cannot read "apps/a\\nHEAD:secret": a path with a line break');
  });

  test("a folder that is not a repository fails with git's message", () => {
    expect(() => filesAt('/nonexistent', c1, ['x'])).toThrow(/^git cat-file failed: /);
  });
});
