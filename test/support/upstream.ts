import * as fs from 'fs';
import * as path from 'path';
import { FACTS_COMMAND, FactsHeader, factsSource } from '../../tools/check/facts';

/**
 * Upstream reference data (chart default values, Argo CD CRDs) that this team keeps beside the
 * repository in `../shared/upstream`. It is not part of the product: a user's clone lacks it.
 */
export const SHARED_UPSTREAM_DIR = path.resolve(__dirname, '..', '..', '..', 'shared', 'upstream');

/** True when `../shared/upstream` is present on this machine. */
export const hasSharedUpstream = fs.existsSync(SHARED_UPSTREAM_DIR);

/** The warning of a suite skipped for want of `../shared/upstream`: what the checkout has instead. */
export function skippedWithoutUpstream(name: string): string {
  return (
    `SKIPPED "${name}": it compares with the maintainers' upstream reference data (../shared/upstream), which is not part of a clone; ` +
    'npm run check and the other tests use the committed facts (tools/check/upstream-facts.json) as they are'
  );
}

/**
 * The warning for committed facts that `../shared/upstream` cannot re-derive: per chart, where its
 * facts came from and the command that derives them again.
 */
export function notRederivedWarning(header: FactsHeader, keys: readonly { chart: string; version: string }[]): string {
  const origins = keys.map(({ chart, version }) => {
    const source = factsSource(header, chart, version);
    const key = `${chart}@${version}`;
    if (!source) return `${key} (its source is not recorded in the facts file; ${FACTS_COMMAND} -- ${chart} derives it again)`;
    if (source.kind === 'from') return `${key} (from ${source.path}; ${FACTS_COMMAND} -- ${chart} --from ${source.path} derives it again)`;
    if (source.path === '.cache/upstream') return `${key} (fetched with helm; ${FACTS_COMMAND} -- ${chart} derives it again)`;
    return `${key} (from ${source.path}; ${FACTS_COMMAND} -- ${chart} --upstream ${source.path} derives it again)`;
  });
  return `NOT RE-DERIVED from ../shared/upstream, which has no copy of: ${origins.join('; ')}`;
}

/**
 * `describe` for suites that need `../shared/upstream`. When the data is absent the suite is
 * skipped (jest reports it as skipped) and a warning says so, so the run never passes silently.
 */
export const describeWithUpstream: jest.Describe = hasSharedUpstream
  ? describe
  : (((name: string, fn: jest.EmptyFunction) => {
      process.emitWarning(skippedWithoutUpstream(name));
      describe.skip(name, fn);
    }) as unknown as jest.Describe);
