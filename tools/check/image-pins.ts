import { Finding } from './findings';
import { formatPath, isPlainObject, PathSegment, valueAt } from './object-path';
import { imageReferenceProblem, imageTagProblem } from './pin-policy';
import { ValuesLocation } from './values-keys';

/** Keys holding an image: `image`, and `<something>Image` (`initImage`); not `imagePullSecrets`. */
export function isImageKey(key: string): boolean {
  return key === 'image' || /[a-z0-9]Image$/.test(key);
}

/**
 * Checks every image tag set in a values document: `image.tag` (at any depth), `*Image.tag`,
 * string `image: repo:tag`, and a `tag` next to a `repository`. An image map that sets
 * `repository` without `tag` (or `digest`) is a problem too: the tag then comes from the chart's
 * appVersion, which nobody chose. `baseValues` are the documents this one is layered on (a chart's
 * values.yaml under a values-<env>.yaml): a tag there at the same path counts.
 * Returns findings and how many pins were checked.
 */
export function checkImagePins(values: unknown, location: ValuesLocation, baseValues: readonly unknown[] = []): { findings: Finding[]; pins: number } {
  const findings: Finding[] = [];
  let pins = 0;
  const report = (path: PathSegment[], message: string) => findings.push({ file: location.file, path: formatPath([...location.prefix, ...path]), message });

  const checkImageMap = (image: Record<string, unknown>, path: PathSegment[]) => {
    pins++;
    if ('tag' in image) {
      const problem = imageTagProblem(image.tag);
      if (problem) report([...path, 'tag'], problem);
    } else if ('digest' in image) {
      if (typeof image.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(image.digest)) report([...path, 'digest'], 'digest must be sha256:<64 hex digits>');
    } else if (!baseValues.some((base) => valueAt(base, [...path, 'tag']) !== undefined)) {
      report(path, 'pins repository without a tag (the chart appVersion decides the image)');
    }
  };

  const walk = (node: unknown, path: PathSegment[]) => {
    if (Array.isArray(node)) {
      node.forEach((item, index) => walk(item, [...path, index]));
      return;
    }
    if (!isPlainObject(node)) return;
    const parentKey = path[path.length - 1];
    const isImageMap = typeof parentKey === 'string' && isImageKey(parentKey);
    if (isImageMap && ('repository' in node || 'tag' in node || 'digest' in node)) checkImageMap(node, path);
    else if (!isImageMap && 'repository' in node && 'tag' in node) checkImageMap(node, path);
    for (const [key, child] of Object.entries(node)) {
      if (isImageKey(key) && typeof child === 'string') {
        pins++;
        const problem = imageReferenceProblem(child);
        if (problem) report([...path, key], problem);
      } else {
        walk(child, [...path, key]);
      }
    }
  };
  walk(values, []);
  return { findings, pins };
}
