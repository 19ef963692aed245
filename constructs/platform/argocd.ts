import { chartRelease } from '../core/chart-release';
import { TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { Release } from '@cdktf/provider-helm/lib/release';
import { ConstructError } from '../core/errors';
import { deepMerge } from '../../contracts/merge';
import { ARGOCD_CHART, ChartRef } from '../../contracts/versions';
import { toYaml } from '../../contracts/yaml';

/** CPU/memory requests and limits of one Argo CD component. */
export interface ComponentResources {
  /** Requests. */
  readonly requests: { readonly cpu?: string; readonly memory?: string };
  /**
   * Limits.
   * @default - none
   */
  readonly limits?: { readonly cpu?: string; readonly memory?: string };
}

/** How Argo CD's UI and API are exposed. */
export interface ArgoCdIngress {
  /** IngressClass of the cluster's ingress controller. */
  readonly className: string;
  /** Host name. */
  readonly hostname: string;
  /**
   * Terminate TLS at the ingress and re-encrypt to the Argo CD server. When false the server
   * serves plain HTTP (`server.insecure`), which is only acceptable on a local cluster.
   */
  readonly tls: boolean;
  /**
   * Annotations of the Ingress: everything the ingress controller needs (backend protocol, load
   * balancer settings) comes from here; the construct adds none.
   * @default {}
   */
  readonly annotations?: Record<string, string>;
  /**
   * Route the CLI's gRPC on the AWS Load Balancer Controller's ALB: the Ingress gets a first rule
   * that sends requests with `Content-Type: application/grpc` to a second Service,
   * {@link ARGOCD_GRPC_SERVICE}, whose target group speaks gRPC, so `argocd login` works without
   * `--grpc-web`. The rule's condition list is the header match followed by the conditions given
   * in `annotations` for that Service (an allowlist's source-ip condition): one list, both must
   * match. `serviceType` must fit the ALB target type: `ClusterIP` for `ip` targets, `NodePort`
   * for `instance` targets.
   *
   * Not the chart's own AWS mode (`server.ingress.controller: aws`): its template writes the
   * gRPC rule's condition annotation itself, before the given annotations, so a condition given
   * for the same Service becomes a duplicate key of which the last one wins (argo-helm
   * charts/argo-cd 10.1.1, templates/argocd-server/aws/ingress.yaml).
   * @default - one rule to the server; gRPC only through gRPC-web
   */
  readonly awsAlb?: { readonly serviceType: 'ClusterIP' | 'NodePort' };
}

/** The Helm release name; the chart names its objects from it (`argocd-server`, …). */
const RELEASE_NAME = 'argocd';
/** Argo CD's API server Service (the chart's `argo-cd.server.fullname` for the release `argocd`). */
export const ARGOCD_SERVER_SERVICE = `${RELEASE_NAME}-server`;
/** The Service that the ALB's gRPC rule forwards to, with `awsAlb`. */
export const ARGOCD_GRPC_SERVICE = `${ARGOCD_SERVER_SERVICE}-grpc`;
/** The annotation holding the rule conditions of the gRPC backend on the ALB. */
const GRPC_CONDITIONS = `alb.ingress.kubernetes.io/conditions.${ARGOCD_GRPC_SERVICE}`;
/** What tells the CLI's gRPC from the UI's and gRPC-web's HTTP: the content type. */
const GRPC_HEADER_MATCH = { field: 'http-header', httpHeaderConfig: { httpHeaderName: 'Content-Type', values: ['application/grpc'] } };

/** Single sign-on through Argo CD's own OIDC client (no Dex). */
export interface ArgoCdOidc {
  /** Display name on the login page. */
  readonly name: string;
  /** Issuer URL (`https://…`). */
  readonly issuer: string;
  /** Client id registered with the identity provider. */
  readonly clientId: string;
  /**
   * Groups whose members are Argo CD admins (`role:admin`).
   * @default []
   */
  readonly adminGroups?: readonly string[];
  /**
   * Keep the built-in `admin` account (initial password in `argocd-initial-admin-secret`).
   * @default false
   */
  readonly keepLocalAdmin?: boolean;
}

/** Properties of {@link ArgoCd}. */
export interface ArgoCdProps {
  /** Namespace to install into (must exist). */
  readonly namespace: string;
  /** How the UI/API is exposed. */
  readonly ingress: ArgoCdIngress;
  /**
   * Chart repository, name and exact version.
   * @default ARGOCD_CHART
   */
  readonly chart?: ChartRef;
  /**
   * Git polling interval (`timeout.reconciliation`).
   * @default '180s'
   */
  readonly reconciliationInterval?: string;
  /**
   * Resources of the application controller, repo server and API server.
   * @default - the chart's (none)
   */
  readonly resources?: { readonly controller?: ComponentResources; readonly repoServer?: ComponentResources; readonly server?: ComponentResources };
  /**
   * Wait until every Argo CD workload is ready.
   * @default true
   */
  readonly wait?: boolean;
  /**
   * Helm timeout in seconds.
   * @default 600
   */
  readonly timeoutSeconds?: number;
  /**
   * Single sign-on. The client secret comes from the sensitive Terraform variable
   * `argocd_oidc_client_secret` (no default: a plan without it fails), passed to Helm as a
   * sensitive value, never part of the synthesized JSON.
   * @default - no SSO: only the built-in admin account
   */
  readonly oidc?: ArgoCdOidc;
  /**
   * Chart values merged over the ones this construct computes (objects key by key, lists
   * replaced): the escape hatch for any chart setting without a prop.
   * @default {}
   */
  readonly values?: Record<string, unknown>;
}

/**
 * Argo CD installed from the argo-helm `argo-cd` chart as the Helm release `argocd`. CRDs are kept
 * when the release is uninstalled, so removing Argo CD never cascades into deleting every
 * Application. The controller, API server and repo server serve Prometheus metrics through their
 * metrics Services.
 */
export class ArgoCd extends Construct {
  /** The Helm release. */
  public readonly release: Release;
  /** The chart values, as passed to Helm. */
  public readonly values: Record<string, unknown>;
  /** External URL of the UI/API. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: ArgoCdProps) {
    super(scope, id);
    const chart = props.chart ?? ARGOCD_CHART;
    const reconciliationInterval = props.reconciliationInterval ?? '180s';
    const wait = props.wait ?? true;
    const timeoutSeconds = props.timeoutSeconds ?? 600;
    const resources = props.resources ?? {};
    const { ingress } = props;

    if (!/^\d+[smh]$/.test(reconciliationInterval)) {
      throw new ConstructError(this, `reconciliationInterval "${reconciliationInterval}" must be a duration such as 180s, 5m or 1h`);
    }
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1) throw new ConstructError(this, `timeoutSeconds ${timeoutSeconds} must be a positive integer`);

    this.url = `${ingress.tls ? 'https' : 'http'}://${ingress.hostname}`;
    const given = ingress.annotations ?? {};
    for (const [key, value] of Object.entries(given)) {
      // The chart's Ingress template passes annotation values through `tpl`.
      if (value.includes('{{'))
        throw new ConstructError(this, `ingress annotation ${key} must not contain "{{" (the chart evaluates annotation values as templates)`);
    }
    const annotations = ingress.awsAlb
      ? { ...given, [GRPC_CONDITIONS]: JSON.stringify([GRPC_HEADER_MATCH, ...this.conditionList(given[GRPC_CONDITIONS])]) }
      : given;
    const servicePort = ingress.tls ? 443 : 80;
    const oidc = props.oidc;
    if (oidc && !/^https:\/\/\S+$/.test(oidc.issuer)) throw new ConstructError(this, `oidc.issuer "${oidc.issuer}" must be an https:// URL`);
    const sso = oidc
      ? {
          cm: {
            'oidc.config': toYaml({
              name: oidc.name,
              issuer: oidc.issuer,
              clientID: oidc.clientId,
              clientSecret: '$oidc.clientSecret',
              requestedScopes: ['openid', 'profile', 'email', 'groups'],
            }),
            'admin.enabled': oidc.keepLocalAdmin ?? false,
          },
          rbac: {
            'policy.default': '',
            'policy.csv': (oidc.adminGroups ?? []).map((group) => `g, ${group}, role:admin`).join('\n'),
            scopes: '[groups]',
          },
        }
      : undefined;
    const computed = {
      // The chart's NetworkPolicies: deny by default, then allow only Argo CD's own traffic and the
      // ingress controller to the server.
      global: { domain: ingress.hostname, networkPolicy: { create: true, defaultDenyIngress: true } },
      crds: { install: true, keep: true },
      configs: {
        params: { 'server.insecure': !ingress.tls },
        cm: { url: this.url, 'timeout.reconciliation': reconciliationInterval, ...(sso?.cm ?? {}) },
        ...(sso ? { rbac: sso.rbac } : {}),
      },
      server: {
        ingress: {
          enabled: true,
          ingressClassName: ingress.className,
          hostname: ingress.hostname,
          annotations,
          tls: ingress.tls,
          // Listed before the chart's path to the server, so the ALB evaluates the gRPC rule first.
          ...(ingress.awsAlb
            ? { extraPaths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: ARGOCD_GRPC_SERVICE, port: { number: servicePort } } } }] }
            : {}),
        },
        metrics: { enabled: true },
        ...(resources.server ? { resources: resources.server } : {}),
      },
      // Metrics Services of the components whose metrics the platform's dashboards and alerts use
      // (argocd_app_info, syncs, reconciliation, Git requests); the chart's NetworkPolicies admit
      // their metrics ports from any namespace. The ServiceMonitors are the monitoring apps' own.
      controller: { metrics: { enabled: true }, ...(resources.controller ? { resources: resources.controller } : {}) },
      repoServer: { metrics: { enabled: true }, ...(resources.repoServer ? { resources: resources.repoServer } : {}) },
      dex: { enabled: false },
      ...(ingress.awsAlb ? { extraObjects: [grpcService(ingress.awsAlb.serviceType)] } : {}),
    };
    this.values = deepMerge<Record<string, unknown>>(computed, props.values ?? {});

    this.release = chartRelease(this, 'release', {
      name: RELEASE_NAME,
      namespace: props.namespace,
      chart,
      values: this.values,
      wait,
      waitForJobs: wait,
      timeout: timeoutSeconds,
      atomic: false,
      cleanupOnFail: true,
      createNamespace: false,
      setSensitive: oidc ? [{ name: 'configs.secret.extra.oidc\\.clientSecret', value: this.oidcClientSecret().stringValue }] : undefined,
    });
  }

  /** The JSON list of ALB rule conditions in an annotation value, or none. */
  private conditionList(value: string | undefined): unknown[] {
    if (value === undefined) return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed))
      throw new ConstructError(this, `ingress annotation ${GRPC_CONDITIONS} must be a JSON list of conditions (got ${JSON.stringify(value)})`);
    return parsed;
  }

  private oidcClientSecret(): TerraformVariable {
    const variable = new TerraformVariable(this, 'argocd_oidc_client_secret', {
      type: 'string',
      sensitive: true,
      nullable: false,
      description: 'OIDC client secret of Argo CD single sign-on',
    });
    variable.overrideLogicalId('argocd_oidc_client_secret');
    return variable;
  }
}

/**
 * The gRPC Service of the ALB mode: the API server's pods (the chart's selector labels of the
 * server) on the same ports as `argocd-server`, its target group speaking gRPC.
 */
function grpcService(type: 'ClusterIP' | 'NodePort'): Record<string, unknown> {
  const selector = { 'app.kubernetes.io/name': ARGOCD_SERVER_SERVICE, 'app.kubernetes.io/instance': RELEASE_NAME };
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: ARGOCD_GRPC_SERVICE,
      // The chart's own helper, as in its templates (extraObjects pass through `tpl`).
      namespace: '{{ include "argo-cd.namespace" . }}',
      labels: { ...selector, 'app.kubernetes.io/name': ARGOCD_GRPC_SERVICE, 'app.kubernetes.io/component': 'server', 'app.kubernetes.io/part-of': 'argocd' },
      annotations: { 'alb.ingress.kubernetes.io/backend-protocol-version': 'GRPC' },
    },
    spec: {
      type,
      selector,
      ports: [
        { name: 'http', protocol: 'TCP', port: 80, targetPort: 'server' },
        { name: 'https', protocol: 'TCP', port: 443, targetPort: 'server' },
      ],
    },
  };
}
