import { TerraformStack, Testing } from 'cdktf';
import {
  EphemeralRandomPassword,
  EphemeralResource,
  REQUIRED_TERRAFORM_VERSION,
  ephemeralVariable,
  requireTerraformVersion,
} from '../../constructs/core/ephemeral';
import { synthScope } from '../support/synth';

describe('EphemeralResource: an ephemeral block in the stack JSON (cdktf 0.21 has no class for it)', () => {
  test('emits ephemeral.<type>.<name> beside the resources, overrides applied, and references it as ephemeral.<type>.<name>.<attribute>', () => {
    let reference = '';
    const s = synthScope((scope) => {
      const e = new EphemeralResource(scope, 'token', 'vault_kv_secret_v2', { mount: 'kv', name: 'x' });
      e.addOverride('name', 'y');
      reference = e.attribute('data');
    });
    const [name] = Object.keys((s.json as any).ephemeral.vault_kv_secret_v2);
    expect((s.json as any).ephemeral.vault_kv_secret_v2[name]).toEqual({ mount: 'kv', name: 'y' });
    expect(s.json.resource).toBeUndefined();
    // A token until synth; resolved inside the stack it becomes the reference.
    const app = Testing.app();
    const stack = new TerraformStack(app, 'stack');
    const e = new EphemeralResource(stack, 'token', 'vault_kv_secret_v2', {});
    stack.addOverride('output.o.value', e.attribute('data'));
    const json = JSON.parse(Testing.synth(stack));
    expect(json.output.o.value).toBe(`\${ephemeral.vault_kv_secret_v2.${e.friendlyUniqueId}.data}`);
    expect(reference).toMatch(/^\$\{TfToken\[/);
  });

  test('two blocks of one type merge into one map', () => {
    const s = synthScope((scope) => {
      new EphemeralRandomPassword(scope, 'a', { length: 16 });
      new EphemeralRandomPassword(scope, 'b', { length: 20 });
    });
    expect(
      Object.values<any>((s.json as any).ephemeral.random_password)
        .map((p) => p.length)
        .sort(),
    ).toEqual([16, 20]);
  });

  test.each([
    [
      'bad type',
      () => synthScope((s) => new EphemeralResource(s, 'x', 'Random', {})),
      /^stack\/x: type "Random" must be a resource type such as random_password$/,
    ],
  ])('rejects %s', (_name, build, message) => {
    expect(build).toThrow(message);
  });
});

describe('EphemeralRandomPassword', () => {
  const password = (props: ConstructorParameters<typeof EphemeralRandomPassword>[2]) =>
    Object.values<any>((synthScope((s) => new EphemeralRandomPassword(s, 'p', props)).json as any).ephemeral.random_password)[0];

  test.each<[string, ConstructorParameters<typeof EphemeralRandomPassword>[2], object]>([
    ['letters and digits by default', { length: 32 }, { length: 32, special: false }],
    [
      'hex: digits plus a-f as the only "special" characters',
      { length: 64, alphabet: '0123456789abcdef' },
      { length: 64, upper: false, lower: false, numeric: true, special: true, override_special: 'abcdef' },
    ],
    [
      'no digits',
      { length: 16, alphabet: 'abcdefghijklmnopq' },
      { length: 16, upper: false, lower: false, numeric: false, special: true, override_special: 'abcdefghijklmnopq' },
    ],
    ['duplicates dropped (each character equally likely)', { length: 16, alphabet: '0123456789abcdefa' }, { override_special: 'abcdef' }],
  ])('%s', (_name, props, expected) => {
    expect(password(props)).toMatchObject(expected);
  });

  test.each<[ConstructorParameters<typeof EphemeralRandomPassword>[2], RegExp]>([
    [{ length: 8 }, /^stack\/p: length 8 must be a whole number from 16 to 256$/],
    [{ length: 16.5 }, /^stack\/p: length 16.5 must be a whole number from 16 to 256$/],
    [{ length: 16, alphabet: '0123456789' }, /^stack\/p: alphabet "0123456789" must hold at least 16 distinct letters, digits or/],
    [{ length: 16, alphabet: '0123456789abcde"' }, /^stack\/p: alphabet "0123456789abcde"" must hold/],
  ])('rejects %j', (props, message) => {
    expect(() => password(props)).toThrow(message);
  });
});

describe('ephemeralVariable and requireTerraformVersion', () => {
  test('a variable declared ephemeral under its own name', () => {
    const s = synthScope((scope) => ephemeralVariable(scope, 'api_token', { type: 'string', sensitive: true, nullable: false }));
    expect(s.json.variable!.api_token).toEqual({ type: 'string', sensitive: true, nullable: false, ephemeral: true });
  });

  test('terraform.required_version names the release that brought write-only arguments', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'stack');
    requireTerraformVersion(stack);
    expect(JSON.parse(Testing.synth(stack)).terraform.required_version).toBe(REQUIRED_TERRAFORM_VERSION);
    expect(REQUIRED_TERRAFORM_VERSION).toBe('>= 1.11');
  });
});
