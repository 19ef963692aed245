/**
 * The AMI releases a managed node group can pin (`release_version`), their format, and the public
 * SSM parameter where AWS publishes the newest release of an AMI type for a Kubernetes version.
 */

/** How the releases of one EKS AMI type are named and where the newest is published. */
export interface AmiReleaseSource {
  /** A valid release; its first group, when present, is the Kubernetes minor version it serves. */
  readonly format: RegExp;
  /** An example for error messages. */
  readonly example: (kubernetesVersion: string) => string;
  /** The public SSM parameter holding the newest (recommended) release for `kubernetesVersion`. */
  readonly ssmParameter: (kubernetesVersion: string) => string;
}

const AL2023 = (variant: string): AmiReleaseSource => ({
  // `<Kubernetes version>-<build date>`, e.g. 1.35.0-20260115 (awslabs/amazon-eks-ami releases).
  format: /^(\d+\.\d+)\.\d+-\d{8}$/,
  example: (k8s) => `${k8s}.0-20260115`,
  ssmParameter: (k8s) => `/aws/service/eks/optimized-ami/${k8s}/amazon-linux-2023/x86_64/${variant}/recommended/release_version`,
});

/** The AMI types the environments use, by the EKS `ami_type` name. */
export const AMI_RELEASE_SOURCES: Readonly<Record<string, AmiReleaseSource>> = {
  AL2023_x86_64_STANDARD: AL2023('standard'),
  AL2023_x86_64_NVIDIA: AL2023('nvidia'),
  BOTTLEROCKET_x86_64_NVIDIA: {
    // The Bottlerocket OS version and commit, e.g. 1.42.0-a1b2c3d4; one OS release serves several Kubernetes versions.
    format: /^\d+\.\d+\.\d+-[0-9a-f]{8}$/,
    example: () => '1.42.0-a1b2c3d4',
    ssmParameter: (k8s) => `/aws/service/bottlerocket/aws-k8s-${k8s}-nvidia/x86_64/latest/image_version`,
  },
};

/** The AMI type of the system node groups. */
export const SYSTEM_AMI_TYPE = 'AL2023_x86_64_STANDARD';

/**
 * Why `release` cannot be pinned for a group of `amiType` on Kubernetes `kubernetesVersion`, or
 * undefined when it can.
 */
export function amiReleaseProblem(amiType: string, release: string, kubernetesVersion: string): string | undefined {
  const source = AMI_RELEASE_SOURCES[amiType];
  if (!source) return `has no known release format for AMI type ${amiType}`;
  const match = source.format.exec(release);
  if (!match) return `must be an EKS AMI release of ${amiType} such as ${source.example(kubernetesVersion)} (got ${release})`;
  if (match[1] !== undefined && match[1] !== kubernetesVersion) {
    return `must be a release for Kubernetes ${kubernetesVersion}, the cluster's version (got ${release}): nodes follow the control plane's minor version`;
  }
  return undefined;
}

/**
 * The Karpenter `EC2NodeClass` AMI alias pinning the same image as a node group's release: AL2023
 * `1.35.0-20260115` → `al2023@v20260115` (Karpenter picks the NVIDIA variant for GPU instance
 * types), Bottlerocket `1.42.0-a1b2c3d4` → `bottlerocket@v1.42.0`.
 */
export function karpenterAmiAlias(amiType: string, release: string): string {
  const problem = AMI_RELEASE_SOURCES[amiType] ? undefined : `has no known release format for AMI type ${amiType}`;
  if (problem) throw new Error(`AMI release ${release} ${problem}`);
  if (amiType.startsWith('AL2023')) {
    const date = /-(\d{8})$/.exec(release)?.[1];
    if (date) return `al2023@v${date}`;
  } else if (amiType.startsWith('BOTTLEROCKET')) {
    const version = /^(\d+\.\d+\.\d+)-[0-9a-f]{8}$/.exec(release)?.[1];
    if (version) return `bottlerocket@v${version}`;
  }
  throw new Error(`AMI release ${release} is not a release of ${amiType}`);
}
