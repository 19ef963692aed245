import * as fs from 'fs';
import * as path from 'path';

/**
 * Upstream reference data (chart default values, Argo CD CRDs) that this team keeps beside the
 * repository in `../shared/upstream`. It is not part of the product: a user's clone lacks it.
 */
export const SHARED_UPSTREAM_DIR = path.resolve(__dirname, '..', '..', '..', 'shared', 'upstream');

/** True when `../shared/upstream` is present on this machine. */
export const hasSharedUpstream = fs.existsSync(SHARED_UPSTREAM_DIR);

/**
 * `describe` for suites that need `../shared/upstream`. When the data is absent the suite is
 * skipped (jest reports it as skipped) and a warning names the missing folder, so the run never
 * passes silently.
 */
export const describeWithUpstream: jest.Describe = hasSharedUpstream
  ? describe
  : (((name: string, fn: jest.EmptyFunction) => {
      process.emitWarning(`SKIPPED "${name}": upstream reference data not found at ${SHARED_UPSTREAM_DIR}`);
      describe.skip(name, fn);
    }) as unknown as jest.Describe);
