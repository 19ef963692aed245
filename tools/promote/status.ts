/**
 * Where every environment stands: the ref it follows and its commit, what that commit pins (read
 * from the commit, never the working tree), how far it is behind the previous environment, its
 * promotion record and hold, whether the Applications lag what the ref expects, and (with cluster
 * access) what Argo CD runs live.
 */
import { execFileSync } from 'child_process';
import { valueFilesFor, wrapperChartPath } from '../../constructs/apps/wrapper-chart';
import { appsAt } from './apps-at';
import { ChainLink, MAINLINE_REF } from './chain';
import { commitSha, countCommits, filesAt, git, isAncestor, remoteRefs } from './git';
import { AppPins, appPins, pinFiles } from './pins';
import { PromotionRecord, activeHold, fetchWithRecords, formatRecords, readRecords } from './record';

/** Where refs are read from. */
export interface RefSource {
  /** The commit a fully qualified ref points at, or undefined when it does not exist. */
  commit(ref: string): string | undefined;
}

/** The remote's refs (`git ls-remote`), fetched so their commits can be read. */
export function remoteRefSource(repo: string, remote: string, chain: readonly ChainLink[]): RefSource {
  const refs = remoteRefs(repo, remote);
  const wanted = [...new Set([MAINLINE_REF, ...chain.map((l) => l.ref)])].filter((r) => refs.has(r));
  fetchWithRecords(repo, remote, wanted);
  return { commit: (ref) => refs.get(ref) };
}

/** The clone's remote-tracking refs (`refs/remotes/<remote>/…`), no network: as of the last fetch. */
export function cloneRefSource(repo: string, remote: string): RefSource {
  return { commit: (ref) => (ref.startsWith('refs/heads/') ? commitSha(repo, `refs/remotes/${remote}/${ref.slice('refs/heads/'.length)}`) : undefined) };
}

/** Argo CD's view of one Application. */
export interface LiveApp {
  readonly app: string;
  readonly targetRevision?: string;
  /** The commit Argo CD last compared with (`status.sync.revision`). */
  readonly revision?: string;
  readonly sync?: string;
  readonly health?: string;
  /** The live revision is not the commit of the tracked ref. */
  readonly drift: boolean;
}

/** One environment's status. */
export interface EnvironmentStatus {
  readonly env: string;
  readonly ref: string;
  readonly commit?: string;
  readonly subject?: string;
  readonly previous?: string;
  /** Commits the previous environment runs that this one does not (undefined: not comparable). */
  readonly behind?: number;
  /** This environment runs commits the previous one does not (after a rollback of the previous). */
  readonly ahead?: number;
  readonly pins: readonly AppPins[];
  /** The latest entries of the promotion record, oldest first. */
  readonly records?: readonly PromotionRecord[];
  /** The rollback holding the environment, if not released. */
  readonly hold?: PromotionRecord;
  /** Apps the ref expects that this checkout's stacks create no Application for (deploy them). */
  readonly missingApplications?: readonly string[];
  /** Apps this checkout's stacks create whose chart the ref does not have yet (promote them). */
  readonly aheadOfRef?: readonly string[];
  /** Live Applications, or why they were not read. */
  readonly live?: readonly LiveApp[] | string;
}

/** How to reach an environment's cluster with kubectl. */
export interface KubeTarget {
  readonly context: string;
  readonly kubeconfig?: string;
}

/** Reads the Applications of `apps` from the cluster (`kubectl get applications.argoproj.io`). */
export function liveApplications(
  target: KubeTarget,
  apps: readonly string[],
  commit: string | undefined,
  kubectl = process.env.KUBECTL ?? 'kubectl',
): LiveApp[] | string {
  const args = [...(target.kubeconfig ? ['--kubeconfig', target.kubeconfig] : []), '--context', target.context, '--request-timeout', '10s'];
  let items: any[];
  try {
    const out = execFileSync(kubectl, [...args, '-n', 'argocd', 'get', 'applications.argoproj.io', '-o', 'json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 20_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    items = JSON.parse(out).items ?? [];
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '').trim();
    return `cluster not reachable through context ${target.context}: ${(stderr || (error as Error).message).split('\n')[0]}`;
  }
  return apps.map((app) => {
    const item = items.find((i) => i.metadata?.name === app);
    if (!item) return { app, drift: true, sync: 'absent' };
    const revision: string | undefined = item.status?.sync?.revision;
    return {
      app,
      targetRevision: item.spec?.source?.targetRevision,
      revision,
      sync: item.status?.sync?.status,
      health: item.status?.health?.status,
      drift: commit === undefined || revision !== commit,
    };
  });
}

/** The pins of `apps` at `commit` for `env`, their files read in one batch. */
function pinsAt(repo: string, commit: string, apps: readonly string[], env: string): AppPins[] {
  const applications = apps.map((app) => ({ name: app, path: wrapperChartPath(app), valueFiles: valueFilesFor(env) }));
  const files = filesAt(repo, commit, applications.flatMap(pinFiles));
  return applications.map((application) => appPins(repo, commit, application, files));
}

/**
 * The status of every environment of `chain`. `checkoutApps` names the Applications this
 * checkout's stacks create per environment (what the last deploy from it made).
 */
export function environmentStatuses(
  repo: string,
  chain: readonly ChainLink[],
  refs: RefSource,
  checkoutApps: (env: string) => readonly string[],
  kube: (env: string) => KubeTarget | string | undefined = () => undefined,
): EnvironmentStatus[] {
  return chain.map((link) => {
    const commit = refs.commit(link.ref);
    const previous = link.previous ? chain.find((l) => l.env === link.previous) : undefined;
    const previousCommit = previous ? refs.commit(previous.ref) : undefined;
    const comparable = commit !== undefined && previousCommit !== undefined;
    const expected = commit ? appsAt(repo, commit, link.env) : [];
    const stacks = checkoutApps(link.env);
    const records = readRecords(repo, link.env);
    const target = kube(link.env);
    return {
      env: link.env,
      ref: link.ref,
      commit,
      subject: commit ? git(repo, ['log', '-1', '--format=%s (%cs)', commit]) : undefined,
      previous: previous?.env,
      behind: comparable ? countCommits(repo, commit, previousCommit) : undefined,
      ahead: comparable && !isAncestor(repo, commit, previousCommit) ? countCommits(repo, previousCommit, commit) : undefined,
      pins: commit ? pinsAt(repo, commit, expected, link.env) : [],
      records: records.slice(-3),
      hold: activeHold(records),
      missingApplications: commit ? expected.filter((app) => !stacks.includes(app)) : [],
      aheadOfRef: commit ? stacks.filter((app) => !expected.includes(app)) : [],
      live: target === undefined ? undefined : typeof target === 'string' ? target : liveApplications(target, [...new Set([...expected, ...stacks])], commit),
    };
  });
}

/** Human-readable lines of `statuses`. */
export function formatStatus(statuses: readonly EnvironmentStatus[]): string {
  const lines: string[] = [];
  for (const s of statuses) {
    const missing = s.ref === MAINLINE_REF ? 'MISSING (not in the remote, or not fetched)' : `MISSING (npm run promote -- ${s.env} --init)`;
    lines.push(`${s.env}: ${s.ref} ${s.commit ? `at ${s.commit.slice(0, 12)} ${s.subject}` : missing}`);
    if (s.previous) {
      if (s.behind === undefined) lines.push(`  behind ${s.previous}: unknown (a ref is missing)`);
      else lines.push(`  behind ${s.previous}: ${s.behind} commit(s)${s.ahead ? `; ${s.ahead} commit(s) ${s.previous} does not run` : ''}`);
    }
    if (s.hold)
      lines.push(
        `  HOLD: rolled back to ${s.hold.to.slice(0, 12)} at ${s.hold.at} by ${s.hold.by} (${s.hold.reason}); promote refuses until: npm run promote -- ${s.env} --release-hold --reason "<why>"`,
      );
    if (s.missingApplications?.length)
      lines.push(
        `  LAG: ${s.ref} expects ${s.missingApplications.join(', ')}, which this checkout's ${s.env} stacks do not create: Argo CD runs them only after npm run deploy -- ${s.env}`,
      );
    if (s.aheadOfRef?.length)
      lines.push(
        `  LAG: this checkout's ${s.env} stacks create ${s.aheadOfRef.join(', ')}, not yet at ${s.ref}: their Applications fail to render until promoted`,
      );
    for (const line of formatRecords(s.records ?? [], 3)) lines.push(`  record ${line}`);
    for (const p of s.pins) {
      lines.push(`  ${p.app}: chart ${p.chart}${p.dependencies.length ? ` (${p.dependencies.join(', ')})` : ''}`);
      for (const image of p.images) lines.push(`    image ${image}`);
      if (p.models.length) lines.push(`    models ${p.models.join(', ')}`);
    }
    if (typeof s.live === 'string') lines.push(`  live: UNREACHABLE ${s.live}`);
    else if (s.live)
      for (const a of s.live)
        lines.push(
          a.sync === 'absent'
            ? `  live ${a.app}: no Application in the cluster  LAG: deploy ${s.env} (npm run deploy -- ${s.env})`
            : `  live ${a.app}: ${a.sync ?? '?'}/${a.health ?? '?'} at ${a.revision ? a.revision.slice(0, 12) : '?'}${a.drift ? `  DRIFT: the ref is at ${s.commit ? s.commit.slice(0, 12) : '(missing)'}` : ''}`,
        );
  }
  return lines.join('\n');
}
