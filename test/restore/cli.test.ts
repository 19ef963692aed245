import { CATALOG } from '../../apps/catalog';
import { ENVIRONMENTS } from '../../environments';
import { runRestore } from '../../tools/restore/cli';
import { RestoreError } from '../../tools/restore/errors';

const dev = ENVIRONMENTS.find((e) => e.name === 'dev')!;
const staging = ENVIRONMENTS.find((e) => e.name === 'staging')!;
const noExec = async () => {
  throw new Error('no command may run before the arguments are checked against the configuration');
};

describe('runRestore: checks against the configuration before anything runs', () => {
  it.each([
    [{ env: 'qa', app: 'ollama' }, `no environment "qa" (environments: ${ENVIRONMENTS.map((e) => e.name).join(', ')})`],
    [{ env: 'dev', app: 'ollama' }, `dev.cluster.kind: restore needs an EKS cluster backed up by AWS Backup (got "${dev.cluster.kind}")`],
    [{ env: 'staging', app: 'grafana' }, `staging: no app "grafana" in the catalog (apps: ${CATALOG.map((a) => a.name).join(', ')})`],
    [
      { env: 'staging', app: 'ollama', recoveryPointArn: 'arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0' },
      `recovery point: is in us-east-1, but staging.cluster.region is ${staging.cluster.kind === 'eks' ? staging.cluster.region : ''} (got "arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0")`,
    ],
  ])('%j', async (args, message) => {
    const run = runRestore({ dryRun: false, ...args }, { exec: noExec, log: () => undefined, env: {} });
    await expect(run).rejects.toThrow(new RestoreError(message));
  });
});
