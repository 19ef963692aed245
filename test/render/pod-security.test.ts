/**
 * The Pod Security Standards as k8s.io/pod-security-admission/policy applies them: per check a
 * table of pods it admits and pods it rejects, each with the exact fields and messages.
 */
import { PodTemplate, evaluatePodSecurity } from '../../tools/render/pod-security';

/** A pod every baseline check admits: one container, nothing set. */
const BASELINE_POD = { containers: [{ name: 'app', image: 'app:1.0.0' }] };

/** A pod every restricted check admits, as the shipped charts write it. */
const RESTRICTED_POD = {
  securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [{ name: 'app', image: 'app:1.0.0', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
};

type Level = 'baseline' | 'restricted';

interface Case {
  readonly name: string;
  /** The pod spec. */
  readonly spec: any;
  readonly annotations?: Record<string, string>;
  /** @default 'v1.35' */
  readonly version?: string;
}

interface Table {
  readonly check: string;
  readonly level: Level;
  readonly valid: readonly Case[];
  readonly invalid: readonly (Case & { readonly errors: readonly string[] })[];
}

const baseline = (name: string, spec: any, extra: Partial<Case> = {}): Case => ({ name, spec: { ...BASELINE_POD, ...spec }, ...extra });
const restricted = (name: string, spec: any, extra: Partial<Case> = {}): Case => ({ name, spec: { ...RESTRICTED_POD, ...spec }, ...extra });
/** The restricted pod with its container's securityContext replaced by `securityContext`. */
const restrictedContainer = (securityContext: any, more: any = {}) => [{ name: 'app', image: 'app:1.0.0', securityContext, ...more }];
const RESTRICTED_CONTAINER_CONTEXT = RESTRICTED_POD.containers[0].securityContext;

const TABLES: readonly Table[] = [
  {
    check: 'windowsHostProcess',
    level: 'baseline',
    valid: [baseline('hostProcess false', { securityContext: { windowsOptions: { hostProcess: false } } })],
    invalid: [
      {
        ...baseline('pod and container hostProcess', {
          securityContext: { windowsOptions: { hostProcess: true } },
          containers: [{ name: 'app', securityContext: { windowsOptions: { hostProcess: true } } }],
        }),
        errors: [
          'spec.securityContext.windowsOptions.hostProcess: must not be true (baseline; got true)',
          'spec.containers[0].securityContext.windowsOptions.hostProcess: must not be true (baseline; got true)',
        ],
      },
    ],
  },
  {
    check: 'hostNamespaces',
    level: 'baseline',
    valid: [baseline('all false', { hostNetwork: false, hostPID: false, hostIPC: false })],
    invalid: [
      {
        ...baseline('network, PID and IPC of the host', { hostNetwork: true, hostPID: true, hostIPC: true }),
        errors: [
          'spec.hostNetwork: must not be true (baseline; got true)',
          'spec.hostPID: must not be true (baseline; got true)',
          'spec.hostIPC: must not be true (baseline; got true)',
        ],
      },
    ],
  },
  {
    check: 'privileged',
    level: 'baseline',
    valid: [baseline('privileged false', { containers: [{ name: 'app', securityContext: { privileged: false } }] })],
    invalid: [
      {
        ...baseline('a privileged init container', { initContainers: [{ name: 'init', securityContext: { privileged: true } }] }),
        errors: ['spec.initContainers[0].securityContext.privileged: must not be true (baseline; got true)'],
      },
    ],
  },
  {
    check: 'capabilities_baseline',
    level: 'baseline',
    valid: [
      baseline('default capabilities', {
        containers: [{ name: 'app', securityContext: { capabilities: { add: ['CHOWN', 'NET_BIND_SERVICE', 'SYS_CHROOT'] } } }],
      }),
    ],
    invalid: [
      {
        ...baseline('NET_RAW and SYS_ADMIN', { containers: [{ name: 'app', securityContext: { capabilities: { add: ['CHOWN', 'NET_RAW', 'SYS_ADMIN'] } } }] }),
        errors: [
          'spec.containers[0].securityContext.capabilities.add[1]: must be one of the default capabilities (baseline; got "NET_RAW")',
          'spec.containers[0].securityContext.capabilities.add[2]: must be one of the default capabilities (baseline; got "SYS_ADMIN")',
        ],
      },
    ],
  },
  {
    check: 'hostPathVolumes',
    level: 'baseline',
    valid: [
      baseline('emptyDir and a claim', {
        volumes: [
          { name: 'tmp', emptyDir: {} },
          { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
        ],
      }),
    ],
    invalid: [
      {
        ...baseline('the host file system', {
          volumes: [
            { name: 'tmp', emptyDir: {} },
            { name: 'host', hostPath: { path: '/var/run' } },
          ],
        }),
        errors: ['spec.volumes[1].hostPath: must not be set (baseline; got "/var/run")'],
      },
    ],
  },
  {
    check: 'hostPorts',
    level: 'baseline',
    valid: [baseline('container ports, hostPort 0', { containers: [{ name: 'app', ports: [{ containerPort: 80 }, { containerPort: 81, hostPort: 0 }] }] })],
    invalid: [
      {
        ...baseline('a host port', { containers: [{ name: 'app', ports: [{ containerPort: 80 }, { containerPort: 9100, hostPort: 9100 }] }] }),
        errors: ['spec.containers[0].ports[1].hostPort: must be 0 or unset (baseline; got 9100)'],
      },
    ],
  },
  {
    check: 'hostProbesAndHostLifecycle',
    level: 'baseline',
    valid: [
      baseline('probes without a host', { containers: [{ name: 'app', livenessProbe: { httpGet: { path: '/', port: 80, host: '' } } }] }, { version: 'v1.34' }),
      // Checked from 1.34 on.
      baseline(
        'a probe host before v1.34',
        { containers: [{ name: 'app', livenessProbe: { httpGet: { port: 80, host: '10.0.0.1' } } }] },
        { version: 'v1.33' },
      ),
    ],
    invalid: [
      {
        ...baseline(
          'a probe and a lifecycle host',
          {
            containers: [
              {
                name: 'app',
                readinessProbe: { tcpSocket: { port: 80, host: '10.0.0.1' } },
                lifecycle: { preStop: { httpGet: { port: 80, host: 'example.com' } } },
              },
            ],
          },
          { version: 'v1.34' },
        ),
        errors: [
          'spec.containers[0].readinessProbe.tcpSocket.host: must be empty or unset (baseline; got "10.0.0.1")',
          'spec.containers[0].lifecycle.preStop.httpGet.host: must be empty or unset (baseline; got "example.com")',
        ],
      },
    ],
  },
  {
    check: 'appArmorProfile',
    level: 'baseline',
    valid: [
      baseline(
        'RuntimeDefault, Localhost and the allowed annotations',
        {
          securityContext: { appArmorProfile: { type: 'RuntimeDefault' } },
          containers: [{ name: 'app', securityContext: { appArmorProfile: { type: 'Localhost', localhostProfile: 'p' } } }],
        },
        {
          annotations: {
            'container.apparmor.security.beta.kubernetes.io/app': 'localhost/p',
            'container.apparmor.security.beta.kubernetes.io/b': 'runtime/default',
          },
        },
      ),
    ],
    invalid: [
      {
        ...baseline(
          'Unconfined, in the field and in the annotation',
          { securityContext: { appArmorProfile: { type: 'Unconfined' } } },
          { annotations: { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' } },
        ),
        errors: [
          'spec.securityContext.appArmorProfile.type: must be RuntimeDefault or Localhost (baseline; got "Unconfined")',
          'metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]: must be runtime/default, localhost/<profile> or empty (baseline; got "unconfined")',
        ],
      },
    ],
  },
  {
    check: 'seLinuxOptions',
    level: 'baseline',
    valid: [
      baseline('container_t and a level', { securityContext: { seLinuxOptions: { type: 'container_t', level: 's0:c123,c456' } } }),
      // Allowed from 1.31 on.
      baseline(
        'container_engine_t',
        { containers: [{ name: 'app', securityContext: { seLinuxOptions: { type: 'container_engine_t' } } }] },
        { version: 'v1.31' },
      ),
    ],
    invalid: [
      {
        ...baseline(
          'container_engine_t before v1.31',
          { containers: [{ name: 'app', securityContext: { seLinuxOptions: { type: 'container_engine_t' } } }] },
          { version: 'v1.30' },
        ),
        errors: [
          'spec.containers[0].securityContext.seLinuxOptions.type: must be one of container_t, container_init_t, container_kvm_t or unset (baseline; got "container_engine_t")',
        ],
      },
      {
        ...baseline('spc_t with a user and a role', { securityContext: { seLinuxOptions: { type: 'spc_t', user: 'root', role: 'sysadm_r' } } }),
        errors: [
          'spec.securityContext.seLinuxOptions.type: must be one of container_t, container_init_t, container_kvm_t, container_engine_t or unset (baseline; got "spc_t")',
          'spec.securityContext.seLinuxOptions.user: must not be set (baseline; got "root")',
          'spec.securityContext.seLinuxOptions.role: must not be set (baseline; got "sysadm_r")',
        ],
      },
    ],
  },
  {
    check: 'procMount',
    level: 'baseline',
    valid: [
      baseline('Default', { containers: [{ name: 'app', securityContext: { procMount: 'Default' } }] }),
      // From 1.35, any procMount in a user namespace.
      baseline(
        'Unmasked in a user namespace',
        { hostUsers: false, containers: [{ name: 'app', securityContext: { procMount: 'Unmasked' } }] },
        { version: 'v1.35' },
      ),
    ],
    invalid: [
      {
        ...baseline(
          'Unmasked in a user namespace before v1.35',
          { hostUsers: false, containers: [{ name: 'app', securityContext: { procMount: 'Unmasked' } }] },
          { version: 'v1.34' },
        ),
        errors: ['spec.containers[0].securityContext.procMount: must be Default or unset (baseline; got "Unmasked")'],
      },
    ],
  },
  {
    check: 'seccompProfile_baseline',
    level: 'baseline',
    valid: [
      baseline('unset, or Localhost', {
        containers: [{ name: 'app', securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } } }],
      }),
    ],
    invalid: [
      {
        ...baseline('Unconfined', { securityContext: { seccompProfile: { type: 'Unconfined' } } }),
        errors: ['spec.securityContext.seccompProfile.type: must be RuntimeDefault or Localhost (baseline; got "Unconfined")'],
      },
    ],
  },
  {
    check: 'sysctls',
    level: 'baseline',
    valid: [
      baseline('a safe sysctl', { securityContext: { sysctls: [{ name: 'net.ipv4.tcp_keepalive_time', value: '60' }] } }, { version: 'v1.29' }),
      baseline(
        'safe from 1.37 on, and in latest',
        { securityContext: { sysctls: [{ name: 'net.ipv4.tcp_notsent_lowat', value: '1' }] } },
        { version: 'latest' },
      ),
    ],
    invalid: [
      {
        ...baseline('safe only from 1.29 on', { securityContext: { sysctls: [{ name: 'net.ipv4.tcp_keepalive_time', value: '60' }] } }, { version: 'v1.28' }),
        errors: ['spec.securityContext.sysctls[0].name: must be a safe sysctl (baseline; got "net.ipv4.tcp_keepalive_time")'],
      },
      {
        ...baseline('a node-wide sysctl', {
          securityContext: {
            sysctls: [
              { name: 'kernel.shm_rmid_forced', value: '1' },
              { name: 'kernel.msgmax', value: '1' },
            ],
          },
        }),
        errors: ['spec.securityContext.sysctls[1].name: must be a safe sysctl (baseline; got "kernel.msgmax")'],
      },
    ],
  },
  {
    check: 'restrictedVolumes',
    level: 'restricted',
    valid: [
      restricted('every allowed source', {
        volumes: [
          { name: 'a', configMap: { name: 'c' } },
          { name: 'b', secret: { secretName: 's' } },
          { name: 'c', emptyDir: {} },
          { name: 'd', persistentVolumeClaim: { claimName: 'p' } },
          { name: 'e', projected: { sources: [] } },
          { name: 'f', downwardAPI: { items: [] } },
          { name: 'g', csi: { driver: 'd' } },
          { name: 'h', ephemeral: { volumeClaimTemplate: { spec: {} } } },
          { name: 'i', image: { reference: 'data:1.0.0' } },
        ],
      }),
    ],
    invalid: [
      {
        // In restricted the host path is this check's finding, not hostPathVolumes'.
        ...restricted('hostPath and nfs', {
          volumes: [
            { name: 'a', hostPath: { path: '/' } },
            { name: 'b', nfs: { server: 'n', path: '/' } },
          ],
        }),
        errors: [
          'spec.volumes[0].hostPath: must be a volume of type configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret (restricted; got "hostPath")',
          'spec.volumes[1].nfs: must be a volume of type configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret (restricted; got "nfs")',
        ],
      },
    ],
  },
  {
    check: 'allowPrivilegeEscalation',
    level: 'restricted',
    valid: [
      // Windows pods are exempt from 1.25 on (the field does not exist there).
      restricted('a Windows pod', { os: { name: 'windows' }, containers: restrictedContainer({}) }),
    ],
    invalid: [
      {
        ...restricted('unset, and true', {
          initContainers: restrictedContainer({ ...RESTRICTED_CONTAINER_CONTEXT, allowPrivilegeEscalation: undefined }),
          containers: restrictedContainer({ ...RESTRICTED_CONTAINER_CONTEXT, allowPrivilegeEscalation: true }),
        }),
        errors: [
          'spec.initContainers[0].securityContext.allowPrivilegeEscalation: must be false (restricted; unset)',
          'spec.containers[0].securityContext.allowPrivilegeEscalation: must be false (restricted; got true)',
        ],
      },
    ],
  },
  {
    check: 'runAsNonRoot',
    level: 'restricted',
    valid: [
      restricted('set on the container only', {
        securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
        containers: restrictedContainer({ ...RESTRICTED_CONTAINER_CONTEXT, runAsNonRoot: true }),
      }),
      // From 1.35 a pod in a user namespace may run as root.
      restricted('root in a user namespace', { hostUsers: false, securityContext: { runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } } }),
    ],
    invalid: [
      {
        ...restricted('set nowhere', { securityContext: { seccompProfile: { type: 'RuntimeDefault' } } }),
        errors: ['spec.containers[0].securityContext.runAsNonRoot: must be true (restricted; unset)'],
      },
      {
        ...restricted('false on the pod', { securityContext: { runAsNonRoot: false, seccompProfile: { type: 'RuntimeDefault' } } }),
        errors: ['spec.securityContext.runAsNonRoot: must be true (restricted; got false)'],
      },
      {
        ...restricted('false on a container, despite the pod', { containers: restrictedContainer({ ...RESTRICTED_CONTAINER_CONTEXT, runAsNonRoot: false }) }),
        errors: ['spec.containers[0].securityContext.runAsNonRoot: must be true (restricted; got false)'],
      },
      {
        ...restricted(
          'a user namespace before v1.35',
          { hostUsers: false, securityContext: { seccompProfile: { type: 'RuntimeDefault' } } },
          { version: 'v1.34' },
        ),
        errors: ['spec.containers[0].securityContext.runAsNonRoot: must be true (restricted; unset)'],
      },
    ],
  },
  {
    check: 'runAsUser',
    level: 'restricted',
    valid: [
      restricted('a non-zero user', { containers: restrictedContainer({ ...RESTRICTED_CONTAINER_CONTEXT, runAsUser: 65534 }) }),
      // Checked from 1.23 on.
      restricted('user 0 before v1.23', { securityContext: { ...RESTRICTED_POD.securityContext, runAsUser: 0 } }, { version: 'v1.22' }),
    ],
    invalid: [
      {
        ...restricted('user 0 on the pod and a container', {
          securityContext: { ...RESTRICTED_POD.securityContext, runAsUser: 0 },
          containers: restrictedContainer({ ...RESTRICTED_CONTAINER_CONTEXT, runAsUser: 0 }),
        }),
        errors: [
          'spec.securityContext.runAsUser: must not be 0 (restricted; got 0)',
          'spec.containers[0].securityContext.runAsUser: must not be 0 (restricted; got 0)',
        ],
      },
    ],
  },
  {
    check: 'seccompProfile_restricted',
    level: 'restricted',
    valid: [
      restricted('Localhost on the container only', {
        securityContext: { runAsNonRoot: true },
        containers: restrictedContainer({ ...RESTRICTED_CONTAINER_CONTEXT, seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } }),
      }),
    ],
    invalid: [
      {
        ...restricted('set nowhere', { securityContext: { runAsNonRoot: true } }),
        errors: ['spec.containers[0].securityContext.seccompProfile.type: must be RuntimeDefault or Localhost (restricted; unset)'],
      },
      {
        // In restricted, Unconfined is this check's finding, not seccompProfile_baseline's.
        ...restricted('Unconfined on a container', {
          containers: restrictedContainer({ ...RESTRICTED_CONTAINER_CONTEXT, seccompProfile: { type: 'Unconfined' } }),
        }),
        errors: ['spec.containers[0].securityContext.seccompProfile.type: must be RuntimeDefault or Localhost (restricted; got "Unconfined")'],
      },
    ],
  },
  {
    check: 'capabilities_restricted',
    level: 'restricted',
    valid: [
      restricted('drop ALL, add NET_BIND_SERVICE', {
        containers: restrictedContainer({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } }),
      }),
    ],
    invalid: [
      {
        ...restricted('drop only NET_RAW, add CHOWN', {
          containers: restrictedContainer({ allowPrivilegeEscalation: false, capabilities: { drop: ['NET_RAW'], add: ['CHOWN'] } }),
        }),
        errors: [
          'spec.containers[0].securityContext.capabilities.drop: must include ALL (restricted; got ["NET_RAW"])',
          'spec.containers[0].securityContext.capabilities.add[0]: must be NET_BIND_SERVICE or nothing (restricted; got "CHOWN")',
        ],
      },
      {
        ...restricted('no capabilities', { containers: restrictedContainer({ allowPrivilegeEscalation: false }) }),
        errors: ['spec.containers[0].securityContext.capabilities.drop: must include ALL (restricted; unset)'],
      },
      {
        // Before 1.22 restricted ran the baseline capabilities check instead.
        ...restricted(
          'before v1.22',
          { containers: restrictedContainer({ allowPrivilegeEscalation: false, capabilities: { add: ['SYS_ADMIN'] } }) },
          { version: 'v1.21' },
        ),
        errors: ['spec.containers[0].securityContext.capabilities.add[0]: must be one of the default capabilities (baseline; got "SYS_ADMIN")'],
      },
    ],
  },
  {
    check: 'procMount_restricted',
    level: 'restricted',
    valid: [
      restricted('Default in a user namespace', {
        hostUsers: false,
        containers: restrictedContainer({ ...RESTRICTED_CONTAINER_CONTEXT, procMount: 'Default' }),
      }),
    ],
    invalid: [
      {
        // From 1.35 baseline admits it in a user namespace; restricted still does not.
        ...restricted('Unmasked in a user namespace', {
          hostUsers: false,
          containers: restrictedContainer({ ...RESTRICTED_CONTAINER_CONTEXT, procMount: 'Unmasked' }),
        }),
        errors: ['spec.containers[0].securityContext.procMount: must be Default or unset (restricted; got "Unmasked")'],
      },
    ],
  },
];

const evaluate = (level: Level, c: Case) => {
  const pod: PodTemplate = { metadata: { annotations: c.annotations }, spec: c.spec };
  return evaluatePodSecurity(level, c.version ?? 'v1.35', pod).map((v) => `${v.field}: ${v.message}`);
};

describe.each(TABLES)('$check ($level)', ({ check, level, valid, invalid }) => {
  test.each(valid.map((c) => [c.name, c] as const))('admits: %s', (_name, c) => {
    expect(evaluate(level, c)).toEqual([]);
  });

  test.each(invalid.map((c) => [c.name, c] as const))('rejects: %s', (_name, c) => {
    expect(evaluate(level, c)).toEqual(c.errors);
    const checks = evaluatePodSecurity(level, c.version ?? 'v1.35', { metadata: { annotations: c.annotations }, spec: c.spec }).map((v) => v.check);
    const expected = c.name === 'before v1.22' ? 'capabilities_baseline' : check;
    expect([...new Set(checks)]).toEqual([expected]);
  });
});

describe('levels and versions', () => {
  test('the restricted pod passes both levels; the minimal pod passes baseline and fails restricted on every container', () => {
    expect(evaluatePodSecurity('restricted', 'v1.35', { spec: RESTRICTED_POD })).toEqual([]);
    expect(evaluatePodSecurity('baseline', 'v1.35', { spec: BASELINE_POD })).toEqual([]);
    expect(evaluatePodSecurity('restricted', 'v1.35', { spec: BASELINE_POD }).map((v) => `${v.check}: ${v.field}`)).toEqual([
      'allowPrivilegeEscalation: spec.containers[0].securityContext.allowPrivilegeEscalation',
      'capabilities_restricted: spec.containers[0].securityContext.capabilities.drop',
      'runAsNonRoot: spec.containers[0].securityContext.runAsNonRoot',
      'seccompProfile_restricted: spec.containers[0].securityContext.seccompProfile.type',
    ]);
  });

  test('privileged admits anything; restricted reports baseline findings first', () => {
    const spec = { hostNetwork: true, containers: [{ name: 'app', securityContext: { privileged: true } }] };
    expect(evaluatePodSecurity('privileged', 'v1.35', { spec })).toEqual([]);
    expect(evaluatePodSecurity('restricted', 'v1.35', { spec }).map((v) => `${v.level} ${v.check}`)).toEqual([
      'baseline hostNamespaces',
      'baseline privileged',
      'restricted allowPrivilegeEscalation',
      'restricted capabilities_restricted',
      'restricted runAsNonRoot',
      'restricted seccompProfile_restricted',
    ]);
  });

  test('a version newer than any check evaluates as the newest; malformed and pre-1.19 versions are refused', () => {
    const spec = { ...BASELINE_POD, securityContext: { sysctls: [{ name: 'net.ipv4.tcp_notsent_lowat', value: '1' }] } };
    expect(evaluatePodSecurity('baseline', 'v1.99', { spec })).toEqual([]);
    expect(evaluatePodSecurity('baseline', 'v1.36', { spec })).toHaveLength(1);
    expect(() => evaluatePodSecurity('baseline', '1.35', { spec })).toThrow('Pod Security version must be v1.<minor> or latest (got "1.35")');
    expect(() => evaluatePodSecurity('baseline', 'v1.18', { spec })).toThrow('Pod Security version must be v1.19 or later (got "v1.18")');
  });
});
