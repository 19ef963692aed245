import * as fs from 'fs';
import {
  AddressInventory,
  INVENTORY_COMMAND,
  INVENTORY_FILE,
  compareInventory,
  currentAddresses,
  stackAddresses,
  toInventory,
} from '../../tools/inventory/addresses';

/** Whether jest runs with `-u` (`npm test -- -u`): new addresses are then recorded like new snapshots. */
const updatingSnapshots = (expect.getState() as { snapshotState?: { _updateSnapshot?: string } }).snapshotState?._updateSnapshot === 'all';

describe('Terraform address inventory', () => {
  test('every address of the committed inventory is still synthesized or moved; every synthesized address is in it', () => {
    const inventory: AddressInventory = JSON.parse(fs.readFileSync(INVENTORY_FILE, 'utf8'));
    const current = currentAddresses();
    expect(Object.keys(current).sort()).toEqual([
      'dev-apps',
      'dev-platform',
      'prod-apps',
      'prod-cluster',
      'prod-platform',
      'staging-apps',
      'staging-cluster',
      'staging-platform',
    ]);
    const { removed, added } = compareInventory(inventory, current);
    if (removed.length > 0) {
      throw new Error(
        `Terraform would destroy these resources (their address is gone and no moved block says where to):\n  ${removed.join('\n  ')}\n` +
          `Add a moved block (movedFrom(resource, <old address>), constructs/core/moved.ts) for each renamed one; only for a deliberate removal run ${INVENTORY_COMMAND} and commit ${INVENTORY_FILE}.`,
      );
    }
    if (added.length > 0 && updatingSnapshots) {
      // Additions destroy nothing: `-u` records them like new snapshots, for review in the diff.
      fs.writeFileSync(INVENTORY_FILE, `${JSON.stringify(toInventory(current), null, 2)}\n`);
    } else if (added.length > 0) {
      throw new Error(
        `New Terraform addresses, not in ${INVENTORY_FILE}:\n  ${added.join('\n  ')}\nReview them and run ${INVENTORY_COMMAND} (or npm test -- -u).`,
      );
    }
  });

  const inventory: AddressInventory = { 'x-cluster': ['aws_vpc.network_vpc_1', 'random_bytes.key_2'], 'x-apps': ['kubernetes_manifest.app_3'] };
  const stack = (addresses: string[], movedFrom: string[] = []) => ({ addresses, movedFrom });
  test.each([
    ['nothing changed', { 'x-cluster': stack(['aws_vpc.network_vpc_1', 'random_bytes.key_2']), 'x-apps': stack(['kubernetes_manifest.app_3']) }, [], []],
    [
      'a renamed resource without a moved block',
      { 'x-cluster': stack(['aws_vpc.network_vpc_1', 'random_bytes.key_9']), 'x-apps': stack(['kubernetes_manifest.app_3']) },
      ['x-cluster: random_bytes.key_2'],
      ['x-cluster: random_bytes.key_9'],
    ],
    [
      'a renamed resource with a moved block',
      { 'x-cluster': stack(['aws_vpc.network_vpc_1', 'random_bytes.key_9'], ['random_bytes.key_2']), 'x-apps': stack(['kubernetes_manifest.app_3']) },
      [],
      ['x-cluster: random_bytes.key_9'],
    ],
    [
      'a moved block in another stack does not count',
      { 'x-cluster': stack(['aws_vpc.network_vpc_1']), 'x-apps': stack(['kubernetes_manifest.app_3'], ['random_bytes.key_2']) },
      ['x-cluster: random_bytes.key_2'],
      [],
    ],
    ['a stack that is gone', { 'x-cluster': stack(['aws_vpc.network_vpc_1', 'random_bytes.key_2']) }, ['x-apps: kubernetes_manifest.app_3'], []],
    [
      'a new stack',
      { 'x-cluster': stack(['aws_vpc.network_vpc_1', 'random_bytes.key_2']), 'x-apps': stack(['kubernetes_manifest.app_3']), 'y-apps': stack(['a.b']) },
      [],
      ['y-apps: a.b'],
    ],
  ])('%s', (_name, current, removed, added) => {
    expect(compareInventory(inventory, current)).toEqual({ removed, added });
  });

  test('addresses are managed resources (type.name); moved sources are collected', () => {
    expect(
      stackAddresses({
        resource: { aws_vpc: { b: {} }, aws_subnet: { a: {}, c: {} } },
        moved: [{ from: 'aws_subnet.old' }],
      }),
    ).toEqual({ addresses: ['aws_subnet.a', 'aws_subnet.c', 'aws_vpc.b'], movedFrom: ['aws_subnet.old'] });
  });
});
