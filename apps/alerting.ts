/**
 * Where the platform's alerts go: the `alerting` settings of kube-prometheus-stack in an
 * environment, the Secret that holds the receivers' credentials, and the Alertmanager
 * configuration built from both. Alertmanager reads every credential from a file of that Secret
 * (`alertmanagerSpec.secrets`), so none is in Git, the generated values or Terraform state.
 */
import { z } from 'zod';
import { ClusterFacts, CredentialSpec, SettingsProblem } from '../contracts/app-definition';

/** The kinds of receiver an environment may route alerts to. */
export const RECEIVER_KINDS = ['slack', 'pagerduty', 'webhook', 'email'] as const;

/** A kind of receiver. */
export type ReceiverKind = (typeof RECEIVER_KINDS)[number];

/** The Secret of the receivers' credentials (monitoring namespace), mounted into Alertmanager. */
export const RECEIVERS_SECRET = 'alertmanager-receivers';

/** Where the operator mounts each Secret of `alertmanagerSpec.secrets`. */
const SECRETS_DIR = `/etc/alertmanager/secrets/${RECEIVERS_SECRET}`;

const HTTPS_URL = { pattern: '^https://[^\\s]+$', rule: 'an https:// URL without whitespace' };

/** The credential of each receiver kind, and of the dead man's switch: never generated (only their issuer can make them). */
export const RECEIVER_CREDENTIALS = {
  slack: { key: 'slack-api-url', generatedBytes: 0, ...HTTPS_URL },
  // PagerDuty Events API v2 integration keys are 32 characters.
  pagerduty: { key: 'pagerduty-routing-key', generatedBytes: 0, pattern: '^[A-Za-z0-9]{32}$', rule: '32 letters or digits (an Events API v2 integration key)' },
  webhook: { key: 'webhook-url', generatedBytes: 0, ...HTTPS_URL },
  email: { key: 'smtp-password', generatedBytes: 0, pattern: '^[^\\r\\n]+$', rule: 'one line' },
  deadMansSwitch: { key: 'dead-mans-switch-url', generatedBytes: 0, ...HTTPS_URL },
} as const satisfies Record<ReceiverKind | 'deadMansSwitch', CredentialSpec>;

const receivers = (field: string) =>
  z
    .array(z.enum(RECEIVER_KINDS, { error: `must list receiver kinds: ${RECEIVER_KINDS.join(', ')}` }))
    .refine((list) => new Set(list).size === list.length, { error: `${field} must not name a receiver kind twice` })
    .default([]);

const emailAddress = () => z.string().regex(/^[^\s@<>"',]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/, { error: 'must be an email address such as oncall@example.com' });

/** The `alerting` settings (`apps.kube-prometheus-stack.alerting`). */
export const alertingSettings = z
  .strictObject({
    /**
     * Receivers of critical alerts (someone must act now), e.g. `['pagerduty', 'slack']`.
     * @default [] (alerts stay in Alertmanager and Prometheus)
     */
    critical: receivers('critical'),
    /**
     * Receivers of warnings (someone should look today), e.g. `['slack']`.
     * @default []
     */
    warning: receivers('warning'),
    /** Slack: the channel, when the incoming webhook may post to more than its own. @default - the webhook's channel */
    slack: z
      .strictObject({ channel: z.string().regex(/^[#@][a-z0-9._-]{1,80}$/, { error: 'must be #channel or @user (lower case, digits, ".", "_", "-")' }) })
      .optional(),
    /** Email: recipient, sender and SMTP server (`host:port`, TLS required); the SMTP password is a credential. */
    email: z
      .strictObject({
        to: emailAddress(),
        from: emailAddress(),
        smarthost: z.string().regex(/^[A-Za-z0-9.-]+:[0-9]{1,5}$/, { error: 'must be host:port such as smtp.example.com:587' }),
        /** @default - the `from` address */
        username: z
          .string()
          .regex(/^[^\s"'\\]{1,256}$/, { error: 'must be 1-256 characters without whitespace or quotes' })
          .optional(),
      })
      .optional(),
    /**
     * Whether `Watchdog` (always firing while Prometheus and Alertmanager work) goes to an external
     * dead man's switch, whose URL is the credential `dead-mans-switch-url`: the switch pages when
     * the pings stop.
     * @default false
     */
    deadMansSwitch: z.boolean({ error: 'must be true or false' }).default(false),
  })
  .default({ critical: [], warning: [], deadMansSwitch: false });

/** Validated `alerting` settings. */
export type AlertingSettings = z.output<typeof alertingSettings>;

/** Cross-field rules of the `alerting` settings, as problems below `alerting`. */
export function alertingProblems(alerting: AlertingSettings, cluster: ClusterFacts): SettingsProblem[] {
  const used = new Set([...alerting.critical, ...alerting.warning]);
  const problems: SettingsProblem[] = [];
  if (cluster.serving && alerting.critical.length === 0)
    problems.push({
      path: ['alerting', 'critical'],
      message: 'must name at least one receiver on a cluster that serves users (EKS): its critical alerts would reach nobody (got [])',
    });
  if (used.has('email') && !alerting.email)
    problems.push({ path: ['alerting', 'email'], message: 'must be set (to, from, smarthost) when alerting.critical or alerting.warning lists email' });
  if (alerting.slack && !used.has('slack'))
    problems.push({ path: ['alerting', 'slack'], message: 'is set but neither alerting.critical nor alerting.warning lists slack' });
  if (alerting.email && !used.has('email'))
    problems.push({ path: ['alerting', 'email'], message: 'is set but neither alerting.critical nor alerting.warning lists email' });
  return problems;
}

/** The credentials of the receivers Secret: every kind's, so the Secret's keys do not depend on the environment. */
export const RECEIVERS_SECRET_CREDENTIALS: readonly CredentialSpec[] = Object.values(RECEIVER_CREDENTIALS);

/** The file Alertmanager reads a credential from. */
function secretFile(credential: CredentialSpec): string {
  return `${SECRETS_DIR}/${credential.key}`;
}

/** One receiver kind's integration, in Alertmanager's configuration layout. */
function integration(kind: ReceiverKind, alerting: AlertingSettings): Record<string, unknown> {
  switch (kind) {
    case 'slack':
      return {
        slack_configs: [
          {
            api_url_file: secretFile(RECEIVER_CREDENTIALS.slack),
            send_resolved: true,
            ...(alerting.slack?.channel ? { channel: alerting.slack.channel } : {}),
          },
        ],
      };
    case 'pagerduty':
      return { pagerduty_configs: [{ routing_key_file: secretFile(RECEIVER_CREDENTIALS.pagerduty), send_resolved: true }] };
    case 'webhook':
      return { webhook_configs: [{ url_file: secretFile(RECEIVER_CREDENTIALS.webhook), send_resolved: true }] };
    case 'email': {
      const email = alerting.email!;
      return {
        email_configs: [
          {
            to: email.to,
            from: email.from,
            smarthost: email.smarthost,
            auth_username: email.username ?? email.from,
            auth_password_file: secretFile(RECEIVER_CREDENTIALS.email),
            require_tls: true,
            send_resolved: true,
          },
        ],
      };
    }
  }
}

/** A receiver with the integrations of `kinds` (merged: one receiver may notify several ways). */
function receiver(name: string, kinds: readonly ReceiverKind[], alerting: AlertingSettings): Record<string, unknown> {
  return Object.assign({ name }, ...kinds.map((kind) => integration(kind, alerting)));
}

/**
 * Alerts about a whole node (it stopped reporting): while one fires, the per-GPU alerts of that node
 * (and its DCGM exporter being down) say nothing more.
 */
const NODE_DOWN_ALERTS = ['KubeNodeNotReady', 'KubeNodeUnreachable'];

/**
 * Alertmanager's configuration for `alerting`: critical and warning alerts to their receivers
 * (`null` when none is named), grouped per alert name and namespace, a critical alert silencing
 * the warning of the same alert on the same target and GPU, a node that is down silencing its
 * GPUs' alerts, and `Watchdog` to the dead man's switch when there is one.
 */
export function alertmanagerConfig(alerting: AlertingSettings): Record<string, unknown> {
  const route = (severity: 'critical' | 'warning', repeat: string) => ({
    receiver: alerting[severity].length > 0 ? severity : 'null',
    matchers: [`severity = "${severity}"`],
    repeat_interval: repeat,
  });
  return {
    global: { resolve_timeout: '5m' },
    route: {
      receiver: 'null',
      group_by: ['alertname', 'namespace'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '12h',
      routes: [
        // Pings the switch every 5 minutes while the alerting pipeline works.
        {
          receiver: alerting.deadMansSwitch ? 'dead-mans-switch' : 'null',
          matchers: ['alertname = "Watchdog"'],
          group_wait: '0s',
          group_interval: '5m',
          repeat_interval: '5m',
        },
        { receiver: 'null', matchers: ['alertname = "InfoInhibitor"'] },
        route('critical', '1h'),
        route('warning', '12h'),
      ],
    },
    inhibit_rules: [
      { source_matchers: ['severity = "critical"'], target_matchers: ['severity =~ "warning|info"'], equal: ['alertname', 'namespace', 'instance', 'gpu'] },
      { source_matchers: ['severity = "warning"'], target_matchers: ['severity = "info"'], equal: ['alertname', 'namespace', 'instance'] },
      { source_matchers: ['alertname = "InfoInhibitor"'], target_matchers: ['severity = "info"'], equal: ['namespace'] },
      { source_matchers: [`alertname =~ "${NODE_DOWN_ALERTS.join('|')}"`], target_matchers: ['alertname =~ "Gpu.+|DcgmExporterDown"'], equal: ['node'] },
    ],
    receivers: [
      { name: 'null' },
      ...(alerting.critical.length > 0 ? [receiver('critical', alerting.critical, alerting)] : []),
      ...(alerting.warning.length > 0 ? [receiver('warning', alerting.warning, alerting)] : []),
      ...(alerting.deadMansSwitch
        ? [{ name: 'dead-mans-switch', webhook_configs: [{ url_file: secretFile(RECEIVER_CREDENTIALS.deadMansSwitch), send_resolved: false }] }]
        : []),
    ],
    templates: ['/etc/alertmanager/config/*.tmpl'],
  };
}

/** Variable prefix of kube-prometheus-stack's credentials (`TF_VAR_<prefix>_<key>`). */
const VARIABLE_PREFIX = 'kube_prometheus_stack';

/** The `TF_VAR_` name of a receiver credential. */
function variableOf(credential: CredentialSpec): string {
  return `TF_VAR_${VARIABLE_PREFIX}_${credential.key.replace(/[^a-z0-9]/g, '_')}`;
}

/** What `npm run deploy` prints about where the environment's alerts go, and which credentials that needs. */
export function alertRoutingSummary(alerting: AlertingSettings): string {
  const list = (kinds: readonly ReceiverKind[]) => (kinds.length > 0 ? kinds.join(', ') : 'nobody (kept in Alertmanager)');
  const needed: CredentialSpec[] = [...new Set([...alerting.critical, ...alerting.warning])].map((kind) => RECEIVER_CREDENTIALS[kind]);
  if (alerting.deadMansSwitch) needed.push(RECEIVER_CREDENTIALS.deadMansSwitch);
  if (needed.length === 0 && !alerting.deadMansSwitch)
    return 'alerts stay local: no receiver is configured (apps.kube-prometheus-stack.alerting), so nobody is notified; see them in Alertmanager, Prometheus or Grafana (docs/monitoring.md)';
  return [
    `critical -> ${list(alerting.critical)}`,
    `warning -> ${list(alerting.warning)}`,
    `Watchdog -> ${alerting.deadMansSwitch ? "the dead man's switch" : "nobody (no dead man's switch)"}`,
    `credentials (Secret monitoring/${RECEIVERS_SECRET}): ${needed.map(variableOf).join(', ')}`,
  ].join('; ');
}

/** The addresses alerts raised outside the cluster (failed backups) are mailed to: the email receiver's, when it is used. */
export function alertEmails(alerting: AlertingSettings): string[] {
  return alerting.email && [...alerting.critical, ...alerting.warning].includes('email') ? [alerting.email.to] : [];
}
