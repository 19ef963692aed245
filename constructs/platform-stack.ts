import { TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { ValidEnvironment } from '../environments/schema';
import { ArgoCd } from './argocd';
import { Gp3StorageClass } from './gp3-storage-class';
import { LibrechatCredentials } from './librechat-credentials';
import { NvidiaDevicePlugin } from './nvidia-device-plugin';
import { PlatformNamespaces } from './platform-namespaces';
import { configureClusterAccess } from './private/cluster-access';
import { kubectlCommand } from './private/kubectl';
import { pinProviderVersions } from './private/pin-providers';
import { ARGOCD_NAMESPACE, GPU_NODES, LIBRECHAT, LIBRECHAT_SECRET_NAME, PLATFORM_APPS, SERVICE_URLS } from './private/platform-layout';
import { configureStateBackend } from './private/state-backend';

/** Properties of {@link PlatformStack}. */
export interface PlatformStackProps {
  /** The validated environment. */
  readonly environment: ValidEnvironment;
}

/**
 * `<env>-platform`: everything the applications need before Argo CD can sync them — namespaces,
 * the LibreChat credentials Secret, Argo CD itself and, on EKS, the default gp3 StorageClass and
 * the NVIDIA device plugin. Applying it installs the Argo CD CRDs that `<env>-apps` plans against.
 */
export class PlatformStack extends TerraformStack {
  /** The Argo CD installation. */
  public readonly argocd: ArgoCd;

  constructor(scope: Construct, name: string, props: PlatformStackProps) {
    super(scope, name);
    const env = props.environment;
    configureStateBackend(this, name, env.state);
    configureClusterAccess(this, env.cluster, { helm: true });
    new RandomProvider(this, 'random');

    const namespaces = new PlatformNamespaces(this, 'namespaces', {
      gitopsNamespace: ARGOCD_NAMESPACE,
      appNamespaces: PLATFORM_APPS.map((app) => app.namespace),
    });

    if (env.cluster.kind === 'eks') {
      new Gp3StorageClass(this, 'gp3');
      if (env.cluster.gpuNodes.amiType === 'AL2023_x86_64_NVIDIA') {
        new NvidiaDevicePlugin(this, 'nvidia_device_plugin', {
          chart: env.cluster.nvidiaDevicePlugin,
          tolerations: [{ key: GPU_NODES.taint.key, operator: 'Exists', effect: GPU_NODES.taint.effect }],
        });
      }
    }

    new LibrechatCredentials(this, 'librechat_credentials', {
      namespace: namespaces.apps[LIBRECHAT.namespace].metadata.name,
      secretName: LIBRECHAT_SECRET_NAME,
      connectionSettings: {
        MONGO_URI: SERVICE_URLS.mongo,
        MEILI_HOST: SERVICE_URLS.meilisearch,
        OLLAMA_BASE_URL: SERVICE_URLS.ollama,
      },
    });

    this.argocd = new ArgoCd(this, 'argocd', {
      namespace: namespaces.gitops.metadata.name,
      chart: env.argocd.chart,
      hostname: env.ingress.hosts.argocd,
      ingressClassName: env.ingress.className,
      tls: env.ingress.tls,
      ingressAnnotations: env.ingress.annotations,
      reconciliationInterval: env.argocd.reconciliationInterval,
      resources: env.argocd.resources,
      wait: env.argocd.wait,
      timeoutSeconds: env.argocd.timeoutSeconds,
    });

    new TerraformOutput(this, 'argocd_url', { value: this.argocd.url, description: 'Argo CD UI and API' });
    new TerraformOutput(this, 'argocd_admin_password_command', {
      value: `${kubectlCommand(env.cluster)} -n ${ARGOCD_NAMESPACE} get secret argocd-initial-admin-secret -o jsonpath='{.data.password}' | base64 -d`,
      description: 'Prints the initial Argo CD admin password (the password itself is never an output)',
    });
    pinProviderVersions(this);
  }
}
