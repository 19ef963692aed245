import { deepMerge } from '../../contracts/merge';
import { AppContext, AppDefinition } from '../../contracts/app-definition';

/** The values key of the shared isolation chart (`apps/isolation`) every wrapper chart depends on. */
export const ISOLATION_VALUES_KEY = 'isolation';

/**
 * Everything an Application injects into its wrapper chart (`valuesObject`): the app's own
 * values, its Ingress in its chart's layout, and the allow rules of its namespace's default-deny
 * NetworkPolicy (rules without peers left out: an empty `from` would admit everyone).
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
  return deepMerge(deepMerge(own, ingress), { [ISOLATION_VALUES_KEY]: { allow } });
}
