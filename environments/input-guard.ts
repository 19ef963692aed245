/**
 * The central guard every configuration value passes before validation: the environment files,
 * the overrides file and the synth-time environment variables. Terraform evaluates `${…}` and
 * `%{…}` in any string of the synthesized JSON, so such text — which has no business in this
 * configuration — is rejected here, wherever it appears, together with control characters,
 * prototype-polluting keys and unbounded strings or lists. The constructs additionally write
 * every data string as a Terraform literal (constructs/core/terraform-literal.ts).
 */

/** Longest string accepted anywhere in the configuration. */
export const MAX_STRING_LENGTH = 2048;
/** Most items in any list, most keys in any object. */
export const MAX_ITEMS = 100;
/** Keys that would reach an object's prototype when merged. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Why `text` cannot appear in the configuration, or undefined when it can. */
export function stringProblem(text: string): string | undefined {
  if (/\$\{|%\{/.test(text)) return 'must not contain "${" or "%{" (Terraform would evaluate it as a template)';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text)) return 'must not contain control characters';
  if (text.length > MAX_STRING_LENGTH) return `must be at most ${MAX_STRING_LENGTH} characters (got ${text.length})`;
  return undefined;
}

/** A problem found by {@link guardInput}: where, and which rule. */
export interface InputProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** Every problem of `value` (any JSON-like data), with the path of each. */
export function guardInput(value: unknown, path: (string | number)[] = []): InputProblem[] {
  if (typeof value === 'string') {
    const message = stringProblem(value);
    return message ? [{ path, message }] : [];
  }
  if (Array.isArray(value)) {
    if (value.length > MAX_ITEMS) return [{ path, message: `must list at most ${MAX_ITEMS} items (got ${value.length})` }];
    return value.flatMap((item, i) => guardInput(item, [...path, i]));
  }
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value);
    if (keys.length > MAX_ITEMS) return [{ path, message: `must have at most ${MAX_ITEMS} keys (got ${keys.length})` }];
    return keys.flatMap((key) => {
      if (FORBIDDEN_KEYS.has(key)) return [{ path: [...path, key], message: `the key "${key}" is not allowed` }];
      const keyMessage = stringProblem(key);
      if (keyMessage) return [{ path: [...path, key], message: `key ${keyMessage}` }];
      return guardInput((value as Record<string, unknown>)[key], [...path, key]);
    });
  }
  return [];
}
