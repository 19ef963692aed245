import { checkApplicationSources } from './application-checks';
import { CheckReport, emptyReport, Finding, mergeReport, ReportPart } from './findings';
import { checkHelmRelease } from './helm-release-checks';
import { validateManifests } from './manifest-checks';
import { formatPath } from './object-path';
import { chartVersionProblem, providerVersionProblem } from './pin-policy';
import { argoManifests, helmReleases, requiredProviders, StackFile } from './terraform-stacks';
import { ArgoCdChartPin } from './upstream-config';
import { UpstreamSource } from './upstream-source';
import { checkValuesDocument } from './values-documents';
import { ValuesModel } from './values-model';
import { UpstreamUse, wrapperChartModel } from './wrapper-model';
import { WrapperChart } from './wrapper-charts';

/** Everything the check works on, already loaded. */
export interface CheckInputs {
  /** Wrapper charts under `apps/`. */
  charts: WrapperChart[];
  /** Synthesized stacks (may be empty when synthesis was not possible; the caller reports that). */
  stacks: StackFile[];
  upstream: UpstreamSource;
  /** Argo CD chart used for the CRDs when no stack has a helm_release of it. */
  argoCd: ArgoCdChartPin;
  /** Where compiled CRD validators are kept between runs; none = compile every time. */
  cacheDir?: string;
}

/** Runs every check and returns the findings, the NOT CHECKED items and the counters. */
export function runCheck(inputs: CheckInputs): CheckReport {
  const report = emptyReport();
  const uses: UpstreamUse[] = [];
  const models = new Map<string, { chart: WrapperChart; model: ValuesModel }>();

  for (const chart of inputs.charts) {
    mergeReport(report, checkDependencyPins(chart));
    const built = wrapperChartModel(chart, inputs.upstream);
    uses.push(...built.uses);
    models.set(chart.dir, { chart, model: built.model });
    const base = chart.valuesFiles.find((file) => /\/values\.ya?ml$/.test(file.file));
    for (const valuesFile of chart.valuesFiles) {
      const location = { file: valuesFile.file, prefix: [] };
      mergeReport(report, checkValuesDocument(valuesFile.values, built.model, location, valuesFile === base || !base ? [] : [base.values]));
    }
  }

  const manifests = inputs.stacks.flatMap(argoManifests);
  const releases = inputs.stacks.flatMap(helmReleases);
  mergeReport(report, validateManifests(manifests, releases, inputs));
  for (const application of manifests.filter((manifest) => manifest.kind === 'Application')) {
    mergeReport(report, checkApplicationSources(application, models, inputs.upstream, uses));
  }
  for (const release of releases) mergeReport(report, checkHelmRelease(release, inputs.upstream, uses));
  for (const provider of inputs.stacks.flatMap(requiredProviders)) {
    report.stats.pinsChecked++;
    const problem = providerVersionProblem(provider.version);
    if (problem) report.findings.push({ file: provider.file, path: formatPath(provider.path), message: problem });
  }
  mergeReport(report, summarizeUpstreamUses(uses));
  return report;
}

/** Pin policy for a wrapper chart's `dependencies[].version`. */
function checkDependencyPins(chart: WrapperChart): ReportPart {
  const findings: Finding[] = [];
  for (const dependency of chart.dependencies) {
    const problem = chartVersionProblem(dependency.version);
    if (problem) findings.push({ file: chart.chartFile, path: `dependencies[${dependency.index}].version`, message: `${dependency.name}: ${problem}` });
  }
  return { findings, stats: { pinsChecked: chart.dependencies.length } };
}

/** One stats entry and, when upstream data is missing, one NOT CHECKED line per chart version. */
function summarizeUpstreamUses(uses: UpstreamUse[]): ReportPart {
  const byChart = new Map<string, UpstreamUse[]>();
  for (const use of uses) {
    const key = `${use.name} ${use.version}`;
    byChart.set(key, [...(byChart.get(key) ?? []), use]);
  }
  const report = emptyReport();
  for (const [chart, chartUses] of byChart) {
    const { result } = chartUses[0];
    const usedBy = [...new Set(chartUses.map((use) => use.usedBy))].join(', ');
    if (result.ok) {
      report.stats.chartsChecked++;
      continue;
    }
    report.stats.chartsNotChecked++;
    report.notChecked.push({
      subject: `chart ${chart} (used by ${usedBy})`,
      reason: [result.error ?? 'no upstream values', ...(result.lookedIn.length > 0 ? [`looked in ${result.lookedIn.join(', ')}`] : [])].join('; '),
    });
  }
  return report;
}
