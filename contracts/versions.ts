/**
 * Every version this program pins, written once. The product, `npm run check` and the e2e import
 * them from here; environments override a pin only where they mean to differ.
 */

/**
 * An exact version: `MAJOR.MINOR.PATCH`, optionally `v`-prefixed, with an optional pre-release
 * and build suffix (SemVer 2). Helm reads `1.0` as a range, so a pin has all three numbers.
 */
export const EXACT_VERSION = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/** True when `version` is an exact version with a pre-release suffix (`2.0.0-rc1`, `v0.8.6-rc1`). */
export function isPreRelease(version: string): boolean {
  const match = EXACT_VERSION.exec(version);
  return match !== null && match[4] !== undefined;
}

/** A Helm chart: repository, name and exact version. */
export interface ChartRef {
  /** `https://…` or `oci://…` repository; empty when `name` is a local chart path. */
  readonly repository: string;
  /** Chart name in the repository, or a local path when `repository` is empty. */
  readonly name: string;
  /** Exact chart version. */
  readonly version: string;
}

/** The argo-helm `argo-cd` chart (Argo CD v3.4.4). */
export const ARGOCD_CHART: ChartRef = {
  repository: 'https://argoproj.github.io/argo-helm',
  name: 'argo-cd',
  version: '10.1.1',
};

/** The NVIDIA device plugin chart that makes `nvidia.com/gpu` schedulable on AL2023 NVIDIA nodes. */
export const NVIDIA_DEVICE_PLUGIN_CHART: ChartRef = {
  repository: 'https://nvidia.github.io/k8s-device-plugin',
  name: 'nvidia-device-plugin',
  version: '0.20.0',
};

/**
 * The AWS Load Balancer Controller chart (controller v3.5.0), which turns Ingresses into ALBs. Its
 * IAM policy is the one AWS publishes for the same release:
 * `constructs/platform/policies/aws-load-balancer-controller-v3.5.0.json`.
 */
export const AWS_LOAD_BALANCER_CONTROLLER_CHART: ChartRef = {
  repository: 'https://aws.github.io/eks-charts',
  name: 'aws-load-balancer-controller',
  version: '3.5.0',
};

/** The ExternalDNS chart (ExternalDNS v0.21.0), which writes the Ingress hosts into Route 53. */
export const EXTERNAL_DNS_CHART: ChartRef = {
  repository: 'https://kubernetes-sigs.github.io/external-dns',
  name: 'external-dns',
  version: '1.21.1',
};

/**
 * External Secrets Operator, installed by the platform stack where credentials live in AWS Secrets
 * Manager. Chart 0.16.1 deploys controller image v0.16.1 (its appVersion) and serves the
 * `external-secrets.io/v1` API; the e2e runs the controller from module v0.16.2, whose tree holds this
 * chart and whose reconcilers differ from v0.16.1 only in change-detection hashing and ignored
 * Close() errors (docs/e2e.md#external-secrets).
 */
export const EXTERNAL_SECRETS_CHART: ChartRef = {
  repository: 'https://charts.external-secrets.io',
  name: 'external-secrets',
  version: '0.16.1',
};

/**
 * The Kubernetes minor version assumed for a cluster this program does not create (dev's minikube:
 * minikube 1.37 starts v1.34 by default). It versions the Pod Security Admission labels and is
 * the `--kube-version` of `npm run render`; EKS clusters use their `kubernetesVersion`.
 */
export const LOCAL_CLUSTER_KUBERNETES_VERSION = '1.34';

/**
 * Karpenter (aws/karpenter-provider-aws v1.14.1; the released chart is charts/karpenter at commit
 * 1d927085dd81), which launches the GPU nodes on EKS. Its controller IAM policy follows the
 * CloudFormation template of the same tag
 * (website/content/en/preview/getting-started/getting-started-with-karpenter/cloudformation.yaml,
 * commit bde00654cd31): constructs/platform/karpenter-policy.ts.
 */
export const KARPENTER_CHART: ChartRef = {
  repository: 'oci://public.ecr.aws/karpenter',
  name: 'karpenter',
  version: '1.14.1',
};

/**
 * Karpenter's CRDs as their own chart of the same version: Helm installs a chart's `crds/` only
 * once and never upgrades them, this chart keeps them in `templates/`.
 */
export const KARPENTER_CRD_CHART: ChartRef = {
  repository: 'oci://public.ecr.aws/karpenter',
  name: 'karpenter-crd',
  version: '1.14.1',
};

/**
 * KEDA (kedacore/charts tag v2.20.2, KEDA v2.20.2): scales Ollama to zero outside its active hours.
 * 2.21.1 is released; this pin is the newest whose chart source the check's facts were derived from.
 */
export const KEDA_CHART: ChartRef = {
  repository: 'https://kedacore.github.io/charts',
  name: 'keda',
  version: '2.20.2',
};

/**
 * The Amazon EFS CSI driver chart (kubernetes-sigs/aws-efs-csi-driver tag v3.4.1, chart 4.4.1):
 * mounts the shared model store of Ollama on every GPU node.
 */
export const EFS_CSI_DRIVER_CHART: ChartRef = {
  repository: 'https://kubernetes-sigs.github.io/aws-efs-csi-driver',
  name: 'aws-efs-csi-driver',
  version: '4.4.1',
};
