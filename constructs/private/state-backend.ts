import { LocalBackend, S3Backend, TerraformStack } from 'cdktf';
import { StateConfig } from '../../environments/schema';

/**
 * Configures where `stack` keeps its state: a local file per stack, or an encrypted S3 object per
 * stack with locking (a DynamoDB table when configured, otherwise S3-native lock files).
 */
export function configureStateBackend(stack: TerraformStack, stackName: string, state: StateConfig): void {
  if (state.backend === 'local') {
    new LocalBackend(stack, { path: `terraform.${stackName}.tfstate` });
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
