/**
 * The ingress controllers an environment can use and, in this one place, the annotations each
 * needs. Constructs receive annotations as data and never name a controller.
 */
import type { ValidEnvironment } from './schema';
import { ClusterProblem, eksIngressProblems } from './cluster-schema';

/** The controller that serves the environment's Ingresses. */
export enum IngressController {
  /** ingress-nginx, as minikube's `ingress` addon runs it (dev only: nothing installs it elsewhere). */
  NGINX = 'nginx',
  /** The AWS Load Balancer Controller (EKS): one shared ALB with an ACM certificate. */
  ALB = 'alb',
}

/** Annotations by what an Ingress needs; an Ingress gets `every` plus the sets that apply to it. */
export interface IngressAnnotationSets {
  /** On every Ingress of the environment. */
  readonly every: Readonly<Record<string, string>>;
  /** Where the backend serves HTTPS itself (Argo CD's server keeps TLS on). */
  readonly httpsBackend: Readonly<Record<string, string>>;
  /** Where responses stream for minutes over one connection (chat completions). */
  readonly streaming: Readonly<Record<string, string>>;
  /** Where each client must stay on one pod (per-pod state such as in-progress streams): cookie affinity. */
  readonly sticky: Readonly<Record<string, string>>;
}

/** How long a client stays on its pod (seconds): a working day and then some. */
const STICKY_SECONDS = 86400;

/** ALB annotations are read by the AWS Load Balancer Controller. */
const ALB = 'alb.ingress.kubernetes.io';
const NGINX = 'nginx.ingress.kubernetes.io';

/** The ALB scheme annotation; `internal` keeps the load balancer inside the VPC. */
export const ALB_SCHEME_ANNOTATION = `${ALB}/scheme`;

/** The TLS policy of the ALB's HTTPS listener: TLS 1.3 and 1.2 with forward-secret ciphers only. */
export const ALB_SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/**
 * The annotation sets of `env`'s controller. The environment's own `ingress.annotations` are not
 * part of them; they go on every Ingress last, so they can override.
 */
export function ingressAnnotationSets(env: ValidEnvironment): IngressAnnotationSets {
  if (env.ingress.controller === IngressController.NGINX) {
    return {
      every: {},
      httpsBackend: env.ingress.tls ? { [`${NGINX}/backend-protocol`]: 'HTTPS', [`${NGINX}/force-ssl-redirect`]: 'true' } : {},
      streaming: { [`${NGINX}/proxy-read-timeout`]: '600', [`${NGINX}/proxy-send-timeout`]: '600' },
      sticky: { [`${NGINX}/affinity`]: 'cookie', [`${NGINX}/session-cookie-max-age`]: String(STICKY_SECONDS) },
    };
  }
  if (env.cluster.kind !== 'eks') throw new Error(`${env.name}: the alb ingress controller needs an EKS cluster`);
  const cluster = env.cluster;
  const attributes = [
    `idle_timeout.timeout_seconds=${cluster.loadBalancer.idleTimeoutSeconds}`,
    'routing.http.drop_invalid_header_fields.enabled=true',
    // Terraform's destroy relies on the controller deleting the ALB when the last Ingress goes.
    'deletion_protection.enabled=false',
  ];
  return {
    every: {
      // Every Ingress joins one ALB per cluster; its settings must be identical on all of them.
      [`${ALB}/group.name`]: cluster.name,
      [ALB_SCHEME_ANNOTATION]: 'internet-facing',
      [`${ALB}/target-type`]: 'ip',
      [`${ALB}/listen-ports`]: '[{"HTTP": 80}, {"HTTPS": 443}]',
      [`${ALB}/ssl-redirect`]: '443',
      [`${ALB}/ssl-policy`]: ALB_SSL_POLICY,
      [`${ALB}/load-balancer-attributes`]: attributes.join(','),
      // The IngressClassParams carry the certificate (constructs/platform/aws-ingress.ts); a supplied ARN is also annotated.
      ...(cluster.certificateArn ? { [`${ALB}/certificate-arn`]: cluster.certificateArn } : {}),
    },
    httpsBackend: { [`${ALB}/backend-protocol`]: 'HTTPS' },
    streaming: {},
    // Per Ingress: the attributes of its own target groups (the ALB's duration-based cookie).
    sticky: { [`${ALB}/target-group-attributes`]: `stickiness.enabled=true,stickiness.type=lb_cookie,stickiness.lb_cookie.duration_seconds=${STICKY_SECONDS}` },
  };
}

/**
 * Whether the environment's hosts are reachable from the internet: the ALB is internet-facing
 * unless the environment's own `ingress.annotations` make it `internal`. minikube's nginx serves
 * the machine's own network only.
 */
export function internetFacing(env: Pick<ValidEnvironment, 'ingress'>): boolean {
  return env.ingress.controller === IngressController.ALB && env.ingress.annotations[ALB_SCHEME_ANNOTATION] !== 'internal';
}

/**
 * Labels of the namespaces whose pods the environment's controller serves. The AWS Load Balancer
 * Controller injects a readiness gate into new pods of namespaces labelled so: a rolling pod
 * counts as ready only once the ALB's target group reports it healthy, so a rollout never removes
 * the last registered target.
 */
export function publishedNamespaceLabels(env: Pick<ValidEnvironment, 'ingress'>): Readonly<Record<string, string>> {
  return env.ingress.controller === IngressController.ALB ? { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' } : {};
}

/**
 * The argo-cd chart's AWS ALB mode for `env`'s controller: with `ip` targets (set above) its gRPC
 * Service is a ClusterIP Service. Undefined for controllers other than the ALB.
 */
export function argocdAwsAlbMode(env: ValidEnvironment): { readonly serviceType: 'ClusterIP' } | undefined {
  return env.ingress.controller === IngressController.ALB ? { serviceType: 'ClusterIP' } : undefined;
}

/** A host limited to some client ranges: the ranges, and the Services its Ingress routes to. */
export interface SourceAllowlist {
  readonly ranges: readonly string[];
  readonly services: readonly string[];
}

/**
 * The annotations that admit only `allow.ranges` to one host: nginx checks the client address per
 * Ingress; on the shared ALB the per-Ingress `inbound-cidrs` would apply to the whole group, so
 * each of the host's rules gets a source-ip condition instead (matched on its Service).
 */
function allowlistAnnotations(env: ValidEnvironment, allow: SourceAllowlist | undefined): Record<string, string> {
  if (!allow) return {};
  if (env.ingress.controller === IngressController.NGINX) return { [`${NGINX}/whitelist-source-range`]: allow.ranges.join(',') };
  const condition = JSON.stringify([{ field: 'source-ip', sourceIpConfig: { values: allow.ranges } }]);
  return Object.fromEntries(allow.services.map((service) => [`${ALB}/conditions.${service}`, condition]));
}

/** The annotations of an Ingress that needs the given sets and allowlist, then the environment's own. */
export function ingressAnnotations(
  env: ValidEnvironment,
  needs: { readonly httpsBackend?: boolean; readonly streaming?: boolean; readonly allow?: SourceAllowlist },
): Record<string, string> {
  const sets = ingressAnnotationSets(env);
  return {
    ...sets.every,
    ...(needs.httpsBackend ? sets.httpsBackend : {}),
    ...(needs.streaming ? sets.streaming : {}),
    ...allowlistAnnotations(env, needs.allow),
    ...env.ingress.annotations,
  };
}

/**
 * Rules of the ingress set-up: the controller must be one the cluster has (the platform installs
 * the AWS Load Balancer Controller on EKS; minikube brings nginx), and with a hosted zone every
 * host lives in it.
 */
export function ingressProblems(env: Pick<ValidEnvironment, 'cluster' | 'ingress'>): ClusterProblem[] {
  const problems: ClusterProblem[] = [];
  const { controller } = env.ingress;
  if (env.cluster.kind === 'eks' && controller !== IngressController.ALB) {
    problems.push({
      path: ['ingress', 'controller'],
      message: 'must be "alb" on EKS: the platform installs the AWS Load Balancer Controller and no nginx (ingress-nginx is retired)',
    });
  }
  if (env.cluster.kind !== 'eks' && controller === IngressController.ALB) {
    problems.push({
      path: ['ingress', 'controller'],
      message: 'must be "nginx" on a kubeconfig cluster: the AWS Load Balancer Controller is installed on EKS only',
    });
  }
  if (env.cluster.kind === 'eks') problems.push(...eksIngressProblems(env.cluster, env.ingress.hosts as Record<string, string | undefined>));
  return problems;
}
