import { Finding, ReportPart } from './findings';
import { ManifestValidator } from './manifest-validation';
import { chartVersionProblem } from './pin-policy';
import { ArgoManifest, HelmRelease, releaseChart } from './terraform-stacks';
import { ArgoCdChartPin } from './upstream-config';
import { UpstreamSource } from './upstream-source';

/** Every Argo CD manifest against the CRDs of the Argo CD chart the stacks install. */
export function validateManifests(
  manifests: ArgoManifest[],
  releases: HelmRelease[],
  inputs: { upstream: UpstreamSource; argoCd: ArgoCdChartPin; cacheDir?: string },
): ReportPart {
  if (manifests.length === 0) return {};
  const release = releases.find((candidate) => releaseChart(candidate)?.name === inputs.argoCd.chart && typeof candidate.version === 'string' && !chartVersionProblem(candidate.version));
  const version = release ? String(release.version) : inputs.argoCd.version;
  const counts = [...new Set(manifests.map((m) => m.kind))].map((kind) => `${manifests.filter((m) => m.kind === kind).length} ${kind}`).join(', ');
  const crds = inputs.upstream.argoCrds(inputs.argoCd.chart, version);
  if (!crds.ok) {
    return {
      notChecked: [{ subject: `Argo CD manifests (${counts}) against the ${inputs.argoCd.chart} ${version} CRDs`, reason: `${crds.error ?? 'no CRDs'}; looked in ${crds.lookedIn.join(', ')}` }],
    };
  }
  const validator = new ManifestValidator(crds.value, inputs.cacheDir);
  const findings: Finding[] = [];
  const unknownKinds = new Set<string>();
  let validated = 0;
  for (const manifest of manifests) {
    const group = String(manifest.manifest.apiVersion).split('/')[0];
    if (!validator.knowsKind(group, manifest.kind)) {
      unknownKinds.add(manifest.kind);
      continue;
    }
    findings.push(...validator.validate(manifest.manifest, { file: manifest.file, prefix: manifest.prefix }));
    validated++;
  }
  const notChecked = [...unknownKinds].map((kind) => ({ subject: `${kind} manifests`, reason: `no ${kind} CRD among the ${inputs.argoCd.chart} ${version} CRDs (${crds.value.map((c) => c.kind).join(', ')})` }));
  return { findings, notChecked, stats: { manifestsValidated: validated } };
}
