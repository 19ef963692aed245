/**
 * Ollama at zero: what the ollama wrapper chart's ScaledObject (apps/ollama/templates/scaledobject.yaml)
 * and wake gateway (apps/ollama/templates/gateway.yaml) get from the environment's `apps.ollama`.
 *
 * Two triggers of one KEDA ScaledObject, whichever the environment sets (KEDA takes the larger):
 * - `activeHours`: KEDA's `cron` trigger holds one replica from `start` to `end`;
 * - `idleAfterMinutes`: the wake gateway, an always-on HAProxy between the clients and Ollama,
 *   counts requests; KEDA's `prometheus` trigger holds one replica while Prometheus has seen a
 *   request through it within the last `idleAfterMinutes`, so the first request at zero wakes
 *   Ollama.
 * While Ollama has no ready pod the gateway answers every request at once with a 409 (LibreChat's
 * model client would retry a 503 for about 80 s first) whose OpenAI-style error message says that
 * the model is starting and when to retry: LibreChat shows it instead of a refused connection.
 */
import { AppContext, NetworkPeer } from '../contracts/app-definition';

/** The Deployment KEDA scales, the triggers and the gateway's settings, as the chart reads them. */
export interface ScaleToZeroValues {
  readonly deployment: string;
  /** Seconds every trigger must be inactive before KEDA sets zero replicas. */
  readonly cooldownSeconds: number;
  readonly activeHours?: { readonly timezone: string; readonly start: string; readonly end: string };
  readonly wakeOnRequest?: {
    /** The in-cluster Prometheus's base URL (KEDA's `serverAddress`). */
    readonly prometheus: string;
    /** PromQL: requests through the gateway within the idle window. */
    readonly query: string;
    readonly idleMinutes: number;
  };
}

/** Seconds KEDA waits with every trigger inactive before it scales Ollama to zero. */
export const COOLDOWN_SECONDS = 300;

/**
 * Expected minutes from a request at zero to Ollama answering: Prometheus scrape (30 s) and KEDA
 * poll (30 s), then the cold start of docs/eks.md#cold-start-and-where-the-models-live (2–4 min).
 * The gateway's message tells users to retry after it.
 */
export const WAKE_MINUTES = 5;

/** The gateway's HAProxy frontend that LibreChat's requests pass (the `proxy` label of its metrics). */
export const GATEWAY_FRONTEND = 'chat';

/** The wake gateway's Service and pods: `<release>-gateway`. */
export const gatewayName = (release: string) => `${release}-gateway`;

/** The selector labels of the wake gateway's pods. */
export const gatewayPodLabels = (release: string) => ({ 'app.kubernetes.io/name': 'ollama-gateway', 'app.kubernetes.io/instance': release });

/** The port of the gateway's Service: Ollama's own, so clients change only the host. */
export const GATEWAY_PORT = 11434;

/**
 * KEDA's operator (constructs/platform/keda.ts installs it in kube-system; the keda chart labels its
 * pods `app.kubernetes.io/name: <operator.name>`, `keda-operator`), as a NetworkPolicy peer of Prometheus.
 */
export const KEDA_OPERATOR_PEER: NetworkPeer = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
  podSelector: { matchLabels: { 'app.kubernetes.io/name': 'keda-operator' } },
};

/** The Prometheus server pods (the Prometheus Operator's labels), as a NetworkPolicy peer of what it scrapes. */
export const prometheusPeer = (namespace: string): NetworkPeer => ({
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
  podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
});

/**
 * The requests through the gateway within the idle window, summed over its pods: above zero while
 * anyone used Ollama through LibreChat in the last `idleMinutes`, `0` (not an empty result) otherwise.
 */
export function wakeQuery(namespace: string, idleMinutes: number): string {
  return `sum(increase(haproxy_frontend_http_requests_total{namespace="${namespace}",proxy="${GATEWAY_FRONTEND}"}[${idleMinutes}m])) or vector(0)`;
}

/** The scale-to-zero settings of `apps.ollama` (apps/catalog.ts validates them). */
export interface ScaleToZeroSettings {
  readonly activeHours?: { readonly timezone: string; readonly start: string; readonly end: string };
  readonly idleAfterMinutes?: number;
}

/**
 * What LibreChat shows while Ollama has no ready pod: the gateway's answer, in the error format of
 * the OpenAI API (LibreChat's OpenAI client shows `error.message`).
 */
export function startingMessage(settings: ScaleToZeroSettings): string {
  if (settings.idleAfterMinutes) {
    return (
      'The model is starting: it was stopped while nobody used it, and your request has woken it. ' +
      `The first answer takes about ${WAKE_MINUTES} minutes: please send your message again then.`
    );
  }
  const hours = settings.activeHours!;
  return `The model is not running: it runs during its active hours (from "${hours.start}" to "${hours.end}", ${hours.timezone}) and is ready a few minutes after they start.`;
}

/** The ollama wrapper chart's `scaleToZero` and `gateway` values, or nothing when Ollama always runs. */
export function scaleToZeroValues(context: AppContext<ScaleToZeroSettings>, namespace: string, prometheusUrl: string): Record<string, unknown> {
  const { activeHours, idleAfterMinutes } = context.settings;
  if (!activeHours && !idleAfterMinutes) return {};
  const scaleToZero: ScaleToZeroValues = {
    deployment: context.release,
    cooldownSeconds: COOLDOWN_SECONDS,
    ...(activeHours ? { activeHours } : {}),
    ...(idleAfterMinutes ? { wakeOnRequest: { prometheus: prometheusUrl, query: wakeQuery(namespace, idleAfterMinutes), idleMinutes: idleAfterMinutes } } : {}),
  };
  return {
    scaleToZero,
    gateway: {
      enabled: true,
      name: gatewayName(context.release),
      podLabels: gatewayPodLabels(context.release),
      // Ollama's Service (the otwld chart names it after the release), in the gateway's namespace.
      ollama: { service: context.release, port: GATEWAY_PORT },
      frontend: GATEWAY_FRONTEND,
      startingMessage: startingMessage(context.settings),
      retryAfterSeconds: WAKE_MINUTES * 60,
      // One per zone on nodes in several zones: the gateway is on every chat's path.
      replicas: context.zones.length > 1 ? 2 : 1,
    },
  };
}
