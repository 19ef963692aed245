import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildApp } from '../main';
import { LIBRECHAT_CREDENTIALS } from '../constructs/librechat-credentials';

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('secret values never reach the synthesized output', () => {
  const supplied = {
    TF_VAR_librechat_creds_key: 'c0ffee'.repeat(10) + 'c0ff',
    TF_VAR_librechat_creds_iv: 'beef'.repeat(8),
    TF_VAR_librechat_jwt_secret: 'jwt-secret-value-that-must-stay-out-of-json',
    TF_VAR_librechat_jwt_refresh_secret: 'refresh-secret-value-that-must-stay-out-of-json',
    TF_VAR_librechat_meili_master_key: 'meili-master-key-value-kept-secret',
  };
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-out-'));
  const saved = { ...process.env };
  Object.assign(process.env, supplied);
  buildApp({ outdir }).synth();
  process.env = saved;
  const files = filesUnder(outdir);

  test('all stacks were written', () => {
    expect(files.filter((f) => f.endsWith('cdk.tf.json')).map((f) => path.basename(path.dirname(f))).sort()).toEqual([
      'dev-apps', 'dev-platform', 'prod-apps', 'prod-cluster', 'prod-platform', 'staging-apps', 'staging-cluster', 'staging-platform',
    ]);
  });

  test.each(Object.entries(supplied))('%s does not appear in any file', (_name, value) => {
    for (const file of files) expect(fs.readFileSync(file, 'utf8')).not.toContain(value);
  });

  test('credentials are Terraform expressions, never literals, and no output references them', () => {
    for (const file of files.filter((f) => f.endsWith('cdk.tf.json'))) {
      const json = JSON.parse(fs.readFileSync(file, 'utf8'));
      for (const secret of Object.values<any>(json.resource?.kubernetes_secret_v1 ?? {})) {
        for (const spec of LIBRECHAT_CREDENTIALS) expect(secret.data[spec.key]).toMatch(/^\$\{coalesce\(var\.\w+, random_bytes\.\w+\.hex\)\}$/);
      }
      for (const output of Object.values<any>(json.output ?? {})) {
        expect(JSON.stringify(output.value)).not.toMatch(/var\.librechat_|random_bytes|kubernetes_secret/);
        expect(output.sensitive).toBeUndefined();
      }
    }
  });
});
