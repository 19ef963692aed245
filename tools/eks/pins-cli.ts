/**
 * `npm run eks-pins -- <env>`: the node AMI releases the environment pins and the newest ones AWS
 * publishes. Exit status: 0 every pin is the newest, 1 a newer release exists (the lines to change
 * are printed), 2 usage or AWS CLI errors. The AWS CLI comes from `AWS_CLI` or the PATH.
 */
import { CATALOG } from '../../apps/catalog';
import { ENVIRONMENTS, loadEnvironments } from '../../environments';
import { formatStatus, nodeImageStatus } from './node-image-pins';

const USAGE = 'usage: npm run eks-pins -- <env>';

async function main(argv: string[]): Promise<number> {
  if (argv.length !== 1 || argv[0].startsWith('-')) throw new Error(USAGE);
  const env = loadEnvironments(ENVIRONMENTS, CATALOG).find((e) => e.name === argv[0]);
  if (!env) throw new Error(`no environment ${argv[0]} (${ENVIRONMENTS.map((e) => e.name).join(', ')})\n${USAGE}`);
  const statuses = await nodeImageStatus(env, process.env.AWS_CLI || 'aws');
  for (const line of formatStatus(env.name, statuses)) console.log(line);
  return statuses.some((s) => s.newest !== s.pinned) ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: Error) => {
    console.error(error.message);
    process.exitCode = 2;
  },
);
