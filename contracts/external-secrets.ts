/**
 * What the platform stack (which creates the AWS Secrets Manager secrets) and the wrapper charts'
 * ExternalSecrets (which read them) agree on: the secrets' names and how a Secret's keys are
 * rebuilt from them.
 */
import { credentialVariableSuffix } from './app-catalog';
import { AppContext, AppSecretDefinition } from './app-definition';

/** The name of the namespaced SecretStore each app namespace gets (AWS Secrets Manager, the controller's Pod Identity). */
export const SECRET_STORE_NAME = 'aws-secrets-manager';

/** How often External Secrets Operator re-reads each secret: a rotation reaches the cluster within this. */
export const EXTERNAL_SECRET_REFRESH = '1h';

/**
 * The Secrets Manager name of Kubernetes Secret `secret` in `namespace` of cluster `cluster`:
 * `llm-platform/<cluster>/<namespace>/<secret>`; its JSON object holds the Secret's credentials.
 */
export function secretsManagerName(cluster: string, namespace: string, secret: string): string {
  return `llm-platform/${cluster}/${namespace}/${secret}`;
}

/** The Secrets Manager name prefix of every secret of cluster `cluster`. */
export function secretsManagerPrefix(cluster: string): string {
  return `llm-platform/${cluster}/`;
}

/** One property of a Secrets Manager secret that an ExternalSecret reads, under a template alias. */
export interface RemoteProperty {
  /** Template variable name (`{{ .<alias> }}`). */
  readonly alias: string;
  /** The Secrets Manager secret name. */
  readonly key: string;
  /** The JSON property (the credential key). */
  readonly property: string;
}

/** The ExternalSecret that produces one Kubernetes Secret of an app. */
export interface ExternalSecretSpec {
  /** The Secret (and ExternalSecret) name. */
  readonly name: string;
  /** The properties it reads. */
  readonly data: readonly RemoteProperty[];
  /** The Secret's keys, each a Go template over the aliases (ESO `target.template.data`). */
  readonly template: Record<string, string>;
}

const TEMPLATE_DELIMITERS = /\{\{|\}\}/;

/**
 * The ExternalSecrets of an app's Secrets: every credential read from its Secrets Manager secret,
 * every setting rebuilt by the catalog's own `settings` function with each credential it embeds
 * as a template reference — so a composed value (a URL with a password) always comes from the
 * same secret version as the credential itself.
 * @throws when a literal setting contains template delimiters (`{{`, `}}`).
 */
export function externalSecretSpecs(
  secrets: readonly AppSecretDefinition[],
  context: AppContext<unknown>,
  nameOf: (secret: string) => string,
): ExternalSecretSpec[] {
  const known = new Map(secrets.map((s) => [s.name, new Set(s.credentials.map((c) => c.key))]));
  return secrets.map((secret) => {
    const data = new Map<string, RemoteProperty>();
    const ref = (name: string, key: string): string => {
      if (!known.get(name)?.has(key)) throw new Error(`Secret "${secret.name}" uses credential "${key}" of "${name}", which the app does not define`);
      const alias = `${credentialVariableSuffix(name)}__${credentialVariableSuffix(key)}`;
      data.set(alias, { alias, key: nameOf(name), property: key });
      return `{{ .${alias} }}`;
    };
    const template: Record<string, string> = {};
    for (const c of secret.credentials) template[c.key] = ref(secret.name, c.key);
    const placeholders: string[] = [];
    const settings = secret.settings?.(context, (name, key) => {
      const placeholder = ref(name, key);
      placeholders.push(placeholder);
      return placeholder;
    });
    for (const [key, value] of Object.entries(settings ?? {})) {
      const literal = placeholders.reduce((text, p) => text.split(p).join(''), value);
      if (TEMPLATE_DELIMITERS.test(literal))
        throw new Error(`setting ${key} of Secret "${secret.name}" must not contain "{{" or "}}" (got ${JSON.stringify(literal)})`);
      template[key] = value;
    }
    return { name: secret.name, data: [...data.values()], template };
  });
}
