import * as path from 'path';
import { applicationSources, helmBlock, sourceDirectory } from './application-sources';
import { emptyReport, mergeReport, ReportPart } from './findings';
import { formatPath, isPlainObject } from './object-path';
import { chartVersionProblem } from './pin-policy';
import { ArgoManifest } from './terraform-stacks';
import { UpstreamSource } from './upstream-source';
import { checkSetNames, checkValuesDocument, checkValuesString } from './values-documents';
import { UNCHECKED, upstreamChartModel, ValuesModel } from './values-model';
import { UpstreamUse } from './wrapper-model';
import { WrapperChart } from './wrapper-charts';

/**
 * The values an Application injects, checked like the chart's own values files: a source whose
 * `path` is a wrapper chart (`apps/<name>`) against that chart's model, a source with `chart` +
 * `targetRevision` against that upstream chart. Also: `helm.valueFiles` must exist in the wrapper
 * chart, and a chart source's `targetRevision` is a pin.
 */
export function checkApplicationSources(
  application: ArgoManifest,
  models: Map<string, { chart: WrapperChart; model: ValuesModel }>,
  upstream: UpstreamSource,
  uses: UpstreamUse[],
): ReportPart {
  const report = emptyReport();
  const address = formatPath(application.prefix.slice(0, 2));
  for (const { source, path: sourcePath } of applicationSources(application)) {
    const helm = helmBlock(source);
    const file = application.file;
    let model: ValuesModel | undefined;
    const baseValues: unknown[] = [];
    const directory = sourceDirectory(source);
    const wrapper = directory === undefined ? undefined : models.get(directory);
    if (wrapper) {
      model = wrapper.model;
      const valueFiles = Array.isArray(helm.valueFiles) ? helm.valueFiles : [];
      const base = wrapper.chart.valuesFiles.find((v) => /\/values\.ya?ml$/.test(v.file));
      if (base) baseValues.push(base.values);
      valueFiles.forEach((entry, index) => {
        if (typeof entry !== 'string' || entry.startsWith('$') || /^[a-z]+:\/\//.test(entry)) return;
        const resolved = path.posix.normalize(path.posix.join(wrapper.chart.dir, entry));
        const loaded = wrapper.chart.valuesFiles.find((v) => v.file === resolved);
        if (loaded) baseValues.push(loaded.values);
        else if (!wrapper.chart.files.includes(resolved)) {
          const silently = helm.ignoreMissingValueFiles === true ? ' (ignoreMissingValueFiles: Argo CD skips it silently)' : '';
          report.findings.push({ file, path: formatPath([...sourcePath, 'helm', 'valueFiles', index]), message: `value file ${resolved} does not exist${silently}` });
        }
      });
    } else if (directory?.startsWith('apps/') && typeof source.chart !== 'string') {
      report.findings.push({ file, path: formatPath([...sourcePath, 'path']), message: `no wrapper chart at ${directory} (no ${directory}/Chart.yaml)` });
    } else if (typeof source.chart === 'string') {
      report.stats.pinsChecked++;
      const problem = chartVersionProblem(source.targetRevision);
      if (problem) report.findings.push({ file, path: formatPath([...sourcePath, 'targetRevision']), message: `${source.chart}: ${problem}` });
      if (typeof source.targetRevision === 'string' && !problem) {
        const result = upstream.chart(source.chart, source.targetRevision);
        uses.push({ name: source.chart, version: source.targetRevision, usedBy: address, result });
        model = result.ok ? upstreamChartModel(result.value) : UNCHECKED;
      }
    }
    const hasValues = helm.valuesObject !== undefined || helm.values !== undefined || Array.isArray(helm.parameters);
    if (!model && hasValues && typeof source.chart !== 'string') {
      report.notChecked.push({
        subject: `values of ${address} (${formatPath(sourcePath.slice(3))})`,
        reason: `source path ${directory ?? '(none)'} is neither a wrapper chart under apps/ nor a Helm chart source`,
      });
    }
    const effective = model ?? UNCHECKED;
    if (helm.valuesObject !== undefined) {
      mergeReport(report, checkValuesDocument(helm.valuesObject, effective, { file, prefix: [...sourcePath, 'helm', 'valuesObject'] }, baseValues));
    }
    mergeReport(report, checkValuesString(helm.values, effective, { file, prefix: [...sourcePath, 'helm', 'values'] }));
    const parameters = Array.isArray(helm.parameters) ? helm.parameters : [];
    const names = parameters.flatMap((parameter, index) =>
      isPlainObject(parameter) && typeof parameter.name === 'string' ? [{ name: parameter.name, path: [...sourcePath, 'helm', 'parameters', index, 'name'] }] : [],
    );
    mergeReport(report, checkSetNames(names, effective, file));
  }
  return report;
}
