import { EXACT_VERSION, isPreRelease } from '../../contracts/versions';
import { isPlainObject, isTerraformExpression, PathSegment, valueAt } from './documents';

/** Image tags that move: never a pin. */
export const MOVING_TAGS: readonly string[] = ['latest', 'stable', 'edge', 'nightly', 'main', 'master'];

/** Why a version string is a range, or undefined when it contains no range syntax. */
function rangeSyntax(version: string): string | undefined {
  if (version.includes('||')) return '"||"';
  const operator = /~>|>=|<=|!=|[\^~<>]/.exec(version);
  if (operator) return `"${operator[0]}"`;
  if (/\s/.test(version.trim())) return 'a space';
  if (/(^|\.)[xX*](\.|$|-)/.test(version) || version.trim() === '*') return 'a wildcard';
  return undefined;
}

/**
 * Problem common to every kind of pin: missing, empty, an expression, a range or a moving name.
 * Ranges and moving tags get their own message (rather than "not exact") because it says what to fix.
 */
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
 * pin ({@link EXACT_VERSION}), or undefined when it is one.
 */
export function chartVersionProblem(version: unknown): string | undefined {
  const problem = commonProblem(version, 'version', NEWEST);
  if (problem) return problem;
  return EXACT_VERSION.test(String(version).trim()) ? undefined : `"${String(version)}" is not an exact MAJOR.MINOR.PATCH version`;
}

/** Why a Terraform provider version constraint is not exact (`2.38.0` or `= 2.38.0`), or undefined. */
export function providerVersionProblem(version: unknown): string | undefined {
  const stripped = typeof version === 'string' ? version.replace(/^\s*=\s*/, '') : version;
  const problem = commonProblem(stripped, 'version', NEWEST);
  if (problem) return problem;
  return EXACT_VERSION.test(String(stripped).trim()) && !String(stripped).startsWith('v') ? undefined : `"${String(version)}" is not an exact version`;
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
  const tag = referenceTag(reference);
  if (tag === undefined) return `image "${reference}" has no tag (resolves to latest)`;
  const problem = imageTagProblem(tag);
  return problem && `image "${reference}": ${problem}`;
}

/** The tag of a string image reference (`repo:5000/name:tag` → `tag`), or undefined. */
function referenceTag(reference: string): string | undefined {
  const lastSegment = reference.slice(reference.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  return colon < 0 ? undefined : lastSegment.slice(colon + 1);
}

/**
 * Pre-release markers of an image tag's SemVer suffix. {@link isPreRelease} alone reads every
 * suffix as a pre-release, but image tags use suffixes for variants too: `8.0.13-debian-12-r0`,
 * `8.2.3-alpine`, `0.32.15-rocm` are GA releases.
 */
const PRE_RELEASE_MARKER = /^(?:alpha|beta|rc|pre|preview|dev|snapshot|canary|nightly|next|unstable|experimental|milestone|m\d|[ab]\d)/i;

/** True when an image tag (or appVersion) names a pre-release: `v0.8.6-rc1`, `1.2.0-beta.2`. */
export function isPreReleaseTag(tag: string): boolean {
  const suffix = EXACT_VERSION.exec(tag)?.[4];
  return suffix !== undefined && isPreRelease(tag) && PRE_RELEASE_MARKER.test(suffix);
}

/** Keys holding an image: `image`, and `<something>Image` (`initImage`); not `imagePullSecrets`. */
export function isImageKey(key: string): boolean {
  return key === 'image' || /[a-z0-9]Image$/.test(key);
}

/** An image set in a values document: a map (`{repository, tag}`) or a string reference. */
export type ImagePin = { path: PathSegment[]; map: Record<string, unknown> } | { path: PathSegment[]; reference: string };

/**
 * Every image a values document sets: `image.tag` maps at any depth, `*Image` maps, string
 * `image: repo:tag`, and any map with both `repository` and `tag`. A map under an image key counts
 * once it sets `repository`, `tag` or `digest` (a lone `pullPolicy` is no pin).
 */
export function findImagePins(values: unknown): ImagePin[] {
  const pins: ImagePin[] = [];
  const walk = (node: unknown, path: PathSegment[]) => {
    if (Array.isArray(node)) {
      node.forEach((item, index) => walk(item, [...path, index]));
      return;
    }
    if (!isPlainObject(node)) return;
    const parentKey = path[path.length - 1];
    const underImageKey = typeof parentKey === 'string' && isImageKey(parentKey);
    if (underImageKey ? 'repository' in node || 'tag' in node || 'digest' in node : 'repository' in node && 'tag' in node) pins.push({ path, map: node });
    for (const [key, child] of Object.entries(node)) {
      if (isImageKey(key) && typeof child === 'string') pins.push({ path: [...path, key], reference: child });
      else walk(child, [...path, key]);
    }
  };
  walk(values, []);
  return pins;
}

/**
 * Why an image set in values is not pinned, with the path of the problem. A map with `repository`
 * but no `tag` (or `digest`) is one: the chart's appVersion then decides the image, unless a
 * document it is layered on (`baseValues`, the chart's values.yaml) sets the tag there.
 */
export function imagePinProblem(pin: ImagePin, baseValues: readonly unknown[] = []): { path: PathSegment[]; message: string } | undefined {
  if ('reference' in pin) {
    const message = imageReferenceProblem(pin.reference);
    return message ? { path: pin.path, message } : undefined;
  }
  const image = pin.map;
  if ('tag' in image) {
    const message = imageTagProblem(image.tag);
    return message ? { path: [...pin.path, 'tag'], message } : undefined;
  }
  if ('digest' in image) {
    const valid = typeof image.digest === 'string' && /^sha256:[0-9a-f]{64}$/.test(image.digest);
    return valid ? undefined : { path: [...pin.path, 'digest'], message: 'digest must be sha256:<64 hex digits>' };
  }
  if (baseValues.some((base) => valueAt(base, [...pin.path, 'tag']) !== undefined)) return undefined;
  return { path: pin.path, message: 'pins repository without a tag (the chart appVersion decides the image)' };
}

/** The tag an image pin sets, with its path, or undefined (no tag, a digest, a non-string). */
export function imagePinTag(pin: ImagePin): { path: PathSegment[]; tag: string } | undefined {
  if ('reference' in pin) {
    const tag = referenceTag(pin.reference);
    return tag === undefined ? undefined : { path: pin.path, tag };
  }
  return typeof pin.map.tag === 'string' && pin.map.tag !== '' ? { path: [...pin.path, 'tag'], tag: pin.map.tag } : undefined;
}
