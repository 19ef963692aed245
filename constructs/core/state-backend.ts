import * as path from 'path';
import { App, LocalBackend, S3Backend, TerraformStack } from 'cdktf';

/** Where a stack keeps its Terraform state. */
export type StateBackendConfig =
  | { readonly backend: 'local' }
  | {
      readonly backend: 's3';
      /** Bucket name. */
      readonly bucket: string;
      /** Key prefix; each stack's state lives at `<keyPrefix>/<stack>.tfstate`. */
      readonly keyPrefix: string;
      /** Bucket region. */
      readonly region: string;
      /**
       * DynamoDB lock table, besides the S3-native lock file (deprecated by Terraform 1.11; keep it
       * only while other runs still lock with it).
       * @default - S3-native lock files only (Terraform >= 1.10, OpenTofu >= 1.10)
       */
      readonly dynamodbTable?: string;
    };

/**
 * The KMS key alias that encrypts the state in `bucket`: `npm run state-bucket` creates the key
 * and the alias with the bucket (constructs/core/state-bucket.ts), and every stack's backend
 * names it, so state objects are encrypted with that key rather than S3's own (a backend with
 * `encrypt` and no key asks S3 for SSE-S3 explicitly, overriding the bucket's default).
 */
export function stateKeyAlias(bucket: string): string {
  return `alias/terraform-state/${bucket.replace(/\./g, '-')}`;
}

/**
 * Configures where `stack` keeps its state: a local file per stack in the project folder, or an
 * S3 object per stack, encrypted with the state bucket's KMS key ({@link stateKeyAlias}) and
 * locked with an S3-native lock file (and a DynamoDB table too, when configured).
 *
 * The local path is written relative to the stack's folder in the output directory, so the
 * state sits next to `cdktf.json` — outside `cdktf.out`, which is safe to delete — and no
 * machine-specific absolute path ends up in the synthesized JSON.
 */
export function configureStateBackend(stack: TerraformStack, stackName: string, state: StateBackendConfig): void {
  if (state.backend === 'local') {
    const stackDir = path.resolve(App.of(stack).outdir, 'stacks', stackName);
    const stateFile = path.resolve(process.cwd(), `terraform.${stackName}.tfstate`);
    new LocalBackend(stack, { path: path.relative(stackDir, stateFile) });
    return;
  }
  new S3Backend(stack, {
    bucket: state.bucket,
    key: `${state.keyPrefix}/${stackName}.tfstate`,
    region: state.region,
    encrypt: true,
    kmsKeyId: stateKeyAlias(state.bucket),
    dynamodbTable: state.dynamodbTable,
  });
  // cdktf 0.21's S3Backend has no use_lockfile yet.
  stack.addOverride('terraform.backend.s3.use_lockfile', true);
}
