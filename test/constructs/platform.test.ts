import { parse } from 'yaml';
import { AppSecret, AppSecretProps } from '../../constructs/platform/app-secret';
import { ArgoCd, ArgoCdProps } from '../../constructs/platform/argocd';
import { ArgoCdRepositoryCredentials, RepositoryAuth } from '../../constructs/platform/argocd-repository';
import { Gp3StorageClass } from '../../constructs/platform/gp3-storage-class';
import { StatefulStorageClass } from '../../constructs/platform/stateful-storage-class';
import { VolumeBackup } from '../../constructs/platform/volume-backup';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { NvidiaDevicePlugin } from '../../constructs/platform/nvidia-device-plugin';
import { PlatformNamespaces } from '../../constructs/platform/platform-namespaces';
import { synthScope } from '../support/synth';

const argocdBase: ArgoCdProps = { namespace: 'argocd', ingress: { className: 'nginx', hostname: 'argocd.example.com', tls: true } };
const argocd = (props: Partial<ArgoCdProps> = {}) => {
  const release = synthScope((s) => new ArgoCd(s, 'argocd', { ...argocdBase, ...props })).only('helm_release');
  return { release, values: parse(release.values[0]) };
};

describe('ArgoCd', () => {
  test('defaults: pinned chart, release argocd, waits 600 s, 180 s reconciliation, CRDs kept, Dex off, url', () => {
    const { release, values } = argocd();
    expect(release).toMatchObject({
      name: 'argocd',
      repository: 'https://argoproj.github.io/argo-helm',
      chart: 'argo-cd',
      version: '10.1.1',
      wait: true,
      wait_for_jobs: true,
      timeout: 600,
      create_namespace: false,
    });
    expect(values.configs.cm).toEqual({ url: 'https://argocd.example.com', 'timeout.reconciliation': '180s' });
    expect(values.crds).toEqual({ install: true, keep: true });
    expect(values.dex).toEqual({ enabled: false });
    expect(values.global.networkPolicy).toEqual({ create: true, defaultDenyIngress: true });
  });

  test('the controller, API server and repo server serve metrics through their metrics Services', () => {
    const { values } = argocd({ resources: { controller: { requests: { cpu: '100m' } } } });
    for (const component of ['controller', 'server', 'repoServer']) expect(values[component].metrics).toEqual({ enabled: true });
    expect(values.controller.resources).toEqual({ requests: { cpu: '100m' } });
  });

  test('tls: false serves plain HTTP, and the configured url says so', () => {
    const { values } = argocd({ ingress: { ...argocdBase.ingress, tls: false } });
    expect(values.configs.params['server.insecure']).toBe(true);
    expect(values.configs.cm.url).toBe('http://argocd.example.com');
    expect(values.server.ingress).toMatchObject({ tls: false, annotations: {} });
  });

  test('tls: true keeps the server on TLS; the Ingress carries exactly the annotations given (none of its own)', () => {
    expect(argocd().values.server.ingress.annotations).toEqual({});
    const { values } = argocd({ ingress: { ...argocdBase.ingress, annotations: { 'example.com/backend': 'https' } } });
    expect(values.configs.params['server.insecure']).toBe(false);
    expect(values.server.ingress.annotations).toEqual({ 'example.com/backend': 'https' });
    expect(values.server.ingress.controller).toBeUndefined();
  });

  describe("awsAlb: a first rule for the CLI's gRPC to a gRPC Service of the given type", () => {
    const GRPC_KEY = 'alb.ingress.kubernetes.io/conditions.argocd-server-grpc';
    const HEADER = { field: 'http-header', httpHeaderConfig: { httpHeaderName: 'Content-Type', values: ['application/grpc'] } };
    const alb = (annotations: Record<string, string> = {}, extra: Partial<ArgoCdProps['ingress']> = {}) =>
      argocd({ ingress: { ...argocdBase.ingress, className: 'alb', annotations, awsAlb: { serviceType: 'NodePort' }, ...extra } }).values;

    test("the gRPC path comes before the chart's path to the server, on the port the server serves", () => {
      const values = alb();
      expect(values.server.ingress.controller).toBeUndefined();
      expect(values.server.ingress.extraPaths).toEqual([
        { path: '/', pathType: 'Prefix', backend: { service: { name: 'argocd-server-grpc', port: { number: 443 } } } },
      ]);
      expect(alb({}, { tls: false }).server.ingress.extraPaths[0].backend.service.port).toEqual({ number: 80 });
      const [service] = values.extraObjects;
      expect(service).toMatchObject({
        kind: 'Service',
        metadata: { name: 'argocd-server-grpc', annotations: { 'alb.ingress.kubernetes.io/backend-protocol-version': 'GRPC' } },
        spec: { type: 'NodePort', selector: { 'app.kubernetes.io/name': 'argocd-server', 'app.kubernetes.io/instance': 'argocd' } },
      });
    });

    test('without conditions given, the gRPC rule matches the header only', () => {
      expect(JSON.parse(alb().server.ingress.annotations[GRPC_KEY])).toEqual([HEADER]);
    });

    test('conditions given for the gRPC Service join the header match in one list; others stay as given', () => {
      const sourceIp = { field: 'source-ip', sourceIpConfig: { values: ['198.51.100.0/24'] } };
      const annotations = alb({ [GRPC_KEY]: JSON.stringify([sourceIp]), 'alb.ingress.kubernetes.io/conditions.argocd-server': JSON.stringify([sourceIp]) })
        .server.ingress.annotations;
      expect(JSON.parse(annotations[GRPC_KEY])).toEqual([HEADER, sourceIp]);
      expect(JSON.parse(annotations['alb.ingress.kubernetes.io/conditions.argocd-server'])).toEqual([sourceIp]);
    });

    test('without awsAlb, no gRPC rule, no gRPC Service, no condition of its own', () => {
      const { values } = argocd({ ingress: { ...argocdBase.ingress, className: 'alb' } });
      expect(values.server.ingress.extraPaths).toBeUndefined();
      expect(values.extraObjects).toBeUndefined();
      expect(values.server.ingress.annotations).toEqual({});
    });

    test.each([
      [
        'not JSON',
        'source-ip',
        /^stack\/argocd: ingress annotation alb\.ingress\.kubernetes\.io\/conditions\.argocd-server-grpc must be a JSON list of conditions \(got "source-ip"\)$/,
      ],
      ['not a list', '{"field":"source-ip"}', /must be a JSON list of conditions \(got "\{\\"field\\":\\"source-ip\\"\}"\)$/],
    ])('rejects a gRPC condition annotation that is %s', (_name, value, message) => {
      expect(() => alb({ [GRPC_KEY]: value })).toThrow(message);
    });
  });

  test('rejects an annotation value the chart would evaluate as a template', () => {
    expect(() => argocd({ ingress: { ...argocdBase.ingress, annotations: { 'example.com/a': '{{ .Release.Name }}' } } })).toThrow(
      /^stack\/argocd: ingress annotation example\.com\/a must not contain "\{\{" \(the chart evaluates annotation values as templates\)$/,
    );
  });

  test('values is an escape hatch merged over the computed values', () => {
    const { values } = argocd({ values: { configs: { cm: { 'admin.enabled': 'false' } }, dex: { enabled: true } } });
    expect(values.configs.cm).toEqual({ url: 'https://argocd.example.com', 'timeout.reconciliation': '180s', 'admin.enabled': 'false' });
    expect(values.dex).toEqual({ enabled: true });
  });

  test('a local chart path has no repository; options reach the release', () => {
    const { release, values } = argocd({
      chart: { repository: '', name: '/charts/argo-cd', version: '10.1.1' },
      wait: false,
      timeoutSeconds: 120,
      reconciliationInterval: '5m',
      resources: { repoServer: { requests: { cpu: '1' } } },
    });
    expect(release).toMatchObject({ chart: '/charts/argo-cd', wait: false, wait_for_jobs: false, timeout: 120 });
    expect(release.repository).toBeUndefined();
    expect(values.configs.cm['timeout.reconciliation']).toBe('5m');
    expect(values.repoServer.resources).toEqual({ requests: { cpu: '1' } });
  });

  test.each([
    [{ reconciliationInterval: 'often' }, /^stack\/argocd: reconciliationInterval "often" must be a duration such as 180s, 5m or 1h$/],
    [{ timeoutSeconds: 0 }, /^stack\/argocd: timeoutSeconds 0 must be a positive integer$/],
  ])('rejects %j', (props, message) => {
    expect(() => argocd(props)).toThrow(message);
  });
});

describe('PlatformNamespaces', () => {
  const psa = (enforce: string) => ({
    'pod-security.kubernetes.io/enforce': enforce,
    'pod-security.kubernetes.io/enforce-version': 'v1.35',
    'pod-security.kubernetes.io/warn': 'restricted',
    'pod-security.kubernetes.io/warn-version': 'v1.35',
    'pod-security.kubernetes.io/audit': 'restricted',
    'pod-security.kubernetes.io/audit-version': 'v1.35',
  });

  test('labels: managed-by, role, extra labels and Pod Security Admission (restricted by default)', () => {
    const s = synthScope(
      (scope) => new PlatformNamespaces(scope, 'ns', { gitopsNamespace: 'argocd', appNamespaces: ['a'], labels: { team: 'ml' }, podSecurityVersion: 'v1.35' }),
    );
    expect(Object.fromEntries(s.all('kubernetes_namespace_v1').map((n) => [n.metadata.name, n.metadata.labels]))).toEqual({
      argocd: {
        'app.kubernetes.io/managed-by': 'terraform',
        'app.kubernetes.io/part-of': 'llm-platform',
        team: 'ml',
        ...psa('restricted'),
        'llm-platform/role': 'gitops-tooling',
      },
      a: {
        'app.kubernetes.io/managed-by': 'terraform',
        'app.kubernetes.io/part-of': 'llm-platform',
        team: 'ml',
        ...psa('restricted'),
        'llm-platform/role': 'application',
      },
    });
  });

  test('enforces the level given per namespace and still warns and audits at restricted', () => {
    const s = synthScope(
      (scope) =>
        new PlatformNamespaces(scope, 'ns', {
          gitopsNamespace: 'argocd',
          appNamespaces: ['gpu', 'web'],
          podSecurity: { gpu: 'baseline' },
          podSecurityVersion: 'v1.35',
        }),
    );
    const labels = Object.fromEntries(s.all('kubernetes_namespace_v1').map((n) => [n.metadata.name, n.metadata.labels]));
    expect(labels.gpu).toMatchObject(psa('baseline'));
    expect(labels.web).toMatchObject(psa('restricted'));
  });

  test.each([
    [{ gitopsNamespace: 'a', appNamespaces: ['a'] }, /^stack\/ns: namespace "a" is listed twice; names must be unique$/],
    [{ podSecurity: { other: 'baseline' as const } }, /^stack\/ns: podSecurity names namespace "other", which is not created here \(namespaces: argocd, a\)$/],
    [{ podSecurityVersion: 'latest' }, /^stack\/ns: podSecurityVersion "latest" must be a Kubernetes minor version such as v1\.35$/],
    [{ namespaceLabels: { other: { a: 'b' } } }, /^stack\/ns: namespaceLabels names namespace "other", which is not created here \(namespaces: argocd, a\)$/],
  ])('rejects %j', (props, message) => {
    expect(() =>
      synthScope((s) => new PlatformNamespaces(s, 'ns', { gitopsNamespace: 'argocd', appNamespaces: ['a'], podSecurityVersion: 'v1.35', ...props })),
    ).toThrow(message);
  });
});

describe('AppSecret', () => {
  const base: AppSecretProps = {
    namespace: 'n',
    secretName: 's',
    variablePrefix: 'app',
    credentials: [{ key: 'API_KEY', generatedBytes: 16, pattern: '^\\S{8,}$', rule: 'at least 8 characters' }],
    settings: { URL: 'http://x' },
  };

  test('one ephemeral, sensitive, nullable, validated variable per credential, coalesced with an ephemeral random password; write-only data', () => {
    const s = synthScope((scope) => new AppSecret(scope, 'secret', base));
    expect(s.json.variable!.app_api_key).toMatchObject({ type: 'string', sensitive: true, ephemeral: true, nullable: true, default: null });
    expect(s.json.variable!.app_api_key.validation[0]).toEqual({
      condition: '${var.app_api_key == null || can(regex("^\\\\S{8,}$", var.app_api_key))}',
      error_message: 'app_api_key (API_KEY) must be at least 8 characters.',
    });
    const secret = s.only('kubernetes_secret_v1');
    expect(secret.data).toBeUndefined();
    expect(secret.data_wo_revision).toBe(1);
    expect(secret.data_wo.URL).toBe('http://x');
    const [, generated] = secret.data_wo.API_KEY.match(/^\$\{coalesce\(var\.app_api_key, ephemeral\.random_password\.(\w+)\.result\)\}$/);
    expect((s.json as any).ephemeral.random_password[generated]).toMatchObject({ length: 32, override_special: 'abcdef', upper: false, lower: false });
    expect(s.json.resource!.random_bytes).toBeUndefined();
  });

  test.each([
    [{ settings: { API_KEY: 'x' } }, /^stack\/secret: settings must not set the credential key "API_KEY"$/],
    [{ credentials: [] }, /^stack\/secret\/credentials: credentials must list at least one credential$/],
    [{ variablePrefix: 'My-App' }, /^stack\/secret\/credentials: variable name "My-App_api_key" must be lower-case letters, digits and "_"$/],
    [
      { settings: (credential: (key: string) => string) => ({ URL: credential('TOKEN') }) },
      /^stack\/secret\/credentials: no credential "TOKEN" \(credentials: API_KEY\)$/,
    ],
    [{ revision: 0 }, /^stack\/secret: revision 0 must be a whole number >= 1$/],
    [
      { credentials: [{ key: 'API_KEY', generatedBytes: -1, pattern: '^x$', rule: 'x' }] },
      /^stack\/secret\/credentials: credential "API_KEY": generatedBytes must be a whole number >= 0 \(got -1\)$/,
    ],
  ])('rejects %j', (props, message) => {
    expect(() => synthScope((s) => new AppSecret(s, 'secret', { ...base, ...props }))).toThrow(message);
  });

  test('a credential with generatedBytes 0 is never generated: empty until supplied', () => {
    const s = synthScope(
      (scope) =>
        new AppSecret(scope, 'secret', {
          ...base,
          credentials: [{ key: 'webhook-url', generatedBytes: 0, pattern: '^https://\\S+$', rule: 'an https:// URL' }],
        }),
    );
    expect(s.only('kubernetes_secret_v1').data_wo['webhook-url']).toBe('${(var.app_webhook_url == null) ? "" : var.app_webhook_url}');
    expect((s.json as any).ephemeral?.random_password).toBeUndefined();
    expect(s.json.variable!.app_webhook_url).toMatchObject({ ephemeral: true, sensitive: true, nullable: true, default: null });
    expect(s.json.variable!.app_webhook_url.description).toContain('Empty when unset (it cannot be generated)');
  });

  test('builds a setting from a credential as a Terraform expression, and names variables of dashed keys with "_"', () => {
    const s = synthScope((scope) => {
      const db = new AppSecret(scope, 'db', {
        ...base,
        secretName: 'db',
        credentials: [{ key: 'db-password', generatedBytes: 24, pattern: '^[a-z0-9]{16,}$', rule: 'hex' }],
        settings: {},
      });
      new AppSecret(scope, 'app', { ...base, settings: (own) => ({ URL: `mongodb://u:${db.credential('db-password')}@h:27017/d`, KEY_COPY: own('API_KEY') }) });
    });
    const app = s.all('kubernetes_secret_v1').find((x) => x.metadata.name === 's');
    expect(app.data_wo.URL).toMatch(/^mongodb:\/\/u:\$\{coalesce\(var\.app_db_password, ephemeral\.random_password\.\w+\.result\)\}@h:27017\/d$/);
    expect(app.data_wo.KEY_COPY).toMatch(/^\$\{coalesce\(var\.app_api_key, ephemeral\.random_password\.\w+\.result\)\}$/);
    expect(s.json.variable!.app_db_password).toMatchObject({ sensitive: true });
  });
});

describe('Gp3StorageClass', () => {
  test('options: name and not default', () => {
    const s = synthScope((scope) => new Gp3StorageClass(scope, 'gp3', { name: 'fast', isDefault: false }));
    expect(s.only('kubernetes_storage_class_v1').metadata).toEqual({ name: 'fast', annotations: { 'storageclass.kubernetes.io/is-default-class': 'false' } });
  });
});

describe('StatefulStorageClass', () => {
  test('Retain, WaitForFirstConsumer, not default; one tagSpecification parameter per volume tag', () => {
    const s = synthScope((scope) => new StatefulStorageClass(scope, 'sc', { volumeTags: { 'llm-platform/backup': 'c1', team: 'ml ops' } }));
    expect(s.only('kubernetes_storage_class_v1')).toMatchObject({
      metadata: { name: 'gp3-retain', annotations: { 'storageclass.kubernetes.io/is-default-class': 'false' } },
      reclaim_policy: 'Retain',
      volume_binding_mode: 'WaitForFirstConsumer',
      parameters: { tagSpecification_1: 'llm-platform/backup=c1', tagSpecification_2: 'team=ml ops' },
    });
  });

  test.each(['a=b', '', 'x'.repeat(129), '{{ .PVCName }}'])('rejects the tag text %j', (text) => {
    expect(() => synthScope((scope) => new StatefulStorageClass(scope, 'sc', { volumeTags: { k: text } }))).toThrow(
      /^stack\/sc: volume tag text ".*" must be 1-128 letters, digits, spaces or _ \. : \/ \+ - @$/,
    );
  });
});

describe('VolumeBackup', () => {
  const props = { name: 'c1', selectionTag: { key: 'k', value: 'v' }, retentionDays: 14 };
  test('a custom schedule; recovery points carry the selection tag', () => {
    const s = synthScope((scope) => new VolumeBackup(scope, 'b', { ...props, schedule: 'cron(30 1 ? * SUN *)' }));
    expect(s.only('aws_backup_plan').rule[0]).toMatchObject({
      schedule: 'cron(30 1 ? * SUN *)',
      lifecycle: { delete_after: 14 },
      recovery_point_tags: { k: 'v' },
    });
    expect(s.only('aws_backup_selection').depends_on).toHaveLength(2);
  });

  test('copies: a vault and key of the copies provider, the rule copies there and keeps copies their own days', () => {
    const s = synthScope((scope) => {
      const secondary = new AwsProvider(scope, 'dr', { alias: 'dr', region: 'eu-central-1' });
      new VolumeBackup(scope, 'b', { ...props, copies: { provider: secondary, retentionDays: 90 } });
    });
    const copies = s.all('aws_backup_vault').find((v) => v.provider === 'aws.dr');
    expect(copies).toMatchObject({ name: 'c1-volumes-copies', force_destroy: false });
    const keyAddress = s.address('aws_kms_key', (k) => k.provider === 'aws.dr');
    expect(copies.kms_key_arn).toBe(`\${${keyAddress}.arn}`);
    expect(s.only('aws_backup_plan').rule[0].copy_action).toEqual([
      { destination_vault_arn: `\${${s.address('aws_backup_vault', (v) => v === copies)}.arn}`, lifecycle: { delete_after: 90 } },
    ]);
    expect(synthScope((scope) => new VolumeBackup(scope, 'b', props)).only('aws_backup_plan').rule[0].copy_action).toBeUndefined();
  });

  test.each([0, 1.5])('rejects copies.retentionDays %j', (retentionDays) => {
    expect(() =>
      synthScope((scope) => {
        const secondary = new AwsProvider(scope, 'dr', { alias: 'dr', region: 'eu-central-1' });
        new VolumeBackup(scope, 'b', { ...props, copies: { provider: secondary, retentionDays } });
      }),
    ).toThrow(new RegExp(`^stack/b: copies.retentionDays ${retentionDays} must be a whole number >= 1$`));
  });

  test.each([0, 1.5])('rejects retentionDays %j', (retentionDays) => {
    expect(() => synthScope((scope) => new VolumeBackup(scope, 'b', { ...props, retentionDays }))).toThrow(
      new RegExp(`^stack/b: retentionDays ${retentionDays} must be a whole number >= 1$`),
    );
  });
});

describe('NvidiaDevicePlugin', () => {
  const toleration = { key: 'nvidia.com/gpu', operator: 'Exists' as const, effect: 'NoSchedule' };

  test('pinned chart by default, into kube-system unless told otherwise, tolerating the given taints', () => {
    expect(synthScope((s) => new NvidiaDevicePlugin(s, 'dp', { tolerations: [toleration] })).only('helm_release')).toMatchObject({
      chart: 'nvidia-device-plugin',
      version: '0.20.0',
      namespace: 'kube-system',
    });
    const release = synthScope((s) => new NvidiaDevicePlugin(s, 'dp', { tolerations: [toleration], namespace: 'gpu-operator' })).only('helm_release');
    expect(release.namespace).toBe('gpu-operator');
    expect(parse(release.values[0]).tolerations).toEqual([{ key: 'CriticalAddonsOnly', operator: 'Exists' }, toleration]);
  });

  test('rejects an empty toleration list', () => {
    expect(() => synthScope((s) => new NvidiaDevicePlugin(s, 'dp', { tolerations: [] }))).toThrow(
      /^stack\/dp: tolerations must cover the GPU nodes' taint; an untolerated plugin never runs on them$/,
    );
  });
});

describe('ArgoCd single sign-on', () => {
  const oidc = { name: 'Corp', issuer: 'https://login.example.com', clientId: 'argocd', adminGroups: ['platform-admins'] };

  test('Argo CD OIDC with groups RBAC; the client secret is a sensitive variable passed as a sensitive Helm value', () => {
    const s = synthScope((scope) => new ArgoCd(scope, 'argocd', { ...argocdBase, oidc }));
    const release = s.only('helm_release');
    const values = parse(release.values[0]);
    expect(parse(values.configs.cm['oidc.config'])).toEqual({
      name: 'Corp',
      issuer: 'https://login.example.com',
      clientID: 'argocd',
      clientSecret: '$oidc.clientSecret',
      requestedScopes: ['openid', 'profile', 'email', 'groups'],
    });
    expect(values.configs.cm['admin.enabled']).toBe(false);
    expect(values.configs.rbac).toEqual({ 'policy.default': '', 'policy.csv': 'g, platform-admins, role:admin', scopes: '[groups]' });
    // Write-only: Helm gets it at install and when the revision grows; no plan or state holds it.
    expect(release.set_sensitive).toBeUndefined();
    expect(release.set_wo).toEqual([{ name: 'configs.secret.extra.oidc\\.clientSecret', value: '${var.argocd_oidc_client_secret}' }]);
    expect(release.set_wo_revision).toBe(1);
    expect(s.json.variable!.argocd_oidc_client_secret).toEqual({
      type: 'string',
      sensitive: true,
      ephemeral: true,
      nullable: false,
      description: 'OIDC client secret of Argo CD single sign-on (ephemeral: give it again at apply)',
    });
  });

  test('without SSO there is no secret variable and no RBAC override', () => {
    const s = synthScope((scope) => new ArgoCd(scope, 'argocd', argocdBase));
    expect(s.json.variable).toBeUndefined();
    expect(parse(s.only('helm_release').values[0]).configs.rbac).toBeUndefined();
  });

  test('rejects a non-https issuer', () => {
    expect(() => argocd({ oidc: { ...oidc, issuer: 'http://login' } })).toThrow(/^stack\/argocd: oidc\.issuer "http:\/\/login" must be an https:\/\/ URL$/);
  });
});

describe('ArgoCdRepositoryCredentials', () => {
  test.each([
    [
      RepositoryAuth.HTTPS_TOKEN,
      'https://git.example.com/r.git',
      ['gitops_repo_token', 'gitops_repo_username'],
      { username: '${var.gitops_repo_username}', password: '${var.gitops_repo_token}' },
    ],
    [RepositoryAuth.SSH_KEY, 'git@git.example.com:o/r.git', ['gitops_repo_ssh_private_key'], { sshPrivateKey: '${var.gitops_repo_ssh_private_key}' }],
  ])('%s: a write-only repository Secret from ephemeral sensitive variables without defaults', (auth, repoUrl, variables, credentials) => {
    const s = synthScope((scope) => new ArgoCdRepositoryCredentials(scope, 'repo', { argocdNamespace: 'argocd', repoUrl, auth }));
    expect(Object.keys(s.json.variable!).sort()).toEqual(variables);
    for (const v of Object.values<any>(s.json.variable!)) expect(v).toMatchObject({ sensitive: true, ephemeral: true, nullable: false });
    const secret = s.only('kubernetes_secret_v1');
    expect(secret.metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'terraform',
      'app.kubernetes.io/part-of': 'llm-platform',
      'argocd.argoproj.io/secret-type': 'repository',
    });
    expect(secret.data).toBeUndefined();
    expect(secret.data_wo).toEqual({ type: 'git', url: repoUrl, ...credentials });
    expect(secret.data_wo_revision).toBe(1);
  });

  test('rejects credentials that do not fit the URL', () => {
    expect(() =>
      synthScope((s) => new ArgoCdRepositoryCredentials(s, 'repo', { argocdNamespace: 'argocd', repoUrl: 'git@h:o/r.git', auth: RepositoryAuth.HTTPS_TOKEN })),
    ).toThrow(/^stack\/repo: auth "https-token" does not fit repository git@h:o\/r\.git \(https-token needs an https:\/\/ URL, ssh-key an SSH URL\)$/);
  });
});
