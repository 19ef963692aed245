/**
 * The promotion record: every promotion, rollback and hold release is an annotated tag
 * `refs/tags/promotions/<env>/<sequence number>` on the commit the environment moved to, pushed
 * atomically with the ref (a concurrent promotion that took the same number loses the push). The tag message says who, when, from which commit to which and why;
 * plain git reads it: `git for-each-ref refs/tags/promotions/prod --format='%(contents)'`.
 */
import { PromoteError, git } from './git';

/** Namespace of the record tags. */
export const RECORD_PREFIX = 'refs/tags/promotions';

/** What a record says happened. */
export type RecordKind = 'init' | 'promote' | 'rollback' | 'release-hold';

/** One entry of the promotion record. */
export interface PromotionRecord {
  /** The full tag ref. */
  readonly tag: string;
  readonly env: string;
  readonly kind: RecordKind;
  /** The commit the environment ran before (none for init). */
  readonly from?: string;
  /** The commit the environment runs from then on. */
  readonly to: string;
  /** Who: the Git identity, plus the CI actor and run when there is one. */
  readonly by: string;
  /** When, ISO 8601 UTC. */
  readonly at: string;
  readonly reason: string;
  /** Where the commit came from: the previous environment (and that it ran it) or main. */
  readonly source?: string;
}

/** A record's reason or source: one printable line, bounded (it is read by people and by this tool). */
// eslint-disable-next-line no-control-regex -- the point is to refuse control characters
const LINE = /^[^\x00-\x1f\x7f]{1,300}$/;

/** Why `reason` (user input) is not acceptable, or undefined. */
export function reasonProblem(reason: string): string | undefined {
  return LINE.test(reason) ? undefined : `must be one line of 1 to 300 printable characters (got ${JSON.stringify(reason.slice(0, 60))})`;
}

/**
 * `refs/tags/promotions/<env>/<000001…>`: the entry after `records`. Numbered, not timestamped, so
 * the order never depends on clocks, and two promotions racing for one number cannot both land.
 */
export function recordTag(env: string, records: readonly PromotionRecord[]): string {
  const last = records.length === 0 ? 0 : Math.max(...records.map((r) => Number(r.tag.split('/').pop())));
  return `${RECORD_PREFIX}/${env}/${String(last + 1).padStart(6, '0')}`;
}

const FIELDS = ['env', 'kind', 'from', 'to', 'by', 'at', 'reason', 'source'] as const;

/** The tag message of `record`: a subject line, then one `key: value` line per field. */
export function formatRecord(record: Omit<PromotionRecord, 'tag'>): string {
  const subject = `${record.kind} ${record.env}: ${record.from ? record.from.slice(0, 12) : '(none)'} -> ${record.to.slice(0, 12)}`;
  const lines = FIELDS.filter((k) => record[k] !== undefined).map((k) => `${k}: ${String(record[k])}`);
  return `${subject}\n\n${lines.join('\n')}\n`;
}

/** Parses a tag message written by {@link formatRecord}; undefined for anything else. */
export function parseRecord(tag: string, message: string): PromotionRecord | undefined {
  const fields = new Map<string, string>();
  for (const line of message.split('\n')) {
    const match = /^([a-z]+): (.*)$/.exec(line);
    if (match && (FIELDS as readonly string[]).includes(match[1])) fields.set(match[1], match[2]);
  }
  const kind = fields.get('kind');
  const env = fields.get('env');
  const to = fields.get('to');
  if (!env || !to || !kind || !['init', 'promote', 'rollback', 'release-hold'].includes(kind)) return undefined;
  if (!new RegExp(`^${RECORD_PREFIX}/${env}/\\d{6,}$`).test(tag)) return undefined;
  return {
    tag,
    env,
    kind: kind as RecordKind,
    from: fields.get('from'),
    to,
    by: fields.get('by') ?? '?',
    at: fields.get('at') ?? '?',
    reason: fields.get('reason') ?? '',
    source: fields.get('source'),
  };
}

/**
 * Fetches the commits of `refs` (no local ref written) and the remote's record tags of every
 * environment (pruning none) in one fetch: one connection to the remote, not two.
 */
export function fetchWithRecords(repo: string, remote: string, refs: readonly string[] = []): void {
  git(repo, ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--end-of-options', remote, ...refs, `+${RECORD_PREFIX}/*:${RECORD_PREFIX}/*`]);
}

/** The records of `env` in the clone, oldest first. */
export function readRecords(repo: string, env: string): PromotionRecord[] {
  const out = git(repo, ['for-each-ref', '--sort=refname', '--format=%(refname)%00%(contents)%00', `${RECORD_PREFIX}/${env}/`]);
  const records: PromotionRecord[] = [];
  const parts = out.split('\0');
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const record = parseRecord(parts[i].replace(/^\n/, ''), parts[i + 1]);
    if (record) records.push(record);
  }
  return records;
}

/** The commits `env` is known to have run: every record's target, and the commit its ref is at now. */
export function commitsRan(records: readonly PromotionRecord[], current: string | undefined): Set<string> {
  return new Set([...records.filter((r) => r.kind !== 'release-hold').map((r) => r.to), ...(current ? [current] : [])]);
}

/** The rollback that holds `env`, if its latest rollback has not been released. */
export function activeHold(records: readonly PromotionRecord[]): PromotionRecord | undefined {
  const last = [...records].reverse().find((r) => r.kind === 'rollback' || r.kind === 'release-hold' || r.kind === 'init');
  return last?.kind === 'rollback' ? last : undefined;
}

/** Who is promoting: the clone's Git identity, and in CI the actor and the run (GitHub Actions variables). */
export function promoter(repo: string, env: NodeJS.ProcessEnv = process.env): string {
  const config = (key: string) => {
    try {
      return git(repo, ['config', '--get', key]);
    } catch {
      return '';
    }
  };
  // Only name-like characters: these strings come from the environment and end up in a tag message.
  const clean = (value: string | undefined) => (value ?? '').replace(/[^\w .@+/:<>-]/g, '').slice(0, 120);
  const name = clean(env.GIT_COMMITTER_NAME ?? config('user.name')) || 'unknown';
  const email = clean(env.GIT_COMMITTER_EMAIL ?? config('user.email'));
  const ci =
    env.GITHUB_ACTOR && env.GITHUB_RUN_ID
      ? ` via ${clean(env.GITHUB_ACTOR)} in ${clean(env.GITHUB_SERVER_URL)}/${clean(env.GITHUB_REPOSITORY)}/actions/runs/${clean(env.GITHUB_RUN_ID)}`
      : '';
  return `${name}${email ? ` <${email}>` : ''}${ci}`;
}

/**
 * Creates the annotated record tag locally (pushed by the caller, atomically with the ref). The
 * tagger is the clone's Git identity; in CI without one, the GitHub actor.
 */
export function createRecordTag(repo: string, record: Omit<PromotionRecord, 'tag'>, tag: string, env: NodeJS.ProcessEnv = process.env): void {
  const known = hasIdentity(repo, env);
  if (!known && !env.GITHUB_ACTOR)
    throw new PromoteError('no Git identity to sign the promotion record with: set git config user.name and user.email (or GIT_COMMITTER_NAME/EMAIL)');
  const identity = known ? {} : { GIT_COMMITTER_NAME: env.GITHUB_ACTOR, GIT_COMMITTER_EMAIL: `${env.GITHUB_ACTOR}@users.noreply.github.com` };
  git(repo, ['tag', '--annotate', '--no-sign', '-m', formatRecord(record), '--end-of-options', tag.slice('refs/tags/'.length), record.to], {
    ...env,
    ...identity,
  });
}

function hasIdentity(repo: string, env: NodeJS.ProcessEnv): boolean {
  if (env.GIT_COMMITTER_NAME && env.GIT_COMMITTER_EMAIL) return true;
  try {
    return git(repo, ['config', '--get', 'user.email']) !== '' && git(repo, ['config', '--get', 'user.name']) !== '';
  } catch {
    return false;
  }
}

/** One line per record, newest first, for `status` and the promote output. */
export function formatRecords(records: readonly PromotionRecord[], limit = 5): string[] {
  return [...records]
    .reverse()
    .slice(0, limit)
    .map(
      (r) =>
        `${r.at} ${r.kind} ${r.from ? r.from.slice(0, 12) : '(none)'} -> ${r.to.slice(0, 12)} by ${r.by}${r.source ? ` from ${r.source}` : ''}: ${r.reason}`,
    );
}
