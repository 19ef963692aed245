import { Finding } from './findings';
import { formatPath, isPlainObject, PathSegment } from './object-path';
import { suggestPath } from './suggest';
import { modelKeyTree, ValuesModel } from './values-model';

/** Where a values document sits: its file and, for values embedded in a larger document, the path to it. */
export interface ValuesLocation {
  file: string;
  /** e.g. `['kubernetes_manifest', 'ollama', 'manifest', 'spec', 'source', 'helm', 'valuesObject']`; empty for a values file. */
  prefix: PathSegment[];
}

/** Text of the suggestion part of a finding: ` → did you mean <path>?` (just the key for a typo next to it). */
export function suggestionText(model: ValuesModel, path: PathSegment[], value: unknown): string {
  const suggestion = suggestPath(modelKeyTree(model), path, value);
  if (!suggestion) return '';
  const target = suggestion.sameParent ? String(suggestion.path[suggestion.path.length - 1]) : formatPath(suggestion.path);
  return ` → did you mean ${target}?`;
}

/**
 * Compares every key set in `values` with `model` and reports each unknown key (the topmost one of
 * an unknown subtree) with the path it probably meant. Lists are not descended into.
 */
export function checkValuesKeys(values: unknown, model: ValuesModel, location: ValuesLocation): Finding[] {
  const findings: Finding[] = [];
  const walk = (value: unknown, node: ValuesModel, path: string[]) => {
    if (node.kind !== 'map' || !isPlainObject(value)) return;
    for (const [key, child] of Object.entries(value)) {
      const childPath = [...path, key];
      const childModel = node.children.get(key);
      if (childModel) {
        walk(child, childModel, childPath);
        continue;
      }
      findings.push({
        file: location.file,
        path: formatPath([...location.prefix, ...childPath]),
        message: node.hints?.get(key) ?? `${node.unknownMessage}${suggestionText(model, childPath, child)}`,
      });
    }
  };
  walk(values, model, []);
  return findings;
}

/**
 * Checks one dotted values path (a Helm `--set` name or an Argo CD `helm.parameters[].name`) against
 * `model`. Returns the message for the first unknown segment, or undefined when the path is known.
 */
export function checkValuesPath(segments: readonly string[], model: ValuesModel): string | undefined {
  let node = model;
  for (const [index, segment] of segments.entries()) {
    if (node.kind !== 'map') return undefined;
    const child = node.children.get(segment);
    if (!child) {
      const unknownPath = segments.slice(0, index + 1);
      return `${formatPath(unknownPath)}: ${node.hints?.get(segment) ?? `${node.unknownMessage}${suggestionText(model, unknownPath, undefined)}`}`;
    }
    node = child;
  }
  return undefined;
}

/**
 * Splits a Helm `--set` style name into keys: dots separate keys unless escaped (`server\.insecure`),
 * and the path stops at the first list index (`hosts[0].name` → `hosts`), lists not being checked.
 */
export function splitSetName(name: string): string[] {
  const segments: string[] = [];
  let current = '';
  for (let i = 0; i < name.length; i++) {
    const char = name[i];
    if (char === '\\' && i + 1 < name.length) current += name[++i];
    else if (char === '.') {
      segments.push(current);
      current = '';
    } else if (char === '[') {
      segments.push(current);
      return segments.filter(Boolean);
    } else current += char;
  }
  segments.push(current);
  return segments.filter(Boolean);
}
