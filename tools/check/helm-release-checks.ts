import { emptyReport, mergeReport, ReportPart } from './findings';
import { formatPath } from './object-path';
import { chartVersionProblem } from './pin-policy';
import { HelmRelease, releaseChart } from './terraform-stacks';
import { UpstreamSource } from './upstream-source';
import { checkSetNames, checkValuesString } from './values-documents';
import { UNCHECKED, upstreamChartModel, ValuesModel } from './values-model';
import { UpstreamUse } from './wrapper-model';

/** A helm_release: its version is a pin; its `values` and `set` names are checked against the upstream chart. */
export function checkHelmRelease(release: HelmRelease, upstream: UpstreamSource, uses: UpstreamUse[]): ReportPart {
  const report = emptyReport();
  const chart = releaseChart(release);
  // A chart from a local directory has no published version to pin or upstream to compare with.
  if (!chart) return report;
  report.stats.pinsChecked++;
  const problem = chartVersionProblem(release.version);
  if (problem) report.findings.push({ file: release.file, path: formatPath([...release.prefix, 'version']), message: `${chart.name}: ${problem}` });
  let model: ValuesModel = UNCHECKED;
  if (typeof release.version === 'string' && !problem) {
    const result = upstream.chart(chart.name, release.version);
    uses.push({ name: chart.name, version: release.version, usedBy: formatPath(release.prefix), result });
    if (result.ok) model = upstreamChartModel(result.value);
  }
  release.values.forEach((values, index) => {
    mergeReport(report, checkValuesString(values, model, { file: release.file, prefix: [...release.prefix, 'values', index] }));
  });
  mergeReport(report, checkSetNames(release.sets, model, release.file));
  return report;
}
