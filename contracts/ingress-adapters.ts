/**
 * Ingress adapters for the common chart layouts: an app's catalog entry picks the one its chart
 * uses (or writes its own {@link IngressAdapter}).
 */
import { AppIngress, IngressAdapter } from './app-definition';

/** `value` nested under `path` (`['a', 'b']` → `{ a: { b: value } }`). */
function at(path: readonly string[], value: Record<string, unknown>): Record<string, unknown> {
  return path.reduceRight<Record<string, unknown>>((inner, key) => ({ [key]: inner }), value);
}

const annotationsOf = (ingress: AppIngress) => (Object.keys(ingress.annotations).length > 0 ? { annotations: ingress.annotations } : {});

/**
 * The layout of `helm create` and most charts: `<path>.enabled`, `className`, `annotations`,
 * `hosts: [{ host, paths: [{ path, pathType }] }]` and `tls: [{ secretName, hosts }]`.
 */
export function hostsListIngress(path: readonly string[]): IngressAdapter {
  return (ingress) =>
    at(
      path,
      ingress.host
        ? {
            enabled: true,
            className: ingress.className,
            ...annotationsOf(ingress),
            hosts: [{ host: ingress.host, paths: [{ path: '/', pathType: 'Prefix' }] }],
            tls: ingress.tls ? [{ secretName: ingress.tlsSecretName, hosts: [ingress.host] }] : [],
          }
        : { enabled: false },
    );
}

/**
 * One host per chart: `<path>.enabled`, `className`, `annotations`, `host` and `tls` as a boolean
 * (the chart names the TLS Secret itself).
 */
export function singleHostIngress(path: readonly string[]): IngressAdapter {
  return (ingress) =>
    at(
      path,
      ingress.host ? { enabled: true, className: ingress.className, ...annotationsOf(ingress), host: ingress.host, tls: ingress.tls } : { enabled: false },
    );
}
