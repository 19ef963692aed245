import { Fn, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { Bytes } from '@cdktf/provider-random/lib/bytes';

/** A credential of the LibreChat Secret: its key, Terraform variable and rule. */
export interface CredentialSpec {
  /** Key in the Secret, e.g. `CREDS_KEY`. */
  readonly key: string;
  /** Terraform variable (`TF_VAR_<variable>`) that supplies it. */
  readonly variable: string;
  /** Random bytes generated when the variable is not supplied (hex-encoded, twice as many characters). */
  readonly generatedBytes: number;
  /** RE2 pattern a supplied value must match. */
  readonly pattern: string;
  /** What the pattern requires, for the validation message. */
  readonly rule: string;
}

/** The five credentials LibreChat and Meilisearch read from the Secret. */
export const LIBRECHAT_CREDENTIALS: readonly CredentialSpec[] = [
  { key: 'CREDS_KEY', variable: 'librechat_creds_key', generatedBytes: 32, pattern: '^[0-9a-fA-F]{64}$', rule: 'exactly 64 hex characters (32 bytes)' },
  { key: 'CREDS_IV', variable: 'librechat_creds_iv', generatedBytes: 16, pattern: '^[0-9a-fA-F]{32}$', rule: 'exactly 32 hex characters (16 bytes)' },
  { key: 'JWT_SECRET', variable: 'librechat_jwt_secret', generatedBytes: 32, pattern: '^\\S{32,}$', rule: 'at least 32 characters without whitespace' },
  { key: 'JWT_REFRESH_SECRET', variable: 'librechat_jwt_refresh_secret', generatedBytes: 32, pattern: '^\\S{32,}$', rule: 'at least 32 characters without whitespace' },
  { key: 'MEILI_MASTER_KEY', variable: 'librechat_meili_master_key', generatedBytes: 32, pattern: '^[A-Za-z0-9_-]{16,}$', rule: 'at least 16 characters of letters, digits, "_" or "-"' },
];

/** Properties of {@link LibrechatCredentials}. */
export interface LibrechatCredentialsProps {
  /** Namespace of the Secret (LibreChat's namespace). */
  readonly namespace: string;
  /** Name of the Secret the LibreChat chart reads. */
  readonly secretName: string;
  /** Non-secret connection settings stored beside the credentials (Mongo URI, Meilisearch host…). */
  readonly connectionSettings: Record<string, string>;
}

/**
 * The LibreChat credentials Secret. Each credential comes from a sensitive Terraform variable when
 * the user supplies it (`TF_VAR_librechat_creds_key=…`; malformed values fail at plan), otherwise
 * from `random_bytes` generated inside Terraform. No value is ever part of the synthesized JSON.
 */
export class LibrechatCredentials extends Construct {
  /** The Secret. */
  public readonly secret: SecretV1;
  /** The sensitive variables, by Secret key. */
  public readonly variables: Readonly<Record<string, TerraformVariable>>;

  constructor(scope: Construct, id: string, props: LibrechatCredentialsProps) {
    super(scope, id);
    const clash = Object.keys(props.connectionSettings).find((k) => LIBRECHAT_CREDENTIALS.some((c) => c.key === k));
    if (clash) throw new Error(`LibrechatCredentials: connectionSettings must not set the credential key "${clash}"`);

    const data: Record<string, string> = { ...props.connectionSettings };
    const variables: Record<string, TerraformVariable> = {};
    for (const spec of LIBRECHAT_CREDENTIALS) {
      const variable = new TerraformVariable(this, spec.variable, {
        type: 'string',
        sensitive: true,
        nullable: true,
        description: `LibreChat ${spec.key}: ${spec.rule}. Leave unset to let Terraform generate it.`,
        validation: [
          {
            condition: `\${var.${spec.variable} == null || can(regex("${spec.pattern.replace(/\\/g, '\\\\')}", var.${spec.variable}))}`,
            errorMessage: `${spec.variable} (${spec.key}) must be ${spec.rule}.`,
          },
        ],
      });
      variable.overrideLogicalId(spec.variable);
      // `default: null` makes the variable optional; the constructor option cannot express null.
      variable.addOverride('default', null);
      const generated = new Bytes(this, `${spec.variable}_generated`, { length: spec.generatedBytes });
      data[spec.key] = Fn.coalesce([variable.stringValue, generated.hex]);
      variables[spec.key] = variable;
    }
    this.variables = variables;

    this.secret = new SecretV1(this, 'secret', {
      metadata: { name: props.secretName, namespace: props.namespace },
      type: 'Opaque',
      data,
    });
  }
}
