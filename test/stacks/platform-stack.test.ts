import '../support/cdktf-matchers';
import { parse } from 'yaml';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { StorageClassV1 } from '@cdktf/provider-kubernetes/lib/storage-class-v1';
import { Release } from '@cdktf/provider-helm/lib/release';
import { CATALOG, LIBRECHAT, LibrechatSettings } from '../../apps/catalog';
import { credentialVariableName } from '../../contracts/app-catalog';
import { externalSecretSpecs, secretsManagerName } from '../../contracts/external-secrets';
import { appContexts } from '../../stacks/app-contexts';
import { ValidEnvironment } from '../../environments';
import { stateKeyAlias } from '../../constructs/core/state-backend';
import { EFS_CSI_DRIVER_CHART, KARPENTER_CHART, KEDA_CHART } from '../../contracts/versions';
import { appBucketName } from '../../contracts/object-storage';
import { all, environment, environmentStacks, only, synth, synthEnvironment } from '../support/synth';

/** Every credential of every LibreChat Secret, with its Secret's name. */
const LIBRECHAT_CREDENTIALS = LIBRECHAT.secrets!.flatMap((secret) => secret.credentials.map((spec) => ({ ...spec, secret: secret.name })));
const secretNamed = (json: typeof dev.json, name: string) => all(json, 'kubernetes_secret_v1').find((x) => x.metadata.name === name);
const dev = synthEnvironment('dev').platform;
const staging = synthEnvironment('staging').platform;
const prod = synthEnvironment('prod').platform;

const argocdValues = (json: typeof dev.json) => {
  const release = all(json, 'helm_release').find((r) => r.chart === 'argo-cd');
  return parse(release.values[0]);
};

/** Argo CD's namespace and the catalog's app namespaces, sorted. */
const NAMESPACES = [...new Set(['argocd', ...CATALOG.map((app) => app.namespace)])].sort();

/** The hosts `env` publishes: Argo CD's, and each of the catalog's apps that the environment gives one. */
function publishedHosts(env: ValidEnvironment): { argocd: string; apps: Record<string, string> } {
  const hosts = env.ingress.hosts as Record<string, string | undefined>;
  return { argocd: hosts.argocd!, apps: Object.fromEntries(CATALOG.flatMap((app) => (hosts[app.name] ? [[app.name, hosts[app.name]!]] : []))) };
}

/** Per namespace: `enabled` where `env` publishes a host (Argo CD's namespace always), else undefined. */
function expectedGateLabels(env: ValidEnvironment): Record<string, string | undefined> {
  const published = publishedHosts(env).apps;
  return Object.fromEntries(
    NAMESPACES.map((ns) => [ns, ns === 'argocd' || CATALOG.some((app) => app.namespace === ns && published[app.name]) ? 'enabled' : undefined]),
  );
}

describe('dev-platform', () => {
  test("creates Argo CD's namespace and one per app namespace of the catalog, labelled as Terraform-managed", () => {
    const namespaces = all(dev.json, 'kubernetes_namespace_v1').map((n) => n.metadata);
    expect(namespaces.map((m) => m.name).sort()).toEqual(NAMESPACES);
    expect(NAMESPACES).toEqual(expect.arrayContaining(['argocd', 'librechat', 'ollama']));
    for (const m of namespaces) expect(m.labels['app.kubernetes.io/managed-by']).toBe('terraform');
    expect(dev.text).toHaveResourceWithProperties(NamespaceV1, {
      metadata: { name: 'argocd', labels: expect.objectContaining({ 'llm-platform/role': 'gitops-tooling' }) },
    });
  });

  test("enforces the Pod Security Standards level of each namespace's workloads, warning and auditing at restricted", () => {
    const labels = Object.fromEntries(all(dev.json, 'kubernetes_namespace_v1').map((n) => [n.metadata.name, n.metadata.labels]));
    expect(labels.argocd['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(labels.librechat['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(labels.ollama['pod-security.kubernetes.io/enforce']).toBe('baseline');
    for (const name of NAMESPACES) {
      expect(labels[name]).toMatchObject({
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'v1.34',
      });
    }
  });

  test("Grafana's admin Secret: a fixed user and a sensitive, generated-when-unset password in the monitoring namespace", () => {
    const secret = secretNamed(dev.json, 'grafana-admin');
    expect(secret.metadata.namespace).toMatch(/^\$\{kubernetes_namespace_v1\.namespaces_monitoring_\w+\.metadata\[0\]\.name\}$/);
    expect(secret.data).toBeUndefined();
    expect(secret.data_wo).toEqual({
      'admin-user': 'admin',
      'admin-password': expect.stringMatching(/^\$\{coalesce\(var\.kube_prometheus_stack_admin_password, ephemeral\.random_password\.\w+\.result\)\}$/),
    });
    expect(secret.data_wo_revision).toBe(1);
    expect(dev.json.variable!.kube_prometheus_stack_admin_password).toMatchObject({ sensitive: true, ephemeral: true, nullable: true, default: null });
    expect(dev.json.output ?? {}).not.toHaveProperty('grafana_admin_password');
  });

  test('the monitoring namespace enforces privileged (node and GPU exporters read the host) and still warns and audits at restricted', () => {
    const labels = all(dev.json, 'kubernetes_namespace_v1').find((n) => n.metadata.name === 'monitoring').metadata.labels;
    expect(labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'privileged',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });
  });

  test('writes the LibreChat Secrets under the names the charts read, each with only its own keys', () => {
    const names = all(dev.json, 'kubernetes_secret_v1')
      .map((x) => x.metadata.name)
      .sort();
    expect(names).toEqual(CATALOG.flatMap((app) => (app.secrets ?? []).map((secret) => secret.name)).sort());
    expect(names).toEqual(expect.arrayContaining(['librechat-credentials-env', 'librechat-meilisearch', 'librechat-mongodb']));
    const secret = secretNamed(dev.json, 'librechat-credentials-env');
    expect(secret.metadata.namespace).toMatch(/^\$\{kubernetes_namespace_v1\.namespaces_librechat_\w+\.metadata\[0\]\.name\}$/);
    expect(Object.keys(secret.data_wo).sort()).toEqual(['CREDS_IV', 'CREDS_KEY', 'JWT_REFRESH_SECRET', 'JWT_SECRET', 'MONGO_URI', 'OLLAMA_BASE_URL']);
    expect(Object.keys(secretNamed(dev.json, 'librechat-meilisearch').data_wo)).toEqual(['MEILI_MASTER_KEY']);
    expect(Object.keys(secretNamed(dev.json, 'librechat-mongodb').data_wo).sort()).toEqual([
      'mongodb-passwords',
      'mongodb-replica-set-key',
      'mongodb-root-password',
    ]);
  });

  test('points the connection settings at the Services the wrapper charts create, MONGO_URI with the generated password', () => {
    const { data_wo: data } = secretNamed(dev.json, 'librechat-credentials-env');
    const password = secretNamed(dev.json, 'librechat-mongodb').data_wo['mongodb-passwords'];
    expect(password).toMatch(/^\$\{coalesce\(var\.librechat_mongodb_passwords, ephemeral\.random_password\.\w+\.result\)\}$/);
    expect(data.MONGO_URI).toBe(`mongodb://librechat:${password}@librechat-mongodb.librechat.svc.cluster.local:27017/LibreChat`);
    expect(data.OLLAMA_BASE_URL).toBe('http://ollama.ollama.svc.cluster.local:11434');
    expect(data.MEILI_HOST).toBeUndefined();
  });

  test.each(['staging', 'prod'])(
    "%s: MONGO_URI (an ExternalSecret template) names every member of the replica set (apps.librechat.mongodb.replicas) and the set's name",
    (env) => {
      const replicas = (environment(env).apps.librechat as LibrechatSettings).mongodb.replicas;
      expect(replicas).toBe(3);
      const specs = externalSecretSpecs(LIBRECHAT.secrets!, appContexts(environment(env), CATALOG).get('librechat')!, (name) => name);
      const members = Array.from({ length: replicas }, (_, i) => `librechat-mongodb-${i}.librechat-mongodb-headless.librechat.svc.cluster.local:27017`);
      const password = specs.find((s) => s.name === 'librechat-mongodb')!.template['mongodb-passwords'];
      expect(specs.find((s) => s.name === 'librechat-credentials-env')!.template.MONGO_URI).toBe(
        `mongodb://librechat:${password}@${members.join(',')}/LibreChat?replicaSet=rs0`,
      );
      // The members' key file: a credential of the same Secret.
      expect(Object.keys(specs.find((s) => s.name === 'librechat-mongodb')!.template)).toContain('mongodb-replica-set-key');
    },
  );

  test('takes each credential from its ephemeral sensitive variable, else from an ephemeral random hex password of the right size', () => {
    const passwords = (dev.json as any).ephemeral.random_password;
    for (const spec of LIBRECHAT_CREDENTIALS) {
      const { data_wo: data } = secretNamed(dev.json, spec.secret);
      const variable = dev.json.variable![credentialVariableName('librechat', spec.key)];
      expect(variable).toMatchObject({ type: 'string', sensitive: true, ephemeral: true, nullable: true, default: null });
      const [, generated] = data[spec.key].match(/^\$\{coalesce\(var\.(?:\w+), ephemeral\.random_password\.(\w+)\.result\)\}$/) ?? [];
      expect(data[spec.key]).toBe(`\${coalesce(var.${credentialVariableName('librechat', spec.key)}, ephemeral.random_password.${generated}.result)}`);
      // Hex digits only, two per byte: what random_bytes.hex gave before.
      expect(passwords[generated]).toEqual({
        length: 2 * spec.generatedBytes,
        upper: false,
        lower: false,
        numeric: true,
        special: true,
        override_special: 'abcdef',
      });
    }
    expect(passwords[Object.keys(passwords).find((k) => k.includes('creds_key'))!].length).toBe(64);
    expect(passwords[Object.keys(passwords).find((k) => k.includes('creds_iv'))!].length).toBe(32);
  });

  test('rejects malformed supplied credentials in Terraform validation', () => {
    const condition = (name: string) => dev.json.variable![name].validation[0];
    expect(condition('librechat_creds_key')).toEqual({
      condition: '${var.librechat_creds_key == null || can(regex("^[0-9a-fA-F]{64}$", var.librechat_creds_key))}',
      error_message: 'librechat_creds_key (CREDS_KEY) must be exactly 64 hex characters (32 bytes).',
    });
    expect(condition('librechat_creds_iv').condition).toContain('"^[0-9a-fA-F]{32}$"');
    expect(condition('librechat_jwt_secret').condition).toContain('"^\\\\S{32,}$"');
    expect(condition('librechat_meili_master_key').condition).toContain('"^[A-Za-z0-9_-]{16,}$"');
    // Embedded in MONGO_URI and comma-separated by Bitnami: URL-unreserved characters only.
    expect(condition('librechat_mongodb_passwords')).toEqual({
      condition: '${var.librechat_mongodb_passwords == null || can(regex("^[A-Za-z0-9._~-]{16,}$", var.librechat_mongodb_passwords))}',
      error_message: 'librechat_mongodb_passwords (mongodb-passwords) must be at least 16 characters of letters, digits, ".", "_", "~" or "-".',
    });
  });

  test('installs Argo CD from the pinned chart, serving plain HTTP behind the nginx ingress', () => {
    expect(dev.text).toHaveResourceWithProperties(Release, {
      name: 'argocd',
      repository: 'https://argoproj.github.io/argo-helm',
      chart: 'argo-cd',
      version: '10.1.1',
      wait: true,
      timeout: 600,
    });
    const values = argocdValues(dev.json);
    expect(values.configs.params['server.insecure']).toBe(true);
    expect(values.configs.cm).toEqual({ url: 'http://argocd.llm.test', 'timeout.reconciliation': '180s' });
    expect(values.crds).toEqual({ install: true, keep: true });
    expect(values.server.ingress).toMatchObject({ enabled: true, ingressClassName: 'nginx', hostname: 'argocd.llm.test', tls: false });
    expect(values.controller.resources.requests).toEqual({ cpu: '100m', memory: '256Mi' });
  });

  test('targets the minikube kubeconfig context', () => {
    expect(dev.json.provider!.kubernetes[0]).toEqual({ config_path: '~/.kube/config', config_context: 'minikube' });
    expect(dev.json.provider!.helm[0].kubernetes).toEqual({ config_path: '~/.kube/config', config_context: 'minikube' });
  });

  test('keeps state in a local file per stack next to cdktf.json, outside cdktf.out', () => {
    expect(dev.json.terraform.backend).toEqual({ local: { path: '../../../terraform.dev-platform.tfstate' } });
  });

  test('pins every provider exactly', () => {
    expect(dev.json.terraform.required_providers).toEqual({
      helm: { source: 'hashicorp/helm', version: '3.1.1' },
      kubernetes: { source: 'hashicorp/kubernetes', version: '2.38.0' },
      random: { source: 'hashicorp/random', version: '3.7.2' },
    });
  });

  test('outputs the Argo CD URL and the password command, never the password', () => {
    expect(dev.json.output).toEqual({
      argocd_url: expect.objectContaining({ value: 'http://argocd.llm.test' }),
      argocd_admin_password_command: expect.objectContaining({
        value:
          "kubectl --kubeconfig ~/.kube/config --context minikube -n argocd get secret argocd-initial-admin-secret -o jsonpath='{.data.password}' | base64 -d",
      }),
    });
  });

  test('has no EKS-only resources', () => {
    expect(dev.text).not.toHaveResource(StorageClassV1);
    expect(all(dev.json, 'helm_release')).toHaveLength(1);
    expect(dev.json.provider!.aws).toBeUndefined();
    expect(all(dev.json, 'kubernetes_namespace_v1').every((n) => n.depends_on === undefined)).toBe(true);
  });

  test("keeps Argo CD's nginx Ingress as before: plain HTTP, no annotations, the chart's generic mode", () => {
    const ingress = argocdValues(dev.json).server.ingress;
    expect(ingress.annotations).toEqual({});
    expect(ingress.controller).toBeUndefined();
  });
});

describe('staging-platform', () => {
  // The one snapshot of the platform stack (the EKS one holds every construct); targeted
  // assertions cover what differs per environment.
  test('defaults snapshot', () => {
    expect(staging.json).toMatchSnapshot();
  });

  test('serves Argo CD over TLS through the shared ALB, re-encrypting to the server, gRPC for the CLI included', () => {
    const values = argocdValues(staging.json);
    const ranges = environment('staging').ingress.sourceRanges.argocd!;
    expect(ranges.length).toBeGreaterThan(0);
    const sourceIp = { field: 'source-ip', sourceIpConfig: { values: ranges } };
    expect(values.configs.params['server.insecure']).toBe(false);
    expect(values.server.ingress).toMatchObject({
      tls: true,
      hostname: 'argocd.staging.llm.example.com',
      ingressClassName: 'alb',
      extraPaths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'argocd-server-grpc', port: { number: 443 } } } }],
    });
    // Not the chart's AWS mode: its template writes the gRPC condition key itself.
    expect(values.server.ingress.controller).toBeUndefined();
    expect(values.extraObjects).toEqual([
      expect.objectContaining({
        kind: 'Service',
        metadata: expect.objectContaining({ name: 'argocd-server-grpc', annotations: { 'alb.ingress.kubernetes.io/backend-protocol-version': 'GRPC' } }),
        spec: expect.objectContaining({ type: 'ClusterIP' }),
      }),
    ]);
    const {
      'alb.ingress.kubernetes.io/conditions.argocd-server': ui,
      'alb.ingress.kubernetes.io/conditions.argocd-server-grpc': grpc,
      ...annotations
    } = values.server.ingress.annotations;
    // Argo CD on the internet-facing ALB admits only the (placeholder) allowlist, on both rules; the
    // gRPC rule keeps its header match in the same list (the ALB ANDs a rule's conditions).
    expect(JSON.parse(ui)).toEqual([sourceIp]);
    expect(JSON.parse(grpc)).toEqual([{ field: 'http-header', httpHeaderConfig: { httpHeaderName: 'Content-Type', values: ['application/grpc'] } }, sourceIp]);
    expect(annotations).toEqual({
      'alb.ingress.kubernetes.io/group.name': 'llm-staging',
      'alb.ingress.kubernetes.io/scheme': 'internet-facing',
      'alb.ingress.kubernetes.io/target-type': 'ip',
      'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP": 80}, {"HTTPS": 443}]',
      'alb.ingress.kubernetes.io/ssl-redirect': '443',
      'alb.ingress.kubernetes.io/ssl-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      'alb.ingress.kubernetes.io/load-balancer-attributes':
        'idle_timeout.timeout_seconds=600,routing.http.drop_invalid_header_fields.enabled=true,deletion_protection.enabled=false',
      'alb.ingress.kubernetes.io/backend-protocol': 'HTTPS',
    });
    expect(staging.text).not.toMatch(/nginx\.ingress\.kubernetes\.io|cert-manager/);
    expect(staging.json.output!.argocd_url.value).toBe('https://argocd.staging.llm.example.com');
  });

  test('installs the AWS Load Balancer Controller with its cluster, region and the VPC looked up from the cluster', () => {
    const controller = all(staging.json, 'helm_release').find((r) => r.chart === 'aws-load-balancer-controller');
    expect(controller).toMatchObject({ repository: 'https://aws.github.io/eks-charts', version: '3.5.0', namespace: 'kube-system' });
    expect(controller.set).toEqual([{ name: 'vpcId', value: '${data.aws_eks_cluster.eks_cluster.vpc_config[0].vpc_id}' }]);
    expect(parse(controller.values[0])).toMatchObject({ clusterName: 'llm-staging', region: 'eu-west-1', ingressClass: 'alb' });
    expect(
      all(staging.json, 'aws_eks_pod_identity_association')
        .map((a) => a.service_account)
        .filter((account) => account !== LIBRECHAT.objectStorage!.serviceAccount(LIBRECHAT.name))
        .sort(),
    ).toEqual(['aws-load-balancer-controller', 'external-dns', 'external-secrets', 'karpenter']);
  });

  test("requests the hosts' certificate in the hosted zone, and runs ExternalDNS for that zone only", () => {
    expect(Object.values(staging.json.data!.aws_route53_zone)).toEqual([expect.objectContaining({ name: 'staging.llm.example.com', private_zone: false })]);
    const hosts = publishedHosts(environment('staging'));
    expect(hosts.apps).toMatchObject({ librechat: 'chat.staging.llm.example.com' });
    const certificate = staging.only('aws_acm_certificate');
    expect(certificate).toMatchObject({ domain_name: 'argocd.staging.llm.example.com', validation_method: 'DNS' });
    expect(certificate.domain_name).toBe(hosts.argocd);
    expect([...certificate.subject_alternative_names].sort()).toEqual(Object.values(hosts.apps).sort());
    const dns = all(staging.json, 'helm_release').find((r) => r.chart === 'external-dns');
    expect(parse(dns.values[0])).toMatchObject({ domainFilters: ['staging.llm.example.com'], txtOwnerId: 'llm-staging', policy: 'sync' });
  });

  test('destroy order: namespaces (and so every Ingress) go before the controller, ExternalDNS and the certificate', () => {
    const controller = staging.address('helm_release', (r) => r.chart === 'aws-load-balancer-controller');
    const externalDns = staging.address('helm_release', (r) => r.chart === 'external-dns');
    for (const namespace of all(staging.json, 'kubernetes_namespace_v1')) {
      expect(namespace.depends_on).toEqual([controller, externalDns]);
      expect(namespace.timeouts).toEqual({ delete: '15m' });
    }
    expect(all(staging.json, 'helm_release').find((r) => r.chart === 'aws-load-balancer-controller').depends_on).toContain(
      staging.address('aws_acm_certificate_validation', () => true),
    );
    expect(argocdValues(staging.json).global.domain).toBe((environment('staging').ingress.hosts as Record<string, string>).argocd);
    expect(all(staging.json, 'helm_release').find((r) => r.chart === 'argo-cd').namespace).toMatch(
      /^\$\{kubernetes_namespace_v1\.namespaces_argocd_\w+\.metadata\[0\]\.name\}$/,
    );
  });

  test('authenticates to EKS with an exec token, not a static kubeconfig', () => {
    const kubernetes = staging.json.provider!.kubernetes[0];
    expect(kubernetes.host).toBe('${data.aws_eks_cluster.eks_cluster.endpoint}');
    expect(kubernetes.cluster_ca_certificate).toBe('${base64decode(data.aws_eks_cluster.eks_cluster.certificate_authority[0].data)}');
    expect(kubernetes.exec[0]).toEqual({
      api_version: 'client.authentication.k8s.io/v1beta1',
      command: 'aws',
      args: ['eks', 'get-token', '--cluster-name', 'llm-staging', '--region', 'eu-west-1', '--output', 'json'],
    });
    expect(kubernetes.config_path).toBeUndefined();
    expect(staging.json.provider!.helm[0].kubernetes.exec.command).toBe('aws');
    expect(staging.json.data!.aws_eks_cluster.eks_cluster.name).toBe('llm-staging');
  });

  test('creates the default encrypted gp3 StorageClass', () => {
    expect(staging.text).toHaveResourceWithProperties(StorageClassV1, {
      metadata: { name: 'gp3', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      storage_provisioner: 'ebs.csi.aws.com',
      volume_binding_mode: 'WaitForFirstConsumer',
      parameters: { type: 'gp3', encrypted: 'true', fsType: 'ext4' },
    });
  });

  test('installs the NVIDIA device plugin tolerating the GPU taint (AL2023 NVIDIA AMIs lack it)', () => {
    const plugin = all(staging.json, 'helm_release').find((r) => r.chart === 'nvidia-device-plugin');
    expect(plugin).toMatchObject({ repository: 'https://nvidia.github.io/k8s-device-plugin', version: '0.20.0', namespace: 'kube-system' });
    expect(parse(plugin.values[0]).tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
  });

  test("keeps state in S3, encrypted with the state bucket's KMS key, with S3-native locking", () => {
    const state = environment('staging').state;
    if (state.backend !== 's3') throw new Error('S3 state expected');
    expect(staging.json.terraform.backend).toEqual({
      s3: {
        bucket: state.bucket,
        key: `${state.keyPrefix}/staging-platform.tfstate`,
        region: state.region,
        encrypt: true,
        kms_key_id: stateKeyAlias(state.bucket),
        use_lockfile: true,
      },
    });
  });

  test('outputs a password command for the context update-kubeconfig writes', () => {
    expect(staging.json.output!.argocd_admin_password_command.value).toMatch(/^kubectl --context llm-staging -n argocd get secret argocd-initial-admin-secret/);
  });
});

describe.each([
  ['staging', () => staging],
  ['prod', () => prod],
] as const)('%s-platform: Karpenter and KEDA', (name, stack) => {
  const cluster = environment(name).cluster as Extract<ValidEnvironment['cluster'], { kind: 'eks' }>;
  const release = (chart: string) => all(stack().json, 'helm_release').find((r) => r.chart === chart);
  const address = (type: string, match: (r: any) => boolean) => stack().address(type, match);

  test('installs the pinned Karpenter CRD chart, then the controller on the system nodes, with its queue and region', () => {
    const crds = release('karpenter-crd');
    const controller = release('karpenter');
    for (const r of [crds, controller]) {
      expect(r).toMatchObject({ repository: KARPENTER_CHART.repository, version: KARPENTER_CHART.version, namespace: 'kube-system' });
    }
    expect(controller.skip_crds).toBe(true);
    expect(controller.depends_on).toEqual([
      address('aws_eks_pod_identity_association', (a) => a.service_account === 'karpenter'),
      address('helm_release', (r) => r === crds),
    ]);
    const queue = address('aws_sqs_queue', () => true);
    expect(parse(controller.values[0])).toEqual({
      serviceAccount: { create: true, name: 'karpenter' },
      settings: { clusterName: cluster.name, interruptionQueue: `\${${queue}.name}` },
      controller: { env: [{ name: 'AWS_REGION', value: cluster.region }] },
      nodeSelector: { 'kubernetes.io/os': 'linux', 'llm-platform/pool': 'system' },
    });
  });

  test('the interruption queue is encrypted, refuses plain HTTP and receives the four interruption events and capacity reservation warnings', () => {
    const queue = stack().only('aws_sqs_queue');
    expect(queue).toEqual({ name: cluster.name, message_retention_seconds: 300, sqs_managed_sse_enabled: true });
    const policy = JSON.parse(stack().only('aws_sqs_queue_policy').policy);
    const queueArn = `\${${address('aws_sqs_queue', () => true)}.arn}`;
    expect(policy.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: ['events.amazonaws.com', 'sqs.amazonaws.com'] }, Action: 'sqs:SendMessage', Resource: queueArn },
      { Sid: 'DenyHTTP', Effect: 'Deny', Action: 'sqs:*', Resource: queueArn, Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Principal: '*' },
    ]);
    const rules = all(stack().json, 'aws_cloudwatch_event_rule')
      .filter((r) => r.name.startsWith(`${cluster.name}-karpenter-`))
      .map((r) => JSON.parse(r.event_pattern));
    expect(rules).toHaveLength(5);
    expect(rules).toEqual(
      expect.arrayContaining([
        { source: ['aws.health'], 'detail-type': ['AWS Health Event'] },
        { source: ['aws.ec2'], 'detail-type': ['EC2 Spot Instance Interruption Warning'] },
        { source: ['aws.ec2'], 'detail-type': ['EC2 Instance Rebalance Recommendation'] },
        { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] },
        { source: ['aws.ec2'], 'detail-type': ['EC2 Capacity Reservation Instance Interruption Warning'] },
      ]),
    );
    const targets = all(stack().json, 'aws_cloudwatch_event_target').filter((t) => t.target_id === 'KarpenterInterruptionQueueTarget');
    expect(targets).toHaveLength(rules.length);
    for (const target of targets) expect(target.arn).toBe(queueArn);
  });

  test("the controller's policy changes only this cluster's Karpenter resources and passes only the node role", () => {
    const roleAddress = address('aws_iam_role', (r) => r.name === `${cluster.name}-karpenter`);
    expect(JSON.parse(all(stack().json, 'aws_iam_role').find((r) => r.name === `${cluster.name}-karpenter`).assume_role_policy).Statement[0].Principal).toEqual(
      {
        Service: 'pods.eks.amazonaws.com',
      },
    );
    const association = all(stack().json, 'aws_eks_pod_identity_association').find((a) => a.service_account === 'karpenter');
    expect(association).toMatchObject({ namespace: 'kube-system', role_arn: `\${${roleAddress}.arn}` });
    const policy = JSON.parse(all(stack().json, 'aws_iam_policy').find((p) => p.name === `${cluster.name}-karpenter`).policy);
    const statements: any[] = policy.Statement;
    const actions = (s: any): string[] => (typeof s.Action === 'string' ? [s.Action] : s.Action);
    const mutating = statements.filter((s) =>
      actions(s).some((a) => /^ec2:(RunInstances|CreateFleet|CreateLaunchTemplate|CreateTags|TerminateInstances|DeleteLaunchTemplate)$/.test(a)),
    );
    // Image, snapshot, subnet and security group ARNs are what an instance launches with; everything it creates or deletes is tagged for this cluster.
    for (const statement of mutating.filter((s) => s.Sid !== 'AllowScopedEC2InstanceAccessActions')) {
      expect(JSON.stringify(statement.Condition)).toContain(`kubernetes.io/cluster/${cluster.name}`);
    }
    for (const statement of statements.filter((s) => actions(s).some((a) => /^iam:(Create|Tag|AddRole|RemoveRole|Delete)/.test(a)))) {
      expect(JSON.stringify(statement.Condition)).toContain(`kubernetes.io/cluster/${cluster.name}`);
    }
    expect(statements.find((s) => s.Sid === 'AllowPassingInstanceRole').Resource).toBe(
      `\${data.aws_iam_role.${Object.keys(stack().json.data!.aws_iam_role)[0]}.arn}`,
    );
    expect(Object.values(stack().json.data!.aws_iam_role)).toEqual([{ name: `${cluster.name}-karpenter-node` }]);
    expect(statements.find((s) => s.Sid === 'AllowInterruptionQueueActions').Resource).toBe(`\${${address('aws_sqs_queue', () => true)}.arn}`);
    expect(statements.find((s) => s.Sid === 'AllowAPIServerEndpointDiscovery').Resource).toMatch(new RegExp(`:cluster/${cluster.name}$`));
    expect(statements.flatMap(actions)).not.toContain('*');
    expect(
      statements
        .filter((s) => s.Resource === '*')
        .flatMap(actions)
        .sort(),
    ).toEqual(
      [
        'arc-zonal-shift:GetManagedResource',
        'ec2:DescribeCapacityReservations',
        'ec2:DescribeImages',
        'ec2:DescribeInstanceStatus',
        'ec2:DescribeInstanceTypeOfferings',
        'ec2:DescribeInstanceTypes',
        'ec2:DescribeInstances',
        'ec2:DescribeLaunchTemplates',
        'ec2:DescribePlacementGroups',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeSpotPriceHistory',
        'ec2:DescribeSubnets',
        'iam:ListInstanceProfiles',
        'pricing:GetProducts',
      ].sort(),
    );
  });

  test("mounts Ollama's shared model store: the EFS driver's node plugin on the GPU nodes and a retained ReadWriteMany volume on its access point", () => {
    const driver = release('aws-efs-csi-driver');
    expect(driver).toMatchObject({ repository: EFS_CSI_DRIVER_CHART.repository, version: EFS_CSI_DRIVER_CHART.version, namespace: 'kube-system' });
    // Static provisioning: no controller, so no AWS permission for the driver.
    expect(parse(driver.values[0])).toEqual({ controller: { create: false }, node: { nodeSelector: { 'nvidia.com/gpu.present': 'true' } } });
    expect(all(stack().json, 'aws_eks_pod_identity_association').map((a) => a.service_account)).not.toContain('efs-csi-controller-sa');
    const fileSystem = Object.entries(stack().json.data!.aws_efs_file_system);
    expect(fileSystem.map(([, d]: [string, any]) => d)).toEqual([{ creation_token: `${cluster.name}-models` }]);
    const accessPoints = Object.keys(stack().json.data!.aws_efs_access_points)[0];
    const volume = stack().only('kubernetes_persistent_volume_v1');
    expect(volume.metadata).toEqual({ name: 'ollama-models' });
    expect(volume.spec).toEqual([
      {
        capacity: { storage: '1Ti' },
        access_modes: ['ReadWriteMany'],
        persistent_volume_reclaim_policy: 'Retain',
        storage_class_name: 'efs-models',
        mount_options: ['tls'],
        persistent_volume_source: {
          csi: {
            driver: 'efs.csi.aws.com',
            volume_handle: `\${data.aws_efs_file_system.${fileSystem[0][0]}.file_system_id}::\${element(data.aws_efs_access_points.${accessPoints}.ids, 0)}`,
          },
        },
      },
    ]);
  });

  test('installs the pinned KEDA chart on the system nodes', () => {
    expect(release('keda')).toMatchObject({ repository: KEDA_CHART.repository, version: KEDA_CHART.version, namespace: 'kube-system' });
    expect(parse(release('keda').values[0])).toEqual({ nodeSelector: { 'llm-platform/pool': 'system' } });
  });
});

test('dev runs neither Karpenter nor KEDA', () => {
  expect(all(dev.json, 'helm_release').map((r) => r.chart)).not.toEqual(expect.arrayContaining(['karpenter']));
  expect(all(dev.json, 'helm_release').map((r) => r.chart)).not.toContain('keda');
  expect(dev.json.resource!.aws_sqs_queue).toBeUndefined();
});

describe('prod-platform', () => {
  test('locks state with S3-native lock files, no DynamoDB table', () => {
    expect(prod.json.terraform.backend.s3).toMatchObject({ key: 'prod/prod-platform.tfstate', use_lockfile: true, encrypt: true });
    expect(prod.json.terraform.backend.s3.dynamodb_table).toBeUndefined();
  });

  test('sizes Argo CD for production', () => {
    expect(argocdValues(prod.json).controller.resources).toEqual({ requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } });
    expect(prod.text).toHaveResourceWithProperties(Release, { chart: 'argo-cd', timeout: 900 });
  });

  test('skips the device plugin on Bottlerocket NVIDIA nodes, which ship it', () => {
    const env = environment('prod');
    if (env.cluster.kind !== 'eks') throw new Error('prod is EKS');
    const bottlerocket = { ...env, cluster: { ...env.cluster, gpuNodes: { ...env.cluster.gpuNodes, amiType: 'BOTTLEROCKET_x86_64_NVIDIA' as const } } };
    const { json } = synth(environmentStacks(bottlerocket).platform);
    expect(all(json, 'helm_release').map((r) => r.chart)).not.toContain('nvidia-device-plugin');
  });

  test('uses a configured certificate ARN on every Ingress instead of requesting one', () => {
    const env = environment('prod');
    if (env.cluster.kind !== 'eks') throw new Error('prod is EKS');
    const arn = 'arn:aws:acm:eu-west-1:111122223333:certificate/0f0e0d0c-0b0a-0908-0706-050403020100';
    const { json } = synth(environmentStacks({ ...env, cluster: { ...env.cluster, certificateArn: arn, dns: undefined } }).platform);
    expect(all(json, 'aws_acm_certificate')).toHaveLength(0);
    expect(all(json, 'helm_release').map((r) => r.chart)).not.toContain('external-dns');
    expect(argocdValues(json).server.ingress.annotations['alb.ingress.kubernetes.io/certificate-arn']).toBe(arn);
  });
});

/** Every credential of the catalog, with its app and Secret. */
const CREDENTIALS = CATALOG.flatMap((app) =>
  (app.secrets ?? []).flatMap((secret) => secret.credentials.map((spec) => ({ ...spec, app: app.name, secret: secret.name }))),
);

describe.each([
  ['dev', dev],
  ['staging', staging],
  ['prod', prod],
])('%s-platform secret hygiene: no credential in the JSON, a plan or the state', (_env, stack) => {
  test('no resource holds a generated value: no random_bytes, random_password or random_string resource', () => {
    for (const type of ['random_bytes', 'random_password', 'random_string', 'random_id']) expect(stack.json.resource?.[type]).toBeUndefined();
  });

  test('every credential variable is ephemeral and sensitive; every generated value an ephemeral random_password', () => {
    for (const spec of CREDENTIALS) {
      const name = credentialVariableName(spec.app.replace(/-/g, '_'), spec.key);
      expect([name, stack.json.variable![name]]).toEqual([name, expect.objectContaining({ ephemeral: true, sensitive: true })]);
    }
    // Credentials only their issuer can make (receiver URLs, integration keys) are never generated.
    expect(Object.keys((stack.json as any).ephemeral.random_password)).toHaveLength(CREDENTIALS.filter((c) => c.generatedBytes > 0).length);
  });

  test('Kubernetes Secrets and Secrets Manager versions take values only through write-only arguments', () => {
    for (const secret of all(stack.json, 'kubernetes_secret_v1')) {
      expect([secret.metadata.name, secret.data, secret.binary_data]).toEqual([secret.metadata.name, undefined, undefined]);
      expect(secret.data_wo_revision).toBeGreaterThanOrEqual(1);
    }
    for (const version of all(stack.json, 'aws_secretsmanager_secret_version')) {
      expect([version.secret_string, version.secret_binary]).toEqual([undefined, undefined]);
      expect(version.secret_string_wo_version).toBeGreaterThanOrEqual(1);
    }
    for (const release of all(stack.json, 'helm_release')) expect(release.set_sensitive).toBeUndefined();
  });

  test('no output references a credential', () => {
    for (const output of Object.values<any>(stack.json.output ?? {})) {
      expect(JSON.stringify(output.value)).not.toMatch(/var\.|ephemeral\.|kubernetes_secret|secretsmanager/);
      expect(output.sensitive).toBeUndefined();
    }
  });
});

describe('dev-platform: Secrets written by Terraform', () => {
  test('every credential of the catalog is in exactly one Secret, as a supplied-else-generated ephemeral expression', () => {
    for (const spec of CREDENTIALS) {
      const variable = credentialVariableName(spec.app.replace(/-/g, '_'), spec.key);
      expect(secretNamed(dev.json, spec.secret).data_wo[spec.key]).toMatch(
        spec.generatedBytes > 0
          ? new RegExp(`^\\$\\{coalesce\\(var\\.${variable}, ephemeral\\.random_password\\.\\w+\\.result\\)\\}$`)
          : // Never generated: empty until supplied.
            new RegExp(`^\\$\\{\\(var\\.${variable} == null\\) \\? "" : var\\.${variable}\\}$`),
      );
    }
    // A setting built from a credential holds the expression, never a value.
    expect(secretNamed(dev.json, 'librechat-credentials-env').data_wo.MONGO_URI).toMatch(
      /^mongodb:\/\/librechat:\$\{coalesce\(var\.librechat_mongodb_passwords, ephemeral\.random_password\.\w+\.result\)\}@/,
    );
    expect(all(dev.json, 'aws_secretsmanager_secret')).toHaveLength(0);
  });

  test('every stack requires a Terraform/OpenTofu that has write-only arguments (1.11)', () => {
    const stacks = environmentStacks(environment('staging'));
    for (const stack of [stacks.cluster!, stacks.platform, stacks.apps]) expect(synth(stack).json.terraform!.required_version).toBe('>= 1.11');
    expect(dev.json.terraform!.required_version).toBe('>= 1.11');
  });
});

describe.each([
  ['staging', staging, environment('staging')],
  ['prod', prod, environment('prod')],
])('%s-platform: credentials in AWS Secrets Manager, synced by External Secrets Operator', (_env, stack, env) => {
  if (env.cluster.kind !== 'eks') throw new Error('EKS expected');
  const cluster = env.cluster;
  const expected = CATALOG.flatMap((app) => (app.secrets ?? []).map((secret) => ({ app, secret })));

  test('Terraform writes no Kubernetes Secret of an app', () => {
    expect(all(stack.json, 'kubernetes_secret_v1')).toHaveLength(0);
  });

  test('one secret per app Secret, named for its cluster, namespace and Secret, encrypted with the key, replicated to the secondary region', () => {
    const secrets = all(stack.json, 'aws_secretsmanager_secret');
    expect(secrets.map((s) => s.name).sort()).toEqual(expected.map(({ app, secret }) => secretsManagerName(cluster.name, app.namespace, secret.name)).sort());
    const keyId = Object.keys(stack.json.resource!.aws_kms_key).find((id) => id.startsWith('secrets_key_'))!;
    const [replicaId] = Object.keys(stack.json.resource!.aws_kms_replica_key);
    for (const secret of secrets) {
      expect(secret.kms_key_id).toBe(`\${aws_kms_key.${keyId}.arn}`);
      expect(secret.replica).toEqual([{ region: cluster.secondaryRegion, kms_key_id: `\${aws_kms_replica_key.${replicaId}.arn}` }]);
      expect(secret.recovery_window_in_days).toBe(30);
      expect(secret.tags['llm-platform/kubernetes-secret']).toMatch(/^[a-z-]+\/[a-z-]+$/);
    }
    expect(stack.json.resource!.aws_kms_key[keyId]).toMatchObject({ multi_region: true, enable_key_rotation: true });
    expect(stack.json.resource!.aws_kms_replica_key[replicaId]).toMatchObject({
      region: cluster.secondaryRegion,
      primary_key_arn: `\${aws_kms_key.${keyId}.arn}`,
    });
    expect(cluster.secondaryRegion).not.toBe(cluster.region);
  });

  test("each version writes exactly its Secret's credentials as JSON, once, and keeps its label when a rotation moves AWSCURRENT", () => {
    const versions = all(stack.json, 'aws_secretsmanager_secret_version');
    expect(versions).toHaveLength(expected.length);
    for (const { app, secret } of expected) {
      const id = Object.entries<any>(stack.json.resource!.aws_secretsmanager_secret).find(
        ([, s]) => s.name === secretsManagerName(cluster.name, app.namespace, secret.name),
      )![0];
      const version = versions.find((v) => v.secret_id === `\${aws_secretsmanager_secret.${id}.id}`);
      const keys = [
        ...version.secret_string_wo.matchAll(/"([^"]+)" = coalesce\(var\.(\w+), ephemeral\.random_password\.\w+\.result\)/g),
        // Never generated: empty until supplied.
        ...version.secret_string_wo.matchAll(/"([^"]+)" = \(var\.(\w+) == null\) \? "" : var\.\2/g),
      ];
      expect(keys.map((m) => m[1]).sort()).toEqual(secret.credentials.map((c) => c.key).sort());
      expect(keys.map((m) => m[2]).sort()).toEqual(secret.credentials.map((c) => credentialVariableName(app.name.replace(/-/g, '_'), c.key)).sort());
      expect(version).toMatchObject({
        secret_string_wo_version: 1,
        version_stages: ['AWSCURRENT', 'terraform-initial'],
        lifecycle: { ignore_changes: ['version_stages'] },
      });
    }
  });

  test("External Secrets Operator's role reads exactly this environment's secrets and decrypts only through Secrets Manager", () => {
    const release = all(stack.json, 'helm_release').find((r) => r.chart === 'external-secrets');
    expect(release).toMatchObject({ repository: 'https://charts.external-secrets.io', version: '0.16.1', namespace: 'kube-system' });
    expect(parse(release.values[0])).toMatchObject({ installCRDs: true, serviceAccount: { name: 'external-secrets' }, processPushSecret: false });
    const policy = JSON.parse(all(stack.json, 'aws_iam_policy').find((p) => p.name === `${cluster.name}-external-secrets`).policy);
    const secretArns = Object.keys(stack.json.resource!.aws_secretsmanager_secret).map((id) => `\${aws_secretsmanager_secret.${id}.arn}`);
    const keyId = Object.keys(stack.json.resource!.aws_kms_key).find((id) => id.startsWith('secrets_key_'))!;
    expect(policy.Statement[0].Resource.sort()).toEqual(secretArns.sort());
    expect(policy.Statement).toEqual([
      expect.objectContaining({ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: expect.any(Array) }),
      expect.objectContaining({
        Effect: 'Allow',
        Action: ['kms:Decrypt'],
        Resource: [`\${aws_kms_key.${keyId}.arn}`],
        Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${cluster.region}.amazonaws.com` } },
      }),
    ]);
    expect(JSON.stringify(policy)).not.toContain('*');
    const association = all(stack.json, 'aws_eks_pod_identity_association').find((a) => a.service_account === 'external-secrets');
    expect(association).toMatchObject({ cluster_name: cluster.name, namespace: 'kube-system' });
  });

  test('an environment that keeps Terraform-written Secrets on EKS gets no Secrets Manager secret and no operator', () => {
    const { json } = synth(environmentStacks({ ...env, secrets: { source: 'terraform' } }).platform);
    expect(all(json, 'aws_secretsmanager_secret')).toHaveLength(0);
    expect(all(json, 'helm_release').map((r) => r.chart)).not.toContain('external-secrets');
    expect(
      all(json, 'kubernetes_secret_v1')
        .map((s) => s.metadata.name)
        .sort(),
    ).toEqual(expected.map(({ secret }) => secret.name).sort());
  });
});

describe('AWS tags and ALB readiness gates', () => {
  test("the platform's AWS resources carry the same default tags as the cluster's, with the environment", () => {
    const cluster = synthEnvironment('staging').cluster!;
    const tagsOf = (json: typeof dev.json) => (json.provider as any).aws[0].default_tags;
    expect(tagsOf(staging.json)).toEqual([
      { tags: { 'app.kubernetes.io/part-of': 'llm-platform', 'managed-by': 'terraform', 'llm-platform/environment': 'staging' } },
    ]);
    expect(tagsOf(staging.json)).toEqual(tagsOf(cluster.json));
    expect(tagsOf(prod.json)[0].tags['llm-platform/environment']).toBe('prod');
  });

  const gateLabel = (json: typeof dev.json) =>
    Object.fromEntries(all(json, 'kubernetes_namespace_v1').map((n) => [n.metadata.name, n.metadata.labels['elbv2.k8s.aws/pod-readiness-gate-inject']]));

  test('on the ALB, the namespaces of published hosts get pod readiness gates: Argo CD and LibreChat, not the in-cluster Ollama', () => {
    expect(gateLabel(staging.json)).toMatchObject({ argocd: 'enabled', librechat: 'enabled', ollama: undefined });
    expect(gateLabel(staging.json)).toEqual(expectedGateLabels(environment('staging')));
    expect(gateLabel(prod.json)).toEqual(expectedGateLabels(environment('prod')));
  });

  test('publishing Ollama (with its allowlist) labels its namespace too; nginx on minikube labels none', () => {
    const env = structuredClone(environment('staging'));
    env.ingress.hosts = { ...env.ingress.hosts, ollama: 'ollama.staging.llm.example.com' };
    env.ingress.sourceRanges = { ...env.ingress.sourceRanges, ollama: ['198.51.100.0/24'] };
    const labels = gateLabel(synth(environmentStacks(env).platform).json);
    expect(labels).toMatchObject({ argocd: 'enabled', librechat: 'enabled', ollama: 'enabled' });
    expect(labels).toEqual(expectedGateLabels(env));
    expect(gateLabel(dev.json)).toEqual(Object.fromEntries(NAMESPACES.map((ns) => [ns, undefined])));
  });
});

/** The KMS key a vault is encrypted with, found through its `kms_key_arn` reference. */
const keyOf = (json: typeof dev.json, vault: any) => {
  const id = /^\$\{aws_kms_key\.(\w+)\.arn\}$/.exec(vault.kms_key_arn)?.[1];
  if (!id) throw new Error(`vault ${vault.name} names no KMS key of the stack: ${vault.kms_key_arn}`);
  return json.resource!.aws_kms_key[id];
};

describe('no chat lost: retained stateful volumes, backed up on a schedule', () => {
  const storageClass = (json: typeof dev.json, name: string) => all(json, 'kubernetes_storage_class_v1').find((c) => c.metadata.name === name);

  test.each([
    ['staging', staging, 7],
    ['prod', prod, 35],
  ] as const)('%s: a Retain class tags its volumes for the backup plan, which keeps recovery points per environment', (name, stack, days) => {
    const cluster = `llm-${name}`;
    expect(storageClass(stack.json, 'gp3-retain')).toEqual({
      metadata: { name: 'gp3-retain', annotations: { 'storageclass.kubernetes.io/is-default-class': 'false' } },
      storage_provisioner: 'ebs.csi.aws.com',
      reclaim_policy: 'Retain',
      volume_binding_mode: 'WaitForFirstConsumer',
      allow_volume_expansion: true,
      parameters: { type: 'gp3', encrypted: 'true', fsType: 'ext4', tagSpecification_1: `llm-platform/backup=${cluster}` },
    });
    // The default class stays zonal-aware too: a volume is created where its pod is scheduled.
    expect(storageClass(stack.json, 'gp3').volume_binding_mode).toBe('WaitForFirstConsumer');

    const vault = all(stack.json, 'aws_backup_vault').find((v) => v.name === `${cluster}-volumes`);
    expect(vault).toMatchObject({ force_destroy: false });
    expect(vault.provider).toBeUndefined();
    const vaultKey = keyOf(stack.json, vault);
    expect(vaultKey).toMatchObject({ enable_key_rotation: true });
    expect(vaultKey.provider).toBeUndefined();
    const rule = only(stack.json, 'aws_backup_plan').rule[0];
    expect(rule).toMatchObject({
      schedule: 'cron(0 3 * * ? *)',
      lifecycle: { delete_after: days },
      target_vault_name: expect.stringMatching(/^\$\{aws_backup_vault\.\w+\.name\}$/),
    });
    const selection = all(stack.json, 'aws_backup_selection').find((s) => s.name === `${cluster}-volumes`);
    expect(selection.resources).toEqual([expect.stringMatching(/^arn:\$\{data\.aws_partition\.\w+\.partition\}:ec2:\*:\*:volume\/\*$/)]);
    expect(selection.condition).toEqual([{ string_equals: [{ key: 'aws:ResourceTag/llm-platform/backup', value: cluster }] }]);
    const role = all(stack.json, 'aws_iam_role').find((r) => r.name === `${cluster}-backup`);
    expect(JSON.parse(role.assume_role_policy).Statement[0].Principal).toEqual({ Service: 'backup.amazonaws.com' });
    expect(
      all(stack.json, 'aws_iam_role_policy_attachment')
        .map((a) => a.policy_arn)
        .filter((arn: string) => arn.includes('AWSBackup')),
    ).toEqual(
      expect.arrayContaining([
        'arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup',
        'arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores',
      ]),
    );
  });

  test.each([
    ['staging', staging, 7],
    ['prod', prod, 35],
  ] as const)('%s: each recovery point is copied to a vault of its own, under its own key, in the secondary region', (name, stack, days) => {
    const cluster = environment(name).cluster;
    if (cluster.kind !== 'eks') throw new Error('EKS expected');
    const secondary = (stack.json.provider!.aws as any[]).find((p) => p.alias !== undefined);
    expect(secondary).toMatchObject({ region: cluster.secondaryRegion });
    expect(secondary.region).not.toBe(cluster.region);
    const primary = (stack.json.provider!.aws as any[]).find((p) => p.alias === undefined);
    expect(primary.region).toBe(cluster.region);

    const vaults = all(stack.json, 'aws_backup_vault');
    expect(vaults).toHaveLength(2);
    const source = vaults.find((v) => v.name === `${cluster.name}-volumes`);
    const copies = vaults.find((v) => v !== source);
    expect(copies).toMatchObject({ provider: `aws.${secondary.alias}`, force_destroy: false });
    const copyKey = keyOf(stack.json, copies);
    expect(copyKey).toMatchObject({ provider: `aws.${secondary.alias}`, enable_key_rotation: true });
    expect(copyKey).not.toBe(keyOf(stack.json, source));

    const rule = only(stack.json, 'aws_backup_plan').rule[0];
    expect(rule.copy_action).toEqual([
      { destination_vault_arn: `\${${stack.address('aws_backup_vault', (v) => v === copies)}.arn}`, lifecycle: { delete_after: days } },
    ]);
  });

  test('dev (minikube) has neither: its default class may delete', () => {
    expect(all(dev.json, 'kubernetes_storage_class_v1')).toEqual([]);
    expect(all(dev.json, 'aws_backup_plan')).toEqual([]);
  });
});

describe("LibreChat's uploads bucket: not zonal, kept and backed up like the volumes, reachable only by LibreChat's pods", () => {
  const settingsOf = (env: ValidEnvironment) => (env.apps as Record<string, unknown>).librechat as LibrechatSettings;
  const bucketName = (env: ValidEnvironment) => (env.cluster.kind === 'eks' ? appBucketName(env.cluster.name, 'librechat') : undefined);

  test.each([
    ['staging', staging],
    ['prod', prod],
  ] as const)('%s (fileStorage s3): a versioned bucket under its own rotating key, private, TLS-only, not force-destroyed', (name, stack) => {
    const env = environment(name);
    expect(settingsOf(env).fileStorage).toBe('s3');
    const bucket = all(stack.json, 'aws_s3_bucket').find((b) => b.bucket === bucketName(env));
    expect(bucket).toMatchObject({ force_destroy: false });
    const ref = `\${${stack.address('aws_s3_bucket', (b) => b === bucket)}.id}`;
    const arn = `\${${stack.address('aws_s3_bucket', (b) => b === bucket)}.arn}`;
    const of = (type: string) => all(stack.json, type).filter((r) => r.bucket === ref);
    expect(of('aws_s3_bucket_versioning')).toEqual([expect.objectContaining({ versioning_configuration: { status: 'Enabled' } })]);
    const [encryption] = of('aws_s3_bucket_server_side_encryption_configuration');
    const keyRef = encryption.rule[0].apply_server_side_encryption_by_default.kms_master_key_id;
    expect(encryption.rule[0]).toMatchObject({ apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms' }, bucket_key_enabled: true });
    const keyId = /^\$\{aws_kms_key\.(\w+)\.arn\}$/.exec(keyRef)![1];
    expect(stack.json.resource!.aws_kms_key[keyId]).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    expect(of('aws_s3_bucket_public_access_block')).toEqual([
      expect.objectContaining({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true }),
    ]);
    expect(of('aws_s3_bucket_ownership_controls')).toEqual([expect.objectContaining({ rule: { object_ownership: 'BucketOwnerEnforced' } })]);
    const policy = JSON.parse(of('aws_s3_bucket_policy')[0].policy);
    expect(policy.Statement).toEqual([
      {
        Sid: 'DenyWithoutTls',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ]);
    expect(of('aws_s3_bucket_lifecycle_configuration')[0].rule[0]).toMatchObject({
      status: 'Enabled',
      noncurrent_version_expiration: [{ noncurrent_days: 30 }],
    });

    // Backed up by the volumes' plan (and so copied to the secondary region with the volumes).
    const cluster = env.cluster;
    if (cluster.kind !== 'eks') throw new Error('EKS expected');
    const selection = all(stack.json, 'aws_backup_selection').find((s) => s.name === `${cluster.name}-volumes-buckets`);
    expect(selection.resources).toEqual([arn]);
    expect(selection.plan_id).toBe(`\${${stack.address('aws_backup_plan', () => true)}.id}`);
    const attached = all(stack.json, 'aws_iam_role_policy_attachment').map((a) => a.policy_arn);
    expect(attached).toEqual(
      expect.arrayContaining([
        'arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup',
        'arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore',
      ]),
    );
  });

  test.each([
    ['staging', staging],
    ['prod', prod],
  ] as const)("%s: LibreChat's ServiceAccount gets a Pod Identity role for exactly that bucket and its key through S3", (name, stack) => {
    const env = environment(name);
    if (env.cluster.kind !== 'eks') throw new Error('EKS expected');
    const serviceAccount = LIBRECHAT.objectStorage!.serviceAccount(LIBRECHAT.name);
    const association = all(stack.json, 'aws_eks_pod_identity_association').find((a) => a.service_account === serviceAccount);
    expect(association).toMatchObject({ cluster_name: env.cluster.name, namespace: LIBRECHAT.namespace });
    const role = all(stack.json, 'aws_iam_role').find((r) => association.role_arn === `\${${stack.address('aws_iam_role', (x) => x === r)}.arn}`);
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] },
    ]);
    const policy = JSON.parse(all(stack.json, 'aws_iam_policy').find((p) => p.name === role.name).policy);
    const bucket = stack.address('aws_s3_bucket', (b) => b.bucket === bucketName(env));
    const key = /^\$\{(aws_kms_key\.\w+)\.arn\}$/.exec(
      all(stack.json, 'aws_s3_bucket_server_side_encryption_configuration').find((e) => e.bucket === `\${${bucket}.id}`).rule[0]
        .apply_server_side_encryption_by_default.kms_master_key_id,
    )![1];
    expect(policy.Statement).toEqual([
      expect.objectContaining({ Action: ['s3:ListBucket'], Resource: [`\${${bucket}.arn}`] }),
      expect.objectContaining({ Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: [`\${${bucket}.arn}/*`] }),
      expect.objectContaining({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: [`\${${key}.arn}`],
        Condition: { StringEquals: { 'kms:ViaService': `s3.${env.cluster.region}.amazonaws.com` } },
      }),
    ]);
    expect(policy.Statement.flatMap((st: any) => st.Action).filter((action: string) => action.includes('*'))).toEqual([]);
  });

  test('dev (volume) has no bucket and no role for LibreChat', () => {
    expect(settingsOf(environment('dev')).fileStorage).toBe('volume');
    expect(all(dev.json, 'aws_s3_bucket')).toEqual([]);
    expect(all(dev.json, 'aws_eks_pod_identity_association')).toEqual([]);
  });

  test('an EKS environment that keeps the volume gets no bucket', () => {
    const env = environment('staging');
    const volume = { ...env, apps: { ...env.apps, librechat: { ...settingsOf(env), replicas: 1, fileStorage: 'volume' } } } as ValidEnvironment;
    const stack = synth(environmentStacks(volume).platform);
    expect(all(stack.json, 'aws_s3_bucket')).toEqual([]);
    expect(all(stack.json, 'aws_backup_selection').map((s) => s.name)).toEqual(['llm-staging-volumes']);
  });
});
