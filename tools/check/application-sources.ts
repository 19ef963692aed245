import { isPlainObject, PathSegment } from './object-path';
import { ArgoManifest } from './terraform-stacks';

/** One source of an Argo CD Application (`spec.source`, or an entry of `spec.sources`). */
export interface ApplicationSource {
  source: Record<string, unknown>;
  /** Path of the source inside the file, e.g. `[...prefix, 'spec', 'source']`. */
  path: PathSegment[];
}

/** An Application's sources with their paths (`spec.source` and every `spec.sources[i]`). */
export function applicationSources(application: ArgoManifest): ApplicationSource[] {
  const spec = isPlainObject(application.manifest.spec) ? application.manifest.spec : {};
  const sources: ApplicationSource[] = [];
  if (isPlainObject(spec.source)) sources.push({ source: spec.source, path: [...application.prefix, 'spec', 'source'] });
  if (Array.isArray(spec.sources)) {
    spec.sources.forEach((source, index) => {
      if (isPlainObject(source)) sources.push({ source, path: [...application.prefix, 'spec', 'sources', index] });
    });
  }
  return sources;
}

/** A source's `path` normalised (`./apps/ollama/` → `apps/ollama`), or undefined. */
export function sourceDirectory(source: Record<string, unknown>): string | undefined {
  if (typeof source.path !== 'string') return undefined;
  return source.path.replace(/^\.\//, '').replace(/\/+$/, '');
}

/** The `helm` block of a source, or an empty object. */
export function helmBlock(source: Record<string, unknown>): Record<string, unknown> {
  return isPlainObject(source.helm) ? source.helm : {};
}
