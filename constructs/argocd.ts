import { Construct } from 'constructs';
import { Release } from '@cdktf/provider-helm/lib/release';
import { ChartSource } from '../environments/schema';
import { toYaml } from './private/yaml';

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

/** A Helm repository Argo CD must know to build wrapper-chart dependencies. */
export interface HelmRepository {
  /** Name of the repository Secret entry. */
  readonly name: string;
  /** URL: `https://…` for classic repositories, `registry/path` (no scheme) for OCI. */
  readonly url: string;
  /** Whether the repository is an OCI registry. */
  readonly oci: boolean;
}

/** Properties of {@link ArgoCd}. */
export interface ArgoCdProps {
  /** Namespace to install into (must exist). */
  readonly namespace: string;
  /** Chart repository, name and exact version. */
  readonly chart: ChartSource;
  /** Host name of the Argo CD UI/API ingress. */
  readonly hostname: string;
  /** IngressClass of the cluster's ingress controller. */
  readonly ingressClassName: string;
  /**
   * Terminate TLS at the ingress and re-encrypt to the Argo CD server. When false the server
   * serves plain HTTP (`server.insecure`), which is only acceptable on a local cluster.
   */
  readonly tls: boolean;
  /**
   * Extra ingress annotations.
   * @default {}
   */
  readonly ingressAnnotations?: Record<string, string>;
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
   * Helm repositories to register with Argo CD (for `helm dependency build` of wrapper charts).
   * @default []
   */
  readonly helmRepositories?: readonly HelmRepository[];
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
   * Helm release name.
   * @default 'argocd'
   */
  readonly releaseName?: string;
}

/**
 * Argo CD installed from the argo-helm `argo-cd` chart. CRDs are kept when the release is
 * uninstalled, so removing Argo CD never cascades into deleting every Application.
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
    const reconciliationInterval = props.reconciliationInterval ?? '180s';
    const helmRepositories = props.helmRepositories ?? [];
    const wait = props.wait ?? true;
    const timeoutSeconds = props.timeoutSeconds ?? 600;
    const releaseName = props.releaseName ?? 'argocd';
    const resources = props.resources ?? {};

    if (!/^\d+[smh]$/.test(reconciliationInterval)) {
      throw new Error(`ArgoCd: reconciliationInterval "${reconciliationInterval}" must be a duration such as 180s, 5m or 1h`);
    }
    const duplicate = helmRepositories.find((r, i) => helmRepositories.findIndex((o) => o.name === r.name) !== i);
    if (duplicate) throw new Error(`ArgoCd: helmRepositories name "${duplicate.name}" is used twice; names must be unique`);
    const schemeOnOci = helmRepositories.find((r) => r.oci && r.url.includes('://'));
    if (schemeOnOci) throw new Error(`ArgoCd: OCI repository "${schemeOnOci.name}" url "${schemeOnOci.url}" must not have a scheme (Argo CD expects registry/path)`);

    const annotations: Record<string, string> = {
      ...(props.tls ? { 'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS', 'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true' } : {}),
      ...(props.ingressAnnotations ?? {}),
    };
    const repositories = Object.fromEntries(
      helmRepositories.map((r) => [r.name, { name: r.name, type: 'helm', url: r.url, ...(r.oci ? { enableOCI: 'true' } : {}) }]),
    );

    this.values = {
      global: { domain: props.hostname },
      crds: { install: true, keep: true },
      configs: {
        params: { 'server.insecure': !props.tls },
        cm: { 'timeout.reconciliation': reconciliationInterval },
        ...(helmRepositories.length > 0 ? { repositories } : {}),
      },
      server: {
        ingress: {
          enabled: true,
          ingressClassName: props.ingressClassName,
          hostname: props.hostname,
          annotations,
          tls: props.tls,
        },
        ...(resources.server ? { resources: resources.server } : {}),
      },
      controller: resources.controller ? { resources: resources.controller } : {},
      repoServer: resources.repoServer ? { resources: resources.repoServer } : {},
      dex: { enabled: false },
    };

    this.release = new Release(this, 'release', {
      name: releaseName,
      namespace: props.namespace,
      repository: props.chart.repository || undefined,
      chart: props.chart.name,
      version: props.chart.version,
      values: [toYaml(this.values)],
      wait,
      waitForJobs: wait,
      timeout: timeoutSeconds,
      atomic: false,
      cleanupOnFail: true,
      createNamespace: false,
    });
    this.url = `${props.tls ? 'https' : 'http'}://${props.hostname}`;
  }
}
