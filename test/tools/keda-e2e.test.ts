import * as fs from 'fs';
import { KEDA_CHART } from '../../contracts/versions';

const BUILD = fs.readFileSync('tools/e2e/keda/build.sh', 'utf8');
const pin = (name: string) => new RegExp(`^${name}="?([^"\\n]*)"?$`, 'm').exec(BUILD)?.[1];

describe('tools/e2e/keda/build.sh', () => {
  test('builds the KEDA that the pinned chart deploys (kedacore/charts publishes chart x.y.z with KEDA vx.y.z)', () => {
    expect(pin('KEDA_VERSION')).toBe(`v${KEDA_CHART.version}`);
  });
});
