import { AppClient, AppDefinition, PodSecurityLevel } from './app-definition';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Problems of a catalog as a whole: names and namespaces that are not DNS labels or repeat,
 * dependencies on unknown apps, dependency cycles, Services of unknown shape.
 */
export function catalogProblems(catalog: readonly AppDefinition[]): string[] {
  const problems: string[] = [];
  const names = catalog.map((app) => app.name);
  catalog.forEach((app, i) => {
    if (!DNS_LABEL.test(app.name) || app.name.length > 53)
      problems.push(`app "${app.name}": name must be a DNS label of at most 53 characters (it is also the Helm release name)`);
    if (!DNS_LABEL.test(app.namespace) || app.namespace.length > 63) problems.push(`app "${app.name}": namespace "${app.namespace}" must be a DNS label`);
    if (names.indexOf(app.name) < i) problems.push(`app "${app.name}": defined more than once`);
    if (app.name === 'argocd') problems.push('app "argocd": the name is taken by Argo CD itself');
    for (const dependency of app.dependsOn ?? []) {
      if (!names.includes(dependency)) problems.push(`app "${app.name}": dependsOn names unknown app "${dependency}" (known: ${names.join(', ')})`);
    }
    if ((app.host === 'required' || app.host === 'optional') && !app.ingress)
      problems.push(
        `app "${app.name}": host is "${app.host}" but no ingress adapter says how its chart writes an Ingress (e.g. ingress: hostsListIngress(['ingress']))`,
      );
    const secrets = (app.secrets ?? []).map((secret) => secret.name);
    const duplicateSecret = secrets.find((name, j) => secrets.indexOf(name) !== j);
    if (duplicateSecret) problems.push(`app "${app.name}": Secret "${duplicateSecret}" is defined more than once`);
    const variables = (app.secrets ?? []).flatMap((secret) => secret.credentials.map((c) => credentialVariableSuffix(c.key)));
    const duplicateVariable = variables.find((name, j) => variables.indexOf(name) !== j);
    if (duplicateVariable)
      problems.push(
        `app "${app.name}": two credentials map to the variable suffix "${duplicateVariable}"; credential keys must differ beyond case and punctuation`,
      );
  });
  if (problems.length === 0) {
    try {
      syncWaves(catalog);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  return problems;
}

/**
 * The sync wave of each app: 0 without dependencies, else one more than its latest dependency.
 * @throws when the dependencies form a cycle.
 */
export function syncWaves(catalog: readonly AppDefinition[]): Map<string, number> {
  const byName = new Map(catalog.map((app) => [app.name, app]));
  const waves = new Map<string, number>();
  const visiting: string[] = [];
  const wave = (name: string): number => {
    const known = waves.get(name);
    if (known !== undefined) return known;
    if (visiting.includes(name)) throw new Error(`apps: dependency cycle ${[...visiting.slice(visiting.indexOf(name)), name].join(' -> ')}`);
    visiting.push(name);
    const deps = byName.get(name)?.dependsOn ?? [];
    const result = deps.length === 0 ? 0 : 1 + Math.max(...deps.map(wave));
    visiting.pop();
    waves.set(name, result);
    return result;
  };
  for (const app of catalog) wave(app.name);
  return waves;
}

/** The catalog in sync order: by wave, then in catalog order. */
export function inSyncOrder(catalog: readonly AppDefinition[]): AppDefinition[] {
  const waves = syncWaves(catalog);
  return [...catalog].sort((a, b) => waves.get(a.name)! - waves.get(b.name)!);
}

/**
 * The in-cluster URL of Service `service` of app `app`: the one place such a URL is written.
 * @throws naming the app or Service when the catalog has no such thing.
 */
export function serviceUrl(catalog: readonly AppDefinition[], app: string, service: string): string {
  const definition = catalog.find((a) => a.name === app);
  if (!definition) throw new Error(`apps: no app "${app}" in the catalog (asked for its Service "${service}")`);
  const spec = definition.services?.[service];
  if (!spec) throw new Error(`apps: app "${app}" declares no Service "${service}" (declared: ${Object.keys(definition.services ?? {}).join(', ') || 'none'})`);
  return `${spec.scheme}://${spec.serviceName(definition.name)}.${definition.namespace}.svc.cluster.local:${spec.port}${spec.path ?? ''}`;
}

/** The part of a credential's Terraform variable name after the app prefix: lower case, non-alphanumerics as `_`. */
export function credentialVariableSuffix(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '_');
}

/**
 * The Terraform variable that supplies credential `key` of a Secret whose variables use `prefix`:
 * the key in lower case with every other character than a letter or digit as `_`
 * (`mongodb-passwords` → `<prefix>_mongodb_passwords`).
 */
export function credentialVariableName(prefix: string, key: string): string {
  return `${prefix}_${credentialVariableSuffix(key)}`;
}

const PSS_ORDER: readonly PodSecurityLevel[] = ['restricted', 'baseline', 'privileged'];

/**
 * The Pod Security Standards level each namespace of the catalog enforces: the least strict level
 * of the apps that share it (an app without `podSecurity` counts as `restricted`).
 */
export function namespacePodSecurity(catalog: readonly AppDefinition[]): Map<string, PodSecurityLevel> {
  const levels = new Map<string, PodSecurityLevel>();
  for (const app of catalog) {
    const level = app.podSecurity ?? 'restricted';
    const known = levels.get(app.namespace);
    if (!known || PSS_ORDER.indexOf(level) > PSS_ORDER.indexOf(known)) levels.set(app.namespace, level);
  }
  return levels;
}

/** The apps that depend on `app`, with their namespaces and the labels of their client pods. */
export function clientsOf(catalog: readonly AppDefinition[], app: string): AppClient[] {
  return catalog
    .filter((client) => (client.dependsOn ?? []).includes(app))
    .map((client) => ({ app: client.name, namespace: client.namespace, podLabels: client.clientPodLabels?.(client.name) ?? {} }));
}
