import * as fs from 'fs';
import * as YAML from 'yaml';

/**
 * Parse options matching what Helm accepts: `<<` merge keys work (Helm's YAML library supports
 * them), duplicate keys are an error (Helm keeps the last silently, which hides mistakes).
 */
const PARSE_OPTIONS = { merge: true, uniqueKeys: true } as const;

/** Result of parsing one YAML text: the documents, or the first error. */
export type YamlParseResult = { ok: true; documents: unknown[] } | { ok: false; error: string };

/** Parses every document of a YAML text (empty documents become null). */
export function parseYamlDocuments(text: string): YamlParseResult {
  const documents: unknown[] = [];
  for (const document of YAML.parseAllDocuments(text, PARSE_OPTIONS)) {
    const error = document.errors[0];
    if (error) return { ok: false, error: error.message.split('\n')[0] };
    documents.push(document.toJS());
  }
  return { ok: true, documents };
}

/** Parses a single-document YAML text (a values file, a Chart.yaml); an empty text is `{}`. */
export function parseYamlDocument(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const parsed = parseYamlDocuments(text);
  if (!parsed.ok) return parsed;
  return { ok: true, value: parsed.documents[0] ?? {} };
}

/** Reads a file as UTF-8, or undefined when it does not exist. */
export function readTextIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
