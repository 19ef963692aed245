import { isPlainObject, PathSegment } from './documents';

/**
 * A tree of known keys: the upstream chart's values model, or a CRD schema. Suggestions search it
 * around the unknown key.
 */
export interface KeyTree {
  /** The keys known at this node (empty when nothing below is known by name). */
  keys(): readonly string[];
  /** The node below `key`, or undefined when it is not known. Numeric segments step into lists. */
  child(key: PathSegment): KeyTree | undefined;
}

/** A suggested replacement for an unknown key. */
export interface Suggestion {
  /** The full path the user probably meant, in the same frame as the unknown path. */
  path: PathSegment[];
  /** True when only the key itself differs (a typo next to the unknown key). */
  sameParent: boolean;
}

/**
 * Edit distance between two strings where inserting, deleting or replacing a character, or
 * swapping two adjacent ones (`enabeld` → `enabled`), costs 1 (optimal string alignment).
 */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  }
  return rows[a.length][b.length];
}

/**
 * How far a written key is from a known one: 0 identical, 0.5 for case/`-`/`_` differences
 * (`selfheal` vs `selfHeal`), the edit distance for short typos, undefined when too far apart to
 * be the same key. Short keys tolerate fewer edits so that e.g. `tag` never suggests `tls`.
 */
export function keyDistance(written: string, known: string): number | undefined {
  if (written === known) return 0;
  const normalize = (key: string) => key.toLowerCase().replace(/[-_]/g, '');
  if (normalize(written) === normalize(known)) return 0.5;
  const length = Math.min(written.length, known.length);
  const allowed = length >= 8 ? 2 : length >= 4 ? 1 : 0;
  const distance = editDistance(written.toLowerCase(), known.toLowerCase());
  return distance <= allowed ? distance : undefined;
}

function nodeAt(root: KeyTree, segments: readonly PathSegment[]): KeyTree | undefined {
  let node: KeyTree | undefined = root;
  for (const segment of segments) node = node?.child(segment);
  return node;
}

/** How many keys of the user's value the candidate node knows: breaks ties between candidates. */
function fit(node: KeyTree | undefined, value: unknown): number {
  if (!node || !isPlainObject(value)) return 0;
  const known = new Set(node.keys());
  return Object.keys(value).filter((key) => known.has(key)).length;
}

interface Candidate {
  path: PathSegment[];
  cost: number;
  fit: number;
  sameParent: boolean;
}

/** Highest total cost accepted: a sibling path with the exact key (2), or one level off plus a typo. */
const MAX_COST = 2;

/**
 * Finds the path the user probably meant for the unknown key at `path` (its last segment): the same
 * key one level deeper (`ollama.gpu` → `ollama.ollama.gpu`) or shallower (`ollama.ollama.ingress` →
 * `ollama.ingress`), under a sibling of its parent, or a near-identical sibling key (`selfheal` →
 * `selfHeal`). `value` is what the user wrote there; candidates that know more of its keys win ties.
 */
export function suggestPath(root: KeyTree, path: readonly PathSegment[], value?: unknown): Suggestion | undefined {
  const key = path[path.length - 1];
  if (typeof key !== 'string') return undefined;
  const parentPath = path.slice(0, -1);
  const parent = nodeAt(root, parentPath);
  const candidates: Candidate[] = [];
  const consider = (node: KeyTree | undefined, prefix: PathSegment[], baseCost: number, sameParent: boolean) => {
    if (!node) return;
    for (const known of node.keys()) {
      const distance = keyDistance(key, known);
      if (distance === undefined) continue;
      const candidatePath = [...prefix, known];
      const cost = baseCost + distance;
      if (cost === 0 || cost > MAX_COST) continue;
      candidates.push({ path: candidatePath, cost, fit: fit(node.child(known), value), sameParent });
    }
  };

  consider(parent, parentPath, 0, true);
  for (const middle of parent?.keys() ?? []) consider(parent?.child(middle), [...parentPath, middle], 1, false);
  if (parentPath.length > 0) {
    const grandPath = parentPath.slice(0, -1);
    const grand = nodeAt(root, grandPath);
    consider(grand, grandPath, 1, false);
    for (const sibling of grand?.keys() ?? []) {
      if (sibling !== parentPath[parentPath.length - 1]) consider(grand?.child(sibling), [...grandPath, sibling], 2, false);
    }
  }

  candidates.sort((a, b) => a.cost - b.cost || b.fit - a.fit || a.path.length - b.path.length || String(a.path).localeCompare(String(b.path)));
  const best = candidates[0];
  return best && { path: best.path, sameParent: best.sameParent };
}
