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
       * DynamoDB lock table.
       * @default - S3-native lock files (Terraform >= 1.10, OpenTofu >= 1.10)
       */
      readonly dynamodbTable?: string;
    };

/**
 * Configures where `stack` keeps its state: a local file per stack in the project folder, or an
 * encrypted S3 object per stack with locking (a DynamoDB table when configured, otherwise
 * S3-native lock files).
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
    dynamodbTable: state.dynamodbTable,
  });
  if (!state.dynamodbTable) stack.addOverride('terraform.backend.s3.use_lockfile', true);
}
