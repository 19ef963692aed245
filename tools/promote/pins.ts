/**
 * What a commit pins for one Application: the wrapper chart and its upstream chart versions, the
 * image tags and the Ollama models of its value files at that commit (merged like Helm merges
 * them; an Application made by this program has no valuesObject, so the commit says it all).
 */
import { parse } from 'yaml';
import { RenderedApplication } from '../render/applications';
import { deepMerge, isPlainObject } from '../../contracts/merge';
import { filesAt } from './git';

/** The pins of one Application at one commit. */
export interface AppPins {
  readonly app: string;
  /** `<wrapper chart> <version>`, or why it cannot be read at that commit. */
  readonly chart: string;
  /** `<upstream chart> <version>` per dependency. */
  readonly dependencies: readonly string[];
  /** `<values path>: <repository>:<tag>` per image the value files set. */
  readonly images: readonly string[];
  /** Models the value files ask Ollama to pull (`…models.pull`). */
  readonly models: readonly string[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function walk(value: Json, at: string[], visit: (node: { [key: string]: Json }, at: string[]) => void): void {
  if (!isPlainObject(value)) return;
  const node = value as { [key: string]: Json };
  visit(node, at);
  for (const [key, child] of Object.entries(node)) walk(child, [...at, key], visit);
}

/** An Application as {@link appPins} reads it. */
export type PinnedApplication = Pick<RenderedApplication, 'name' | 'path' | 'valueFiles'> & { readonly valuesObject?: Record<string, unknown> };

/** The files {@link appPins} reads for `application`: its Chart.yaml and value files. */
export function pinFiles(application: PinnedApplication): string[] {
  return [`${application.path}/Chart.yaml`, ...application.valueFiles.map((file) => `${application.path}/${file}`)];
}

/**
 * The pins of `application` at `commit` of the clone `repo`: its chart and every value file, all
 * read from the commit. `files` may hold them already (path → text, from {@link filesAt} for
 * several Applications at once); otherwise they are read here.
 */
export function appPins(
  repo: string,
  commit: string,
  application: PinnedApplication,
  files: ReadonlyMap<string, string | undefined> = filesAt(repo, commit, pinFiles(application)),
): AppPins {
  const chartText = files.get(`${application.path}/Chart.yaml`);
  if (chartText === undefined)
    return { app: application.name, chart: `no ${application.path}/Chart.yaml at this commit`, dependencies: [], images: [], models: [] };
  const chart = (parse(chartText) ?? {}) as { name?: string; version?: string; dependencies?: { name: string; version: string }[] };
  let values: Json = {};
  for (const file of application.valueFiles) {
    const text = files.get(`${application.path}/${file}`);
    if (text !== undefined) values = deepMerge(values, (parse(text) ?? {}) as Json);
  }
  values = deepMerge(values, (application.valuesObject ?? {}) as Json);
  const images: string[] = [];
  const models: string[] = [];
  walk(values, [], (node, at) => {
    const image = node.image;
    if (isPlainObject(image) && typeof (image as Record<string, Json>).tag === 'string') {
      const { registry, repository, tag } = image as Record<string, Json>;
      const name = typeof repository === 'string' ? [registry, repository].filter((p) => typeof p === 'string').join('/') : '(chart default)';
      images.push(`${[...at, 'image'].join('.')}: ${name}:${String(tag)}`);
    }
    const models_ = node.models;
    if (isPlainObject(models_) && Array.isArray((models_ as Record<string, Json>).pull)) models.push(...(models_ as Record<string, Json[]>).pull.map(String));
  });
  return {
    app: application.name,
    chart: `${chart.name ?? application.name} ${chart.version ?? '?'}`,
    dependencies: (chart.dependencies ?? []).map((d) => `${d.name} ${d.version}`),
    images,
    models,
  };
}
