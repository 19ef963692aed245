/**
 * Adoption after an interrupted apply: objects a stack creates that exist in the cluster but are
 * missing from its state are imported when, and only when, they carry the program's ownership
 * labels.
 */
import { MANAGED_LABELS } from '../../constructs/core/managed-labels';
import { StackObject } from './stack-objects';

/** What the cluster holds for one object. */
export type LiveObject = { readonly exists: false } | { readonly exists: true; readonly labels: Readonly<Record<string, string>> };

/** The decision for the objects of one stack. */
export interface AdoptionPlan {
  /** Objects to import: in the cluster, this program's own, not in state. */
  readonly imports: readonly StackObject[];
  /** Objects in the cluster, not in state, and not this program's: never imported. */
  readonly foreign: readonly { readonly object: StackObject; readonly missing: readonly string[] }[];
}

/** The ownership labels an object lacks (`key=value` of each label absent or different). */
export function missingOwnershipLabels(labels: Readonly<Record<string, string>>): string[] {
  return Object.entries(MANAGED_LABELS)
    .filter(([key, value]) => labels[key] !== value)
    .map(([key, value]) => `${key}=${value}`);
}

/**
 * Decides which objects to import: those not in `state` (addresses of `terraform state list`)
 * that exist in the cluster with every ownership label; existing objects without them are
 * reported as foreign.
 */
export function planAdoption(objects: readonly StackObject[], state: ReadonlySet<string>, live: (o: StackObject) => LiveObject): AdoptionPlan {
  const imports: StackObject[] = [];
  const foreign: { object: StackObject; missing: string[] }[] = [];
  for (const object of objects) {
    if (state.has(object.address)) continue;
    const found = live(object);
    if (!found.exists) continue;
    const missing = missingOwnershipLabels(found.labels);
    if (missing.length === 0) imports.push(object);
    else foreign.push({ object, missing });
  }
  return { imports, foreign };
}

/** `<namespace>/<name>` or `<name>` of an object, with its kind, for messages. */
export function describeObject(o: StackObject): string {
  return `${o.resource} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}
