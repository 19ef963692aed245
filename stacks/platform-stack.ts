import { Aspects, TerraformOutput, TerraformStack, dependable } from 'cdktf';
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { argocdAwsAlbMode, ingressAnnotations, publishedNamespaceLabels } from '../environments/ingress-controllers';
import { ValidEnvironment } from '../environments/schema';
import { appContexts } from './app-contexts';
import { namespacePodSecurity } from '../contracts/app-catalog';
import { AppDefinition } from '../contracts/app-definition';
import { configureClusterAccess } from '../constructs/core/cluster-access';
import { ConstructError } from '../constructs/core/errors';
import { GPU_NODES, KUBERNETES_TAINT_EFFECT } from '../constructs/core/gpu-nodes';
import { kubectlCommand } from '../constructs/core/kubectl';
import { ARGOCD_NAMESPACE } from '../constructs/core/names';
import { PinProviderVersions } from '../constructs/core/provider-pins';
import { configureStateBackend } from '../constructs/core/state-backend';
import { LOCAL_CLUSTER_KUBERNETES_VERSION } from '../contracts/versions';
import { AppSecret } from '../constructs/platform/app-secret';
import { ARGOCD_GRPC_SERVICE, ARGOCD_SERVER_SERVICE, ArgoCd } from '../constructs/platform/argocd';
import { ArgoCdRepositoryCredentials } from '../constructs/platform/argocd-repository';
import { AwsIngress } from '../constructs/platform/aws-ingress';
import { Gp3StorageClass } from '../constructs/platform/gp3-storage-class';
import { NvidiaDevicePlugin } from '../constructs/platform/nvidia-device-plugin';
import { PlatformNamespaces } from '../constructs/platform/platform-namespaces';
import { awsDefaultTags } from '../constructs/core/aws-tags';
import { StatefulStorageClass } from '../constructs/platform/stateful-storage-class';
import { VolumeBackup } from '../constructs/platform/volume-backup';
import { Karpenter } from '../constructs/platform/karpenter';
import { Keda } from '../constructs/platform/keda';
import { SharedModelVolume } from '../constructs/platform/shared-model-volume';
import { BACKUP_TAG_KEY, SHARED_MODEL_VOLUME } from '../constructs/platform/names';
import { modelStoreCreationToken } from '../constructs/cluster/model-store';
import { karpenterNodeRoleName } from '../constructs/cluster/names';
import { AppBucket } from '../constructs/platform/app-bucket';
import { appBucketName } from '../contracts/object-storage';
import { BackupFailureNotifications } from '../constructs/platform/backup-failure-notifications';
import { requireTerraformVersion } from '../constructs/core/ephemeral';
import { ExternalSecretsOperator } from '../constructs/platform/external-secrets-operator';
import { AppSecretsManagerSecret, SecretsKey } from '../constructs/platform/secrets-manager-secret';
import { secretsManagerName } from '../contracts/external-secrets';
import { secretSource } from '../environments/secret-source';

/** Properties of {@link PlatformStack}. */
export interface PlatformStackProps {
  /** The validated environment. */
  readonly environment: ValidEnvironment;
  /** The apps whose namespaces and Secrets the platform provides. */
  readonly catalog: readonly AppDefinition[];
  /**
   * Tags on every AWS resource, beside the platform's own (constructs/core/aws-tags.ts).
   * @default {}
   */
  readonly tags?: Record<string, string>;
}

/**
 * `<env>-platform`: everything the applications need before Argo CD can sync them — their
 * namespaces and Secrets, Argo CD itself and, on EKS, the AWS Load Balancer Controller with the
 * hosts' TLS certificate and ExternalDNS, the default gp3 StorageClass, the retained and backed-up
 * StorageClass of stateful volumes with its AWS Backup plan, the apps' own buckets (backed up by the
 * same plan) with their Pod Identity roles, and the NVIDIA device plugin. Applying
 * it installs the Argo CD CRDs that `<env>-apps` plans against.
 */
export class PlatformStack extends TerraformStack {
  /** The Argo CD installation. */
  public readonly argocd: ArgoCd;
  /** The app namespaces and Argo CD's. */
  public readonly namespaces: PlatformNamespaces;
  /** On EKS: the load balancer controller, the certificate and ExternalDNS. */
  public readonly awsIngress?: AwsIngress;
  /** On EKS with `gpuCapacity`: Karpenter, which launches the GPU nodes. */
  public readonly karpenter?: Karpenter;
  /** On EKS with `gpuCapacity`: KEDA, which scales Ollama to zero outside its active hours. */
  public readonly keda?: Keda;
  /** On EKS: the AWS provider of `cluster.secondaryRegion`, where copies for disaster recovery live. */
  public readonly secondaryAws?: AwsProvider;

  constructor(scope: Construct, name: string, props: PlatformStackProps) {
    super(scope, name);
    const env = props.environment;
    configureStateBackend(this, name, env.state);
    requireTerraformVersion(this);
    const eks = configureClusterAccess(this, env.cluster, { helm: true, awsDefaultTags: awsDefaultTags(props.tags) });
    new RandomProvider(this, 'random');

    // Argo CD always has a host; an app's namespace serves the ingress where the app is published.
    const hosts = env.ingress.hosts as Record<string, string | undefined>;
    const publishedNamespaces = [ARGOCD_NAMESPACE, ...props.catalog.filter((app) => hosts[app.name] !== undefined).map((app) => app.namespace)];
    const published = publishedNamespaceLabels(env);
    this.namespaces = new PlatformNamespaces(this, 'namespaces', {
      gitopsNamespace: ARGOCD_NAMESPACE,
      appNamespaces: [...new Set(props.catalog.map((app) => app.namespace))],
      namespaceLabels: Object.keys(published).length > 0 ? Object.fromEntries(publishedNamespaces.map((ns) => [ns, published])) : undefined,
      // Argo CD's chart sets restricted-compliant security contexts on every component.
      podSecurity: { ...Object.fromEntries(namespacePodSecurity(props.catalog)), [ARGOCD_NAMESPACE]: 'restricted' },
      podSecurityVersion: `v${env.cluster.kind === 'eks' ? env.cluster.kubernetesVersion : LOCAL_CLUSTER_KUBERNETES_VERSION}`,
    });

    if (env.cluster.kind === 'eks' && eks) {
      const cluster = env.cluster;
      this.awsIngress = new AwsIngress(this, 'aws_ingress', {
        clusterName: cluster.name,
        region: cluster.region,
        vpcId: eks.vpcConfig.get(0).vpcId,
        ingressClassName: env.ingress.className,
        hosts: Object.values(env.ingress.hosts as Record<string, string | undefined>).filter((h): h is string => h !== undefined),
        certificateArn: cluster.certificateArn,
        hostedZone: cluster.dns?.hostedZone,
        externalDns: cluster.dns?.externalDns,
        charts: { loadBalancerController: cluster.loadBalancer.chart, externalDns: cluster.dns?.externalDnsChart },
      });
      // Namespaces go before the controller on destroy, and their deletion waits for their
      // Ingresses, which the controller releases only after deleting the ALB they used.
      for (const namespace of [this.namespaces.gitops, ...Object.values(this.namespaces.apps)]) {
        namespace.dependsOn = this.awsIngress.ingressDependencies.map((d) => dependable(d));
        namespace.putTimeouts({ delete: '15m' });
      }
      new Gp3StorageClass(this, 'gp3');
      // Stateful volumes: kept when their claim goes, tagged for this cluster's backup plan.
      const backupTag = { key: BACKUP_TAG_KEY, value: cluster.name };
      new StatefulStorageClass(this, 'stateful_storage', { volumeTags: { [backupTag.key]: backupTag.value } });
      // The region that keeps copies for disaster recovery.
      this.secondaryAws = new AwsProvider(this, 'aws_secondary', {
        alias: 'secondary',
        region: cluster.secondaryRegion,
        defaultTags: [{ tags: awsDefaultTags(props.tags) }],
      });
      // The apps' own buckets, backed up with the volumes.
      const settings = env.apps as Record<string, unknown>;
      const buckets = props.catalog
        .filter((app) => app.objectStorage?.enabled(settings[app.name]))
        .map(
          (app) =>
            new AppBucket(this, `${app.name.replace(/-/g, '_')}_bucket`, {
              bucketName: appBucketName(cluster.name, app.name),
              region: cluster.region,
              podIdentity: { clusterName: cluster.name, namespace: app.namespace, serviceAccount: app.objectStorage!.serviceAccount(app.name) },
              roleName: `${cluster.name}-${app.name}-files`,
            }),
        );
      if (env.backup) {
        new VolumeBackup(this, 'volume_backup', {
          buckets: buckets.map((b) => b.bucket.arn),
          name: cluster.name,
          selectionTag: backupTag,
          retentionDays: env.backup.retentionDays,
          schedule: env.backup.schedule,
          copies: { provider: this.secondaryAws },
        });
        const settings = env.apps as Record<string, unknown>;
        const failures = new BackupFailureNotifications(this, 'backup_failures', {
          name: cluster.name,
          emails: [...new Set(props.catalog.flatMap((app) => app.alertEmails?.(settings[app.name]) ?? []))],
        });
        new TerraformOutput(this, 'backup_failures_topic_arn', {
          value: failures.topic.arn,
          description: 'SNS topic of failed AWS Backup jobs: subscribe receivers other than email to it (docs/monitoring.md#failed-backups)',
        });
      }
      if (cluster.gpuCapacity) {
        // The controllers run on the managed system nodes, never on nodes Karpenter launched.
        const systemNodes = { 'llm-platform/pool': 'system' };
        this.karpenter = new Karpenter(this, 'karpenter', {
          clusterName: cluster.name,
          region: cluster.region,
          nodeRoleName: karpenterNodeRoleName(cluster.name),
          nodeSelector: systemNodes,
          chart: cluster.karpenterChart,
        });
        this.keda = new Keda(this, 'keda', { nodeSelector: systemNodes, chart: cluster.kedaChart });
        new SharedModelVolume(this, 'shared_models', {
          creationToken: modelStoreCreationToken(cluster.name),
          ...SHARED_MODEL_VOLUME,
          // Nominal (EFS grows as written): at least any claim's request, so that the claim binds.
          size: '1Ti',
          nodeSelector: { [GPU_NODES.label.key]: GPU_NODES.label.value },
        });
      }
      if (env.cluster.gpuNodes.amiType === 'AL2023_x86_64_NVIDIA') {
        new NvidiaDevicePlugin(this, 'nvidia_device_plugin', {
          chart: env.cluster.nvidiaDevicePlugin,
          tolerations: [{ key: GPU_NODES.taint.key, operator: 'Exists', effect: KUBERNETES_TAINT_EFFECT[GPU_NODES.taint.effect] }],
        });
      }
    }

    if (secretSource(env) === 'aws-secrets-manager') {
      if (env.cluster.kind !== 'eks') throw new ConstructError(this, 'secrets.source aws-secrets-manager needs an EKS cluster');
      const cluster = env.cluster;
      // Secrets Manager is the source of truth: no Kubernetes Secret is written by Terraform.
      const key = new SecretsKey(this, 'secrets_key', { name: `${cluster.name}-secrets`, replicaRegion: cluster.secondaryRegion });
      const stored = props.catalog.flatMap((app) =>
        (app.secrets ?? []).map(
          (secret) =>
            new AppSecretsManagerSecret(this, `${secret.name.replace(/-/g, '_')}_aws`, {
              name: secretsManagerName(cluster.name, app.namespace, secret.name),
              kubernetesSecret: `${app.namespace}/${secret.name}`,
              variablePrefix: app.name.replace(/-/g, '_'),
              credentials: secret.credentials,
              key,
              replicaRegion: cluster.secondaryRegion,
            }),
        ),
      );
      if (stored.length > 0) {
        new ExternalSecretsOperator(this, 'external_secrets', {
          clusterName: cluster.name,
          region: cluster.region,
          secretArns: stored.map((s) => s.secret.arn),
          kmsKeyArn: key.key.arn,
        });
      }
    } else {
      this.writeSecrets(env, props.catalog);
    }

    this.argocd = new ArgoCd(this, 'argocd', {
      namespace: this.namespaces.gitops.metadata.name,
      chart: env.argocd.chart,
      ingress: {
        className: env.ingress.className,
        hostname: env.ingress.hosts.argocd as string,
        tls: env.ingress.tls,
        annotations: ingressAnnotations(env, {
          httpsBackend: env.ingress.tls,
          allow: env.ingress.sourceRanges.argocd
            ? { ranges: env.ingress.sourceRanges.argocd, services: [ARGOCD_SERVER_SERVICE, ARGOCD_GRPC_SERVICE] }
            : undefined,
        }),
        awsAlb: argocdAwsAlbMode(env),
      },
      reconciliationInterval: env.argocd.reconciliationInterval,
      resources: env.argocd.resources,
      wait: env.argocd.wait,
      timeoutSeconds: env.argocd.timeoutSeconds,
      oidc: env.argocd.oidc,
    });
    if (env.gitops.repositoryAuth) {
      new ArgoCdRepositoryCredentials(this, 'gitops_repository', {
        argocdNamespace: this.namespaces.gitops.metadata.name,
        repoUrl: env.gitops.repoUrl,
        auth: env.gitops.repositoryAuth,
      });
    }

    new TerraformOutput(this, 'argocd_url', { value: this.argocd.url, description: 'Argo CD UI and API' });
    new TerraformOutput(this, 'argocd_admin_password_command', {
      value: `${kubectlCommand(env.cluster)} -n ${ARGOCD_NAMESPACE} get secret argocd-initial-admin-secret -o jsonpath='{.data.password}' | base64 -d`,
      description: 'Prints the initial Argo CD admin password (the password itself is never an output)',
    });
    Aspects.of(this).add(new PinProviderVersions());
  }

  /** Each app's Secrets, written by Terraform (write-only) from supplied or generated ephemeral values. */
  private writeSecrets(env: ValidEnvironment, catalog: readonly AppDefinition[]): void {
    const contexts = appContexts(env, catalog);
    for (const app of catalog) {
      const created = new Map<string, AppSecret>();
      for (const secret of app.secrets ?? []) {
        const appSecret: AppSecret = new AppSecret(this, secret.name.replace(/-/g, '_'), {
          namespace: this.namespaces.apps[app.namespace].metadata.name,
          secretName: secret.name,
          variablePrefix: app.name.replace(/-/g, '_'),
          credentials: secret.credentials,
          settings: (own) =>
            secret.settings?.(contexts.get(app.name)!, (name, key) => {
              if (name === secret.name) return own(key);
              const other = created.get(name);
              if (!other)
                throw new ConstructError(
                  this,
                  `Secret "${secret.name}" of app "${app.name}" uses a credential of "${name}", which is not an earlier Secret of the app`,
                );
              return other.credential(key);
            }) ?? {},
        });
        created.set(secret.name, appSecret);
      }
    }
  }
}
