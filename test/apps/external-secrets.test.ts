import { LIBRECHAT, LibrechatSettings, mongoUri } from '../../apps/catalog';
import { AppSecretDefinition } from '../../contracts/app-definition';
import { externalSecretSpecs, secretsManagerName, secretsManagerPrefix } from '../../contracts/external-secrets';
import { appContexts } from '../../stacks/app-contexts';
import { CATALOG } from '../../apps/catalog';
import { environment } from '../support/environments';

const context = appContexts(environment('staging'), CATALOG).get('librechat')!;
const nameOf = (secret: string) => secretsManagerName('c', 'ns', secret);
const credential = { key: 'TOKEN', generatedBytes: 16, pattern: '^\\S+$', rule: 'x' };

describe('externalSecretSpecs: the ExternalSecrets of an app, from its catalog entry', () => {
  test('names live under the cluster prefix', () => {
    expect(secretsManagerName('llm-prod', 'librechat', 'librechat-mongodb')).toBe('llm-platform/llm-prod/librechat/librechat-mongodb');
    expect(secretsManagerName('llm-prod', 'a', 'b').startsWith(secretsManagerPrefix('llm-prod'))).toBe(true);
  });

  test("LibreChat: each Secret's credentials from its own secret; MONGO_URI from librechat-mongodb's password property", () => {
    const specs = externalSecretSpecs(LIBRECHAT.secrets!, context, nameOf);
    expect(specs.map((s) => s.name)).toEqual(LIBRECHAT.secrets!.map((s) => s.name));
    const env = specs.find((s) => s.name === 'librechat-credentials-env')!;
    const password = env.data.find((d) => d.property === 'mongodb-passwords')!;
    expect(password.key).toBe(nameOf('librechat-mongodb'));
    // staging runs a replica set: every member, and the set's name.
    const replicas = (context.settings as LibrechatSettings).mongodb.replicas;
    const service = { name: 'librechat-mongodb', namespace: 'librechat', port: 27017 };
    expect(env.template.MONGO_URI).toBe(mongoUri({ service, database: 'LibreChat', user: 'librechat', password: `{{ .${password.alias} }}`, replicas }));
    expect(env.template.MONGO_URI).toMatch(
      /^mongodb:\/\/librechat:\{\{ \.\w+ \}\}@librechat-mongodb-0\.librechat-mongodb-headless\.librechat\.svc\.cluster\.local:27017,.*\/LibreChat\?replicaSet=rs0$/,
    );
    // staging scales Ollama to zero: LibreChat calls it through the wake gateway.
    expect(env.template.OLLAMA_BASE_URL).toBe('http://ollama-gateway.ollama.svc.cluster.local:11434');
    // Aliases are Go template identifiers.
    for (const spec of specs) for (const d of spec.data) expect(d.alias).toMatch(/^[a-z][a-z0-9_]*$/);
  });

  test.each<[string, AppSecretDefinition[], string]>([
    [
      'a literal setting with template delimiters',
      [{ name: 's', credentials: [credential], settings: () => ({ URL: 'http://{{ .x }}' }) }],
      'setting URL of Secret "s" must not contain "{{" or "}}" (got "http://{{ .x }}")',
    ],
    [
      'a credential the app does not define',
      [{ name: 's', credentials: [credential], settings: (_c, ref) => ({ URL: ref('other', 'KEY') }) }],
      'Secret "s" uses credential "KEY" of "other", which the app does not define',
    ],
  ])('rejects %s', (_name, secrets, message) => {
    expect(() => externalSecretSpecs(secrets, context, nameOf)).toThrow(message);
  });
});
