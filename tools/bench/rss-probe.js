/**
 * Preloaded into every node process of a benchmark run (NODE_OPTIONS=--require): on exit it
 * records the process's peak resident set size in `$BENCH_RSS_DIR/<pid>`.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const dir = process.env.BENCH_RSS_DIR;
if (dir) {
  process.on('exit', () => {
    try {
      fs.writeFileSync(path.join(dir, String(process.pid)), String(process.resourceUsage().maxRSS * 1024));
    } catch {
      // The benchmark only loses one sample.
    }
  });
}
