import { z } from 'zod';

/** A Service an app's chart creates, which other apps (or its Secret) connect to. */
export interface AppService {
  /** Service name as a function of the Helm release name (the charts name Services after it). */
  readonly serviceName: (release: string) => string;
  /** Port of the Service. */
  readonly port: number;
  /** URL scheme, e.g. `http` or `mongodb`. */
  readonly scheme: string;
  /**
   * Path appended to the URL, e.g. `/LibreChat` (a database name).
   * @default ''
   */
  readonly path?: string;
}

/** A credential Terraform generates (or takes from a sensitive variable) into an app's Secret. */
export interface CredentialSpec {
  /** Key in the Secret, e.g. `CREDS_KEY`. */
  readonly key: string;
  /** Random bytes generated when no value is supplied (hex-encoded: twice as many characters). */
  readonly generatedBytes: number;
  /** RE2 pattern a supplied value must match. */
  readonly pattern: string;
  /** What the pattern requires, for the validation message. */
  readonly rule: string;
}

/** A Secret Terraform creates in an app's namespace before Argo CD syncs the app. */
export interface AppSecretDefinition {
  /** Secret name (the one the app's chart reads). */
  readonly name: string;
  /** Credentials: each from a sensitive Terraform variable `<app>_<key>` or generated. */
  readonly credentials: readonly CredentialSpec[];
  /**
   * Non-secret settings stored beside the credentials, e.g. connection URLs of other apps.
   * @default - none
   */
  readonly settings?: (context: AppContext<unknown>) => Record<string, string>;
}

/** Scheduling onto the cluster's tainted GPU nodes. */
export interface GpuScheduling {
  readonly nodeSelector: Record<string, string>;
  readonly tolerations: readonly { key: string; operator: string; value?: string; effect: string }[];
}

/** What an app's values are computed from: its settings and the environment's shared facts. */
export interface AppContext<S> {
  /** Environment name. */
  readonly environment: string;
  /** The app's validated settings (`apps.<name>` of the environment). */
  readonly settings: S;
  /** How the cluster's ingress is set up. */
  readonly ingress: { readonly className: string; readonly tls: boolean; readonly annotations: Record<string, string> };
  /** The app's host name, when the environment publishes it. */
  readonly host?: string;
  /** The app's external URL, when the environment publishes it. */
  readonly url?: string;
  /** Node selector and tolerations of the GPU nodes, on clusters that have a GPU node group. */
  readonly gpuNodes?: GpuScheduling;
  /** The in-cluster URL of a Service of an app in the catalog. */
  serviceUrl(app: string, service: string): string;
  /** The validated settings of another app of the catalog. */
  settingsOf(app: string): unknown;
}

/** A cross-field rule of an app's settings: the problem's path below `apps.<name>` and its message. */
export interface SettingsProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * One application of the platform: an Argo CD Application syncing the wrapper chart
 * `apps/<name>` into its own namespace, plus what Terraform must create for it first.
 */
export interface AppDefinition<S = unknown> {
  /** Application, Helm release and wrapper chart name (`apps/<name>`): a DNS label. */
  readonly name: string;
  /** Namespace the release lives in; Terraform creates it. */
  readonly namespace: string;
  /**
   * Apps that must be synced first; the sync waves follow from them.
   * @default []
   */
  readonly dependsOn?: readonly string[];
  /**
   * Whether the environment serves the app on a host name (`ingress.hosts.<name>`):
   * `required`, `optional`, or `none` (in-cluster only).
   * @default 'none'
   */
  readonly host?: 'required' | 'optional' | 'none';
  /**
   * Schema of the app's per-environment settings (`apps.<name>` of an environment).
   * @default - the app has no settings
   */
  readonly settings?: z.ZodType<S>;
  /**
   * Rules spanning the app's settings and the cluster.
   * @default - none
   */
  readonly validate?: (settings: S, cluster: { readonly hasGpuNodes: boolean }) => SettingsProblem[];
  /**
   * The chart values the environment injects (the Application's `valuesObject`).
   * @default - none
   */
  readonly values?: (context: AppContext<S>) => Record<string, unknown>;
  /**
   * Services other apps connect to, by name.
   * @default {}
   */
  readonly services?: Readonly<Record<string, AppService>>;
  /**
   * Secrets Terraform creates in the app's namespace.
   * @default []
   */
  readonly secrets?: readonly AppSecretDefinition[];
}

/** Declares an app with typed settings; the catalog holds them as `AppDefinition<unknown>`. */
export function defineApp<S>(definition: AppDefinition<S>): AppDefinition<unknown> {
  return definition as unknown as AppDefinition<unknown>;
}
