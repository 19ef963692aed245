import { Aspects, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { awsDefaultTags } from '../constructs/core/aws-tags';
import { PinProviderVersions } from '../constructs/core/provider-pins';
import { configureStateBackend, stateKeyAlias } from '../constructs/core/state-backend';
import { StateBucket } from '../constructs/core/state-bucket';

/** Properties of {@link StateStack}. */
export interface StateStackProps {
  /** The bucket the environment's stacks keep their state in (its `state.bucket`). */
  readonly bucket: string;
  /** The bucket's region (its `state.region`). */
  readonly region: string;
  /**
   * Tags on every AWS resource, beside the platform's own (constructs/core/aws-tags.ts).
   * @default {}
   */
  readonly tags?: Record<string, string>;
}

/**
 * `<env>-state`: the S3 bucket that the environment's other stacks keep their state in, with its
 * KMS key. It is not one of the environment's stacks (`npm run deploy` never touches it): `npm run
 * state-bucket -- <env>` creates it once per account, before the first deploy, and keeps this
 * stack's own state locally (`terraform.<env>-state.tfstate`): it cannot live in the bucket it
 * creates.
 */
export class StateStack extends TerraformStack {
  /** The bucket and its key. */
  public readonly stateBucket: StateBucket;

  constructor(scope: Construct, name: string, props: StateStackProps) {
    super(scope, name);
    configureStateBackend(this, name, { backend: 'local' });
    new AwsProvider(this, 'aws', { region: props.region, defaultTags: [{ tags: awsDefaultTags(props.tags) }] });
    this.stateBucket = new StateBucket(this, 'state', { bucketName: props.bucket });
    new TerraformOutput(this, 'bucket', { value: this.stateBucket.bucket.bucket, description: 'The state bucket' });
    new TerraformOutput(this, 'kms_key_alias', { value: stateKeyAlias(props.bucket), description: 'The KMS key alias the backends encrypt state with' });
    Aspects.of(this).add(new PinProviderVersions());
  }
}
