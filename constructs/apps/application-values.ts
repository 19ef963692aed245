import { deepMerge } from '../../contracts/merge';
import { AppContext, AppDefinition } from '../../contracts/app-definition';
import { EXTERNAL_SECRET_REFRESH, SECRET_STORE_NAME, externalSecretSpecs } from '../../contracts/external-secrets';

/** The values key of the shared isolation chart (`apps/isolation`) every wrapper chart depends on. */
export const ISOLATION_VALUES_KEY = 'isolation';

/**
 * Everything an Application injects into its wrapper chart (`valuesObject`): the app's own
 * values, its Ingress in its chart's layout, the allow rules of its namespace's default-deny
 * NetworkPolicy (rules without peers left out: an empty `from` would admit everyone) and, where the
 * environment keeps credentials in AWS Secrets Manager, the SecretStore and ExternalSecrets that
 * produce the app's Secrets (`isolation.externalSecrets`, rendered by the same shared chart).
 */
export function applicationValues(app: AppDefinition, context: AppContext<unknown>): Record<string, unknown> {
  const own = app.values?.(context) ?? {};
  const ingress = app.ingress
    ? app.ingress({
        host: context.host,
        className: context.ingress.className,
        tls: context.ingress.tls,
        annotations: context.ingress.annotations,
        tlsSecretName: `${app.name}-tls`,
      })
    : {};
  const allow = (app.allowIngress?.(context) ?? []).filter((rule) => rule.from.length > 0);
  const store = context.externalSecrets;
  const secrets = app.secrets ?? [];
  const externalSecrets =
    store && secrets.length > 0
      ? {
          externalSecrets: {
            store: { name: SECRET_STORE_NAME, region: store.region },
            refreshInterval: EXTERNAL_SECRET_REFRESH,
            secrets: externalSecretSpecs(secrets, context, (secret) => store.nameOf(secret)),
          },
        }
      : {};
  return deepMerge(deepMerge(own, ingress), { [ISOLATION_VALUES_KEY]: { allow, ...externalSecrets } });
}
