/**
 * `npm run eks-pins -- <env>`: the node image pins against the newest releases, read through a
 * stand-in AWS CLI that records its calls and answers from a table of SSM parameters.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CATALOG } from '../../apps/catalog';
import { ENVIRONMENTS, ValidEnvironment, loadEnvironments } from '../../environments';
import { formatStatus, nodeImagePins, nodeImageStatus } from '../../tools/eks/node-image-pins';
import { bundleCli } from '../support/cli-bundle';

// Logs its arguments (one JSON line per call) and prints the value of the parameter after --name
// from FAKE_SSM (a JSON object); an unknown parameter fails as the real CLI does.
const FAKE_AWS = `#!/usr/bin/env node
const fs = require('fs');
const args = process.argv.slice(2);
fs.appendFileSync(process.env.FAKE_AWS_LOG, JSON.stringify(args) + '\\n');
const name = args[args.indexOf('--name') + 1];
const value = JSON.parse(process.env.FAKE_SSM || '{}')[name];
if (value === undefined) {
  process.stderr.write('An error occurred (ParameterNotFound) when calling the GetParameter operation: Parameter ' + name + ' not found.\\n');
  process.exit(254);
}
process.stdout.write(value + '\\n');
`;

const [, staging, prod] = loadEnvironments(ENVIRONMENTS, CATALOG);
const eks = (env: ValidEnvironment) => {
  if (env.cluster.kind !== 'eks') throw new Error(`${env.name} is not on EKS`);
  return env.cluster;
};
const SYSTEM = (k8s: string) => `/aws/service/eks/optimized-ami/${k8s}/amazon-linux-2023/x86_64/standard/recommended/release_version`;
const NVIDIA = (k8s: string) => `/aws/service/eks/optimized-ami/${k8s}/amazon-linux-2023/x86_64/nvidia/recommended/release_version`;

/** A directory with the stand-in `aws`, its call log, and the environment that points at both. */
function fakeAws(ssm: Record<string, string>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-pins-'));
  const aws = path.join(dir, 'aws');
  fs.writeFileSync(aws, FAKE_AWS, { mode: 0o755 });
  const log = path.join(dir, 'calls.log');
  fs.writeFileSync(log, '');
  const calls = () =>
    fs
      .readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as string[]);
  return { aws, log, calls, env: { ...process.env, AWS_CLI: aws, FAKE_AWS_LOG: log, FAKE_SSM: JSON.stringify(ssm) } };
}

describe('node image pins', () => {
  test('one pin per node group, each with the SSM parameter of its AMI type and the cluster version', () => {
    const cluster = eks(staging);
    expect(nodeImagePins(staging)).toEqual([
      {
        field: 'cluster.systemNodes.releaseVersion',
        amiType: 'AL2023_x86_64_STANDARD',
        pinned: cluster.systemNodes.releaseVersion,
        parameter: SYSTEM(cluster.kubernetesVersion),
      },
      {
        field: 'cluster.gpuNodes.releaseVersion',
        amiType: cluster.gpuNodes.amiType,
        pinned: cluster.gpuNodes.releaseVersion,
        parameter: NVIDIA(cluster.kubernetesVersion),
      },
    ]);
    expect(cluster.gpuNodes.amiType).toBe('AL2023_x86_64_NVIDIA');
  });

  test('a Bottlerocket GPU group reads the Bottlerocket parameter', () => {
    const bottlerocket = { ...prod, cluster: { ...eks(prod), gpuNodes: { ...eks(prod).gpuNodes, amiType: 'BOTTLEROCKET_x86_64_NVIDIA' as const } } };
    expect(nodeImagePins(bottlerocket)[1].parameter).toBe(
      `/aws/service/bottlerocket/aws-k8s-${eks(prod).kubernetesVersion}-nvidia/x86_64/latest/image_version`,
    );
  });

  test('reads each parameter once with aws ssm get-parameter in the cluster region', async () => {
    const cluster = eks(prod);
    const fake = fakeAws({ [SYSTEM(cluster.kubernetesVersion)]: '1.35.3-20260301', [NVIDIA(cluster.kubernetesVersion)]: cluster.gpuNodes.releaseVersion });
    const statuses = await nodeImageStatus(prod, fake.aws, fake.env);
    expect(fake.calls()).toEqual(
      [SYSTEM, NVIDIA].map((parameter) => [
        'ssm',
        'get-parameter',
        '--name',
        parameter(cluster.kubernetesVersion),
        '--region',
        cluster.region,
        '--query',
        'Parameter.Value',
        '--output',
        'text',
      ]),
    );
    expect(statuses.map((s) => [s.pinned, s.newest])).toEqual([
      [cluster.systemNodes.releaseVersion, '1.35.3-20260301'],
      [cluster.gpuNodes.releaseVersion, cluster.gpuNodes.releaseVersion],
    ]);
    expect(formatStatus('prod', statuses).slice(2)).toEqual([
      `environments/prod.ts: cluster.systemNodes.releaseVersion: '${cluster.systemNodes.releaseVersion}' -> '1.35.3-20260301'`,
      'then deploy prod (staging first, then prod): docs/eks.md#day-2-node-images',
    ]);
  });

  test('a missing parameter fails with the command and the CLI error', async () => {
    const fake = fakeAws({});
    await expect(nodeImageStatus(staging, fake.aws, fake.env)).rejects.toThrow(
      `aws ssm get-parameter --name ${SYSTEM(eks(staging).kubernetesVersion)} --region eu-west-1 failed: An error occurred (ParameterNotFound)`,
    );
  });

  test('dev has no managed nodes', () => {
    expect(() => nodeImagePins(loadEnvironments(ENVIRONMENTS, CATALOG)[0])).toThrow(/^dev: not an EKS environment \(cluster\.kind is kubeconfig\)/);
  });
});

describe('npm run eks-pins', () => {
  let bundle: string;
  beforeAll(async () => {
    bundle = await bundleCli('tools/eks/pins-cli.ts');
  });
  const cli = (args: string[], env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [bundle, ...args], { encoding: 'utf8', env });

  test('exit 1 with the line to change when a newer release exists; exit 0 once the pins are the newest', () => {
    const cluster = eks(staging);
    const newer = fakeAws({ [SYSTEM(cluster.kubernetesVersion)]: cluster.systemNodes.releaseVersion, [NVIDIA(cluster.kubernetesVersion)]: '1.35.2-20260220' });
    const stale = cli(['staging'], newer.env);
    expect(stale.stderr).toBe('');
    expect(stale.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^cluster\\.systemNodes\\.releaseVersion +AL2023_x86_64_STANDARD +pinned ${cluster.systemNodes.releaseVersion} +newest ${cluster.systemNodes.releaseVersion}$`,
        ),
      ),
      expect.stringMatching(/^cluster\.gpuNodes\.releaseVersion +AL2023_x86_64_NVIDIA +pinned \S+ +newest 1\.35\.2-20260220$/),
      `environments/staging.ts: cluster.gpuNodes.releaseVersion: '${cluster.gpuNodes.releaseVersion}' -> '1.35.2-20260220'`,
      'then deploy staging (staging first, then prod): docs/eks.md#day-2-node-images',
    ]);
    expect(stale.status).toBe(1);
    expect(newer.calls()).toHaveLength(2);

    const current = fakeAws({
      [SYSTEM(cluster.kubernetesVersion)]: cluster.systemNodes.releaseVersion,
      [NVIDIA(cluster.kubernetesVersion)]: cluster.gpuNodes.releaseVersion,
    });
    const fresh = cli(['staging'], current.env);
    expect(fresh.stdout.trim().split('\n').at(-1)).toBe('staging: every node image is the newest release');
    expect(fresh.status).toBe(0);
  });

  test.each([
    [[], 'usage: npm run eks-pins -- <env>'],
    [['nowhere'], 'no environment nowhere (dev, staging, prod)\nusage: npm run eks-pins -- <env>'],
    [['dev'], 'dev: not an EKS environment (cluster.kind is kubeconfig): its nodes are not managed here'],
  ])('%j: exit 2', (args, message) => {
    const fake = fakeAws({});
    const result = cli(args, fake.env);
    expect(result.stderr.trim()).toBe(message);
    expect(result.status).toBe(2);
    expect(fake.calls()).toEqual([]);
  });
});
