import { isTerraformExpression } from './object-path';

/** Image tags that move: never a pin. */
export const MOVING_TAGS: readonly string[] = ['latest', 'stable', 'edge', 'nightly', 'main', 'master'];

/** An exact SemVer 2 version, optionally `v`-prefixed (Helm accepts both). */
const EXACT_SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** Why a version string is a range, or undefined when it contains no range syntax. */
function rangeSyntax(version: string): string | undefined {
  if (version.includes('||')) return '"||"';
  const operator = /~>|>=|<=|!=|[\^~<>]/.exec(version);
  if (operator) return `"${operator[0]}"`;
  if (/\s/.test(version.trim())) return 'a space';
  if (/(^|\.)[xX*](\.|$|-)/.test(version) || version.trim() === '*') return 'a wildcard';
  return undefined;
}

/** Problem common to every kind of pin: missing, empty, an expression, a range or a moving name. */
function commonProblem(value: unknown, noun: 'version' | 'tag', whenEmpty: string): string | undefined {
  if (value === undefined || value === null) return `no ${noun}: ${whenEmpty}`;
  if (typeof value === 'number') return `${noun} is a YAML number (${value}); quote it, YAML turns 1.10 into 1.1`;
  if (typeof value !== 'string') return `${noun} must be a string, got ${typeof value}`;
  if (value.trim() === '') return `empty ${noun}: ${whenEmpty}`;
  if (isTerraformExpression(value)) return `"${value}" is a Terraform expression; pin a literal ${noun}`;
  if (MOVING_TAGS.includes(value.trim().toLowerCase())) return `"${value}" is not a pinned ${noun}`;
  const range = rangeSyntax(value);
  if (range) return `"${value}" is a version range (${range}), not an exact ${noun}`;
  return undefined;
}

const NEWEST = 'the newest one is installed';

/**
 * Why a chart version (Chart.yaml dependency, helm_release, Argo CD chart source) is not an exact
 * pin, or undefined when it is one. Exact means MAJOR.MINOR.PATCH: Helm reads `1.0` as a range.
 */
export function chartVersionProblem(version: unknown): string | undefined {
  const problem = commonProblem(version, 'version', NEWEST);
  if (problem) return problem;
  return EXACT_SEMVER.test(String(version).trim()) ? undefined : `"${String(version)}" is not an exact MAJOR.MINOR.PATCH version`;
}

/** Why a Terraform provider version constraint is not exact (`2.38.0` or `= 2.38.0`), or undefined. */
export function providerVersionProblem(version: unknown): string | undefined {
  const stripped = typeof version === 'string' ? version.replace(/^\s*=\s*/, '') : version;
  const problem = commonProblem(stripped, 'version', NEWEST);
  if (problem) return problem;
  return EXACT_SEMVER.test(String(stripped).trim()) && !String(stripped).startsWith('v') ? undefined : `"${String(version)}" is not an exact version`;
}

/**
 * Why an image tag is not a pin, or undefined. Tags need not be SemVer (`v0.8.6-rc1`,
 * `0.32.15-rocm` are fine); they must not be empty, moving, or range-like.
 */
export function imageTagProblem(tag: unknown): string | undefined {
  return commonProblem(tag, 'tag', 'the chart appVersion decides the image');
}

/**
 * Why a string image reference (`repo/name:tag`, `registry:5000/name@sha256:…`) is not pinned,
 * or undefined. A digest is a pin.
 */
export function imageReferenceProblem(reference: string): string | undefined {
  if (isTerraformExpression(reference)) return `"${reference}" is a Terraform expression; pin a literal image`;
  if (/@sha256:[0-9a-f]{64}$/.test(reference)) return undefined;
  const lastSegment = reference.slice(reference.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  if (colon < 0) return `image "${reference}" has no tag (resolves to latest)`;
  const problem = imageTagProblem(lastSegment.slice(colon + 1));
  return problem && `image "${reference}": ${problem}`;
}
