/**
 * The node AMI releases an EKS environment pins, next to the newest release AWS publishes for each
 * (the public SSM parameters of the EKS-optimized and Bottlerocket AMIs), and the line to change.
 */
import { execFile } from 'child_process';
import { promisify } from 'util';
import { AMI_RELEASE_SOURCES, SYSTEM_AMI_TYPE } from '../../contracts/eks-ami-releases';
import type { ValidEnvironment } from '../../environments';

const run = promisify(execFile);

/** One node group's pin. */
export interface NodeImagePin {
  /** The field of `environments/<env>.ts`, e.g. `cluster.systemNodes.releaseVersion`. */
  readonly field: string;
  readonly amiType: string;
  readonly pinned: string;
  /** The SSM parameter holding the newest release. */
  readonly parameter: string;
}

/** A pin with the newest release. */
export interface NodeImageStatus extends NodeImagePin {
  readonly newest: string;
}

/** The pins of `env`'s node groups. */
export function nodeImagePins(env: ValidEnvironment): NodeImagePin[] {
  const cluster = env.cluster;
  if (cluster.kind !== 'eks') throw new Error(`${env.name}: not an EKS environment (cluster.kind is ${cluster.kind}): its nodes are not managed here`);
  const groups = [
    { field: 'cluster.systemNodes.releaseVersion', amiType: SYSTEM_AMI_TYPE, pinned: cluster.systemNodes.releaseVersion },
    { field: 'cluster.gpuNodes.releaseVersion', amiType: cluster.gpuNodes.amiType, pinned: cluster.gpuNodes.releaseVersion },
  ];
  return groups.map((group) => ({ ...group, parameter: AMI_RELEASE_SOURCES[group.amiType].ssmParameter(cluster.kubernetesVersion) }));
}

/** The value of the public SSM parameter `name` in `region`, read with `aws ssm get-parameter`. */
export async function readParameter(aws: string, name: string, region: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  try {
    const { stdout } = await run(aws, ['ssm', 'get-parameter', '--name', name, '--region', region, '--query', 'Parameter.Value', '--output', 'text'], { env });
    const value = stdout.trim();
    if (value === '' || value === 'None') throw new Error('empty value');
    return value;
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '').trim();
    throw new Error(`aws ssm get-parameter --name ${name} --region ${region} failed: ${stderr || (error as Error).message}`);
  }
}

/** `env`'s pins with the newest releases, read through the AWS CLI `aws` (run with `processEnv`). */
export async function nodeImageStatus(env: ValidEnvironment, aws: string, processEnv: NodeJS.ProcessEnv = process.env): Promise<NodeImageStatus[]> {
  const pins = nodeImagePins(env);
  const { region } = env.cluster as Extract<ValidEnvironment['cluster'], { kind: 'eks' }>;
  const statuses: NodeImageStatus[] = [];
  for (const pin of pins) statuses.push({ ...pin, newest: await readParameter(aws, pin.parameter, region, processEnv) });
  return statuses;
}

/** The report: one line per pin, then what to change in `environments/<env>.ts`. */
export function formatStatus(envName: string, statuses: readonly NodeImageStatus[]): string[] {
  const lines = statuses.map((s) => `${s.field.padEnd(36)} ${s.amiType.padEnd(26)} pinned ${s.pinned.padEnd(18)} newest ${s.newest}`);
  const stale = statuses.filter((s) => s.newest !== s.pinned);
  if (stale.length === 0) return [...lines, `${envName}: every node image is the newest release`];
  return [
    ...lines,
    ...stale.map((s) => `environments/${envName}.ts: ${s.field}: '${s.pinned}' -> '${s.newest}'`),
    `then deploy ${envName} (staging first, then prod): docs/eks.md#day-2-node-images`,
  ];
}
