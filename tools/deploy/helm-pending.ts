/**
 * A Helm release left `pending-install`, `pending-upgrade` or `pending-rollback` by an
 * interrupted apply. Helm 3 stores each revision in a Secret `sh.helm.release.v1.<name>.v<N>`
 * labelled `owner=helm`, `name=<name>`, `status=<status>`, `version=<N>`; while the newest is
 * pending, every install or upgrade fails (`cannot re-use a name that is still in use`, `another
 * operation (install/upgrade/rollback) is in progress`).
 */

/** One revision record of a release. */
export interface ReleaseRevision {
  /** Name of its Secret. */
  readonly secret: string;
  readonly version: number;
  readonly status: string;
}

/** What to do about a release's records. */
export type PendingRecovery =
  | { readonly action: 'none' }
  /** Back to the last deployed revision: the pending (and later) records are removed. */
  | { readonly action: 'rollback'; readonly to: number; readonly pending: string; readonly remove: readonly string[] }
  /**
   * No revision was ever deployed: every record is removed, as `helm uninstall` would, but the
   * objects the interrupted install created stay; they carry Helm's ownership metadata for this
   * release, so the next install adopts them instead of failing on them.
   */
  | { readonly action: 'forget'; readonly pending: string; readonly remove: readonly string[] };

/** The pending statuses Helm leaves behind when interrupted. */
export const PENDING_STATUSES = ['pending-install', 'pending-upgrade', 'pending-rollback'];

/** Decides the recovery of a release from its revision records (any order). */
export function pendingRecovery(revisions: readonly ReleaseRevision[]): PendingRecovery {
  const sorted = [...revisions].sort((a, b) => a.version - b.version);
  const latest = sorted[sorted.length - 1];
  if (!latest || !PENDING_STATUSES.includes(latest.status)) return { action: 'none' };
  const deployed = [...sorted].reverse().find((r) => r.status === 'deployed' || r.status === 'superseded');
  if (!deployed) return { action: 'forget', pending: latest.status, remove: sorted.map((r) => r.secret) };
  return { action: 'rollback', to: deployed.version, pending: latest.status, remove: sorted.filter((r) => r.version > deployed.version).map((r) => r.secret) };
}

/** Revision records from `kubectl get secrets -l owner=helm,name=<release> -o json`. */
export function releaseRevisions(secretList: any): ReleaseRevision[] {
  return (secretList?.items ?? []).map((s: any) => ({
    secret: String(s.metadata?.name),
    version: Number(s.metadata?.labels?.version),
    status: String(s.metadata?.labels?.status ?? ''),
  }));
}
