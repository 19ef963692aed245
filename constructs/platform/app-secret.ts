import { Fn, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { Bytes } from '@cdktf/provider-random/lib/bytes';
import { credentialVariableSuffix } from '../../contracts/app-catalog';
import { CredentialSpec } from '../../contracts/app-definition';
import { ConstructError } from '../core/errors';
import { MANAGED_LABELS } from '../core/managed-labels';
import { terraformLiteral } from '../core/terraform-literal';

/** Properties of {@link AppSecret}. */
export interface AppSecretProps {
  /** Namespace of the Secret (the app's namespace). */
  readonly namespace: string;
  /** Name of the Secret the app's chart reads. */
  readonly secretName: string;
  /** Prefix of the Terraform variables: `<variablePrefix>_<key in lower case>`. */
  readonly variablePrefix: string;
  /** The credentials. */
  readonly credentials: readonly CredentialSpec[];
  /**
   * Settings stored beside the credentials: connection URLs, or values built from this Secret's
   * credentials (`credential(key)`, a Terraform expression) such as a URL with a password.
   * @default {}
   */
  readonly settings?: Record<string, string> | ((credential: (key: string) => string) => Record<string, string>);
}

/**
 * The Terraform variable that supplies credential `key` of a Secret whose variables use `prefix`:
 * the key in lower case with every other character than a letter or digit as `_`
 * (`mongodb-passwords` → `<prefix>_mongodb_passwords`).
 */
export function credentialVariableName(prefix: string, key: string): string {
  return `${prefix}_${credentialVariableSuffix(key)}`;
}

/**
 * An app's credentials Secret. Each credential comes from a sensitive Terraform variable when the
 * user supplies it (`TF_VAR_<prefix>_<key>=…`; malformed values fail at plan), otherwise from
 * `random_bytes` generated inside Terraform. No value is ever part of the synthesized JSON.
 */
export class AppSecret extends Construct {
  /** The Secret. */
  public readonly secret: SecretV1;
  /** The sensitive variables, by Secret key. */
  public readonly variables: Readonly<Record<string, TerraformVariable>>;
  private readonly values: Record<string, string> = {};

  constructor(scope: Construct, id: string, props: AppSecretProps) {
    super(scope, id);
    if (props.credentials.length === 0) throw new ConstructError(this, 'credentials must list at least one credential');

    const data: Record<string, string> = {};
    const variables: Record<string, TerraformVariable> = {};
    for (const spec of props.credentials) {
      const name = credentialVariableName(props.variablePrefix, spec.key);
      if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new ConstructError(this, `variable name "${name}" must be lower-case letters, digits and "_"`);
      const variable = new TerraformVariable(this, name, {
        type: 'string',
        sensitive: true,
        nullable: true,
        description: `${props.secretName} ${spec.key}: ${spec.rule}. Leave unset to let Terraform generate it.`,
        validation: [
          {
            condition: `\${var.${name} == null || can(regex("${spec.pattern.replace(/\\/g, '\\\\')}", var.${name}))}`,
            errorMessage: `${name} (${spec.key}) must be ${spec.rule}.`,
          },
        ],
      });
      variable.overrideLogicalId(name);
      // `default: null` makes the variable optional; the constructor option cannot express null.
      variable.addOverride('default', null);
      const generated = new Bytes(this, `${name}_generated`, { length: spec.generatedBytes });
      this.values[spec.key] = Fn.coalesce([variable.stringValue, generated.hex]);
      variables[spec.key] = variable;
    }
    this.variables = variables;

    const settings = typeof props.settings === 'function' ? props.settings((key) => this.credential(key)) : (props.settings ?? {});
    const clash = Object.keys(settings).find((k) => props.credentials.some((c) => c.key === k));
    if (clash) throw new ConstructError(this, `settings must not set the credential key "${clash}"`);
    // Settings are data (URLs), except the credential expressions they may embed.
    Object.assign(data, terraformLiteral(settings), this.values);

    this.secret = new SecretV1(this, 'secret', {
      metadata: { name: props.secretName, namespace: props.namespace, labels: { ...MANAGED_LABELS } },
      type: 'Opaque',
      data,
    });
  }

  /**
   * Credential `key` as a Terraform expression (the variable's value or the generated one), for
   * settings built from it — in this Secret or another one. Never the value itself.
   * @throws when the Secret has no such credential.
   */
  public credential(key: string): string {
    const value = this.values[key];
    if (value === undefined) throw new ConstructError(this, `no credential "${key}" (credentials: ${Object.keys(this.values).join(', ')})`);
    return value;
  }
}
