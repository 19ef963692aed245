#!/usr/bin/env node
/**
 * Runs package.json scripts at the same time and fails when any fails:
 * `node tools/parallel.js typecheck lint:code`. Each script's command runs in a shell with
 * node_modules/.bin on the PATH, as `npm run` would, without starting npm once per script. Each
 * script's output is printed whole, in the order given, once all have ended, so logs never
 * interleave. `npm test` uses it to keep the two cores busy.
 */
'use strict';
const { spawn } = require('child_process');
const path = require('path');

const root = path.resolve(__dirname, '..');
const { scripts } = require(path.join(root, 'package.json'));
const env = { ...process.env, PATH: `${path.join(root, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}` };

const names = process.argv.slice(2);
const unknown = names.filter((name) => !scripts[name]);
if (names.length === 0 || unknown.length > 0) {
  console.error(`usage: node tools/parallel.js <script>...; unknown: ${unknown.join(', ') || 'none given'}`);
  process.exit(2);
}
const runs = names.map(
  (name) =>
    new Promise((resolve) => {
      const child = spawn('sh', ['-c', scripts[name]], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      child.on('close', (code) => resolve({ name, code, output }));
    }),
);
Promise.all(runs).then((results) => {
  for (const { name, code, output } of results) process.stdout.write(`> ${name}${code === 0 ? '' : ` (exit ${code})`}\n${output}`);
  process.exit(results.some((r) => r.code !== 0) ? 1 : 0);
});
