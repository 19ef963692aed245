/**
 * Jest global teardown: removes the run's temporary folder (see tmpdir-setup.js) in a detached
 * process, so that the run does not wait for thousands of files to go.
 */
const { spawn } = require('child_process');

module.exports = () => {
  const run = process.env.TMPDIR;
  const outer = process.env.GITOPS_LLM_OUTER_TMPDIR;
  if (!run || !outer || !/\/gitops-llm-jest-\d+\/run-\d+$/.test(run)) return;
  process.env.TMPDIR = outer;
  spawn('rm', ['-rf', '--', run], { detached: true, stdio: 'ignore' }).unref();
};
