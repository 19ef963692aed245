import { chartRelease } from '../core/chart-release';
import { TerraformVariable } from 'cdktf';
import { ephemeralVariable } from '../core/ephemeral';
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
   * Use the chart's AWS ALB mode (`server.ingress.controller: aws`): the Ingress gets a rule that
   * sends the CLI's gRPC (`Content-Type: application/grpc`) to a second Service whose ALB target
   * group speaks gRPC, so `argocd login` works without `--grpc-web`. `serviceType` must fit the
   * ALB target type: `ClusterIP` for `ip` targets, `NodePort` for `instance` targets.
   * @default - the chart's generic mode
   */
  readonly awsAlb?: { readonly serviceType: 'ClusterIP' | 'NodePort' };
}

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
   * Single sign-on. The client secret comes from the ephemeral, sensitive Terraform variable
   * `argocd_oidc_client_secret` (no default: a plan without it fails), passed to Helm through the
   * write-only `set_wo` (helm provider ≥ 3.1): never in the synthesized JSON, a plan or the state.
   * Helm receives it at install and whenever `oidcClientSecretRevision` grows.
   * @default - no SSO: only the built-in admin account
   */
  readonly oidc?: ArgoCdOidc;
  /**
   * Revision of the OIDC client secret (`set_wo_revision`): raise it to send a new one.
   * @default 1
   */
  readonly oidcClientSecretRevision?: number;
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
    const oidcRevision = props.oidcClientSecretRevision ?? 1;
    if (!Number.isInteger(oidcRevision) || oidcRevision < 1)
      throw new ConstructError(this, `oidcClientSecretRevision ${oidcRevision} must be a whole number >= 1`);
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1) throw new ConstructError(this, `timeoutSeconds ${timeoutSeconds} must be a positive integer`);

    this.url = `${ingress.tls ? 'https' : 'http'}://${ingress.hostname}`;
    const annotations = ingress.annotations ?? {};
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
          ...(ingress.awsAlb ? { controller: 'aws', aws: { serviceType: ingress.awsAlb.serviceType, backendProtocolVersion: 'GRPC' } } : {}),
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
    };
    this.values = deepMerge<Record<string, unknown>>(computed, props.values ?? {});

    this.release = chartRelease(this, 'release', {
      name: 'argocd',
      namespace: props.namespace,
      chart,
      values: this.values,
      wait,
      waitForJobs: wait,
      timeout: timeoutSeconds,
      atomic: false,
      cleanupOnFail: true,
      createNamespace: false,
      ...(oidc
        ? {
            setWo: [{ name: 'configs.secret.extra.oidc\\.clientSecret', value: this.oidcClientSecret().stringValue }],
            setWoRevision: oidcRevision,
          }
        : {}),
    });
  }

  private oidcClientSecret(): TerraformVariable {
    return ephemeralVariable(this, 'argocd_oidc_client_secret', {
      type: 'string',
      sensitive: true,
      nullable: false,
      description: 'OIDC client secret of Argo CD single sign-on (ephemeral: give it again at apply)',
    });
  }
}
