import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { formatPath, isPlainObject, isTerraformExpression, PathSegment, pointerToSegments, valueAt } from './documents';
import { KeyTree, suggestPath } from './suggest';
import type { Finding } from './rule';

/** A JSON schema as ajv takes it. */
export type JsonSchema = Record<string, unknown>;

/** What the facts keep of one CustomResourceDefinition: its group and, per version, the closed manifest schema. */
export interface CrdFacts {
  group: string;
  versions: Record<string, { served: boolean; schema?: JsonSchema }>;
}

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
 * Top-level fields Argo CD's controller owns, and why a manifest must not set them: set from
 * Terraform, either would show a diff on every plan. The facts leave their schemas out.
 */
const CONTROLLER_FIELDS: Record<string, string> = {
  status: 'status is written by the Argo CD controller; a manifest must not set it',
  operation: 'operation starts a one-off sync and Argo CD removes it afterwards: set from Terraform it is a perpetual diff (use spec.syncPolicy)',
};

/**
 * The facts of the CustomResourceDefinitions among parsed YAML documents (a chart's rendered CRD
 * files, or `kubectl get crd -o yaml` output, including `kind: List` wrappers), keyed by kind:
 * each version's schema closed ({@link closeStructuralSchema}) without the controller's fields.
 * `kinds` limits which CRDs are kept.
 */
export function crdFactsFromDocuments(documents: unknown[], kinds?: readonly string[]): Record<string, CrdFacts> {
  const crds: Record<string, CrdFacts> = {};
  const visit = (document: unknown) => {
    if (!isPlainObject(document)) return;
    if (document.kind === 'List' && Array.isArray(document.items)) {
      document.items.forEach(visit);
      return;
    }
    if (document.kind !== 'CustomResourceDefinition' || !isPlainObject(document.spec)) return;
    const { spec } = document;
    const names = isPlainObject(spec.names) ? spec.names : {};
    if (typeof spec.group !== 'string' || typeof names.kind !== 'string' || !Array.isArray(spec.versions)) return;
    if (kinds && !kinds.includes(names.kind)) return;
    const versions: CrdFacts['versions'] = {};
    for (const version of spec.versions.filter(isPlainObject)) {
      const raw = isPlainObject(version.schema) ? version.schema.openAPIV3Schema : undefined;
      let schema: JsonSchema | undefined;
      if (isPlainObject(raw)) {
        schema = closeStructuralSchema(raw);
        if (isPlainObject(schema.properties)) for (const field of Object.keys(CONTROLLER_FIELDS)) delete schema.properties[field];
      }
      versions[String(version.name)] = { served: version.served !== false, ...(schema ? { schema } : {}) };
    }
    crds[names.kind] = { group: spec.group, versions };
  };
  documents.forEach(visit);
  return crds;
}

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

/**
 * The schema a manifest of this CRD version must satisfy: the closed CRD schema from the facts,
 * with `apiVersion` and `kind` fixed and `metadata` as {@link OBJECT_META_SCHEMA}.
 */
export function manifestSchema(closedSchema: JsonSchema, apiVersion: string, kind: string): JsonSchema {
  const properties = { ...(isPlainObject(closedSchema.properties) ? closedSchema.properties : {}) };
  properties.apiVersion = { const: apiVersion };
  properties.kind = { const: kind };
  properties.metadata = OBJECT_META_SCHEMA;
  const required = new Set([...(Array.isArray(closedSchema.required) ? (closedSchema.required as string[]) : []), 'apiVersion', 'kind', 'metadata']);
  return { ...closedSchema, type: 'object', properties, required: [...required], additionalProperties: false };
}

const AJV_VERSION: string = (require('ajv/package.json') as { version: string }).version;
const compiledSchemas = new Map<string, ValidateFunction>();

/**
 * Compiles a JSON schema with ajv, once per process, and with `cacheDir` once per schema: compiling
 * the Application schema takes ~0.5 s, loading ajv's stored standalone code ~20 ms.
 */
function compileSchema(schema: JsonSchema, cacheDir?: string): ValidateFunction {
  const key = crypto
    .createHash('sha256')
    .update(`${AJV_VERSION}\n${JSON.stringify(schema)}`)
    .digest('hex')
    .slice(0, 32);
  const known = compiledSchemas.get(key);
  if (known) return known;
  const ajv = new Ajv({ allErrors: true, strict: false, code: { source: true } });
  const file = cacheDir && path.join(cacheDir, 'validators', `${key}.js`);
  let validate: ValidateFunction | undefined;
  if (file && fs.existsSync(file)) {
    try {
      validate = require(file) as ValidateFunction;
    } catch {
      // A damaged cache entry is rebuilt below.
    }
  }
  if (!validate) {
    validate = ajv.compile(schema);
    if (file) {
      try {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        const temporary = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(temporary, standaloneCode(ajv, validate));
        fs.renameSync(temporary, file);
      } catch {
        // A read-only checkout still works, only slower.
      }
    }
  }
  compiledSchemas.set(key, validate);
  return validate;
}

/** Where a manifest sits, for findings: its file and the path of the manifest inside it. */
export interface ManifestLocation {
  file: string;
  /** e.g. `['kubernetes_manifest', 'ollama', 'manifest']`. */
  prefix: PathSegment[];
}

/** Keywords whose failure on a `${...}` string only means "known at apply time", not a problem. */
const VALUE_KEYWORDS = new Set(['type', 'enum', 'const', 'pattern', 'minimum', 'maximum', 'minLength', 'maxLength', 'anyOf', 'oneOf']);

/**
 * Validates manifests (Application, AppProject, …) against the closed CRD schemas of the facts.
 * Schemas compile lazily, once per kind and version.
 */
export class ManifestValidator {
  private readonly compiled = new Map<string, { validate: ValidateFunction; schema: JsonSchema } | string>();

  constructor(
    private readonly crds: Readonly<Record<string, CrdFacts>>,
    private readonly cacheDir?: string,
  ) {}

  /** True when a CRD for this apiVersion group and kind is known (whatever the version). */
  knowsKind(group: string, kind: string): boolean {
    return this.crds[kind]?.group === group;
  }

  /** Findings for one manifest; an empty list when it is valid. */
  validate(manifest: unknown, location: ManifestLocation): Finding[] {
    const at = (segments: PathSegment[], message: string): Finding => ({ file: location.file, path: formatPath([...location.prefix, ...segments]), message });
    if (!isPlainObject(manifest)) return [at([], 'manifest must be an object')];
    const { apiVersion, kind } = manifest;
    if (typeof apiVersion !== 'string' || typeof kind !== 'string') return [at([], 'manifest needs apiVersion and kind')];
    const key = `${apiVersion}/${kind}`;
    if (!this.compiled.has(key)) this.compiled.set(key, this.compile(apiVersion, kind));
    const compiled = this.compiled.get(key)!;
    if (typeof compiled === 'string') return [at(['apiVersion'], compiled)];
    if (compiled.validate(manifest)) return [];
    return describeErrors(compiled.validate.errors ?? [], manifest, compiled.schema, kind).map(({ segments, message }) => at(segments, message));
  }

  private compile(apiVersion: string, kind: string): { validate: ValidateFunction; schema: JsonSchema } | string {
    const [group, version] = apiVersion.split('/');
    const crd = this.crds[kind];
    if (!crd || crd.group !== group) return `no CRD for ${kind} in group ${group}`;
    const served = Object.entries(crd.versions).filter(([, v]) => v.served);
    const crdVersion = served.find(([name]) => name === version)?.[1];
    if (!crdVersion) return `${apiVersion} is not served by the ${kind} CRD (served: ${served.map(([name]) => `${group}/${name}`).join(', ')})`;
    if (!crdVersion.schema) return `the ${kind} CRD has no openAPIV3Schema for ${version}`;
    const schema = manifestSchema(crdVersion.schema, apiVersion, kind);
    return { validate: compileSchema(schema, this.cacheDir), schema };
  }
}

/** A {@link KeyTree} over a JSON schema's `properties` (and `items` for list indices), for suggestions. */
function schemaKeyTree(schema: unknown): KeyTree {
  const properties = isPlainObject(schema) && isPlainObject(schema.properties) ? schema.properties : {};
  return {
    keys: () => Object.keys(properties),
    child(key: PathSegment) {
      if (typeof key === 'number') return isPlainObject(schema) && isPlainObject(schema.items) ? schemaKeyTree(schema.items) : undefined;
      return Object.prototype.hasOwnProperty.call(properties, key) ? schemaKeyTree(properties[key]) : undefined;
    },
  };
}

interface Problem {
  segments: PathSegment[];
  message: string;
}

/** Turns ajv errors into one readable problem per field. */
function describeErrors(errors: ErrorObject[], manifest: unknown, schema: JsonSchema, kind: string): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  const anyOfAt = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  for (const error of errors) {
    const segments = pointerToSegments(error.instancePath);
    const value = valueAt(manifest, segments);
    // Branch failures of an anyOf (int-or-string) are summed up by the anyOf error itself.
    if (error.schemaPath.includes('/anyOf/') && anyOfAt.has(error.instancePath)) continue;
    if (VALUE_KEYWORDS.has(error.keyword) && isTerraformExpression(value)) continue;
    const problem = describeError(error, segments, manifest, schema, kind);
    const key = `${formatPath(problem.segments)}\n${problem.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(problem);
    }
  }
  return problems;
}

function describeError(error: ErrorObject, segments: PathSegment[], manifest: unknown, schema: JsonSchema, kind: string): Problem {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const field = String(params.additionalProperty);
      const fieldPath = [...segments, field];
      const managed = segments.length === 0 ? CONTROLLER_FIELDS[field] : undefined;
      if (managed) return { segments: fieldPath, message: managed };
      const where = segments[0] === 'metadata' ? 'ObjectMeta' : `${kind} CRD schema`;
      const suggestion = suggestPath(schemaKeyTree(schema), fieldPath, valueAt(manifest, fieldPath));
      const hint = suggestion
        ? ` → did you mean ${suggestion.sameParent ? String(suggestion.path[suggestion.path.length - 1]) : formatPath(suggestion.path)}?`
        : '';
      return { segments: fieldPath, message: `unknown field (not in ${where})${hint}` };
    }
    case 'required':
      return { segments: [...segments, String(params.missingProperty)], message: 'required field missing' };
    case 'const':
      return { segments, message: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'enum':
      return { segments, message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'type':
      return { segments, message: `must be ${String(params.type)}, got ${describeType(valueAt(manifest, segments))}` };
    case 'anyOf':
      return { segments, message: `must be an integer or a string, got ${describeType(valueAt(manifest, segments))}` };
    default:
      return { segments, message: error.message ?? `fails ${error.keyword}` };
  }
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (isPlainObject(value)) return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}
