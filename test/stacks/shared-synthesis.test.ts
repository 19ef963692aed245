/**
 * The suites' shared synthesis (test/support/synth.ts): a shipped environment is synthesized once
 * per run, in the run's temporary folder, and read back by the other test files exactly as
 * synthesized; another catalog or repository is synthesized for the caller alone.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdktf';
import { CATALOG } from '../../apps/catalog';
import { synthEnvironment } from '../support/synth';

const share = path.join(os.tmpdir(), 'synthesized-environments');

test('the run has a temporary folder of its own (jest global setup)', () => {
  expect(os.tmpdir()).toMatch(/\/gitops-llm-jest-\d+\/run-\d+$/);
});

test('a shipped environment: one file per run; a second call synthesizes nothing and returns the same stacks', () => {
  const first = synthEnvironment('staging');
  expect(fs.readdirSync(share).filter((f) => f.startsWith('staging-') && f.endsWith('.json'))).toHaveLength(1);
  const synth = jest.spyOn(Testing, 'synth');
  const again = synthEnvironment('staging');
  expect(synth).not.toHaveBeenCalled();
  expect([again.cluster!.text, again.platform.text, again.apps.text]).toEqual([first.cluster!.text, first.platform.text, first.apps.text]);
  expect(again.platform.json).toEqual(JSON.parse(first.platform.text));
  synth.mockRestore();
});

test('another catalog is not shared', () => {
  const synth = jest.spyOn(Testing, 'synth');
  synthEnvironment('dev', { catalog: CATALOG });
  expect(synth).toHaveBeenCalledTimes(2);
  synth.mockRestore();
});
