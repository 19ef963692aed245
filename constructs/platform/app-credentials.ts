import { Fn, Op, TerraformVariable, Token, conditional } from 'cdktf';
import { Construct } from 'constructs';
import { credentialVariableName } from '../../contracts/app-catalog';
import { CredentialSpec } from '../../contracts/app-definition';
import { ConstructError } from '../core/errors';
import { EphemeralRandomPassword, ephemeralVariable } from '../core/ephemeral';

/** Hex digits: a generated credential is `generatedBytes` random bytes written as hex, as before. */
const HEX = '0123456789abcdef';

/** Properties of {@link AppCredentials}. */
export interface AppCredentialsProps {
  /** Name of the Secret the credentials belong to (for the variables' descriptions). */
  readonly secretName: string;
  /** Prefix of the Terraform variables: `<variablePrefix>_<key in lower case>`. */
  readonly variablePrefix: string;
  /** The credentials. */
  readonly credentials: readonly CredentialSpec[];
}

/**
 * The values of an app Secret's credentials, none of which is ever in a plan or state file: each
 * is an ephemeral, sensitive Terraform variable when the user supplies it (`TF_VAR_<prefix>_<key>`;
 * malformed values fail at plan), otherwise an `ephemeral "random_password"` of hex digits. Both
 * are ephemeral, so they can only flow into write-only arguments; a new value is drawn on every run
 * and reaches its destination only when that argument's version is bumped.
 */
export class AppCredentials extends Construct {
  /** The ephemeral variables, by credential key. */
  public readonly variables: Readonly<Record<string, TerraformVariable>>;
  /** The generated values, by credential key. */
  public readonly generated: Readonly<Record<string, EphemeralRandomPassword>>;
  /** Each credential as an ephemeral Terraform expression (supplied, else generated), by key. */
  public readonly values: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: AppCredentialsProps) {
    super(scope, id);
    if (props.credentials.length === 0) throw new ConstructError(this, 'credentials must list at least one credential');
    const variables: Record<string, TerraformVariable> = {};
    const generated: Record<string, EphemeralRandomPassword> = {};
    const values: Record<string, string> = {};
    for (const spec of props.credentials) {
      const name = credentialVariableName(props.variablePrefix, spec.key);
      if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new ConstructError(this, `variable name "${name}" must be lower-case letters, digits and "_"`);
      const variable = ephemeralVariable(this, name, {
        type: 'string',
        sensitive: true,
        nullable: true,
        description:
          spec.generatedBytes > 0
            ? `${props.secretName} ${spec.key}: ${spec.rule}. Leave unset to let Terraform generate it. Ephemeral: never stored; give it again at apply.`
            : `${props.secretName} ${spec.key}: ${spec.rule}. Empty when unset (it cannot be generated). Ephemeral: never stored; give it again at apply.`,
        validation: [
          {
            condition: `\${var.${name} == null || can(regex("${spec.pattern.replace(/\\/g, '\\\\')}", var.${name}))}`,
            errorMessage: `${name} (${spec.key}) must be ${spec.rule}.`,
          },
        ],
      });
      // `default: null` makes the variable optional; the constructor option cannot express null.
      variable.addOverride('default', null);
      if (!Number.isInteger(spec.generatedBytes) || spec.generatedBytes < 0)
        throw new ConstructError(this, `credential "${spec.key}": generatedBytes must be a whole number >= 0 (got ${spec.generatedBytes})`);
      if (spec.generatedBytes > 0) {
        generated[spec.key] = new EphemeralRandomPassword(this, `${name}_generated`, { length: 2 * spec.generatedBytes, alphabet: HEX });
        values[spec.key] = Fn.coalesce([variable.stringValue, generated[spec.key].result]);
      } else {
        // coalesce() fails when every argument is null or empty: the conditional keeps "" instead.
        values[spec.key] = Token.asString(conditional(Op.eq(variable.value, Token.nullValue()), '', variable.stringValue));
      }
      variables[spec.key] = variable;
    }
    this.variables = variables;
    this.generated = generated;
    this.values = values;
  }

  /**
   * Credential `key` as an ephemeral Terraform expression, for settings built from it — in this
   * Secret or another one written in the same apply. Never the value itself.
   * @throws when there is no such credential.
   */
  public credential(key: string): string {
    const value = this.values[key];
    if (value === undefined) throw new ConstructError(this, `no credential "${key}" (credentials: ${Object.keys(this.values).join(', ')})`);
    return value;
  }
}
