#!/usr/bin/env node
/**
 * Stands in for terraform/tofu under `cdktf deploy|destroy` (as TERRAFORM_BINARY_NAME): runs the
 * real CLI (LLM_PLATFORM_TF_BINARY) with the same arguments and appends one JSON line per
 * invocation to LLM_PLATFORM_TF_STATUS_FILE: `{"event":"start",...}` before it starts and
 * `{"event":"exit","code":…,"signal":…}` when it ends. cdktf reads a CLI killed by a signal as
 * success (see docs/interrupted-runs.md); the deploy wrapper reads these lines instead. A start
 * without an exit (this process itself was killed) counts as a failure there.
 */
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');

const real = process.env.LLM_PLATFORM_TF_BINARY;
const statusFile = process.env.LLM_PLATFORM_TF_STATUS_FILE;
if (!real || !statusFile) {
  console.error('record-exit: LLM_PLATFORM_TF_BINARY and LLM_PLATFORM_TF_STATUS_FILE must be set');
  process.exit(2);
}
const args = process.argv.slice(2);
const id = `${process.pid}-${Date.now()}`;
const record = (event) => fs.appendFileSync(statusFile, `${JSON.stringify({ id, args: args.slice(0, 2), ...event })}\n`);

record({ event: 'start' });
const child = spawn(real, args, { stdio: 'inherit' });
// Ctrl-C reaches the CLI through the terminal's process group (cdktf's pseudo-terminal): do not
// forward SIGINT, or the CLI sees two interrupts and exits without saving state. Forward what
// only this process receives.
process.on('SIGINT', () => {});
for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('error', (err) => {
  record({ event: 'exit', code: 127, signal: null, error: err.message });
  process.exit(127);
});
child.on('exit', (code, signal) => {
  record({ event: 'exit', code, signal });
  process.exit(signal ? 128 + (os.constants.signals[signal] ?? 0) : (code ?? 1));
});
