import { CATALOG } from '../../apps/catalog';
import { restoreTarget } from '../../tools/restore/target';
import { RestoreError } from '../../tools/restore/errors';
import { environment } from '../support/environments';

describe('the restore target', () => {
  test.each(['staging', 'prod'])("%s: a GPU app on Karpenter's nodes has no backed-up volume to restore", (env) => {
    expect(() => restoreTarget(environment(env), CATALOG, 'ollama')).toThrow(
      new RestoreError(
        `${env}.cluster.gpuCapacity: ollama runs on Karpenter's GPU nodes, whose data lives on the shared EFS model store, not on an EBS volume AWS Backup holds: pull the models again (docs/eks.md#cold-start-and-where-the-models-live)`,
      ),
    );
  });

  test.each(['staging', 'prod'])('%s: the stateful apps on the system nodes restore into the zones of the VPC', (env) => {
    const target = restoreTarget(environment(env), CATALOG, 'librechat');
    const cluster = environment(env).cluster as { vpc: { availabilityZones: string[] } };
    expect(target.zones).toEqual(cluster.vpc.availabilityZones);
  });
});
