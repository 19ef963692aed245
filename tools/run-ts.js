#!/usr/bin/env node
/**
 * Runs a TypeScript entry point of this repository with plain `node`, for the shell scripts of
 * the e2e:
 *
 *   node tools/run-ts.js main.ts [args...]
 *
 * The same as `node --require tsx/cjs main.ts [args...]`: tsx transpiles (no type check: that is
 * `npm run typecheck`'s job).
 */
'use strict';
const path = require('path');
const Module = require('module');

require('tsx/cjs');

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node tools/run-ts.js <file.ts> [args...]');
  process.exit(2);
}
const resolved = path.resolve(entry);
process.argv = [process.argv[0], resolved, ...args];
Module.runMain(resolved);
