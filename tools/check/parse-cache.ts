import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { parseYamlDocuments, YamlParseResult } from './yaml-files';

/**
 * Parses a YAML file, reusing an earlier parse stored as JSON under `cacheDir` (keyed by the
 * file's content hash). Upstream files are large (the Argo CD chart values and CRDs take ~200 ms
 * each to parse, a JSON read ~5 ms), and the check has to start in well under two seconds.
 * Without `cacheDir` the file is parsed every time.
 */
export function readYamlFileCached(file: string, cacheDir?: string): YamlParseResult {
  const text = fs.readFileSync(file, 'utf8');
  if (!cacheDir) return parseYamlDocuments(text);
  const key = crypto.createHash('sha256').update(text).digest('hex').slice(0, 32);
  const cacheFile = path.join(cacheDir, `${key}.json`);
  try {
    return { ok: true, documents: JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as unknown[] };
  } catch {
    // Not cached yet (or unreadable): parse and store below.
  }
  const parsed = parseYamlDocuments(text);
  if (parsed.ok) {
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      const temporary = `${cacheFile}.${process.pid}.tmp`;
      fs.writeFileSync(temporary, JSON.stringify(parsed.documents));
      fs.renameSync(temporary, cacheFile);
    } catch {
      // A read-only checkout still works, only slower.
    }
  }
  return parsed;
}
