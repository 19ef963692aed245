import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Runs `main.ts` the way `cdktf synth` does, with extra environment variables. */
function runApp(env: Record<string, string>) {
  const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'synth-')), 'cdktf.out');
  const result = spawnSync(process.execPath, ['--require', 'tsx/cjs', 'main.ts'], {
    // tsx's transpile cache lives in the machine's temporary folder, not the run's (test/support/tmpdir-setup.js).
    env: { ...process.env, TMPDIR: process.env.GITOPS_LLM_OUTER_TMPDIR ?? os.tmpdir(), CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: '1', ...env },
    encoding: 'utf8',
  });
  return { ...result, outdir };
}

describe('main.ts as the cdktf app', () => {
  test('valid configuration writes every stack, with no Terraform CLI on the machine', () => {
    // cdktf would run `<TERRAFORM_BINARY_NAME> version` for moved blocks and terraform_data.
    const { status, stderr, outdir } = runApp({ TERRAFORM_BINARY_NAME: 'terraform-absent-here' });
    expect(stderr).not.toContain('terraform-absent-here');
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
    // Config text reaches the JSON only as escaped literals: every template left in it calls a
    // function the program itself writes (a hostile `${file(...)}` would show up here).
    const programFunctions = [
      'coalesce',
      'cidrsubnet',
      'base64decode',
      'can',
      'regex',
      'contains',
      'alltrue',
      'join',
      'setsubtract',
      'max',
      'tolist',
      'jsonencode',
      // The GPU NodePool's preflight: floor(maxGpus / GPUs of a type), the model store's access point.
      'floor',
      'element',
      'length',
    ];
    for (const name of fs.readdirSync(path.join(outdir, 'stacks'))) {
      const text = fs.readFileSync(path.join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8');
      // A JavaScript value lost on the way (cdktf writes a 0 operand of Op.* as `undefined`).
      expect([name, text.match(/.{0,60}\bundefined\b.{0,20}/g)]).toEqual([name, null]);
      const calls = [...text.matchAll(/(?<!\$)\$\{([^}]*)/g)].flatMap((m) => [...m[1].matchAll(/([a-z_][a-z0-9_]*)\(/g)].map((c) => c[1]));
      expect([name, [...new Set(calls)].filter((f) => !programFunctions.includes(f))]).toEqual([name, []]);
    }
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
