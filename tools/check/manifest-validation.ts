import { ErrorObject, ValidateFunction } from 'ajv';
import { CrdDocument } from './crd-documents';
import { JsonSchema, manifestSchema } from './crd-schema';
import { Finding } from './findings';
import { formatPath, isPlainObject, isTerraformExpression, PathSegment, pointerToSegments, valueAt } from './object-path';
import { schemaKeyTree } from './schema-key-tree';
import { suggestPath } from './suggest';
import { compileSchemaCached } from './validator-cache';

/** Where a manifest sits, for findings: its file and the path of the manifest inside it. */
export interface ManifestLocation {
  file: string;
  /** e.g. `['kubernetes_manifest', 'ollama', 'manifest']`. */
  prefix: PathSegment[];
}

interface CompiledKind {
  validate: ValidateFunction;
  schema: JsonSchema;
}

/** Keywords whose failure on a `${...}` string only means "known at apply time", not a problem. */
const VALUE_KEYWORDS = new Set(['type', 'enum', 'const', 'pattern', 'minimum', 'maximum', 'minLength', 'maxLength', 'anyOf', 'oneOf']);

/**
 * Validates Argo CD manifests (Application, AppProject, ApplicationSet, …) against the OpenAPI v3
 * schemas of the CRDs it was given, closed over unknown fields (see `closeStructuralSchema`).
 * Schemas compile lazily, once per kind and version; with `cacheDir`, compiled validators are
 * reused across runs.
 */
export class ManifestValidator {
  private readonly compiled = new Map<string, CompiledKind | string>();

  constructor(
    private readonly crds: readonly CrdDocument[],
    private readonly cacheDir?: string,
  ) {}

  /** True when a CRD for this apiVersion group and kind is known (whatever the version). */
  knowsKind(group: string, kind: string): boolean {
    return this.crds.some((crd) => crd.group === group && crd.kind === kind);
  }

  /** Findings for one manifest; an empty list when it is valid. */
  validate(manifest: unknown, location: ManifestLocation): Finding[] {
    const at = (segments: PathSegment[], message: string): Finding => ({ file: location.file, path: formatPath([...location.prefix, ...segments]), message });
    if (!isPlainObject(manifest)) return [at([], 'manifest must be an object')];
    const { apiVersion, kind } = manifest;
    if (typeof apiVersion !== 'string' || typeof kind !== 'string') return [at([], 'manifest needs apiVersion and kind')];
    const compiled = this.compile(apiVersion, kind);
    if (typeof compiled === 'string') return [at(['apiVersion'], compiled)];
    if (compiled.validate(manifest)) return [];
    return describeErrors(compiled.validate.errors ?? [], manifest, compiled.schema, kind).map(({ segments, message }) => at(segments, message));
  }

  private compile(apiVersion: string, kind: string): CompiledKind | string {
    const key = `${apiVersion}/${kind}`;
    let compiled = this.compiled.get(key);
    if (!compiled) {
      compiled = this.compileUncached(apiVersion, kind);
      this.compiled.set(key, compiled);
    }
    return compiled;
  }

  private compileUncached(apiVersion: string, kind: string): CompiledKind | string {
    const [group, version] = apiVersion.split('/');
    const crd = this.crds.find((candidate) => candidate.group === group && candidate.kind === kind);
    if (!crd) return `no CRD for ${kind} in group ${group}`;
    const served = crd.versions.filter((v) => v.served);
    const crdVersion = served.find((v) => v.name === version);
    if (!crdVersion) return `${apiVersion} is not served by the ${kind} CRD (served: ${served.map((v) => `${group}/${v.name}`).join(', ')})`;
    if (!crdVersion.schema) return `the ${kind} CRD (${crd.source}) has no openAPIV3Schema for ${version}`;
    const schema = manifestSchema(crdVersion.schema, apiVersion, kind);
    return { validate: compileSchemaCached(schema, this.cacheDir), schema };
  }
}

/** Top-level fields `manifestSchema` leaves out because Argo CD's controller owns them, and why. */
const CONTROLLER_FIELDS: Record<string, string> = {
  status: 'status is written by the Argo CD controller; a manifest must not set it',
  operation: 'operation starts a one-off sync and Argo CD removes it afterwards: set from Terraform it is a perpetual diff (use spec.syncPolicy)',
};

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
      const hint = suggestion ? ` → did you mean ${suggestion.sameParent ? String(suggestion.path[suggestion.path.length - 1]) : formatPath(suggestion.path)}?` : '';
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
