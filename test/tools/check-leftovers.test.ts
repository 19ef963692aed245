import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// A stand-in for the AWS CLI: logs every call and answers each command with FAKE_<COMMAND> (text output).
const FAKE_AWS = `#!/usr/bin/env bash
echo "$*" >> "$FAKE_AWS_LOG"
var="FAKE_$(echo "$1_$2" | tr 'a-z-' 'A-Z_')"
printf '%s\\n' "\${!var:-}"
`;

function run(args: string[], answers: Record<string, string> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leftovers-'));
  fs.writeFileSync(path.join(dir, 'aws'), FAKE_AWS, { mode: 0o755 });
  const log = path.join(dir, 'calls.log');
  fs.writeFileSync(log, '');
  const result = spawnSync('bash', ['tools/eks/check-leftovers.sh', ...args], {
    encoding: 'utf8',
    env: { PATH: `${dir}:${process.env.PATH}`, FAKE_AWS_LOG: log, ...answers },
  });
  return { status: result.status, stdout: result.stdout, calls: fs.readFileSync(log, 'utf8').trim().split('\n') };
}

const ARGS = ['llm-staging', 'eu-west-1', 'vpc-0abc', 'staging.llm.example.com'];
const ZONE = { FAKE_ROUTE53_LIST_HOSTED_ZONES_BY_NAME: '/hostedzone/Z0123' };

describe('tools/eks/check-leftovers.sh', () => {
  test('nothing left: exit 0 after asking for every kind of leftover', () => {
    const { status, stdout, calls } = run(ARGS, ZONE);
    expect(stdout).toBe('check-leftovers: nothing is left for llm-staging in eu-west-1\n');
    expect(status).toBe(0);
    expect(calls.map((c) => c.split(' ').slice(0, 2).join(' '))).toEqual([
      'resourcegroupstaggingapi get-resources',
      'ec2 describe-network-interfaces',
      'ec2 describe-vpc-endpoints',
      'ec2 describe-security-groups',
      'ec2 describe-volumes',
      'ec2 describe-snapshots',
      'route53 list-hosted-zones-by-name',
      'route53 list-resource-record-sets',
    ]);
    expect(calls[2]).toContain('Name=vpc-id,Values=vpc-0abc Name=service-name,Values=com.amazonaws.eu-west-1.guardduty-data');
    expect(calls[3]).toContain('Name=group-name,Values=GuardDutyManagedSecurityGroup-*');
    expect(calls[4]).toContain('Name=tag:kubernetes.io/cluster/llm-staging,Values=owned');
    expect(calls[5]).toContain('--owner-ids self --filters Name=tag:kubernetes.io/cluster/llm-staging,Values=owned');
    expect(calls[6]).toContain('--dns-name staging.llm.example.com');
    expect(calls[7]).toContain('--hosted-zone-id Z0123');
    expect(calls[7]).toContain("'external-dns/owner=llm-staging,'");
  });

  test.each([
    ['FAKE_EC2_DESCRIBE_VPC_ENDPOINTS', 'vpce-1', 'GuardDuty VPC endpoint in vpc-0abc: vpce-1'],
    ['FAKE_EC2_DESCRIBE_SECURITY_GROUPS', 'sg-9', 'GuardDuty security group in vpc-0abc: sg-9'],
    ['FAKE_EC2_DESCRIBE_VOLUMES', 'vol-1\tvol-2', 'EBS volume of the CSI driver (kept by a Retain class? back it up before deleting): vol-2'],
    ['FAKE_EC2_DESCRIBE_SNAPSHOTS', 'snap-1', 'EBS snapshot of the CSI driver: snap-1'],
    [
      'FAKE_ROUTE53_LIST_RESOURCE_RECORD_SETS',
      'a-chat.staging.llm.example.com.',
      'ExternalDNS ownership record in staging.llm.example.com: a-chat.staging.llm.example.com.',
    ],
    ['FAKE_RESOURCEGROUPSTAGGINGAPI_GET_RESOURCES', 'arn:aws:elasticloadbalancing:x', 'left by the load balancer controller: arn:aws:elasticloadbalancing:x'],
  ])('%s: listed, exit 1', (variable, answer, line) => {
    const { status, stdout } = run(ARGS, { ...ZONE, [variable]: answer });
    expect(stdout.split('\n')).toContain(line);
    expect(status).toBe(1);
  });

  test('without a VPC and a zone only the tagged resources are checked', () => {
    const { status, calls } = run(['llm-staging', 'eu-west-1']);
    expect(status).toBe(0);
    expect(calls.map((c) => c.split(' ')[1])).toEqual(['get-resources', 'describe-volumes', 'describe-snapshots']);
  });

  test('an unknown hosted zone is an error, not "nothing left"', () => {
    expect(run(ARGS, { FAKE_ROUTE53_LIST_HOSTED_ZONES_BY_NAME: 'None' }).status).toBe(2);
  });
});
