import { USAGE, parseRestoreArgs } from '../../tools/restore/args';

const ARN = 'arn:aws:ec2:eu-west-1::snapshot/snap-0123456789abcdef0';

describe('parseRestoreArgs', () => {
  it.each([
    [['staging', 'ollama'], { env: 'staging', app: 'ollama', dryRun: false }],
    [['prod', 'librechat', '--volume', 'datadir-librechat-mongodb-0'], { env: 'prod', app: 'librechat', volume: 'datadir-librechat-mongodb-0', dryRun: false }],
    [
      ['prod', 'librechat', '--volume', 'datadir-librechat-mongodb-0', '--resync-members'],
      { env: 'prod', app: 'librechat', volume: 'datadir-librechat-mongodb-0', dryRun: false, resyncMembers: true },
    ],
    [
      ['prod', 'librechat', ARN, '--volume', 'librechat-meilisearch'],
      { env: 'prod', app: 'librechat', volume: 'librechat-meilisearch', recoveryPointArn: ARN, dryRun: false },
    ],
    [
      ['--dry-run', 'staging', 'kube-prometheus-stack', '--context', 'arn:aws:eks:eu-west-1:111122223333:cluster/llm-staging'],
      {
        env: 'staging',
        app: 'kube-prometheus-stack',
        context: 'arn:aws:eks:eu-west-1:111122223333:cluster/llm-staging',
        dryRun: true,
      },
    ],
    [
      ['staging', 'ollama', 'arn:aws-cn:ec2:cn-north-1::snapshot/snap-0123abcd'],
      { env: 'staging', app: 'ollama', recoveryPointArn: 'arn:aws-cn:ec2:cn-north-1::snapshot/snap-0123abcd', dryRun: false },
    ],
  ])('accepts %j', (argv, expected) => {
    expect(parseRestoreArgs(argv)).toEqual(expected);
  });

  it.each([
    [[], `missing environment\n${USAGE}`],
    [['staging'], `missing app\n${USAGE}`],
    [['Staging', 'ollama'], 'environment: must be lowercase letters and digits (got "Staging")'],
    [['staging', 'Ollama'], 'app: must be an app name of lower-case letters, digits and "-" (got "Ollama")'],
    [
      ['staging', 'ollama', 'snap-0123456789abcdef0'],
      'recovery point: must be the ARN of an EBS recovery point, arn:aws:ec2:<region>::snapshot/snap-… (got "snap-0123456789abcdef0")',
    ],
    [
      ['staging', 'ollama', 'arn:aws:backup:eu-west-1:111122223333:recovery-point:1EB3B5E7'],
      'recovery point: must be the ARN of an EBS recovery point, arn:aws:ec2:<region>::snapshot/snap-… (got "arn:aws:backup:eu-west-1:111122223333:recovery-point:1EB3B5E7")',
    ],
    [['staging', 'ollama', ARN, 'extra'], `unexpected argument "extra"\n${USAGE}`],
    [['staging', 'ollama', '--volume'], `--volume: needs a value\n${USAGE}`],
    [['staging', 'ollama', '--volume', '--dry-run'], `--volume: needs a value\n${USAGE}`],
    [['staging', 'ollama', '--volume', 'Data_Dir'], '--volume: must be a claim name (lower-case letters, digits, "-" and "."; got "Data_Dir")'],
    [['staging', 'ollama', '--context', 'a b'], '--context: must be a kube context name (got "a b")'],
    [['staging', 'ollama', '--yes'], `unknown option "--yes"\n${USAGE}`],
  ])('refuses %j', (argv, message) => {
    expect(() => parseRestoreArgs(argv)).toThrow(new Error(message));
  });
});
