import { isPlainObject } from './object-path';

/** One version of a CustomResourceDefinition. */
export interface CrdVersion {
  name: string;
  served: boolean;
  /** `schema.openAPIV3Schema`, as written in the CRD. */
  schema: Record<string, unknown> | undefined;
}

/** The parts of a CustomResourceDefinition the check uses. */
export interface CrdDocument {
  group: string;
  /** `spec.names.kind`, e.g. `Application`. */
  kind: string;
  versions: CrdVersion[];
  /** Where the CRD came from, for messages. */
  source: string;
}

/**
 * Picks the CustomResourceDefinitions out of parsed YAML documents (a chart's rendered CRD files,
 * or `kubectl get crd -o yaml` output, including `kind: List` wrappers).
 */
export function crdsFromDocuments(documents: unknown[], source: string): CrdDocument[] {
  const crds: CrdDocument[] = [];
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
    crds.push({
      group: spec.group,
      kind: names.kind,
      source,
      versions: spec.versions.filter(isPlainObject).map((version) => ({
        name: String(version.name),
        served: version.served !== false,
        schema: isPlainObject(version.schema) && isPlainObject(version.schema.openAPIV3Schema) ? version.schema.openAPIV3Schema : undefined,
      })),
    });
  };
  documents.forEach(visit);
  return crds;
}
