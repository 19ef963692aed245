/**
 * `npm run docs [-- --check]`: the parts of README.md that follow from the app catalog and the
 * environments, written from them: dev's `/etc/hosts` line, the rows of the Secrets table, and the
 * security model's published hosts. Everything around them is prose and stays as written; a row
 * of the Secrets table whose Secret, namespace, keys and variables are right keeps its wording.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CATALOG } from '../../apps/catalog';
import { AppDefinition } from '../../contracts/app-definition';
import { credentialVariableName } from '../../contracts/app-catalog';
import { ENVIRONMENTS, ValidEnvironment, loadEnvironments } from '../../environments';
import { appContexts } from '../../stacks/app-contexts';

/** README.md of this checkout. */
export const README = path.join(__dirname, '..', '..', 'README.md');

/** One line of README.md that is not what the catalog and the environments say. */
export interface DocChange {
  /** Which part: `/etc/hosts line`, `Secrets table`, `published hosts`. */
  readonly part: string;
  /** The line as it is, or undefined for a line to add. */
  readonly before?: string;
  /** The line to write, or undefined for a line to remove. */
  readonly after?: string;
}

/** The README with its derived parts rewritten, and what changed. */
export interface ReadmeUpdate {
  readonly text: string;
  readonly changes: readonly DocChange[];
}

const code = (value: string) => `\`${value}\``;

/** The hosts `env` publishes: Argo CD's, then each app's that has one, in catalog order. */
export function publishedHosts(env: ValidEnvironment, catalog: readonly AppDefinition[]): string[] {
  const hosts = env.ingress.hosts as Record<string, string | undefined>;
  return [hosts.argocd!, ...catalog.flatMap((app) => (hosts[app.name] ? [hosts[app.name]!] : []))];
}

// ---------------------------------------------------------------------------------------------
// dev's /etc/hosts line

const HOSTS_LINE = /^echo "\$\(minikube ip\)( [^"]*)?" \| sudo tee -a \/etc\/hosts$/m;

function hostsLine(text: string, dev: ValidEnvironment, catalog: readonly AppDefinition[], changes: DocChange[]): string {
  const match = HOSTS_LINE.exec(text);
  if (!match) throw new Error('README.md: no line `echo "$(minikube ip) <hosts>" | sudo tee -a /etc/hosts` (the dev set-up) to keep in step');
  const line = `echo "$(minikube ip) ${publishedHosts(dev, catalog).join(' ')}" | sudo tee -a /etc/hosts`;
  if (match[0] === line) return text;
  changes.push({ part: '/etc/hosts line', before: match[0], after: line });
  return text.replace(match[0], () => line);
}

// ---------------------------------------------------------------------------------------------
// The Secrets table

/** What a row of the Secrets table states about one Secret. */
interface SecretRow {
  readonly name: string;
  readonly namespace: string;
  readonly keys: readonly string[];
  readonly variables: readonly string[];
}

/** The Secrets of `catalog` with their keys in every environment (credentials, then settings). */
function catalogSecrets(environments: readonly ValidEnvironment[], catalog: readonly AppDefinition[]): SecretRow[] {
  const contexts = environments.map((env) => appContexts(env, catalog));
  return catalog.flatMap((app) =>
    (app.secrets ?? []).map((secret) => {
      const settingKeys = contexts.flatMap((byApp) => Object.keys(secret.settings?.(byApp.get(app.name)!, () => '') ?? {}));
      return {
        name: secret.name,
        namespace: app.namespace,
        keys: [...new Set([...secret.credentials.map((c) => c.key), ...settingKeys])],
        variables: secret.credentials.map((c) => credentialVariableName(app.name.replace(/-/g, '_'), c.key)),
      };
    }),
  );
}

/** Code spans of a cell, leaving out those in parentheses (values and remarks: `` `admin-user` (`admin`) ``). */
function codeSpans(cell: string): string[] {
  return [...cell.replace(/\([^()]*\)/g, '').matchAll(/`([^`]+)`/g)].map((m) => m[1]);
}

const cells = (line: string) => line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|');
const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

function secretsTable(text: string, secrets: readonly SecretRow[], changes: DocChange[]): string {
  const lines = text.split('\n');
  const header = lines.findIndex((line) => /^\|[^|]*\bSecret\b/.test(line));
  if (header < 0) throw new Error('README.md: no table whose first column names a Secret (the Secrets section) to keep in step');
  // The table's default namespace: `Secret (namespace `x`)` in its header.
  const defaultNamespace = /namespace `([^`]+)`/.exec(cells(lines[header])[0])?.[1];
  const rowText = (s: SecretRow) =>
    `| ${code(s.name)}${s.namespace === defaultNamespace ? '' : ` (namespace ${code(s.namespace)})`} | ${s.keys.map(code).join(', ')} | ${s.variables.map(code).join(', ')} |`;
  let end = header + 2;
  while (end < lines.length && lines[end].startsWith('|')) end++;
  const rows: string[] = [];
  for (const line of lines.slice(header + 2, end)) {
    const [first = '', keys = '', variables = ''] = cells(line);
    const name = codeSpans(first)[0];
    const secret = secrets.find((s) => s.name === name);
    if (!secret) {
      changes.push({ part: 'Secrets table', before: line });
      continue;
    }
    const namespace = /namespace `([^`]+)`/.exec(first)?.[1] ?? defaultNamespace;
    const right = namespace === secret.namespace && sameSet(codeSpans(keys), secret.keys) && sameSet(codeSpans(variables), secret.variables);
    if (!right) changes.push({ part: 'Secrets table', before: line, after: rowText(secret) });
    rows.push(right ? line : rowText(secret));
  }
  const listed = rows.map((line) => codeSpans(cells(line)[0])[0]);
  for (const secret of secrets.filter((s) => !listed.includes(s.name))) {
    changes.push({ part: 'Secrets table', after: rowText(secret) });
    rows.push(rowText(secret));
  }
  return [...lines.slice(0, header + 2), ...rows, ...lines.slice(end)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// The security model's published hosts

const PUBLISHED = /(\*\*Reachable from outside the cluster:\*\* )([\s\S]*?)(; nothing else)/;

function publishedSentence(text: string, environments: readonly ValidEnvironment[], catalog: readonly AppDefinition[], changes: DocChange[]): string {
  const match = PUBLISHED.exec(text);
  if (!match) throw new Error('README.md: no "**Reachable from outside the cluster:** …; nothing else" in the security model to keep in step');
  const perEnvironment = environments.map((env) => `${env.name}: ${publishedHosts(env, catalog).map(code).join(', ')}`).join('; ');
  const sentence = `Argo CD (UI/API, TLS on EKS) and each app an environment gives a host, on that host (${perEnvironment})`;
  // Compared without line breaks: the paragraph may be wrapped anywhere.
  if (match[2].replace(/\s+/g, ' ') === sentence) return text;
  changes.push({ part: 'published hosts', before: match[2].replace(/\s+/g, ' '), after: sentence });
  return text.replace(PUBLISHED, (_, head: string, _old: string, tail: string) => `${head}${sentence}${tail}`);
}

/** README.md's derived parts from `environments` and `catalog`. */
export function updateReadme(text: string, environments: readonly ValidEnvironment[], catalog: readonly AppDefinition[]): ReadmeUpdate {
  const changes: DocChange[] = [];
  // The README's minikube set-up is dev's.
  const dev = environments.find((env) => env.name === 'dev');
  let result = dev ? hostsLine(text, dev, catalog, changes) : text;
  result = secretsTable(result, catalogSecrets(environments, catalog), changes);
  result = publishedSentence(result, environments, catalog, changes);
  return { text: result, changes };
}

/** A change as the lines of a diff: `- before` / `+ after`. */
export function formatChange(change: DocChange): string {
  return [`README.md ${change.part}:`, ...(change.before ? [`- ${change.before}`] : []), ...(change.after ? [`+ ${change.after}`] : [])].join('\n');
}

if (require.main === module) {
  const check = process.argv.includes('--check');
  const update = updateReadme(fs.readFileSync(README, 'utf8'), loadEnvironments(ENVIRONMENTS, CATALOG), CATALOG);
  for (const change of update.changes) console.error(formatChange(change));
  if (check) {
    if (update.changes.length > 0) console.error('README.md is not in step with the catalog and the environments: run npm run docs');
    process.exitCode = update.changes.length > 0 ? 1 : 0;
  } else {
    fs.writeFileSync(README, update.text);
    console.error(update.changes.length > 0 ? `README.md: ${update.changes.length} line(s) written` : 'README.md is up to date');
  }
}
