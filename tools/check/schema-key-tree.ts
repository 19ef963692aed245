import { isPlainObject, PathSegment } from './object-path';
import { KeyTree } from './suggest';

/** A {@link KeyTree} over a JSON schema's `properties` (and `items` for list indices), for suggestions. */
export function schemaKeyTree(schema: unknown): KeyTree {
  const properties = isPlainObject(schema) && isPlainObject(schema.properties) ? schema.properties : {};
  return {
    keys: () => Object.keys(properties),
    child(key: PathSegment) {
      if (typeof key === 'number') return isPlainObject(schema) && isPlainObject(schema.items) ? schemaKeyTree(schema.items) : undefined;
      return Object.prototype.hasOwnProperty.call(properties, key) ? schemaKeyTree(properties[key]) : undefined;
    },
  };
}
