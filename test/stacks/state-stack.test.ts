import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing, TerraformStack } from 'cdktf';
import { configureStateBackend, stateKeyAlias } from '../../constructs/core/state-backend';
import { StateBucket } from '../../constructs/core/state-bucket';
import { StateStack } from '../../stacks/state-stack';
import { createStateBucket, parseStateBucketArgs, stateStackDir } from '../../tools/state-bucket/cli';
import { ExecResult } from '../../tools/deploy/exec';
import { all, environment, only, synth, synthScope } from '../support/synth';

/** The `<env>-state` stack of a shipped environment, synthesized. */
function stateStack(name: string) {
  const state = environment(name).state;
  if (state.backend !== 's3') throw new Error(`${name} keeps no S3 state`);
  const app = Testing.app({ outdir: 'cdktf.out/state-bucket' });
  return { state, stack: synth(new StateStack(app, `${name}-state`, { bucket: state.bucket, region: state.region })) };
}

describe.each(['staging', 'prod'])('%s-state: the state bucket', (name) => {
  const { state, stack } = stateStack(name);
  const bucket = only(stack.json, 'aws_s3_bucket');
  const bucketId = `\${${stack.address('aws_s3_bucket', () => true)}.id}`;
  const bucketArn = `\${${stack.address('aws_s3_bucket', () => true)}.arn}`;
  const keyAddress = stack.address('aws_kms_key', () => true);

  test("is the environment's state.bucket, in its region, and refuses destroy", () => {
    expect(bucket).toMatchObject({ bucket: state.bucket, lifecycle: { prevent_destroy: true } });
    expect(stack.json.provider!.aws).toEqual([expect.objectContaining({ region: state.region })]);
  });

  test('is versioned', () => {
    expect(only(stack.json, 'aws_s3_bucket_versioning')).toEqual({ bucket: bucketId, versioning_configuration: { status: 'Enabled' } });
  });

  test('encrypts with its own rotated KMS key, under the alias the backends name', () => {
    expect(only(stack.json, 'aws_s3_bucket_server_side_encryption_configuration')).toEqual({
      bucket: bucketId,
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: `\${${keyAddress}.arn}` }, bucket_key_enabled: true }],
    });
    expect(only(stack.json, 'aws_kms_key')).toMatchObject({ enable_key_rotation: true, lifecycle: { prevent_destroy: true } });
    expect(only(stack.json, 'aws_kms_alias')).toEqual({ name: stateKeyAlias(state.bucket), target_key_id: `\${${keyAddress}.key_id}` });
  });

  test('blocks every kind of public access and disables ACLs', () => {
    expect(only(stack.json, 'aws_s3_bucket_public_access_block')).toEqual({
      bucket: bucketId,
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(only(stack.json, 'aws_s3_bucket_ownership_controls').rule).toEqual({ object_ownership: 'BucketOwnerEnforced' });
  });

  test('denies every request without TLS', () => {
    const policy = JSON.parse(only(stack.json, 'aws_s3_bucket_policy').policy);
    expect(policy.Statement).toEqual([
      {
        Sid: 'DenyWithoutTls',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ]);
  });

  test('expires state versions 90 days after they were replaced, and unfinished uploads after 7', () => {
    expect(only(stack.json, 'aws_s3_bucket_lifecycle_configuration').rule).toEqual([
      {
        id: 'expire-old-state-versions',
        status: 'Enabled',
        filter: [{ prefix: '' }],
        noncurrent_version_expiration: [{ noncurrent_days: 90 }],
        abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
      },
    ]);
  });

  test('keeps its own state in a local file (it cannot live in the bucket it creates)', () => {
    expect(stack.json.terraform.backend).toEqual({ local: { path: expect.stringMatching(new RegExp(`(^|/)terraform\\.${name}-state\\.tfstate$`)) } });
  });
});

test('staging-state snapshot', () => {
  expect(stateStack('staging').stack.json).toMatchSnapshot();
});

describe('StateBucket options', () => {
  test('noncurrentVersionDays', () => {
    const s = synthScope((scope) => new StateBucket(scope, 'b', { bucketName: 'a.b-c', noncurrentVersionDays: 30 }));
    expect(s.only('aws_s3_bucket_lifecycle_configuration').rule[0].noncurrent_version_expiration).toEqual([{ noncurrent_days: 30 }]);
    expect(s.only('aws_kms_alias').name).toBe('alias/terraform-state/a-b-c');
  });

  test.each([0, 2.5])('rejects noncurrentVersionDays %j', (days) => {
    expect(() => synthScope((scope) => new StateBucket(scope, 'b', { bucketName: 'x-y-z', noncurrentVersionDays: days }))).toThrow(
      new RegExp(`^stack/b: noncurrentVersionDays ${days} must be a whole number >= 1$`),
    );
  });
});

describe('the S3 backend', () => {
  const backend = (dynamodbTable?: string) => {
    const app = Testing.app({ outdir: 'cdktf.out' });
    const stack = new TerraformStack(app, 'x-platform');
    configureStateBackend(stack, 'x-platform', { backend: 's3', bucket: 'b-1', keyPrefix: 'x', region: 'eu-west-1', dynamodbTable });
    return JSON.parse(Testing.synth(stack)).terraform.backend.s3;
  };

  test('locks with an S3-native lock file and encrypts with the state key', () => {
    expect(backend()).toEqual({
      bucket: 'b-1',
      key: 'x/x-platform.tfstate',
      region: 'eu-west-1',
      encrypt: true,
      kms_key_id: 'alias/terraform-state/b-1',
      use_lockfile: true,
    });
  });

  test('a DynamoDB table (deprecated) locks besides the lock file, for a migration', () => {
    expect(backend('locks')).toMatchObject({ dynamodb_table: 'locks', use_lockfile: true });
  });
});

describe('npm run state-bucket', () => {
  const run = async (env: string, end: Partial<ExecResult> = {}) => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'state-bucket-'));
    const calls: { args: readonly string[]; cwd?: string }[] = [];
    let error: Error | undefined;
    try {
      await createStateBucket({ env, root, tfBinary: 'terraform', variables: {}, log: () => undefined }, async (_file, args, options = {}) => {
        calls.push({ args, cwd: options.cwd });
        return { code: 0, signal: null, stdout: '', stderr: '', ...(args[0] === 'apply' ? end : {}) };
      });
    } catch (err) {
      error = err as Error;
    }
    return { root, calls, error };
  };

  test('synthesizes <env>-state and applies it with terraform asking first (no auto-approve)', async () => {
    const { root, calls, error } = await run('prod');
    expect(error).toBeUndefined();
    const dir = stateStackDir(root, 'prod');
    expect(calls).toEqual([
      { args: ['init', '-input=false'], cwd: dir },
      { args: ['apply'], cwd: dir },
    ]);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8'));
    const state = environment('prod').state;
    expect(all(json, 'aws_s3_bucket')[0].bucket).toBe(state.backend === 's3' && state.bucket);
  });

  test('an apply killed by a signal fails, naming the command to run again', async () => {
    const { error } = await run('staging', { code: null, signal: 'SIGTERM' });
    expect(error!.message).toBe('`terraform apply` was killed by SIGTERM; run npm run state-bucket -- staging again');
  });

  test.each([
    ['dev', 'dev.state.backend: must be "s3" for a state bucket (got "local")'],
    ['qa', 'unknown environment "qa": the environments are dev, staging, prod'],
  ])('refuses %s before synthesizing anything', async (env, message) => {
    const { root, calls, error } = await run(env);
    expect(error!.message).toBe(message);
    expect(calls).toEqual([]);
    expect(fs.existsSync(path.join(root, 'cdktf.out'))).toBe(false);
  });

  test.each([
    [[], 'usage: npm run state-bucket -- <env>'],
    [['prod', 'staging'], 'usage: npm run state-bucket -- <env>'],
    [['--yes'], 'usage: npm run state-bucket -- <env>'],
    [['Prod'], 'environment: must be lowercase letters and digits (got "Prod")'],
  ])('usage: %j', (argv, message) => {
    expect(() => parseStateBucketArgs(argv)).toThrow(new RegExp(`^${message.replace(/[()]/g, '\\$&')}$`));
  });
});
