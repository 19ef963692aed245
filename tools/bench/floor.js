/**
 * The floor of a synthesis: loads cdktf and every provider module the compiled program requires
 * (found in dist/ by its require calls), builds nothing. `npm run bench` compares the app's
 * synthesis with it.
 */
const fs = require('fs');
const path = require('path');

const dist = path.resolve(__dirname, '..', '..', 'dist');
const modules = new Set(['cdktf']);
const walk = (dir) => {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(file);
    else if (entry.name.endsWith('.js')) for (const m of fs.readFileSync(file, 'utf8').matchAll(/require\("(@cdktf\/provider-[^"]+)"\)/g)) modules.add(m[1]);
  }
};
walk(dist);
for (const m of modules) require(m);
if (process.env.BENCH_FLOOR_VERBOSE) console.error(`floor: loaded ${modules.size} modules`);
