/**
 * `npm run status`: refs and commits per environment, what each commit pins, how far behind the
 * previous environment it is, offline from the clone's refs, and Argo CD's live view with drift.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CATALOG } from '../../apps/catalog';
import { appPins } from '../../tools/promote/pins';
import { applyPromotion, planPromotion } from '../../tools/promote/promote';
import { cloneRefSource, environmentStatuses, formatStatus, liveApplications, remoteRefSource } from '../../tools/promote/status';
import { parseStatusArgs, statusExit } from '../../tools/promote/status-cli';
import { environment } from '../support/environments';
import { CHAIN, PROD, STAGING, gitFixture } from './git-fixture';

/** What this checkout's stacks create: every app of the catalog, in every environment. */
const CHECKOUT_APPS = () => CATALOG.map((app) => app.name);
const application = (env: string, name: string) => ({ name, path: `apps/${name}`, valueFiles: ['values.yaml', `values-${env}.yaml`, `generated/${env}.yaml`] });

/** The repository's apps/ at c1; c2 bumps LibreChat's image and staging's Ollama models; staging at c1, prod missing. */
function fixture() {
  const f = gitFixture();
  fs.cpSync('apps', path.join(f.clone, 'apps'), { recursive: true });
  const c1 = f.commit('the wrapper charts');
  const values = path.join(f.clone, 'apps/librechat/values.yaml');
  const generated = path.join(f.clone, 'apps/ollama/generated/staging.yaml');
  const c2 = f.commit('LibreChat v9.9.9, another model in staging', {
    'apps/librechat/values.yaml': fs.readFileSync(values, 'utf8').replace('tag: v0.8.7', 'tag: v9.9.9'),
    'apps/ollama/generated/staging.yaml': fs.readFileSync(generated, 'utf8').replace(/(\n\s+- )(\S+)/, '$1$2$1other:1b'),
  });
  f.git('push', '--quiet', 'origin', 'main');
  applyPromotion(f.clone, planPromotion({ repo: f.clone, remote: 'origin', chain: CHAIN, env: 'staging', init: true, commit: c1 }));
  return { f, c1, c2 };
}

describe('status from Git', () => {
  const { f, c1, c2 } = fixture();
  // The working tree has other models: the pins must come from the commits.
  fs.writeFileSync(path.join(f.clone, 'apps/ollama/generated/staging.yaml'), 'ollama: { ollama: { models: { pull: [working-tree:1b] } } }\n');
  const statuses = environmentStatuses(f.clone, CHAIN, remoteRefSource(f.clone, 'origin', CHAIN), CHECKOUT_APPS);
  const text = formatStatus(statuses);

  test('each environment: ref, commit, commits behind the previous one; a missing ref says how to create it', () => {
    expect(statuses.map((s) => [s.env, s.ref, s.commit, s.behind])).toEqual([
      ['dev', 'refs/heads/main', c2, undefined],
      ['staging', STAGING, c1, 1],
      ['prod', PROD, undefined, undefined],
    ]);
    expect(text).toContain(`staging: ${STAGING} at ${c1.slice(0, 12)} the wrapper charts (`);
    expect(text).toContain('  behind dev: 1 commit(s)');
    expect(text).toContain(`prod: ${PROD} MISSING (npm run promote -- prod --init)`);
    expect(text).toContain('  behind staging: unknown (a ref is missing)');
  });

  test('what each commit pins: wrapper and upstream chart versions, images, Ollama models', () => {
    const [dev, staging] = statuses;
    expect(staging.pins.find((p) => p.app === 'librechat')).toMatchObject({ chart: expect.stringMatching(/^librechat \d+\.\d+\.\d+$/) });
    expect(staging.pins.find((p) => p.app === 'librechat')!.dependencies).toEqual([
      expect.stringMatching(/^librechat \d+\.\d+\.\d+$/),
      expect.stringMatching(/^isolation \d+\.\d+\.\d+$/),
    ]);
    expect(staging.pins.find((p) => p.app === 'librechat')!.images).toEqual(
      expect.arrayContaining(['librechat.image: (chart default):v0.8.7', 'mongodb.image: docker.io/library/mongo:8.0.13']),
    );
    expect(dev.pins.find((p) => p.app === 'librechat')!.images).toContain('librechat.image: (chart default):v9.9.9');
    const models = (environment('staging').apps as { ollama: { models: string[] } }).ollama.models;
    expect(staging.pins.find((p) => p.app === 'ollama')!.models).toEqual(models);
    expect(dev.pins.find((p) => p.app === 'ollama')!.models).toEqual((environment('dev').apps as { ollama: { models: string[] } }).ollama.models);
    expect(text).toContain(`    models ${models.join(', ')}`);
    expect(text).not.toContain('working-tree');
    expect(statuses.map((s) => s.pins.map((p) => p.app).sort())).toEqual([CHECKOUT_APPS().sort(), CHECKOUT_APPS().sort(), []]);
  });

  test('the promotion record and a hold are shown', () => {
    expect(text).toMatch(new RegExp(`^  record \\S+Z init \\(none\\) -> ${c1.slice(0, 12)} by test <test@example\\.invalid> from main: init$`, 'm'));
    expect(text).not.toContain('HOLD');
  });

  test('an app the ref expects but the stacks do not create, and one the stacks create ahead of the ref, are lag (exit 1)', () => {
    const lagging = environmentStatuses(f.clone, CHAIN, cloneRefSource(f.clone, 'origin'), (env) =>
      env === 'staging' ? ['ollama', 'newapp'] : CHECKOUT_APPS(),
    );
    const staging = lagging.find((s) => s.env === 'staging')!;
    expect(staging.missingApplications).toEqual(
      CHECKOUT_APPS()
        .filter((app) => app !== 'ollama')
        .sort(),
    );
    expect(staging.aheadOfRef).toEqual(['newapp']);
    expect(formatStatus(lagging)).toContain(
      "  LAG: this checkout's staging stacks create newapp, not yet at refs/heads/env/staging: their Applications fail to render until promoted",
    );
    expect(formatStatus(lagging)).toMatch(
      /^ {2}LAG: refs\/heads\/env\/staging expects .*, which this checkout's staging stacks do not create: Argo CD runs them only after npm run deploy -- staging$/m,
    );
    expect(statusExit(lagging)).toBe(1);
    expect(statusExit(statuses)).toBe(0);
  });

  test('offline: the clone’s remote-tracking refs, as of the last fetch', () => {
    f.git('fetch', '--quiet', 'origin', '+refs/heads/*:refs/remotes/origin/*');
    f.setRemoteRef(STAGING, c2); // not fetched: offline still sees c1
    const offline = environmentStatuses(f.clone, CHAIN, cloneRefSource(f.clone, 'origin'), CHECKOUT_APPS);
    expect(offline.map((s) => s.commit)).toEqual([c2, c1, undefined]);
  });

  test('a missing mainline is not a promotion ref to create', () => {
    expect(formatStatus([{ env: 'dev', ref: 'refs/heads/main', pins: [] }])).toBe('dev: refs/heads/main MISSING (not in the remote, or not fetched)');
  });

  test('a commit without the chart says so', () => {
    expect(appPins(f.clone, c1, application('dev', 'absent'))).toMatchObject({ chart: 'no apps/absent/Chart.yaml at this commit', images: [] });
  });
});

describe('live view (kubectl)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'status-kubectl-'));
  /** A kubectl that prints `json` and records its arguments. */
  const kubectl = (json: object, status = 0) => {
    const file = path.join(dir, `kubectl-${Math.random().toString(36).slice(2)}`);
    fs.writeFileSync(path.join(dir, 'out.json'), JSON.stringify(json));
    fs.writeFileSync(
      file,
      `#!/bin/sh\necho "$@" > "${dir}/args"\n[ ${status} = 0 ] || { echo "connection refused" >&2; exit ${status}; }\ncat "${dir}/out.json"\n`,
      { mode: 0o755 },
    );
    return file;
  };
  const app = (name: string, revision: string, sync = 'Synced', health = 'Healthy') => ({
    metadata: { name },
    spec: { source: { targetRevision: STAGING } },
    status: { sync: { status: sync, revision }, health: { status: health } },
  });

  test('revision, sync and health per Application; drift when the live revision is not the ref’s commit or the Application is absent', () => {
    const live = liveApplications(
      { context: 'staging-admin' },
      ['ollama', 'librechat', 'other'],
      'a'.repeat(40),
      kubectl({ items: [app('ollama', 'a'.repeat(40)), app('librechat', 'b'.repeat(40), 'OutOfSync', 'Progressing')] }),
    );
    expect(live).toEqual([
      { app: 'ollama', targetRevision: STAGING, revision: 'a'.repeat(40), sync: 'Synced', health: 'Healthy', drift: false },
      { app: 'librechat', targetRevision: STAGING, revision: 'b'.repeat(40), sync: 'OutOfSync', health: 'Progressing', drift: true },
      { app: 'other', sync: 'absent', drift: true },
    ]);
    expect(fs.readFileSync(path.join(dir, 'args'), 'utf8').trim()).toBe(
      '--context staging-admin --request-timeout 10s -n argocd get applications.argoproj.io -o json',
    );
    const text = formatStatus([{ env: 'staging', ref: STAGING, commit: 'a'.repeat(40), subject: 's', pins: [], live }]);
    expect(text).toContain(`  live librechat: OutOfSync/Progressing at bbbbbbbbbbbb  DRIFT: the ref is at aaaaaaaaaaaa`);
    expect(text).toMatch(/live ollama: Synced\/Healthy at aaaaaaaaaaaa$/m);
  });

  test('an unreachable cluster is reported for every environment, and the exit status says so (3)', () => {
    const live = liveApplications({ context: 'prod', kubeconfig: '/k' }, ['ollama'], undefined, kubectl({}, 1));
    expect(live).toBe('cluster not reachable through context prod: connection refused');
    const status = { env: 'prod', ref: PROD, commit: 'a'.repeat(40), subject: 's', pins: [], live };
    expect(formatStatus([status])).toContain('  live: UNREACHABLE cluster not reachable through context prod: connection refused');
    expect(statusExit([status])).toBe(3);
  });

  test('an Application the ref expects but the cluster lacks is lag', () => {
    const live = liveApplications({ context: 'staging-admin' }, ['ollama', 'newapp'], 'a'.repeat(40), kubectl({ items: [app('ollama', 'a'.repeat(40))] }));
    const status = { env: 'staging', ref: STAGING, commit: 'a'.repeat(40), subject: 's', pins: [], live };
    expect(formatStatus([status])).toContain('  live newapp: no Application in the cluster  LAG: deploy staging (npm run deploy -- staging)');
    expect(statusExit([status])).toBe(1);
  });
});

describe('npm run status arguments', () => {
  test('--context implies --live and maps an environment to a kubectl context', () => {
    const args = parseStatusArgs(['--env', 'staging', '--context', 'staging=arn:aws:eks:eu-west-1:111122223333:cluster/llm-staging', '--offline']);
    expect(args).toMatchObject({ only: ['staging'], live: true, offline: true, remote: 'origin', repo: '.' });
    expect([...args.contexts]).toEqual([['staging', 'arn:aws:eks:eu-west-1:111122223333:cluster/llm-staging']]);
  });

  test.each([
    [['--context', 'staging'], '--context: must be <env>=<kube-context> (got "staging")'],
    [['--context', 'staging=$(id)'], '--context: must be <env>=<kube-context> (got "staging=$(id)")'],
    [['--context', '--kubeconfig=/x'], '--context needs a value'],
    [['--env'], '--env needs a value'],
    [['--remote', '--upload-pack=x'], '--remote needs a value'],
    [['--remote', 'a b'], '--remote: must be a remote name such as origin (got "a b")'],
    [['--watch'], 'unknown argument --watch'],
  ])('%j -> %s', (argv, message) => {
    expect(() => parseStatusArgs(argv)).toThrow(message);
  });
});
