/**
 * Generic stand-in charts for the apps of the catalog whose upstream chart has no hand-written
 * stand-in under charts/: `<out>/<chart>/`, the pinned name and version, rendering a ConfigMap
 * with the values it received and one Service per Service the catalog entry declares (so the
 * URLs in the app's Secret resolve). A new app needs no stand-in of its own.
 *
 *   node tools/run-ts.js tools/e2e/argocd/stand-ins.ts <repo root> <charts dir> <out dir>
 */
import * as fs from 'fs';
import * as path from 'path';
import { CATALOG } from '../../../apps/catalog';
import { AppDefinition } from '../../../contracts/app-definition';
import { isLocalChart, readWrapperChart } from '../../../constructs/apps/wrapper-chart';

/** Writes the generic stand-ins `catalog` needs into `outDir`; returns the charts written. */
export function writeStandIns(repoRoot: string, chartsDir: string, outDir: string, catalog: readonly AppDefinition[] = CATALOG): string[] {
  const written: string[] = [];
  for (const app of catalog) {
    for (const dependency of readWrapperChart(repoRoot, app.name, { ownTemplates: app.chart === 'own' }).dependencies) {
      if (isLocalChart(dependency.repository) || fs.existsSync(path.join(chartsDir, dependency.name, 'Chart.yaml'))) continue;
      const dir = path.join(outDir, dependency.name);
      fs.mkdirSync(path.join(dir, 'templates'), { recursive: true });
      fs.writeFileSync(
        path.join(dir, 'Chart.yaml'),
        `apiVersion: v2\nname: ${dependency.name}\nversion: ${dependency.version}\ndescription: generic e2e stand-in for ${app.name}\ntype: application\n`,
      );
      fs.writeFileSync(path.join(dir, 'values.yaml'), '{}\n');
      const services = Object.values(app.services ?? {}).map((service) =>
        [
          'apiVersion: v1',
          'kind: Service',
          'metadata:',
          `  name: ${service.serviceName(app.name)}`,
          'spec:',
          `  selector: { app.kubernetes.io/instance: {{ .Release.Name | quote }} }`,
          `  ports: [{ name: ${service.scheme}, port: ${service.port} }]`,
        ].join('\n'),
      );
      const configMap = [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: {{ .Release.Name }}-{{ .Chart.Name }}-values',
        'data:',
        '  values.json: {{ toJson .Values | quote }}',
      ].join('\n');
      fs.writeFileSync(path.join(dir, 'templates', 'stand-in.yaml'), [configMap, ...services].join('\n---\n') + '\n');
      written.push(dir);
    }
  }
  return written;
}

if (require.main === module) {
  const [repoRoot, chartsDir, outDir] = process.argv.slice(2);
  for (const dir of writeStandIns(repoRoot, chartsDir, outDir)) console.log(dir);
}
