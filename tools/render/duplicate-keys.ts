/**
 * Mapping keys given twice in a rendered manifest. YAML parsers (the `yaml` package's `toJS`,
 * Helm's and the API server's) keep the last value without a word, so a chart that writes an
 * annotation itself and again from values loses one of them silently.
 */
import { Node, isMap, isScalar, isSeq, parseAllDocuments } from 'yaml';
import { Finding } from './checks';

/** A key given twice: the object it is in and the key's field path. */
export interface DuplicateKey {
  /** `<Kind> <namespace>/<name>` of the object (its last values), or `document <n>`. */
  readonly object: string;
  /** Field path of the repeated key, e.g. `metadata.annotations["example.com/a"]`. */
  readonly path: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `parent.key`, or `parent["key"]` when the key is not a plain name. */
function fieldPath(parent: string, key: string): string {
  if (IDENTIFIER.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${JSON.stringify(key)}]`;
}

/** The field paths of the keys that start at `offsets` under `node`. */
function pathsAt(node: unknown, offsets: ReadonlySet<number>, parent: string, found: string[]): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const path = fieldPath(parent, key);
      const start = (pair.key as Node | null)?.range?.[0];
      if (start !== undefined && offsets.has(start)) found.push(path);
      pathsAt(pair.value, offsets, path, found);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => pathsAt(item, offsets, `${parent}[${i}]`, found));
  }
}

/**
 * Every mapping key of the multi-document `text` that its map already had, as the `yaml` package's
 * unique-key check reports it (`DUPLICATE_KEY`), with the object and the field path.
 */
export function duplicateKeys(text: string, releaseNamespace = 'default'): DuplicateKey[] {
  return parseAllDocuments(text, { uniqueKeys: true }).flatMap((doc, index) => {
    const offsets = new Set(doc.errors.filter((e) => e.code === 'DUPLICATE_KEY').map((e) => e.pos[0]));
    if (offsets.size === 0) return [];
    const object = doc.toJS() as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } } | null;
    const label =
      typeof object?.kind === 'string'
        ? `${object.kind} ${String(object.metadata?.namespace ?? releaseNamespace)}/${String(object.metadata?.name)}`
        : `document ${index + 1}`;
    const paths: string[] = [];
    pathsAt(doc.contents, offsets, '', paths);
    return paths.map((path) => ({ object: label, path }));
  });
}

/** Findings for the keys given twice in the render of one app. */
export function checkDuplicateKeys(render: { readonly app: string; readonly namespace: string; readonly text: string }): Finding[] {
  return duplicateKeys(render.text, render.namespace).map((duplicate) => ({
    app: render.app,
    object: duplicate.object,
    field: duplicate.path,
    message: 'key given twice; YAML and the API server keep the last value and drop the other silently',
  }));
}
