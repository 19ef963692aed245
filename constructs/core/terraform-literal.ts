import { isPlainObject } from '../../contracts/merge';

/** How cdktf marks an unresolved reference inside a string (`${TfToken[TOKEN.12]}`). */
const TOKEN_MARKER = /(\$\{TfToken\[[^\]]+\]\})/;

/**
 * `value` with every string made literal for Terraform: `${` becomes `$${` and `%{` becomes
 * `%%{`, so that text which merely looks like a template (a shell snippet, an application's own
 * `${VAR}` syntax, or hostile input) is written as-is instead of being evaluated at plan time.
 * Strings holding cdktf tokens (references to other resources) are left alone: they are
 * expressions by design. Objects and lists are copied, not changed.
 */
export function terraformLiteral<T>(value: T): T {
  if (typeof value === 'string') {
    // Token markers stay intact; the text between them is escaped.
    return value
      .split(TOKEN_MARKER)
      .map((part, i) => (i % 2 === 1 ? part : part.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{')))
      .join('') as T;
  }
  if (Array.isArray(value)) return value.map((item) => terraformLiteral(item)) as T;
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [terraformLiteral(key), terraformLiteral(item)])) as T;
  }
  return value;
}
