import { isPlainObject } from './object-path';

/** A JSON schema as ajv takes it. */
export type JsonSchema = Record<string, unknown>;

/**
 * What the check accepts under `metadata`. The CRD schema says only `type: object` there (the API
 * server validates ObjectMeta itself and prunes unknown fields), so the check closes it over the
 * ObjectMeta fields a manifest may set.
 */
export const OBJECT_META_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1 },
    namespace: { type: 'string' },
    generateName: { type: 'string' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
    finalizers: { type: 'array', items: { type: 'string' } },
    ownerReferences: { type: 'array', items: { type: 'object' } },
  },
};

/** Schema keywords whose values are maps of subschemas. */
const SCHEMA_MAPS = ['properties', 'patternProperties', 'definitions'];
/** Schema keywords whose values are lists of subschemas. */
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf'];
/** Schema keywords whose values are a single subschema (or, for `items`/`additionalProperties`, a boolean). */
const SCHEMA_SINGLES = ['items', 'additionalProperties', 'not'];
/**
 * Keywords dropped: documentation, and `format` (int32/int64/date-time/byte: the type already
 * says integer/string; the API server checks the rest and ajv would need ajv-formats).
 */
const DROPPED = new Set(['description', 'format', 'example', 'externalDocs']);

/**
 * Converts a Kubernetes structural schema (a CRD's `openAPIV3Schema`) into a closed JSON schema:
 * - an object with `properties` and neither `additionalProperties` nor
 *   `x-kubernetes-preserve-unknown-fields: true` gets `additionalProperties: false` (the API
 *   server prunes such fields silently, so for a manifest they are errors);
 * - `x-kubernetes-int-or-string` becomes `anyOf: [integer, string]`;
 * - `nullable: true` adds `null` to the type;
 * - every other `x-kubernetes-*` keyword is dropped (list/map types only matter to the server).
 */
export function closeStructuralSchema(schema: unknown): JsonSchema {
  if (!isPlainObject(schema)) return {};
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (DROPPED.has(key) || key.startsWith('x-kubernetes-') || key === 'nullable') continue;
    if (SCHEMA_MAPS.includes(key) && isPlainObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, closeStructuralSchema(sub)]));
    } else if (SCHEMA_LISTS.includes(key) && Array.isArray(value)) {
      out[key] = value.map(closeStructuralSchema);
    } else if (SCHEMA_SINGLES.includes(key) && isPlainObject(value)) {
      out[key] = closeStructuralSchema(value);
    } else {
      out[key] = value;
    }
  }
  if (schema['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    if (!out.anyOf) out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (schema.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  const open = schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (isPlainObject(out.properties) && out.additionalProperties === undefined && !open) out.additionalProperties = false;
  return out;
}

/**
 * The schema a manifest of this CRD version must satisfy: the closed CRD schema, with `apiVersion`
 * and `kind` fixed, `metadata` as {@link OBJECT_META_SCHEMA}, and the fields Argo CD's controller
 * owns removed: `status`, and `operation` (a one-off sync request the controller deletes when
 * done). Set from Terraform, either would show a diff on every plan.
 */
export function manifestSchema(openApiSchema: Record<string, unknown>, apiVersion: string, kind: string): JsonSchema {
  const closed = closeStructuralSchema(openApiSchema);
  const properties = { ...(isPlainObject(closed.properties) ? closed.properties : {}) };
  delete properties.status;
  delete properties.operation;
  properties.apiVersion = { const: apiVersion };
  properties.kind = { const: kind };
  properties.metadata = OBJECT_META_SCHEMA;
  const required = new Set([...(Array.isArray(closed.required) ? (closed.required as string[]) : []), 'apiVersion', 'kind', 'metadata']);
  return { ...closed, type: 'object', properties, required: [...required], additionalProperties: false };
}
