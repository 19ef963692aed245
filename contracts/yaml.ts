import { stringify } from 'yaml';

/** Deterministic YAML for Helm values (no line folding, so diffs stay line-for-line). */
export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, sortMapEntries: false });
}
