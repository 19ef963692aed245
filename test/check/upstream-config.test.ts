import * as path from 'path';
import { loadUpstreamConfig, parseUpstreamConfig, resolveSearchRoots } from '../../tools/check/upstream-config';

describe('upstream configuration', () => {
  const config = loadUpstreamConfig();

  it('ships a valid tools/check/upstream.json searching .cache/upstream first', () => {
    expect(config.searchRoots[0]).toBe('.cache/upstream');
    expect(config.layout.values).toBe('{chart}-{version}/values.yaml');
    expect(config.argoCd.chart).toBe('argo-cd');
  });

  it('resolves roots: --upstream over CHECK_UPSTREAM_DIR over the config', () => {
    const base = { config, repoRoot: '/repo', cwd: '/work' };
    expect(resolveSearchRoots({ ...base, flag: 'up', env: { CHECK_UPSTREAM_DIR: '/env' } })).toEqual(['/work/up']);
    expect(resolveSearchRoots({ ...base, env: { CHECK_UPSTREAM_DIR: `/a${path.delimiter}b` } })).toEqual(['/a', '/work/b']);
    expect(resolveSearchRoots({ ...base, env: {} })).toEqual(config.searchRoots.map((root) => path.resolve('/repo', root)));
  });

  it('names the broken field of an invalid config', () => {
    expect(() => parseUpstreamConfig({ searchRoots: 'x' })).toThrow('upstream.json: searchRoots must be a list of strings');
  });
});
