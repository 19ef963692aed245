import { AMI_RELEASE_SOURCES, karpenterAmiAlias } from '../../contracts/eks-ami-releases';

describe("Karpenter's AMI alias pins the node groups' release", () => {
  test.each([
    ['AL2023_x86_64_NVIDIA', '1.35.0-20260115', 'al2023@v20260115'],
    ['AL2023_x86_64_STANDARD', '1.34.2-20251203', 'al2023@v20251203'],
    ['BOTTLEROCKET_x86_64_NVIDIA', '1.42.0-a1b2c3d4', 'bottlerocket@v1.42.0'],
  ])('%s %s → %s', (amiType, release, alias) => {
    expect(AMI_RELEASE_SOURCES[amiType].format.test(release)).toBe(true);
    expect(karpenterAmiAlias(amiType, release)).toBe(alias);
  });

  test.each([
    ['AL2023_x86_64_NVIDIA', '1.42.0-a1b2c3d4', 'AMI release 1.42.0-a1b2c3d4 is not a release of AL2023_x86_64_NVIDIA'],
    ['BOTTLEROCKET_x86_64_NVIDIA', '1.42.0', 'AMI release 1.42.0 is not a release of BOTTLEROCKET_x86_64_NVIDIA'],
    ['AL2_x86_64_GPU', '1.35.0-20260115', 'AMI release 1.35.0-20260115 has no known release format for AMI type AL2_x86_64_GPU'],
  ])('refuses %s %s', (amiType, release, message) => {
    expect(() => karpenterAmiAlias(amiType, release)).toThrow(message);
  });
});
