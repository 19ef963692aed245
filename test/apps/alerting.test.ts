/**
 * Where alerts go: the environments' `alerting` settings, the Alertmanager configuration generated
 * from them (what Argo CD syncs), the deploy's message, and amtool's verdict on the configuration
 * (AMTOOL, built by tools/monitoring/build.sh; skipped visibly without it).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { RECEIVER_CREDENTIALS, RECEIVERS_SECRET } from '../../apps/alerting';
import { problemsAfter } from '../support/environments';
import { synthEnvironment } from '../support/synth';

/** The Alertmanager configuration `npm run values` generated for an environment. */
function generatedConfig(env: string): any {
  const values = parse(fs.readFileSync(path.join('apps', 'kube-prometheus-stack', 'generated', `${env}.yaml`), 'utf8'));
  return values['kube-prometheus-stack'].alertmanager.config;
}

const receiverOf = (config: any, severity: string) => config.route.routes.find((r: any) => r.matchers.includes(`severity = "${severity}"`)).receiver;
const receiverNamed = (config: any, name: string) => config.receivers.find((r: any) => r.name === name);

describe('the generated Alertmanager configuration', () => {
  test.each(['staging', 'prod'])(
    '%s: critical alerts reach a receiver with at least one integration, reading its credential from the mounted Secret',
    (env) => {
      const config = generatedConfig(env);
      const critical = receiverNamed(config, receiverOf(config, 'critical'));
      expect(critical.name).not.toBe('null');
      const integrations = Object.keys(critical).filter((k) => k.endsWith('_configs'));
      expect(integrations.length).toBeGreaterThan(0);
      for (const key of integrations)
        for (const integration of critical[key]) {
          const file = integration.api_url_file ?? integration.routing_key_file ?? integration.url_file ?? integration.auth_password_file;
          expect(file).toMatch(new RegExp(`^/etc/alertmanager/secrets/${RECEIVERS_SECRET}/[a-z-]+$`));
          // No credential is written into the configuration itself.
          expect(integration.api_url ?? integration.routing_key ?? integration.url ?? integration.auth_password).toBeUndefined();
        }
    },
  );

  test("prod: PagerDuty and Slack for critical, Slack for warnings, Watchdog to the dead man's switch", () => {
    const config = generatedConfig('prod');
    const dir = `/etc/alertmanager/secrets/${RECEIVERS_SECRET}`;
    expect(receiverNamed(config, 'critical')).toEqual({
      name: 'critical',
      pagerduty_configs: [{ routing_key_file: `${dir}/${RECEIVER_CREDENTIALS.pagerduty.key}`, send_resolved: true }],
      slack_configs: [{ api_url_file: `${dir}/${RECEIVER_CREDENTIALS.slack.key}`, send_resolved: true, channel: '#llm-prod-alerts' }],
    });
    expect(receiverOf(config, 'warning')).toBe('warning');
    const watchdog = config.route.routes.find((r: any) => r.matchers.includes('alertname = "Watchdog"'));
    expect(watchdog.receiver).toBe('dead-mans-switch');
    expect(receiverNamed(config, 'dead-mans-switch').webhook_configs).toEqual([
      { url_file: `${dir}/${RECEIVER_CREDENTIALS.deadMansSwitch.key}`, send_resolved: false },
    ]);
  });

  test('dev keeps every alert in Alertmanager: all routes go to the null receiver', () => {
    const config = generatedConfig('dev');
    expect(config.receivers).toEqual([{ name: 'null' }]);
    expect(config.route.routes.map((r: any) => r.receiver)).toEqual(['null', 'null', 'null', 'null']);
  });

  test('grouping per alert and namespace; a critical alert silences the warning of the same alert on the same target and GPU; a node down silences its GPUs', () => {
    const config = generatedConfig('prod');
    expect(config.route.group_by).toEqual(['alertname', 'namespace']);
    expect(config.inhibit_rules).toEqual(
      expect.arrayContaining([
        { source_matchers: ['severity = "critical"'], target_matchers: ['severity =~ "warning|info"'], equal: ['alertname', 'namespace', 'instance', 'gpu'] },
        {
          source_matchers: ['alertname =~ "KubeNodeNotReady|KubeNodeUnreachable"'],
          target_matchers: ['alertname =~ "Gpu.+|DcgmExporterDown"'],
          equal: ['node'],
        },
      ]),
    );
  });

  test('Alertmanager mounts the receivers Secret', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      const values = parse(fs.readFileSync(path.join('apps', 'kube-prometheus-stack', 'generated', `${env}.yaml`), 'utf8'));
      expect(values['kube-prometheus-stack'].alertmanager.alertmanagerSpec.secrets).toEqual([RECEIVERS_SECRET]);
    }
  });
});

describe('the deploy says where alerts go', () => {
  test('dev: alerts stay local, nobody is notified', () => {
    const output = synthEnvironment('dev').apps.json.output!.kube_prometheus_stack_alert_routing as any;
    expect(output.value).toMatch(/^alerts stay local: no receiver is configured/);
  });

  test('prod: the receivers of each severity and the variables that supply their credentials', () => {
    const output = synthEnvironment('prod').apps.json.output!.kube_prometheus_stack_alert_routing as any;
    expect(output.value).toBe(
      "critical -> pagerduty, slack; warning -> slack, email; Watchdog -> the dead man's switch; credentials (Secret monitoring/alertmanager-receivers): " +
        'TF_VAR_kube_prometheus_stack_pagerduty_routing_key, TF_VAR_kube_prometheus_stack_slack_api_url, TF_VAR_kube_prometheus_stack_smtp_password, ' +
        'TF_VAR_kube_prometheus_stack_dead_mans_switch_url',
    );
  });
});

describe('alerting settings: each rule names the environment, the field and the rule', () => {
  test('dev (minikube) may keep critical alerts local', () => {
    expect(problemsAfter('dev', (e) => (e.apps['kube-prometheus-stack'] = { alerting: { critical: [] } }))).toEqual([]);
  });

  const alerting = (e: any, value: unknown) => (e.apps['kube-prometheus-stack'] = { alerting: value });
  test.each<[string, (e: any) => void, string]>([
    [
      'critical alerts to nobody on EKS',
      (e) => alerting(e, { warning: ['slack'] }),
      'prod.apps.kube-prometheus-stack.alerting.critical: must name at least one receiver on a cluster that serves users (EKS): its critical alerts would reach nobody (got [])',
    ],
    [
      'unknown kind',
      (e) => alerting(e, { critical: ['sms'] }),
      'prod.apps.kube-prometheus-stack.alerting.critical[0]: must list receiver kinds: slack, pagerduty, webhook, email',
    ],
    [
      'a kind twice',
      (e) => alerting(e, { warning: ['slack', 'slack'] }),
      'prod.apps.kube-prometheus-stack.alerting.warning: warning must not name a receiver kind twice',
    ],
    [
      'email without its settings',
      (e) => alerting(e, { critical: ['email'] }),
      'prod.apps.kube-prometheus-stack.alerting.email: must be set (to, from, smarthost) when alerting.critical or alerting.warning lists email',
    ],
    [
      'slack settings without slack',
      (e) => alerting(e, { critical: ['pagerduty'], slack: { channel: '#x' } }),
      'prod.apps.kube-prometheus-stack.alerting.slack: is set but neither alerting.critical nor alerting.warning lists slack',
    ],
    [
      'email settings without email',
      (e) => alerting(e, { critical: ['pagerduty'], email: { to: 'a@example.com', from: 'b@example.com', smarthost: 'smtp.example.com:587' } }),
      'prod.apps.kube-prometheus-stack.alerting.email: is set but neither alerting.critical nor alerting.warning lists email',
    ],
    [
      'slack channel',
      (e) => alerting(e, { critical: ['slack'], slack: { channel: 'general' } }),
      'prod.apps.kube-prometheus-stack.alerting.slack.channel: must be #channel or @user (lower case, digits, ".", "_", "-")',
    ],
    [
      'email address',
      (e) => alerting(e, { critical: ['email'], email: { to: 'oncall', from: 'b@example.com', smarthost: 'smtp.example.com:587' } }),
      'prod.apps.kube-prometheus-stack.alerting.email.to: must be an email address such as oncall@example.com',
    ],
    [
      'SMTP server',
      (e) => alerting(e, { critical: ['email'], email: { to: 'a@example.com', from: 'b@example.com', smarthost: 'smtp.example.com' } }),
      'prod.apps.kube-prometheus-stack.alerting.email.smarthost: must be host:port such as smtp.example.com:587',
    ],
    [
      'SMTP user',
      (e) => alerting(e, { critical: ['email'], email: { to: 'a@example.com', from: 'b@example.com', smarthost: 'smtp.example.com:587', username: 'a "b"' } }),
      'prod.apps.kube-prometheus-stack.alerting.email.username: must be 1-256 characters without whitespace or quotes',
    ],
    ["dead man's switch flag", (e) => alerting(e, { deadMansSwitch: 'yes' }), 'prod.apps.kube-prometheus-stack.alerting.deadMansSwitch: must be true or false'],
  ])('%s', (_rule, mutate, expected) => {
    expect(problemsAfter('prod', mutate)).toContain(expected);
  });
});

const amtool = process.env.AMTOOL;
if (!amtool) console.warn('SKIPPED amtool check-config: set AMTOOL (tools/monitoring/build.sh builds it; .ci/run exports it)');

(amtool ? describe : describe.skip)('amtool check-config accepts the configuration of every environment', () => {
  test.each(['dev', 'staging', 'prod'])('%s', (env) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'amtool-'));
    const file = path.join(dir, 'alertmanager.yaml');
    fs.writeFileSync(file, JSON.stringify(generatedConfig(env)));
    const out = execFileSync(amtool!, ['check-config', file], { encoding: 'utf8' });
    expect(out).toContain('SUCCESS');
    fs.rmSync(dir, { recursive: true });
  });

  test('and rejects a configuration that routes to an undefined receiver', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'amtool-'));
    const file = path.join(dir, 'alertmanager.yaml');
    const config = generatedConfig('prod');
    fs.writeFileSync(file, JSON.stringify({ ...config, receivers: config.receivers.filter((r: any) => r.name !== 'critical') }));
    let stdout = '';
    try {
      execFileSync(amtool!, ['check-config', file], { encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      stdout = (err as { stdout: string }).stdout;
    }
    expect(stdout).toContain('FAILED: undefined receiver "critical" used in route');
    fs.rmSync(dir, { recursive: true });
  });
});
