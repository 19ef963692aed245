/**
 * The parts of README.md a new app makes stale (dev's /etc/hosts line, the Secrets table, the
 * security model's published hosts) follow the catalog and the environments: `npm run docs`
 * writes them, and this suite fails with the lines to write.
 */
import * as fs from 'fs';
import { z } from 'zod';
import { CATALOG } from '../../apps/catalog';
import { AppDefinition, defineApp } from '../../contracts/app-definition';
import { hostsListIngress } from '../../contracts/ingress-adapters';
import { ENVIRONMENTS, loadEnvironments } from '../../environments';
import { README, formatChange, publishedHosts, updateReadme } from '../../tools/docs/readme';

const SHIPPED = fs.readFileSync(README, 'utf8');
const environments = (catalog: readonly AppDefinition[] = CATALOG, edit: (env: any) => void = () => {}) =>
  loadEnvironments(
    ENVIRONMENTS.map((env) => {
      const copy = structuredClone(env) as any;
      edit(copy);
      return copy;
    }),
    catalog,
  );
const lines = (text: string, catalog: readonly AppDefinition[] = CATALOG, edit?: (env: any) => void) =>
  updateReadme(text, environments(catalog, edit), catalog).changes.map(formatChange);

/** A published app with a generated secret and a setting, as the README recipe adds one. */
const WIKI = defineApp<{ title: string }>({
  name: 'wiki',
  namespace: 'docs',
  host: 'optional',
  ingress: hostsListIngress(['wiki', 'ingress']),
  settings: z.strictObject({ title: z.string() }),
  secrets: [
    {
      name: 'wiki-auth',
      credentials: [{ key: 'SECRET_KEY', generatedBytes: 24, pattern: '^\\S{24,}$', rule: 'at least 24 characters' }],
      settings: (context) => ({ OLLAMA_URL: context.serviceUrl('ollama', 'api') }),
    },
  ],
});
const withWiki = (env: any) => {
  env.apps.wiki = { title: 'Wiki' };
  if (env.name === 'dev') env.ingress.hosts.wiki = 'wiki.llm.test';
};

test('README.md is in step with the catalog and the environments (else: npm run docs, or write these lines)', () => {
  expect(lines(SHIPPED)).toEqual([]);
});

test('a new published app with a Secret: the hosts line, one Secrets row and the published hosts, nothing else', () => {
  const catalog = [...CATALOG, WIKI];
  const devHosts = publishedHosts(
    environments().find((env) => env.name === 'dev')!,
    CATALOG,
  );
  expect(devHosts.slice(0, 2)).toEqual(['argocd.llm.test', 'chat.llm.test']);
  const hostsLine = (hosts: string[]) => `echo "$(minikube ip) ${hosts.join(' ')}" | sudo tee -a /etc/hosts`;
  const listed = (hosts: string[]) => hosts.map((h) => `\`${h}\``).join(', ');
  const changes = lines(SHIPPED, catalog, withWiki);
  expect(changes).toEqual([
    ['README.md /etc/hosts line:', `- ${hostsLine(devHosts)}`, `+ ${hostsLine([...devHosts, 'wiki.llm.test'])}`].join('\n'),
    ['README.md Secrets table:', '+ | `wiki-auth` (namespace `docs`) | `SECRET_KEY`, `OLLAMA_URL` | `wiki_secret_key` |'].join('\n'),
    expect.stringContaining(`(dev: ${listed([...devHosts, 'wiki.llm.test'])}; staging: `),
  ]);
  expect(changes[2]).toMatch(
    /^README\.md published hosts:\n- Argo CD [^\n]+\n\+ Argo CD \(UI\/API, TLS on EKS\) and each app an environment gives a host, on that host \(dev: /,
  );
  // Written once, the README is in step.
  const written = updateReadme(SHIPPED, environments(catalog, withWiki), catalog).text;
  expect(lines(written, catalog, withWiki)).toEqual([]);
  expect(written).toContain('\n| `wiki-auth` (namespace `docs`) | `SECRET_KEY`, `OLLAMA_URL` | `wiki_secret_key` |\n\n');
});

describe('the Secrets table: keyed on its rows, whatever prose surrounds it', () => {
  const TABLE = [
    'Secrets now live in AWS Secrets Manager on EKS; the keys are unchanged.',
    '',
    '| Secret (namespace `librechat`) | keys | supply your own with `TF_VAR_…` |',
    '| --- | --- | --- |',
    '| `librechat-meilisearch` | `MEILI_MASTER_KEY` (the search index key) | `librechat_meili_master_key` |',
    '| `librechat-mongodb` | `mongodb-root-password` | `librechat_mongodb_root_password`, `librechat_mongodb_passwords` |',
    '| `old-secret` | `X` | `old_x` |',
    '',
    'More prose.',
  ].join('\n');
  const readme = SHIPPED.replace(/\| Secret \(namespace[^]*?\n\n/, `${TABLE}\n\n`);

  test('a right row keeps its remarks; a wrong one is rewritten, an unknown one removed, a missing one added', () => {
    const mongodbKeys = CATALOG.flatMap((app) => app.secrets ?? [])
      .find((secret) => secret.name === 'librechat-mongodb')!
      .credentials.map((c) => c.key);
    const update = updateReadme(readme, environments(), CATALOG);
    const changes = update.changes.map(formatChange);
    expect(changes.slice(0, 2)).toEqual([
      [
        'README.md Secrets table:',
        '- | `librechat-mongodb` | `mongodb-root-password` | `librechat_mongodb_root_password`, `librechat_mongodb_passwords` |',
        `+ | \`librechat-mongodb\` | ${mongodbKeys.map((k) => `\`${k}\``).join(', ')} | ${mongodbKeys.map((k) => `\`librechat_${k.replace(/-/g, '_')}\``).join(', ')} |`,
      ].join('\n'),
      'README.md Secrets table:\n- | `old-secret` | `X` | `old_x` |',
    ]);
    // Every other Secret of the catalog is added, in catalog order.
    const others = CATALOG.flatMap((app) => (app.secrets ?? []).map((secret) => secret.name)).filter(
      (name) => !['librechat-meilisearch', 'librechat-mongodb'].includes(name),
    );
    expect(changes.slice(2).map((change) => /^\+ \| `([^`]+)`/m.exec(change)?.[1])).toEqual(others);
    expect(changes).toContain(
      [
        'README.md Secrets table:',
        '+ | `librechat-credentials-env` | `CREDS_KEY`, `CREDS_IV`, `JWT_SECRET`, `JWT_REFRESH_SECRET`, `MONGO_URI`, `OLLAMA_BASE_URL` | `librechat_creds_key`, `librechat_creds_iv`, `librechat_jwt_secret`, `librechat_jwt_refresh_secret` |',
      ].join('\n'),
    );
    expect(changes).toContain(
      'README.md Secrets table:\n+ | `grafana-admin` (namespace `monitoring`) | `admin-password`, `admin-user` | `kube_prometheus_stack_admin_password` |',
    );
    expect(update.text).toContain('Secrets now live in AWS Secrets Manager on EKS; the keys are unchanged.\n\n| Secret');
    expect(update.text).toContain('| `librechat-meilisearch` | `MEILI_MASTER_KEY` (the search index key) | `librechat_meili_master_key` |');
    expect(update.text).toContain('|\n\nMore prose.');
  });

  test('a wrapped published-hosts paragraph is in step; a README without the parts says which one is missing', () => {
    expect(lines(SHIPPED.replace('each app an environment\n  gives a host', 'each app an\n  environment gives a host'))).toEqual([]);
    expect(() => updateReadme(SHIPPED.replace(/\| Secret \(/, '| Name ('), environments(), CATALOG)).toThrow(
      'README.md: no table whose first column names a Secret (the Secrets section) to keep in step',
    );
    expect(() => updateReadme(SHIPPED.replace('sudo tee -a /etc/hosts', 'sudo tee /etc/hosts'), environments(), CATALOG)).toThrow(
      'README.md: no line `echo "$(minikube ip) <hosts>" | sudo tee -a /etc/hosts` (the dev set-up) to keep in step',
    );
  });
});
