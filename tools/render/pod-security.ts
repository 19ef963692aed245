/**
 * The Kubernetes Pod Security Standards, evaluated as the Pod Security Admission controller does
 * (k8s.io/pod-security-admission, package policy): the same checks, the same versions of each
 * check, `restricted` running every `baseline` check it does not override. A violation names the
 * field that fails, not the aggregate reason the controller prints.
 */
import { PodSecurityLevel } from '../../contracts/app-definition';

/** One field of a pod that the level forbids. */
export interface PodSecurityViolation {
  /** The upstream check (`runAsNonRoot`, `capabilities_restricted`, …). */
  readonly check: string;
  /** The level of that check. */
  readonly level: Exclude<PodSecurityLevel, 'privileged'>;
  /** Path of the field in the Pod (`spec.containers[0].securityContext.runAsNonRoot`, `metadata.annotations[…]`). */
  readonly field: string;
  /** What the field must be, then the level and the value found: `must be true (restricted; unset)`. */
  readonly message: string;
}

/** The metadata and spec of a Pod or of a workload's pod template. */
export interface PodTemplate {
  readonly metadata?: { readonly annotations?: Readonly<Record<string, string>> } | null;
  readonly spec: any;
}

type Found = Omit<PodSecurityViolation, 'check' | 'level'> & { readonly got?: unknown };
type CheckFn = (pod: PodTemplate) => Found[];

interface VersionedCheck {
  /** The first minor version (of 1.x) this revision applies to. */
  readonly since: number;
  readonly check: CheckFn;
  /** Baseline checks this revision replaces in `restricted`. */
  readonly overrides?: readonly string[];
}

interface Check {
  readonly id: string;
  readonly level: Exclude<PodSecurityLevel, 'privileged'>;
  readonly versions: readonly VersionedCheck[];
}

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

/** Every container of the pod (init, regular, ephemeral), with its path. */
function containers(spec: any): { container: any; path: string }[] {
  return CONTAINER_LISTS.flatMap((list) =>
    (spec?.[list] ?? []).map((container: any, i: number) => ({ container: container ?? {}, path: `spec.${list}[${i}]` })),
  );
}

/** The pod-level and every container's security context, with their paths. */
function securityContexts(spec: any): { context: any; path: string }[] {
  return [
    { context: spec?.securityContext, path: 'spec.securityContext' },
    ...containers(spec).map(({ container, path }) => ({ context: container.securityContext, path: `${path}.securityContext` })),
  ];
}

const isWindows = (spec: any) => spec?.os?.name === 'windows';
/** User namespaces (`hostUsers: false`) relax some checks from 1.35 on. */
const inUserNamespace = (spec: any) => spec?.hostUsers === false;

// ---------------------------------------------------------------------------------------------
// Baseline

const windowsHostProcess: CheckFn = ({ spec }) =>
  securityContexts(spec)
    .filter(({ context }) => context?.windowsOptions?.hostProcess === true)
    .map(({ path }) => ({ field: `${path}.windowsOptions.hostProcess`, message: 'must not be true', got: true }));

const hostNamespaces: CheckFn = ({ spec }) =>
  (['hostNetwork', 'hostPID', 'hostIPC'] as const)
    .filter((field) => spec?.[field] === true)
    .map((field) => ({ field: `spec.${field}`, message: 'must not be true', got: true }));

const privileged: CheckFn = ({ spec }) =>
  containers(spec)
    .filter(({ container }) => container.securityContext?.privileged === true)
    .map(({ path }) => ({ field: `${path}.securityContext.privileged`, message: 'must not be true', got: true }));

/** The capabilities a container runtime grants by default. */
const DEFAULT_CAPABILITIES = [
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
];

const capabilitiesBaseline: CheckFn = ({ spec }) =>
  containers(spec).flatMap(({ container, path }) =>
    ((container.securityContext?.capabilities?.add ?? []) as string[]).flatMap((capability, i) =>
      DEFAULT_CAPABILITIES.includes(capability)
        ? []
        : [{ field: `${path}.securityContext.capabilities.add[${i}]`, message: 'must be one of the default capabilities', got: capability }],
    ),
  );

const hostPathVolumes: CheckFn = ({ spec }) =>
  ((spec?.volumes ?? []) as any[]).flatMap((volume, i) =>
    volume?.hostPath != null ? [{ field: `spec.volumes[${i}].hostPath`, message: 'must not be set', got: volume.hostPath.path }] : [],
  );

const hostPorts: CheckFn = ({ spec }) =>
  containers(spec).flatMap(({ container, path }) =>
    ((container.ports ?? []) as any[]).flatMap((port, i) =>
      port?.hostPort !== undefined && port.hostPort !== null && Number(port.hostPort) !== 0
        ? [{ field: `${path}.ports[${i}].hostPort`, message: 'must be 0 or unset', got: port.hostPort }]
        : [],
    ),
  );

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const LIFECYCLE_HANDLERS = ['postStart', 'preStop'] as const;

const hostProbesAndHostLifecycle: CheckFn = ({ spec }) =>
  containers(spec).flatMap(({ container, path }) => {
    const handlers = [
      ...PROBES.map((probe) => ({ handler: container[probe], at: `${path}.${probe}` })),
      ...LIFECYCLE_HANDLERS.map((hook) => ({ handler: container.lifecycle?.[hook], at: `${path}.lifecycle.${hook}` })),
    ];
    return handlers.flatMap(({ handler, at }) =>
      (['httpGet', 'tcpSocket'] as const).flatMap((kind) => {
        const host = handler?.[kind]?.host;
        return typeof host === 'string' && host !== '' ? [{ field: `${at}.${kind}.host`, message: 'must be empty or unset', got: host }] : [];
      }),
    );
  });

const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

const appArmorProfile: CheckFn = ({ metadata, spec }) => [
  ...securityContexts(spec).flatMap(({ context, path }) => {
    const type = context?.appArmorProfile?.type;
    return context?.appArmorProfile != null && type !== 'RuntimeDefault' && type !== 'Localhost'
      ? [{ field: `${path}.appArmorProfile.type`, message: 'must be RuntimeDefault or Localhost', got: type }]
      : [];
  }),
  ...Object.entries(metadata?.annotations ?? {})
    .filter(([key, value]) => key.startsWith(APPARMOR_ANNOTATION_PREFIX) && !(value === '' || value === 'runtime/default' || value.startsWith('localhost/')))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => ({ field: `metadata.annotations[${key}]`, message: 'must be runtime/default, localhost/<profile> or empty', got: value })),
];

const SELINUX_TYPES_1_0 = ['container_t', 'container_init_t', 'container_kvm_t'];
const SELINUX_TYPES_1_31 = [...SELINUX_TYPES_1_0, 'container_engine_t'];

function seLinuxOptions(allowedTypes: readonly string[]): CheckFn {
  return ({ spec }) =>
    securityContexts(spec).flatMap(({ context, path }) => {
      const options = context?.seLinuxOptions;
      if (options == null) return [];
      const found: Found[] = [];
      if (options.type && !allowedTypes.includes(options.type))
        found.push({ field: `${path}.seLinuxOptions.type`, message: `must be one of ${allowedTypes.join(', ')} or unset`, got: options.type });
      for (const key of ['user', 'role'] as const)
        if (options[key]) found.push({ field: `${path}.seLinuxOptions.${key}`, message: 'must not be set', got: options[key] });
      return found;
    });
}

const procMount: CheckFn = ({ spec }) =>
  containers(spec).flatMap(({ container, path }) => {
    const mount = container.securityContext?.procMount;
    return mount != null && mount !== 'Default' ? [{ field: `${path}.securityContext.procMount`, message: 'must be Default or unset', got: mount }] : [];
  });

/** From 1.35, baseline allows any `procMount` to a pod in a user namespace. */
const procMount1_35: CheckFn = (pod) => (inUserNamespace(pod.spec) ? [] : procMount(pod));

const validSeccomp = (type: unknown) => type === 'RuntimeDefault' || type === 'Localhost';

const seccompProfileBaseline: CheckFn = ({ spec }) =>
  securityContexts(spec).flatMap(({ context, path }) =>
    context?.seccompProfile != null && !validSeccomp(context.seccompProfile.type)
      ? [{ field: `${path}.seccompProfile.type`, message: 'must be RuntimeDefault or Localhost', got: context.seccompProfile.type }]
      : [],
  );

/** The sysctls namespaced to the pod and isolated from the node, by the version that allows them. */
const SAFE_SYSCTLS: readonly { since: number; names: readonly string[] }[] = [
  {
    since: 0,
    names: [
      'kernel.shm_rmid_forced',
      'net.ipv4.ip_local_port_range',
      'net.ipv4.tcp_syncookies',
      'net.ipv4.ping_group_range',
      'net.ipv4.ip_unprivileged_port_start',
    ],
  },
  { since: 27, names: ['net.ipv4.ip_local_reserved_ports'] },
  { since: 29, names: ['net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes'] },
  { since: 32, names: ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'] },
  { since: 37, names: ['net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat'] },
];

function sysctls(minor: number): CheckFn {
  const safe = SAFE_SYSCTLS.filter((s) => s.since <= minor).flatMap((s) => s.names);
  return ({ spec }) =>
    ((spec?.securityContext?.sysctls ?? []) as any[]).flatMap((sysctl, i) =>
      safe.includes(sysctl?.name) ? [] : [{ field: `spec.securityContext.sysctls[${i}].name`, message: 'must be a safe sysctl', got: sysctl?.name }],
    );
}

// ---------------------------------------------------------------------------------------------
// Restricted

/** Inline volume sources `restricted` allows. */
const RESTRICTED_VOLUME_SOURCES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret'];

const restrictedVolumes: CheckFn = ({ spec }) =>
  ((spec?.volumes ?? []) as any[]).flatMap((volume, i) => {
    const sources = Object.keys(volume ?? {}).filter((key) => key !== 'name' && volume[key] != null);
    if (sources.some((source) => RESTRICTED_VOLUME_SOURCES.includes(source))) return [];
    const source = sources[0];
    return [
      {
        field: source ? `spec.volumes[${i}].${source}` : `spec.volumes[${i}]`,
        message: `must be a volume of type ${RESTRICTED_VOLUME_SOURCES.join(', ')}`,
        got: source ?? 'no volume source',
      },
    ];
  });

const allowPrivilegeEscalation: CheckFn = ({ spec }) =>
  containers(spec).flatMap(({ container, path }) => {
    const value = container.securityContext?.allowPrivilegeEscalation;
    return value === false ? [] : [{ field: `${path}.securityContext.allowPrivilegeEscalation`, message: 'must be false', got: value }];
  });
const allowPrivilegeEscalation1_25: CheckFn = (pod) => (isWindows(pod.spec) ? [] : allowPrivilegeEscalation(pod));

const runAsNonRoot: CheckFn = ({ spec }) => {
  const pod = spec?.securityContext?.runAsNonRoot;
  const found: Found[] = pod === false ? [{ field: 'spec.securityContext.runAsNonRoot', message: 'must be true', got: false }] : [];
  for (const { container, path } of containers(spec)) {
    const own = container.securityContext?.runAsNonRoot;
    // A container inherits the pod's `true`; without it, it must say `true` itself (where the pod
    // says `false`, the pod's field is the one to fix).
    if (own === false || (own == null && pod !== true && pod !== false))
      found.push({ field: `${path}.securityContext.runAsNonRoot`, message: 'must be true', got: own });
  }
  return found;
};
const runAsNonRoot1_35: CheckFn = (pod) => (inUserNamespace(pod.spec) ? [] : runAsNonRoot(pod));

const runAsUser: CheckFn = ({ spec }) =>
  securityContexts(spec)
    .filter(({ context }) => context?.runAsUser != null && Number(context.runAsUser) === 0)
    .map(({ path }) => ({ field: `${path}.runAsUser`, message: 'must not be 0', got: 0 }));
const runAsUser1_35: CheckFn = (pod) => (inUserNamespace(pod.spec) ? [] : runAsUser(pod));

const seccompProfileRestricted: CheckFn = ({ spec }) => {
  const podProfile = spec?.securityContext?.seccompProfile;
  const found: Found[] = [];
  if (podProfile != null && !validSeccomp(podProfile.type))
    found.push({ field: 'spec.securityContext.seccompProfile.type', message: 'must be RuntimeDefault or Localhost', got: podProfile.type });
  for (const { container, path } of containers(spec)) {
    const own = container.securityContext?.seccompProfile;
    // A container without its own profile inherits the pod's (where that is invalid, the pod's
    // field is the one to fix).
    if (own != null ? !validSeccomp(own.type) : podProfile == null)
      found.push({ field: `${path}.securityContext.seccompProfile.type`, message: 'must be RuntimeDefault or Localhost', got: own?.type });
  }
  return found;
};
const seccompProfileRestricted1_25: CheckFn = (pod) => (isWindows(pod.spec) ? [] : seccompProfileRestricted(pod));

const capabilitiesRestricted: CheckFn = ({ spec }) =>
  containers(spec).flatMap(({ container, path }) => {
    const capabilities = container.securityContext?.capabilities;
    const found: Found[] = [];
    const drop: unknown[] = capabilities?.drop ?? [];
    if (!drop.includes('ALL'))
      found.push({ field: `${path}.securityContext.capabilities.drop`, message: 'must include ALL', got: capabilities?.drop ?? undefined });
    ((capabilities?.add ?? []) as string[]).forEach((capability, i) => {
      if (capability !== 'NET_BIND_SERVICE')
        found.push({ field: `${path}.securityContext.capabilities.add[${i}]`, message: 'must be NET_BIND_SERVICE or nothing', got: capability });
    });
    return found;
  });
const capabilitiesRestricted1_25: CheckFn = (pod) => (isWindows(pod.spec) ? [] : capabilitiesRestricted(pod));

// ---------------------------------------------------------------------------------------------
// The registry

/** Every check with its revisions, as registered in k8s.io/pod-security-admission/policy. */
const CHECKS: readonly Check[] = [
  { id: 'appArmorProfile', level: 'baseline', versions: [{ since: 0, check: appArmorProfile }] },
  { id: 'capabilities_baseline', level: 'baseline', versions: [{ since: 0, check: capabilitiesBaseline }] },
  { id: 'hostNamespaces', level: 'baseline', versions: [{ since: 0, check: hostNamespaces }] },
  { id: 'hostPathVolumes', level: 'baseline', versions: [{ since: 0, check: hostPathVolumes }] },
  { id: 'hostPorts', level: 'baseline', versions: [{ since: 0, check: hostPorts }] },
  { id: 'hostProbesAndHostLifecycle', level: 'baseline', versions: [{ since: 34, check: hostProbesAndHostLifecycle }] },
  { id: 'privileged', level: 'baseline', versions: [{ since: 0, check: privileged }] },
  {
    id: 'procMount',
    level: 'baseline',
    versions: [
      { since: 0, check: procMount },
      { since: 35, check: procMount1_35 },
    ],
  },
  {
    id: 'seLinuxOptions',
    level: 'baseline',
    versions: [
      { since: 0, check: seLinuxOptions(SELINUX_TYPES_1_0) },
      { since: 31, check: seLinuxOptions(SELINUX_TYPES_1_31) },
    ],
  },
  // Before 1.19 this check read the seccomp alpha annotations; versions that old are refused below.
  { id: 'seccompProfile_baseline', level: 'baseline', versions: [{ since: 19, check: seccompProfileBaseline }] },
  { id: 'sysctls', level: 'baseline', versions: [0, 27, 29, 32, 37].map((since) => ({ since, check: sysctls(since) })) },
  { id: 'windowsHostProcess', level: 'baseline', versions: [{ since: 0, check: windowsHostProcess }] },
  {
    id: 'allowPrivilegeEscalation',
    level: 'restricted',
    versions: [
      { since: 8, check: allowPrivilegeEscalation },
      { since: 25, check: allowPrivilegeEscalation1_25 },
    ],
  },
  {
    id: 'capabilities_restricted',
    level: 'restricted',
    versions: [
      { since: 22, check: capabilitiesRestricted, overrides: ['capabilities_baseline'] },
      { since: 25, check: capabilitiesRestricted1_25, overrides: ['capabilities_baseline'] },
    ],
  },
  { id: 'procMount_restricted', level: 'restricted', versions: [{ since: 35, check: procMount, overrides: ['procMount'] }] },
  { id: 'restrictedVolumes', level: 'restricted', versions: [{ since: 0, check: restrictedVolumes, overrides: ['hostPathVolumes'] }] },
  {
    id: 'runAsNonRoot',
    level: 'restricted',
    versions: [
      { since: 0, check: runAsNonRoot },
      { since: 35, check: runAsNonRoot1_35 },
    ],
  },
  {
    id: 'runAsUser',
    level: 'restricted',
    versions: [
      { since: 23, check: runAsUser },
      { since: 35, check: runAsUser1_35 },
    ],
  },
  {
    id: 'seccompProfile_restricted',
    level: 'restricted',
    versions: [
      { since: 19, check: seccompProfileRestricted, overrides: ['seccompProfile_baseline'] },
      { since: 25, check: seccompProfileRestricted1_25, overrides: ['seccompProfile_baseline'] },
    ],
  },
];

/** The newest version any check has a revision for: later versions (and `latest`) evaluate as it. */
export const NEWEST_POLICY_MINOR = Math.max(...CHECKS.flatMap((c) => c.versions.map((v) => v.since)));
/** The oldest version evaluated here (the seccomp annotations of older versions are not). */
export const OLDEST_POLICY_MINOR = 19;

/** The minor version of `version` (`v1.35` → 35; `latest` → the newest). */
function minorOf(version: string): number {
  if (version === 'latest') return NEWEST_POLICY_MINOR;
  const match = /^v1\.(0|[1-9]\d*)$/.exec(version);
  if (!match) throw new Error(`Pod Security version must be v1.<minor> or latest (got ${JSON.stringify(version)})`);
  const minor = Number(match[1]);
  if (minor < OLDEST_POLICY_MINOR) throw new Error(`Pod Security version must be v1.${OLDEST_POLICY_MINOR} or later (got ${JSON.stringify(version)})`);
  return Math.min(minor, NEWEST_POLICY_MINOR);
}

/** The revisions that apply at `minor` for `level`, with the baseline checks `restricted` overrides left out. */
function checksAt(level: Exclude<PodSecurityLevel, 'privileged'>, minor: number): { check: Check; revision: VersionedCheck }[] {
  const applicable = CHECKS.filter((c) => level === 'restricted' || c.level === 'baseline').flatMap((check) => {
    const revision = [...check.versions].reverse().find((v) => v.since <= minor);
    return revision ? [{ check, revision }] : [];
  });
  const overridden = new Set(applicable.flatMap(({ revision }) => revision.overrides ?? []));
  return applicable.filter(({ check }) => !overridden.has(check.id));
}

/** `(level; got value)`, or `(level; unset)`. */
function describe(level: string, got: unknown): string {
  return `(${level}; ${got === undefined || got === null ? 'unset' : `got ${JSON.stringify(got)}`})`;
}

/**
 * The violations of the Pod Security Standards `level` at `version` by `pod`, baseline checks
 * first: none for `privileged`.
 * @throws for a version that is not `v1.<minor>` (≥ v1.19) or `latest`.
 */
export function evaluatePodSecurity(level: PodSecurityLevel, version: string, pod: PodTemplate): PodSecurityViolation[] {
  const minor = minorOf(version);
  if (level === 'privileged') return [];
  const ordered = checksAt(level, minor).sort((a, b) =>
    a.check.level === b.check.level ? a.check.id.localeCompare(b.check.id) : a.check.level === 'baseline' ? -1 : 1,
  );
  return ordered.flatMap(({ check, revision }) =>
    revision.check(pod).map(({ field, message, got }) => ({ check: check.id, level: check.level, field, message: `${message} ${describe(check.level, got)}` })),
  );
}
