/**
 * File edits the Argo CD e2e stage makes in its temporary copies (never in the repository under
 * test):
 *
 *   work-copy.ts chart-repos <apps dir> <helm repo url>
 *       point every dependency `repository:` of <apps dir>/<name>/Chart.yaml at the loopback repo
 *   work-copy.ts overrides <out.json> <env> <git url> <revision> [<base overrides.json>]
 *       write a PLATFORM_OVERRIDES_FILE: <base> deep-merged with `{<env>: {gitops: {...}}}`
 *   work-copy.ts set <values file> <dotted.path> <value>
 *       set one key of a values file (comments kept), e.g. `ollama.resources.requests.memory 3Gi`
 *   work-copy.ts get <values file>... -- <dotted.path>
 *       print (as JSON) the key from the files merged like Helm merges value files
 *   work-copy.ts configure <work dir> <env> <model> <label>
 *       the change a user makes on main: one more Ollama model in environments/<env>.ts and
 *       another endpoint label in the catalog's librechat.yaml (`npm run values` then derives
 *       the generated value files)
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse, parseDocument } from 'yaml';
import { deepMerge } from '../../../contracts/merge';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Rewrites the dependency repositories of every `<appsDir>/<name>/Chart.yaml`; returns what changed. */
export function rewriteChartRepositories(appsDir: string, url: string): string[] {
  const changes: string[] = [];
  for (const name of fs.readdirSync(appsDir).sort()) {
    const file = path.join(appsDir, name, 'Chart.yaml');
    if (!fs.existsSync(file)) continue;
    const doc = parseDocument(fs.readFileSync(file, 'utf8'));
    const deps = doc.get('dependencies') as { items?: { get(k: string): unknown; set(k: string, v: unknown): void }[] } | undefined;
    for (const dep of deps?.items ?? []) {
      // file:// dependencies (apps/isolation) are served from the Git repository itself.
      if (String(dep.get('repository')).startsWith('file://')) continue;
      changes.push(`apps/${name}: ${String(dep.get('name'))} ${String(dep.get('version'))} from ${String(dep.get('repository'))} -> ${url}`);
      dep.set('repository', url);
    }
    fs.writeFileSync(file, doc.toString({ lineWidth: 0 }));
  }
  return changes;
}

/** Writes an overrides file pointing `<env>.gitops` at the loopback Git server. */
export function writeOverrides(out: string, env: string, gitUrl: string, revision: string, baseFile?: string): void {
  const base: Json = baseFile ? JSON.parse(fs.readFileSync(baseFile, 'utf8')) : {};
  const merged = deepMerge(base, { [env]: { gitops: { repoUrl: gitUrl, targetRevision: revision } } });
  fs.writeFileSync(out, `${JSON.stringify(merged, null, 2)}\n`);
}

/** Sets `dotted.path` in a YAML file, creating maps on the way; a numeric string stays a string. */
export function setValue(file: string, dotted: string, value: string): void {
  const doc = parseDocument(fs.readFileSync(file, 'utf8'));
  const parsed: unknown = /^-?\d+$/.test(value) ? Number(value) : value;
  doc.setIn(dotted.split('.'), parsed);
  fs.writeFileSync(file, doc.toString({ lineWidth: 0 }));
}

/** The value at `dotted.path` after merging the files in order (later files win, maps merge). */
export function mergedValue(files: string[], dotted: string): Json {
  let merged: Json = {};
  for (const file of files) merged = deepMerge(merged, (parse(fs.readFileSync(file, 'utf8')) ?? {}) as Json);
  let value: Json | undefined = merged;
  for (const key of dotted.split('.')) value = isObject(value) ? value[key] : undefined;
  return value ?? null;
}

/** Adds `model` to `apps.ollama.models` of environments/<env>.ts and sets the catalog's LibreChat endpoint label. */
export function configure(work: string, env: string, model: string, label: string): void {
  const edit = (file: string, pattern: RegExp, replacement: string) => {
    const text = fs.readFileSync(path.join(work, file), 'utf8');
    if (!pattern.test(text)) throw new Error(`${file}: ${pattern} not found`);
    fs.writeFileSync(path.join(work, file), text.replace(pattern, replacement));
  };
  edit(`environments/${env}.ts`, /(ollama: \{ models: \[)/, `$1${JSON.stringify(model).replace(/"/g, "'")}, `);
  edit('apps/catalog.ts', /modelDisplayLabel: '[^']*'/, `modelDisplayLabel: ${JSON.stringify(label).replace(/"/g, "'")}`);
}

if (require.main === module) {
  const [command, ...args] = process.argv.slice(2);
  if (command === 'chart-repos' && args.length === 2) {
    for (const change of rewriteChartRepositories(args[0], args[1])) console.log(`e2e:    ${change}`);
  } else if (command === 'overrides' && (args.length === 4 || args.length === 5)) {
    writeOverrides(args[0], args[1], args[2], args[3], args[4]);
  } else if (command === 'set' && args.length === 3) {
    setValue(args[0], args[1], args[2]);
  } else if (command === 'configure' && args.length === 4) {
    configure(args[0], args[1], args[2], args[3]);
  } else if (command === 'get' && args.includes('--')) {
    const at = args.indexOf('--');
    console.log(JSON.stringify(mergedValue(args.slice(0, at), args[at + 1])));
  } else {
    console.error('usage: work-copy.ts chart-repos|overrides|set|get|configure ... (see the header of this file)');
    process.exitCode = 2;
  }
}
