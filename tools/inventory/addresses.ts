/**
 * The Terraform address inventory: every managed resource address (`type.name`) of every stack of
 * every environment. Terraform destroys and recreates a resource whose address changes unless a
 * `moved` block says where it went, which for a generated password or key means new credentials.
 * The committed inventory makes every address change visible in review.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TerraformStack, Testing } from 'cdktf';
import { buildApp } from '../../main';

/** Stack name → its resource addresses, sorted. */
export type AddressInventory = Record<string, string[]>;

/** What one synthesized stack holds: its resource addresses and the sources of its `moved` blocks. */
export interface StackAddresses {
  readonly addresses: readonly string[];
  readonly movedFrom: readonly string[];
}

/** Where the committed inventory lives, relative to the repository root. */
export const INVENTORY_FILE = 'test/stacks/address-inventory.json';

/** The command that rewrites the inventory after a deliberate change. */
export const INVENTORY_COMMAND = 'npm run inventory';

/** Addresses and `moved` sources of one synthesized stack's JSON. */
export function stackAddresses(json: { resource?: Record<string, Record<string, unknown>>; moved?: { from: string }[] }): StackAddresses {
  const addresses = Object.entries(json.resource ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`));
  return { addresses: addresses.sort(), movedFrom: (json.moved ?? []).map((m) => m.from).sort() };
}

/** Synthesizes every stack of the shipped environments (no overrides) in memory. */
export function currentAddresses(): Record<string, StackAddresses> {
  const app = buildApp({ env: {}, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'inventory-')) });
  const stacks = app.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack);
  return Object.fromEntries(stacks.map((stack) => [stack.node.id, stackAddresses(JSON.parse(Testing.synth(stack)))]));
}

/** The inventory of `current`, stacks and addresses sorted. */
export function toInventory(current: Record<string, StackAddresses>): AddressInventory {
  return Object.fromEntries(
    Object.keys(current)
      .sort()
      .map((stack) => [stack, [...current[stack].addresses]]),
  );
}

/** How the synthesized stacks differ from the inventory. */
export interface InventoryDiff {
  /** `stack: address` in the inventory, no longer synthesized, and no `moved` block from it. */
  readonly removed: readonly string[];
  /** `stack: address` synthesized but not in the inventory. */
  readonly added: readonly string[];
}

/** Compares the synthesized stacks with the inventory; a stack absent on either side counts address by address. */
export function compareInventory(inventory: AddressInventory, current: Record<string, StackAddresses>): InventoryDiff {
  const stacks = [...new Set([...Object.keys(inventory), ...Object.keys(current)])].sort();
  const removed: string[] = [];
  const added: string[] = [];
  for (const stack of stacks) {
    const before = new Set(inventory[stack] ?? []);
    const now = current[stack] ?? { addresses: [], movedFrom: [] };
    const present = new Set([...now.addresses, ...now.movedFrom]);
    for (const address of before) if (!present.has(address)) removed.push(`${stack}: ${address}`);
    for (const address of now.addresses) if (!before.has(address)) added.push(`${stack}: ${address}`);
  }
  return { removed, added };
}
