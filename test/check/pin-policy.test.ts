import { checkImagePins, isImageKey } from '../../tools/check/image-pins';
import { chartVersionProblem, imageReferenceProblem, imageTagProblem, providerVersionProblem } from '../../tools/check/pin-policy';

describe('chart versions', () => {
  it.each(['1.77.0', '10.1.1', 'v2.0.4', '1.0.0-rc.1', '1.0.0+build.5'])('accepts exact version %s', (version) => {
    expect(chartVersionProblem(version)).toBeUndefined();
  });

  it.each([
    ['^1.0', '"^1.0" is a version range ("^"), not an exact version'],
    ['~1.2.3', '"~1.2.3" is a version range ("~"), not an exact version'],
    ['>=1.0.0', '">=1.0.0" is a version range (">="), not an exact version'],
    ['1.2.x', '"1.2.x" is a version range (a wildcard), not an exact version'],
    ['*', '"*" is a version range (a wildcard), not an exact version'],
    ['1.0.0 || 2.0.0', '"1.0.0 || 2.0.0" is a version range ("||"), not an exact version'],
    ['1.0.0 - 2.0.0', '"1.0.0 - 2.0.0" is a version range (a space), not an exact version'],
    ['latest', '"latest" is not a pinned version'],
    ['', 'empty version: the newest one is installed'],
    [undefined, 'no version: the newest one is installed'],
    ['1.0', '"1.0" is not an exact MAJOR.MINOR.PATCH version'],
    ['${var.chart_version}', '"${var.chart_version}" is a Terraform expression; pin a literal version'],
  ])('rejects %p', (version, message) => {
    expect(chartVersionProblem(version)).toBe(message);
  });
});

describe('provider versions', () => {
  it('accepts exact versions, also written "= x.y.z"', () => {
    expect(providerVersionProblem('2.38.0')).toBeUndefined();
    expect(providerVersionProblem('= 2.38.0')).toBeUndefined();
  });

  it('rejects pessimistic constraints and missing versions', () => {
    expect(providerVersionProblem('~> 2.0')).toBe('"~> 2.0" is a version range ("~>"), not an exact version');
    expect(providerVersionProblem(undefined)).toBe('no version: the newest one is installed');
  });
});

describe('image tags', () => {
  it('accepts non-SemVer exact tags', () => {
    expect(imageTagProblem('v0.8.6-rc1')).toBeUndefined();
    expect(imageTagProblem('8.0.13-debian-12-r0')).toBeUndefined();
  });

  it('rejects latest, empty and numeric tags', () => {
    expect(imageTagProblem('latest')).toBe('"latest" is not a pinned tag');
    expect(imageTagProblem('')).toBe('empty tag: the chart appVersion decides the image');
    expect(imageTagProblem(1.1)).toBe('tag is a YAML number (1.1); quote it, YAML turns 1.10 into 1.1');
  });

  it('reads string image references', () => {
    expect(imageReferenceProblem('ollama/ollama:0.32.15')).toBeUndefined();
    expect(imageReferenceProblem('localhost:5000/ollama')).toBe('image "localhost:5000/ollama" has no tag (resolves to latest)');
    expect(imageReferenceProblem('ollama/ollama:latest')).toBe('image "ollama/ollama:latest": "latest" is not a pinned tag');
    expect(imageReferenceProblem(`ollama/ollama@sha256:${'a'.repeat(64)}`)).toBeUndefined();
  });

  it('knows image keys', () => {
    expect(['image', 'initImage'].map(isImageKey)).toEqual([true, true]);
    expect(['imagePullSecrets', 'imageVolume', 'images'].map(isImageKey)).toEqual([false, false, false]);
  });
});

describe('image pins in values', () => {
  const location = { file: 'apps/ollama/values-dev.yaml', prefix: [] };

  it('finds image.tag at any depth, string images and tags next to a repository', () => {
    const values = {
      ollama: { image: { repository: 'ollama/ollama', tag: 'latest' } },
      librechat: { mongodb: { image: { tag: '' } }, sidecar: { repository: 'busybox', tag: '1.36' }, initImage: 'busybox' },
    };
    expect(checkImagePins(values, location)).toEqual({
      pins: 4,
      findings: [
        { file: location.file, path: 'ollama.image.tag', message: '"latest" is not a pinned tag' },
        { file: location.file, path: 'librechat.mongodb.image.tag', message: 'empty tag: the chart appVersion decides the image' },
        { file: location.file, path: 'librechat.initImage', message: 'image "busybox" has no tag (resolves to latest)' },
      ],
    });
  });

  it('reports an image repository set without a tag', () => {
    expect(checkImagePins({ librechat: { mongodb: { image: { repository: 'bitnamilegacy/mongodb' } } } }, location).findings).toEqual([
      { file: location.file, path: 'librechat.mongodb.image', message: 'pins repository without a tag (the chart appVersion decides the image)' },
    ]);
  });

  it('accepts a repository override when the base values.yaml pins the tag there', () => {
    const base = { ollama: { image: { repository: 'ollama/ollama', tag: '0.32.15' } } };
    expect(checkImagePins({ ollama: { image: { repository: 'mirror.example.com/ollama/ollama' } } }, location, [base]).findings).toEqual([]);
  });

  it('does not police the pull policy alone', () => {
    expect(checkImagePins({ image: { pullPolicy: 'Always' } }, location)).toEqual({ pins: 0, findings: [] });
  });
});
