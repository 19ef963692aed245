import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Runs `main.ts` the way `cdktf synth` does, with extra environment variables. */
function runApp(env: Record<string, string>) {
  const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'synth-')), 'cdktf.out');
  const result = spawnSync(process.execPath, ['tools/run-ts.js', 'main.ts'], {
    env: { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: '1', ...env },
    encoding: 'utf8',
  });
  return { ...result, outdir };
}

describe('main.ts as the cdktf app', () => {
  test('valid configuration writes every stack', () => {
    const { status, outdir } = runApp({});
    expect(status).toBe(0);
    expect(fs.readdirSync(path.join(outdir, 'stacks')).sort()).toEqual([
      'dev-apps',
      'dev-platform',
      'prod-apps',
      'prod-cluster',
      'prod-platform',
      'staging-apps',
      'staging-cluster',
      'staging-platform',
    ]);
  });

  test('invalid configuration exits non-zero, lists the problem and writes nothing', () => {
    const { status, stderr, outdir } = runApp({ GITOPS_REVISION: 'main..x' });
    expect(status).toBe(1);
    expect(stderr).toContain('Invalid environment configuration:');
    expect(stderr).toContain('GITOPS_REVISION: must not contain ".." (got "main..x")');
    expect(stderr).toContain('dev.gitops.targetRevision: must not contain ".."');
    expect(fs.existsSync(outdir)).toBe(false);
  });
});
