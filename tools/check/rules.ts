import * as path from 'path';
import { isPreRelease } from '../../contracts/versions';
import { valueFilesFor } from '../../constructs/apps/wrapper-chart';
import { ManifestValidator } from './crd-schema';
import { formatPath, isPlainObject, isTerraformExpression, parseYamlDocument, PathSegment } from './documents';
import { FACTS_COMMAND, factsKey, keyTree } from './facts';
import { chartVersionProblem, findImagePins, imagePinProblem, imagePinTag, isPreReleaseTag, providerVersionProblem } from './pin-policy';
import type { ValueFile, WrapperChart } from './repository';
import type { Rule } from './rule';
import { applicationSources, ApplicationSource, argoCdChart, argoManifests, helmReleases, requiredProviders } from './stacks';
import {
  modelFromKeys,
  UNCHECKED,
  unknownSetName,
  unknownValuesKeys,
  upstreamChartModel,
  ValuesLocation,
  ValuesModel,
  wrapperChartModel,
} from './values-model';

/** Values given as a YAML string (`helm.values`, a helm_release `values` entry): the document, or why it cannot be read. */
function valuesFromString(text: string): { values: unknown } | { expression: true } | { error: string } {
  const parsed = parseYamlDocument(text);
  if (parsed.ok && (isPlainObject(parsed.value) || parsed.value === null)) return { values: parsed.value ?? {} };
  if (isTerraformExpression(text)) return { expression: true };
  return { error: parsed.ok ? 'values must be a YAML mapping' : `invalid YAML: ${parsed.error}` };
}

/** The wrapper chart an Application source points at (`path: apps/<name>`), if any. */
function wrapperOf(source: ApplicationSource, charts: readonly WrapperChart[]): WrapperChart | undefined {
  return source.directory === undefined ? undefined : charts.find((chart) => chart.dir === source.directory);
}

/** The local entries of a source's `helm.valueFiles`, resolved in its wrapper chart (not `$ref/...` or URLs). */
function sourceValueFiles(source: ApplicationSource, chart: WrapperChart): { index: number; file: string; loaded?: ValueFile }[] {
  const entries = Array.isArray(source.helm.valueFiles) ? source.helm.valueFiles : [];
  return entries.flatMap((entry, index) => {
    if (typeof entry !== 'string' || entry.startsWith('$') || /^[a-z]+:\/\//.test(entry)) return [];
    const file = path.posix.normalize(path.posix.join(chart.dir, entry));
    return [{ index, file, loaded: chart.valueFiles.find((valueFile) => valueFile.file === file) }];
  });
}

/** Address of an Application for messages: `kubernetes_manifest.<id>`. */
function applicationAddress(source: ApplicationSource): string {
  return formatPath(source.application.prefix.slice(0, 2));
}

/** Problems found while loading (invalid YAML/JSON, failed synth), and what could not be loaded at all. */
export const readableInputs: Rule = {
  id: 'readable-inputs',
  description: 'wrapper charts, value files and stacks parse, main.ts synthesizes, and the upstream facts are readable',
  check(context) {
    for (const problem of context.inputs.problems) context.report(problem);
    for (const item of context.inputs.unavailable) context.notChecked(item);
  },
};

/** Values keys against the upstream key trees: the double-hierarchy mistake and typos, with "did you mean". */
export const valuesKeys: Rule = {
  id: 'values-keys',
  description:
    "every values key (value files, Application helm values and parameters, helm_release values and set) exists in the upstream chart's default values",
  check(context) {
    const { charts, stacks } = context.inputs;
    const chartModel = (name: string, version: unknown, usedBy: string): ValuesModel => {
      const facts = context.upstreamChart(name, version, usedBy);
      return facts ? upstreamChartModel(name, String(version), facts) : UNCHECKED;
    };
    const checkDocument = (values: unknown, model: ValuesModel, location: ValuesLocation) => {
      context.count('valuesDocumentsChecked');
      for (const finding of unknownValuesKeys(values, model, location)) context.report(finding);
    };
    const checkString = (text: unknown, model: ValuesModel, location: ValuesLocation) => {
      if (typeof text !== 'string') return;
      const where = formatPath(location.prefix);
      const read = valuesFromString(text);
      if ('values' in read) checkDocument(read.values, model, location);
      else if ('expression' in read)
        context.notChecked({
          subject: `values at ${location.file}:${where}`,
          reason: 'a Terraform expression, known only at apply time; write the values as a literal YAML string',
        });
      else context.report({ file: location.file, path: where, message: read.error });
    };
    const checkSetNames = (names: { name: string; path: PathSegment[] }[], model: ValuesModel, file: string) => {
      for (const { name, path: at } of names) {
        const message = unknownSetName(name, model);
        if (message) context.report({ file, path: formatPath(at), message });
      }
    };

    const models = new Map<WrapperChart, ValuesModel>();
    for (const chart of charts) {
      const model = wrapperChartModel(chart, (dependency) =>
        dependency.localValues !== undefined
          ? modelFromKeys(keyTree(dependency.localValues), `unknown key for chart ${dependency.repository}: not declared in its values.yaml`)
          : chartModel(dependency.name, dependency.version, chart.dir),
      );
      models.set(chart, model);
      for (const valueFile of chart.valueFiles) checkDocument(valueFile.values, model, { file: valueFile.file, prefix: [] });
    }

    for (const source of applicationSources(stacks)) {
      const { helm, path: sourcePath } = source;
      const file = source.application.file;
      const wrapper = wrapperOf(source, charts);
      const isChartSource = typeof source.source.chart === 'string';
      let model: ValuesModel | undefined = wrapper && models.get(wrapper);
      if (!wrapper && isChartSource && !chartVersionProblem(source.source.targetRevision)) {
        model = chartModel(String(source.source.chart), source.source.targetRevision, applicationAddress(source));
      }
      const hasValues = helm.valuesObject !== undefined || helm.values !== undefined || Array.isArray(helm.parameters);
      const isAppsPath = source.directory?.startsWith('apps/') ?? false;
      if (!model && hasValues && !isChartSource && !isAppsPath) {
        context.notChecked({
          subject: `values of ${applicationAddress(source)} (${formatPath(sourcePath.slice(3))})`,
          reason: `source path ${source.directory ?? '(none)'} is neither a wrapper chart under apps/ nor a Helm chart source`,
        });
      }
      const effective = model ?? UNCHECKED;
      if (helm.valuesObject !== undefined) checkDocument(helm.valuesObject, effective, { file, prefix: [...sourcePath, 'helm', 'valuesObject'] });
      checkString(helm.values, effective, { file, prefix: [...sourcePath, 'helm', 'values'] });
      const parameters = Array.isArray(helm.parameters) ? helm.parameters : [];
      const names = parameters.flatMap((parameter, index) =>
        isPlainObject(parameter) && typeof parameter.name === 'string'
          ? [{ name: parameter.name, path: [...sourcePath, 'helm', 'parameters', index, 'name'] }]
          : [],
      );
      checkSetNames(names, effective, file);
    }

    for (const release of helmReleases(stacks)) {
      // A chart from a local directory has no upstream to compare with.
      if (!release.chart) continue;
      const model = chartVersionProblem(release.version) ? UNCHECKED : chartModel(release.chart.name, release.version, formatPath(release.prefix));
      release.values.forEach((values, index) => checkString(values, model, { file: release.file, prefix: [...release.prefix, 'values', index] }));
      checkSetNames(release.sets, model, release.file);
    }
  },
};

/** Argo CD manifests against the CRD schemas of the Argo CD chart the stacks install. */
export const argoCrdSchema: Rule = {
  id: 'argo-crd-schema',
  description: 'Argo CD Application/AppProject manifests match the Argo CD CRD schemas (closed: unknown fields are errors)',
  check(context) {
    const manifests = argoManifests(context.inputs.stacks);
    if (manifests.length === 0) return;
    const argoCd = argoCdChart(context.inputs.stacks);
    const counts = [...new Set(manifests.map((m) => m.kind))].map((kind) => `${manifests.filter((m) => m.kind === kind).length} ${kind}`).join(', ');
    const crds = context.inputs.facts.crds[factsKey(argoCd.name, argoCd.version)];
    if (!crds) {
      context.notChecked({
        subject: `Argo CD manifests (${counts}) against the ${argoCd.name} ${argoCd.version} CRDs`,
        reason: `no CRD facts for ${argoCd.name} ${argoCd.version} in ${context.inputs.factsFile}; run ${FACTS_COMMAND}`,
      });
      return;
    }
    const validator = new ManifestValidator(crds, context.inputs.cacheDir);
    const unknownKinds = new Set<string>();
    for (const manifest of manifests) {
      if (!validator.knowsKind(String(manifest.manifest.apiVersion).split('/')[0], manifest.kind)) {
        unknownKinds.add(manifest.kind);
        continue;
      }
      for (const finding of validator.validate(manifest.manifest, { file: manifest.file, prefix: manifest.prefix })) context.report(finding);
      context.count('manifestsValidated');
    }
    for (const kind of unknownKinds) {
      context.notChecked({
        subject: `${kind} manifests`,
        reason: `no ${kind} CRD in the ${argoCd.name} ${argoCd.version} facts (${Object.keys(crds).join(', ')})`,
      });
    }
  },
};

/** Application sources that would fail to render: a missing wrapper chart or value file. */
export const argoAppSources: Rule = {
  id: 'argo-app-sources',
  description: 'every Application source path under apps/ is a wrapper chart, and every helm.valueFiles entry exists in it',
  check(context) {
    const { charts, stacks } = context.inputs;
    for (const source of applicationSources(stacks)) {
      const file = source.application.file;
      const wrapper = wrapperOf(source, charts);
      if (!wrapper) {
        if (source.directory?.startsWith('apps/') && typeof source.source.chart !== 'string') {
          context.report({
            file,
            path: formatPath([...source.path, 'path']),
            message: `no wrapper chart at ${source.directory} (no ${source.directory}/Chart.yaml)`,
          });
        }
        continue;
      }
      for (const { index, file: valueFile, loaded } of sourceValueFiles(source, wrapper)) {
        if (loaded || wrapper.files.includes(valueFile)) continue;
        const silently = source.helm.ignoreMissingValueFiles === true ? ' (ignoreMissingValueFiles: Argo CD skips it silently)' : '';
        context.report({ file, path: formatPath([...source.path, 'helm', 'valueFiles', index]), message: `value file ${valueFile} does not exist${silently}` });
      }
    }
  },
};

/** Exact versions everywhere: chart dependencies, helm_release, Application chart sources, providers, image tags. */
export const pinnedVersions: Rule = {
  id: 'pinned-versions',
  description: 'chart versions, image tags and provider versions are exact pins (no ranges, moving tags, expressions or missing tags)',
  check(context) {
    const { charts, stacks } = context.inputs;
    const checkImages = (values: unknown, location: ValuesLocation, baseValues: unknown[]) => {
      for (const pin of findImagePins(values)) {
        context.count('pinsChecked');
        const problem = imagePinProblem(pin, baseValues);
        if (problem) context.report({ file: location.file, path: formatPath([...location.prefix, ...problem.path]), message: problem.message });
      }
    };
    const checkVersion = (name: string, version: unknown, file: string, at: string) => {
      context.count('pinsChecked');
      const problem = chartVersionProblem(version);
      if (problem) context.report({ file, path: at, message: `${name}: ${problem}` });
    };
    const checkString = (text: unknown, location: ValuesLocation) => {
      // values-keys reports what cannot be read; an image pin needs the values.
      const read = typeof text === 'string' ? valuesFromString(text) : undefined;
      if (read && 'values' in read) checkImages(read.values, location, []);
    };

    for (const chart of charts) {
      for (const dependency of chart.dependencies)
        checkVersion(dependency.name, dependency.version, chart.chartFile, `dependencies[${dependency.index}].version`);
      const base = chart.valueFiles.find((valueFile) => valueFile.base);
      for (const valueFile of chart.valueFiles)
        checkImages(valueFile.values, { file: valueFile.file, prefix: [] }, base && valueFile !== base ? [base.values] : []);
    }
    for (const source of applicationSources(stacks)) {
      const file = source.application.file;
      const wrapper = wrapperOf(source, charts);
      if (!wrapper && typeof source.source.chart === 'string')
        checkVersion(source.source.chart, source.source.targetRevision, file, formatPath([...source.path, 'targetRevision']));
      const baseValues = wrapper
        ? [wrapper.valueFiles.find((valueFile) => valueFile.base), ...sourceValueFiles(source, wrapper).map((entry) => entry.loaded)].flatMap((v) =>
            v ? [v.values] : [],
          )
        : [];
      if (source.helm.valuesObject !== undefined) checkImages(source.helm.valuesObject, { file, prefix: [...source.path, 'helm', 'valuesObject'] }, baseValues);
      checkString(source.helm.values, { file, prefix: [...source.path, 'helm', 'values'] });
    }
    for (const release of helmReleases(stacks)) {
      if (!release.chart) continue;
      checkVersion(release.chart.name, release.version, release.file, formatPath([...release.prefix, 'version']));
      release.values.forEach((text, index) => checkString(text, { file: release.file, prefix: [...release.prefix, 'values', index] }));
    }
    for (const provider of requiredProviders(stacks)) {
      context.count('pinsChecked');
      const problem = providerVersionProblem(provider.version);
      if (problem) context.report({ file: provider.file, path: formatPath(provider.path), message: problem });
    }
  },
};

const GA_ONLY = 'for environments with allowPreReleases false';

/**
 * No pre-releases where an environment says `allowPreReleases: false` (prod): the wrapper chart
 * dependency versions, every image tag the environment's value files set, and the image the chart
 * runs when they set none (its default image.tag, else its appVersion).
 */
export const gaReleases: Rule = {
  id: 'ga-releases',
  description: 'environments with allowPreReleases false run no pre-release chart versions or image tags (set, or defaulted from appVersion)',
  check(context) {
    const { environments, charts } = context.inputs;
    if ('error' in environments) {
      context.notChecked({ subject: 'pre-release policy (allowPreReleases)', reason: `the environments do not load: ${environments.error}` });
      return;
    }
    for (const environment of environments.filter((candidate) => !candidate.allowPreReleases)) {
      for (const chart of charts) {
        const layers = valueFilesFor(environment.name).flatMap((name) => chart.valueFiles.filter((valueFile) => valueFile.file === `${chart.dir}/${name}`));
        const tags = new Map<string, { file: string; path: PathSegment[]; tag: string }>();
        for (const layer of layers) {
          for (const pin of findImagePins(layer.values)) {
            const tag = imagePinTag(pin);
            if (tag) tags.set(formatPath(tag.path), { file: layer.file, ...tag });
          }
        }
        for (const { file, path: at, tag } of tags.values()) {
          if (isPreReleaseTag(tag))
            context.report({ file, path: formatPath(at), message: `${environment.name}: image tag ${tag} is a pre-release; pin a GA release ${GA_ONLY}` });
        }
        for (const dependency of chart.dependencies) {
          if (typeof dependency.version !== 'string' || chartVersionProblem(dependency.version)) continue;
          const at = `dependencies[${dependency.index}].version`;
          const release = `${dependency.name} ${dependency.version}`;
          if (isPreRelease(dependency.version)) {
            context.report({ file: chart.chartFile, path: at, message: `${environment.name}: ${release} is a pre-release; pin a GA release ${GA_ONLY}` });
            continue;
          }
          // A chart of this repository (the isolation library) runs no image of its own.
          if (dependency.localValues !== undefined) continue;
          const key = dependency.alias ?? dependency.name;
          if ([`${key}.image.tag`, `${key}.${key}.image.tag`, `${key}.image`, `${key}.${key}.image`].some((mainImage) => tags.has(mainImage))) continue;
          const facts = context.upstreamChart(dependency.name, dependency.version, chart.dir);
          const runs =
            facts?.defaultImageTag !== undefined
              ? `image tag ${facts.defaultImageTag} (its default image.tag)`
              : facts?.appVersion !== undefined
                ? `appVersion ${facts.appVersion}`
                : undefined;
          const tag = facts?.defaultImageTag ?? facts?.appVersion;
          if (runs && tag && isPreReleaseTag(tag)) {
            context.report({
              file: chart.chartFile,
              path: at,
              message: `${environment.name}: ${release} runs ${runs}, a pre-release; pin a GA release (image.tag or chart version) ${GA_ONLY}`,
            });
          }
        }
      }
    }
  },
};

/** Every rule `npm run check` runs, in order. */
export const RULES: readonly Rule[] = [readableInputs, valuesKeys, argoCrdSchema, argoAppSources, pinnedVersions, gaReleases];
