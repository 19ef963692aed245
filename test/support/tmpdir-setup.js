/**
 * Jest global setup: the run's temporary files (cdktf's test output folders, Git fixtures, CLI
 * runs) go to a folder of their own, `$TMPDIR/gitops-llm-jest-<uid>/run-<pid>`, which the global
 * teardown removes. Workers inherit `TMPDIR`. Folders of runs that ended without teardown (killed)
 * are removed at the next start. `GITOPS_LLM_OUTER_TMPDIR` keeps the machine's temporary folder
 * for what should outlive the run (tsx's transpile cache).
 */
const fs = require('fs');
const os = require('os');
const path = require('path');

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
};

module.exports = () => {
  const outer = os.tmpdir();
  const parent = path.join(outer, `gitops-llm-jest-${os.userInfo().uid}`);
  fs.mkdirSync(parent, { recursive: true });
  for (const entry of fs.readdirSync(parent)) {
    const pid = Number(/^run-(\d+)$/.exec(entry)?.[1]);
    if (pid && !alive(pid)) fs.rmSync(path.join(parent, entry), { recursive: true, force: true });
  }
  const run = path.join(parent, `run-${process.pid}`);
  fs.mkdirSync(run, { recursive: true });
  process.env.GITOPS_LLM_OUTER_TMPDIR = outer;
  process.env.TMPDIR = run;
};
