/**
 * `npm run inventory`: rewrites the Terraform address inventory from the shipped environments.
 * Run it only for a deliberate change, after adding a `moved` block for every renamed resource
 * (or accepting that a removed resource is destroyed), and review the diff.
 */
import * as fs from 'fs';
import { INVENTORY_FILE, compareInventory, currentAddresses, toInventory } from './addresses';

const current = currentAddresses();
const previous = fs.existsSync(INVENTORY_FILE) ? JSON.parse(fs.readFileSync(INVENTORY_FILE, 'utf8')) : {};
const { removed, added } = compareInventory(previous, current);
fs.writeFileSync(INVENTORY_FILE, `${JSON.stringify(toInventory(current), null, 2)}\n`);
for (const line of removed) console.log(`- ${line}`);
for (const line of added) console.log(`+ ${line}`);
console.log(`${INVENTORY_FILE}: ${removed.length} removed, ${added.length} added`);
