import { pinnedVersions } from '../../tools/check/rules';
import { application, ChartFiles, manifests, ollamaChart, ruleTester, stackFile } from './rule-tester';

const APPS = stackFile('dev-apps');
const PLATFORM = stackFile('dev-platform');
const VALUES = 'apps/ollama/values.yaml';

/** The extras wrapper chart depending on redis at `version`. */
const extras = (version: unknown): Record<string, ChartFiles> => ({
  extras: { 'Chart.yaml': { dependencies: [{ name: 'redis', version, repository: 'https://charts.bitnami.com/bitnami' }] } },
});
/** The ollama wrapper chart with these values.yaml contents. */
const values = (content: Record<string, unknown>, more: ChartFiles = {}) => ({ ollama: ollamaChart({ 'values.yaml': content, ...more }) });
/** A dev-apps stack with these required_providers versions. */
const providers = (versions: Record<string, unknown>) => ({
  'dev-apps': {
    terraform: { required_providers: Object.fromEntries(Object.entries(versions).map(([name, version]) => [name, { source: `hashicorp/${name}`, version }])) },
  },
});

const rejectedVersions: [unknown, string][] = [
  ['^1.0', '"^1.0" is a version range ("^"), not an exact version'],
  ['~1.2.3', '"~1.2.3" is a version range ("~"), not an exact version'],
  ['>=1.0.0', '">=1.0.0" is a version range (">="), not an exact version'],
  ['1.2.x', '"1.2.x" is a version range (a wildcard), not an exact version'],
  ['*', '"*" is a version range (a wildcard), not an exact version'],
  ['1.0.0 || 2.0.0', '"1.0.0 || 2.0.0" is a version range ("||"), not an exact version'],
  ['1.0.0 - 2.0.0', '"1.0.0 - 2.0.0" is a version range (a space), not an exact version'],
  ['latest', '"latest" is not a pinned version'],
  ['', 'empty version: the newest one is installed'],
  [undefined, 'no version: the newest one is installed'],
  ['1.0', '"1.0" is not an exact MAJOR.MINOR.PATCH version'],
  [1.1, 'version is a YAML number (1.1); quote it, YAML turns 1.10 into 1.1'],
  ['${var.chart_version}', '"${var.chart_version}" is a Terraform expression; pin a literal version'],
];

ruleTester(pinnedVersions).run({
  valid: [
    ...['1.77.0', '10.1.1', 'v2.0.4', '1.0.0-rc.1', '1.0.0+build.5'].map((version) => ({
      name: `chart version ${version}`,
      charts: extras(version),
      stats: { pinsChecked: 1 },
    })),
    { name: 'exact provider versions, also written "= x.y.z"', stacks: providers({ helm: '3.1.1', kubernetes: '= 2.38.0' }), stats: { pinsChecked: 2 } },
    {
      name: 'exact image tags that are not SemVer, digests and string references',
      charts: values({
        ollama: {
          image: { repository: 'ollama/ollama', tag: 'v0.8.6-rc1' },
          sidecar: { repository: 'busybox', tag: '1.36' },
          initImage: 'busybox:1.36',
          digested: { image: { digest: `sha256:${'a'.repeat(64)}` } },
        },
        mongodb: { image: { tag: '8.0.13-debian-12-r0' } },
        mirror: { image: `ollama/ollama@sha256:${'a'.repeat(64)}` },
      }),
      // Six images and the chart's dependency.
      stats: { pinsChecked: 7 },
    },
    {
      name: 'a lone pullPolicy, imagePullSecrets, imageVolume and images are no image pins',
      charts: values({ image: { pullPolicy: 'Always' }, imagePullSecrets: [{ name: 'x' }], imageVolume: { enabled: true }, images: { a: 1 } }),
      stats: { pinsChecked: 1 /* the dependency */ },
    },
    {
      name: 'a repository override in values-<env>.yaml when values.yaml pins the tag there',
      charts: values(
        { ollama: { image: { repository: 'ollama/ollama', tag: '0.32.15' } } },
        { 'values-dev.yaml': { ollama: { image: { repository: 'mirror.example.com/ollama/ollama' } } } },
      ),
    },
    {
      name: 'an Application valuesObject repository override whose value file pins the tag',
      charts: values({ ollama: { image: { tag: '0.32.15' } } }),
      stacks: {
        'dev-apps': manifests({
          ollama: application('ollama', {
            source: {
              repoURL: 'https://x.git',
              targetRevision: 'main',
              path: 'apps/ollama',
              helm: { valueFiles: ['values.yaml'], valuesObject: { ollama: { image: { repository: 'mirror/ollama' } } } },
            },
          }),
        }),
      },
    },
    {
      name: 'a helm_release of a local chart has no version to pin',
      stacks: { 'dev-platform': { resource: { helm_release: { local: { chart: './charts/local' } } } } },
      stats: { pinsChecked: 0 },
    },
  ],
  invalid: [
    ...rejectedVersions.map(([version, message]) => ({
      name: `chart version ${JSON.stringify(version)}`,
      charts: extras(version),
      errors: [`apps/extras/Chart.yaml:dependencies[0].version: redis: ${message}`],
    })),
    {
      name: 'provider ranges and missing provider versions',
      stacks: providers({ kubernetes: '~> 2.0', helm: '>= 2.0.0', random: undefined, aws: 'v6.0.0' }),
      errors: [
        `${APPS}:terraform.required_providers.kubernetes.version: "~> 2.0" is a version range ("~>"), not an exact version`,
        `${APPS}:terraform.required_providers.helm.version: ">= 2.0.0" is a version range (">="), not an exact version`,
        `${APPS}:terraform.required_providers.random.version: no version: the newest one is installed`,
        `${APPS}:terraform.required_providers.aws.version: "v6.0.0" is not an exact version`,
      ],
    },
    {
      name: 'image tags: latest, empty, a YAML number, a string image without a tag or with latest, at any depth',
      charts: values({
        ollama: { image: { repository: 'ollama/ollama', tag: 'latest' } },
        librechat: {
          mongodb: { image: { tag: '' } },
          redis: { image: { tag: 1.1 } },
          initImage: 'localhost:5000/busybox',
          helper: { image: 'ollama/ollama:latest' },
        },
      }),
      errors: [
        `${VALUES}:ollama.image.tag: "latest" is not a pinned tag`,
        `${VALUES}:librechat.mongodb.image.tag: empty tag: the chart appVersion decides the image`,
        `${VALUES}:librechat.redis.image.tag: tag is a YAML number (1.1); quote it, YAML turns 1.10 into 1.1`,
        `${VALUES}:librechat.initImage: image "localhost:5000/busybox" has no tag (resolves to latest)`,
        `${VALUES}:librechat.helper.image: image "ollama/ollama:latest": "latest" is not a pinned tag`,
      ],
    },
    {
      name: 'an image repository without a tag (also in a subchart, also in values-<env>.yaml) and a bad digest',
      charts: values(
        { librechat: { mongodb: { image: { repository: 'bitnamilegacy/mongodb' } } }, x: { image: { digest: 'sha256:abc' } } },
        { 'values-prod.yaml': { ollama: { image: { repository: 'registry.example.com/ollama/ollama' } } } },
      ),
      errors: [
        `${VALUES}:librechat.mongodb.image: pins repository without a tag (the chart appVersion decides the image)`,
        `${VALUES}:x.image.digest: digest must be sha256:<64 hex digits>`,
        'apps/ollama/values-prod.yaml:ollama.image: pins repository without a tag (the chart appVersion decides the image)',
      ],
    },
    {
      name: 'stacks: an unpinned helm_release, its values, an Application chart source and injected values',
      stacks: {
        'dev-platform': {
          resource: {
            helm_release: {
              nvidia: {
                chart: 'nvidia-device-plugin',
                repository: 'https://nvidia.github.io/k8s-device-plugin',
                version: '',
                values: ['image:\n  tag: latest\n'],
              },
            },
          },
        },
        'dev-apps': manifests({
          app: application('app', {
            source: { repoURL: 'https://helm.otwld.com/', chart: 'ollama', targetRevision: '1.*', helm: { values: 'image:\n  tag: main\n' } },
          }),
          librechat: application('librechat', {
            source: {
              repoURL: 'https://x.git',
              targetRevision: 'main',
              path: 'apps/librechat',
              helm: { valuesObject: { librechat: { image: { tag: 'latest' } } } },
            },
          }),
        }),
      },
      errors: [
        `${APPS}:kubernetes_manifest.app.manifest.spec.source.targetRevision: ollama: "1.*" is a version range (a wildcard), not an exact version`,
        `${APPS}:kubernetes_manifest.app.manifest.spec.source.helm.values.image.tag: "main" is not a pinned tag`,
        `${APPS}:kubernetes_manifest.librechat.manifest.spec.source.helm.valuesObject.librechat.image.tag: "latest" is not a pinned tag`,
        `${PLATFORM}:helm_release.nvidia.version: nvidia-device-plugin: empty version: the newest one is installed`,
        `${PLATFORM}:helm_release.nvidia.values[0].image.tag: "latest" is not a pinned tag`,
      ],
    },
  ],
});
