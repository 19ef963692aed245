import * as YAML from 'yaml';

/** A path into a JSON/YAML document: object keys and array indices. */
export type PathSegment = string | number;

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/**
 * Formats a path the way findings print it: `a.b[0].c`. Keys that are not plain identifiers (they
 * contain dots, slashes, spaces, …) are quoted: `metadata.annotations["argocd.argoproj.io/sync-wave"]`.
 */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Converts a JSON pointer (ajv's `instancePath`, e.g. `/spec/sources/0/helm`) into path segments. */
export function pointerToSegments(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((key) => (/^(0|[1-9][0-9]*)$/.test(key) ? Number(key) : key));
}

/** True for a non-null, non-array object (a YAML mapping / JSON object). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at `segments` inside `root`, or undefined when the path does not exist. */
export function valueAt(root: unknown, segments: readonly PathSegment[]): unknown {
  let node = root;
  for (const segment of segments) {
    if (Array.isArray(node) && typeof segment === 'number') node = node[segment];
    else if (isPlainObject(node) && typeof segment === 'string') node = node[segment];
    else return undefined;
  }
  return node;
}

/** True when a string carries a Terraform/cdktf expression (`${...}`), whose value is only known at apply time. */
export function isTerraformExpression(value: unknown): boolean {
  return typeof value === 'string' && value.includes('${');
}

/**
 * Parse options matching what Helm accepts: `<<` merge keys work (Helm's YAML library supports
 * them), duplicate keys are an error (Helm keeps the last silently, which hides mistakes).
 */
const PARSE_OPTIONS = { merge: true, uniqueKeys: true } as const;

/** Result of parsing a YAML text: the value, or the first error. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** Parses every document of a YAML text (empty documents become null). */
export function parseYamlDocuments(text: string): ParseResult<unknown[]> {
  const documents: unknown[] = [];
  for (const document of YAML.parseAllDocuments(text, PARSE_OPTIONS)) {
    const error = document.errors[0];
    if (error) return { ok: false, error: error.message.split('\n')[0] };
    documents.push(document.toJS());
  }
  return { ok: true, value: documents };
}

/** Parses a single-document YAML text (a values file, a Chart.yaml); an empty text is `{}`. */
export function parseYamlDocument(text: string): ParseResult<unknown> {
  const parsed = parseYamlDocuments(text);
  if (!parsed.ok) return parsed;
  return { ok: true, value: parsed.value[0] ?? {} };
}
