import { applicationSources } from './application-sources';
import { chartVersionProblem } from './pin-policy';
import { argoManifests, helmReleases, releaseChart, StackFile } from './terraform-stacks';
import { ArgoCdChartPin } from './upstream-config';
import { WrapperChart } from './wrapper-charts';

/** An upstream chart the check needs data for, as `--list-charts` prints it for fetch-upstream.sh. */
export interface PinnedChart {
  /** `values`: default values and Chart.yaml; `crds`: the Argo CD CRDs. */
  kind: 'values' | 'crds';
  chart: string;
  version: string;
  /** Helm repository URL (`https://…` or `oci://…`); empty when unknown. */
  repository: string;
}

/**
 * Every exactly pinned upstream chart the repository uses: wrapper chart dependencies, helm_release
 * charts, Application chart sources, and the Argo CD chart whose CRDs validate the manifests (the
 * helm_release's version, else `argoCd` from upstream.json). Unpinned ones are skipped: the pin
 * policy reports them.
 */
export function pinnedCharts(charts: WrapperChart[], stacks: StackFile[], argoCd: ArgoCdChartPin): PinnedChart[] {
  const found: PinnedChart[] = [];
  const add = (chart: unknown, version: unknown, repository: unknown, kind: PinnedChart['kind'] = 'values') => {
    if (typeof chart !== 'string' || typeof version !== 'string' || chartVersionProblem(version)) return;
    if (typeof repository === 'string' && repository.startsWith('file://')) return;
    found.push({ kind, chart, version, repository: typeof repository === 'string' ? repository : '' });
  };
  for (const chart of charts) for (const dependency of chart.dependencies) add(dependency.name, dependency.version, dependency.repository);
  const releases = stacks.flatMap(helmReleases);
  for (const release of releases) {
    const chart = releaseChart(release);
    if (chart) add(chart.name, release.version, chart.repository);
  }
  for (const application of stacks.flatMap(argoManifests).filter((manifest) => manifest.kind === 'Application')) {
    for (const { source } of applicationSources(application)) if (typeof source.chart === 'string') add(source.chart, source.targetRevision, source.repoURL);
  }
  const argoRelease = releases.find((release) => releaseChart(release)?.name === argoCd.chart && typeof release.version === 'string' && !chartVersionProblem(release.version));
  if (argoRelease) add(argoCd.chart, argoRelease.version, releaseChart(argoRelease)?.repository || argoCd.repository, 'crds');
  else add(argoCd.chart, argoCd.version, argoCd.repository, 'crds');
  const seen = new Set<string>();
  return found.filter((pin) => {
    const key = `${pin.kind} ${pin.chart} ${pin.version}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
