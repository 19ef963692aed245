import { editDistance, keyDistance, KeyTree, suggestPath } from '../../tools/check/suggest';

/** A key tree over a plain object: every object key is known. */
function tree(shape: unknown): KeyTree {
  const node = typeof shape === 'object' && shape !== null ? (shape as Record<string, unknown>) : {};
  return { keys: () => Object.keys(node), child: (key) => (typeof key === 'string' && key in node ? tree(node[key]) : undefined) };
}

const chart = tree({ ollama: { ollama: { gpu: { enabled: 0 }, models: { pull: 0 } }, ingress: { enabled: 0 }, service: { type: 0 } } });

describe('key distance', () => {
  it('counts case and separator differences as half an edit', () => {
    expect(keyDistance('selfheal', 'selfHeal')).toBe(0.5);
    expect(keyDistance('node_selector', 'nodeSelector')).toBe(0.5);
  });

  it('counts a swap of adjacent letters as one edit', () => {
    expect(editDistance('enabeld', 'enabled')).toBe(1);
    expect(keyDistance('enabeld', 'enabled')).toBe(1);
  });

  it('does not match short keys that merely look alike', () => {
    expect(keyDistance('tag', 'tls')).toBeUndefined();
    expect(keyDistance('port', 'type')).toBeUndefined();
  });
});

describe('path suggestions', () => {
  it('finds the same key one level deeper', () => {
    expect(suggestPath(chart, ['ollama', 'gpu'])).toEqual({ path: ['ollama', 'ollama', 'gpu'], sameParent: false });
  });

  it('finds the same key one level shallower', () => {
    expect(suggestPath(chart, ['ollama', 'ollama', 'ingress'])).toEqual({ path: ['ollama', 'ingress'], sameParent: false });
  });

  it('finds the key under a sibling of its parent', () => {
    expect(suggestPath(chart, ['ollama', 'ingress', 'type'])).toEqual({ path: ['ollama', 'service', 'type'], sameParent: false });
  });

  it('finds a typo next to the key', () => {
    expect(suggestPath(chart, ['ollama', 'ingres'])).toEqual({ path: ['ollama', 'ingress'], sameParent: true });
  });

  it('prefers the candidate that knows more of the written keys', () => {
    const ambiguous = tree({ a: { x: { name: { first: 0 } }, y: { name: { other: 0 } } } });
    expect(suggestPath(ambiguous, ['a', 'name'], { other: 1 })).toEqual({ path: ['a', 'y', 'name'], sameParent: false });
  });

  it('suggests nothing when nothing is close', () => {
    expect(suggestPath(chart, ['ollama', 'somethingElse'])).toBeUndefined();
  });
});
