import * as path from 'path';
import { CheckReport } from '../../tools/check/findings';
import { runCheck } from '../../tools/check/run-check';
import { readSynthDir } from '../../tools/check/synth-stacks';
import { loadUpstreamConfig } from '../../tools/check/upstream-config';
import { fileUpstreamSource, UpstreamSource } from '../../tools/check/upstream-source';
import { loadWrapperCharts } from '../../tools/check/wrapper-charts';

/** Folder of the check's fixtures. */
export const FIXTURES = path.join(__dirname, 'fixtures');

/** The hand-written upstream stand-ins (ollama 1.77.0, librechat 2.0.4; no CRDs). */
export const FIXTURE_UPSTREAM = path.join(FIXTURES, 'upstream');

/** An upstream source reading `roots` with the shipped layout, without caches. */
export function upstreamFrom(...roots: string[]): UpstreamSource {
  return fileUpstreamSource({ roots, layout: loadUpstreamConfig().layout, displayBase: FIXTURES });
}

/** Runs the library (no CLI) on `fixtures/<repo>`: its apps/ and its cdktf.out stacks. */
export function checkFixtureRepo(repo: string, upstream: UpstreamSource): CheckReport {
  const root = path.join(FIXTURES, repo);
  const { charts, findings } = loadWrapperCharts(root);
  const stacks = readSynthDir(path.join(root, 'cdktf.out'), 'cdktf.out');
  const report = runCheck({ charts, stacks: stacks.stacks, upstream, argoCd: loadUpstreamConfig().argoCd });
  report.findings.push(...findings, ...stacks.findings);
  return report;
}
