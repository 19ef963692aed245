/**
 * Every DCGM metric a platform rule or dashboard uses is in the counter set the DCGM exporter is
 * configured with: apps/dcgm-exporter/counters.csv, mounted from the wrapper chart's ConfigMap at
 * the path of the exporter's `-f` argument.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { DCGM_EXPORTER, OLLAMA } from '../../apps/catalog';

const EXPORTER = path.join('apps', 'dcgm-exporter');
const MONITORING = path.join('apps', 'platform-monitoring');

/** The DCGM fields of a counters CSV (comments and blank lines skipped). */
function counterFields(csv: string): string[] {
  return csv
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(',')[0].trim());
}

/** The DCGM metric names in a text (rule templates, dashboard JSON). */
function dcgmMetrics(text: string): string[] {
  return [...new Set(text.match(/\bDCGM_FI_[A-Z0-9_]+/g) ?? [])];
}

const counters = counterFields(fs.readFileSync(path.join(EXPORTER, 'counters.csv'), 'utf8'));

describe('the DCGM counter set', () => {
  test('the exporter reads counters.csv from the ConfigMap its wrapper chart renders', () => {
    const values = parse(fs.readFileSync(path.join(EXPORTER, 'values.yaml'), 'utf8'))['dcgm-exporter'];
    const [flag, file] = values.arguments;
    expect(flag).toBe('-f');
    const mount = values.extraVolumeMounts.find((m: any) => path.posix.join(m.mountPath, 'counters.csv') === file);
    expect(mount).toBeDefined();
    const volume = values.extraConfigMapVolumes.find((v: any) => v.name === mount.name);
    // templates/counters.yaml names it after the release, which is the app's name.
    expect(volume.configMap.name).toBe(`${DCGM_EXPORTER.name}-counters`);
    const template = fs.readFileSync(path.join(EXPORTER, 'templates', 'counters.yaml'), 'utf8');
    expect(template).toContain('name: {{ .Release.Name }}-counters');
    expect(template).toContain('counters.csv: {{ .Files.Get "counters.csv" | toJson }}');
  });

  test('lists each field once, with a Prometheus type', () => {
    expect(new Set(counters).size).toBe(counters.length);
    for (const line of fs
      .readFileSync(path.join(EXPORTER, 'counters.csv'), 'utf8')
      .split('\n')
      .filter((l) => /^DCGM_/.test(l)))
      expect(line).toMatch(/^DCGM_FI_[A-Z0-9_]+, (gauge|counter), \S/);
  });

  const sources = [
    path.join(MONITORING, 'templates', 'prometheusrule.yaml'),
    ...fs
      .readdirSync(path.join(MONITORING, 'dashboards'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => path.join(MONITORING, 'dashboards', f)),
  ];
  test.each(sources)('every DCGM metric of %s is collected', (file) => {
    const used = dcgmMetrics(fs.readFileSync(file, 'utf8'));
    expect(used.filter((metric) => !counters.includes(metric))).toEqual([]);
  });

  test('the check finds a metric the exporter does not collect', () => {
    expect(dcgmMetrics('DCGM_FI_DEV_GPU_UTIL + DCGM_FI_DEV_ECC_DBE_VOL_TOTAL').filter((m) => !counters.includes(m))).toEqual(['DCGM_FI_DEV_ECC_DBE_VOL_TOTAL']);
  });

  test('the rules and the GPU dashboard use power, clocks, tensor activity and row remapping', () => {
    const used = sources.flatMap((file) => dcgmMetrics(fs.readFileSync(file, 'utf8')));
    expect(used).toEqual(
      expect.arrayContaining([
        'DCGM_FI_DEV_POWER_USAGE',
        'DCGM_FI_DEV_SM_CLOCK',
        'DCGM_FI_DEV_MEM_CLOCK',
        'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE',
        'DCGM_FI_DEV_ROW_REMAP_FAILURE',
        'DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS',
        'DCGM_FI_DEV_XID_ERRORS',
      ]),
    );
  });
});

describe('the GPU dashboard', () => {
  const dashboard = JSON.parse(fs.readFileSync(path.join(MONITORING, 'dashboards', 'gpus.json'), 'utf8'));
  const variables = Object.fromEntries(dashboard.templating.list.map((v: any) => [v.name, v]));

  test("its Ollama panels read the catalog's Ollama namespace", () => {
    expect(variables.ollama_namespace.query).toBe(OLLAMA.namespace);
  });

  test('every DCGM panel follows the node and GPU variables', () => {
    expect(Object.keys(variables)).toEqual(expect.arrayContaining(['node', 'gpu']));
    const selectors = dashboard.panels.flatMap((p: any) => p.targets.flatMap((t: any) => t.expr.match(/DCGM_FI_[A-Z0-9_]+(\{[^}]*\})?/g) ?? []));
    expect(selectors.length).toBeGreaterThan(0);
    expect(selectors.filter((s: string) => !s.includes('node=~"$node"') || !s.includes('gpu=~"$gpu"'))).toEqual([]);
  });
});
