import { Construct } from 'constructs';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { CredentialSpec } from '../../contracts/app-definition';
import { ConstructError } from '../core/errors';
import { MANAGED_LABELS } from '../core/managed-labels';
import { terraformLiteral } from '../core/terraform-literal';
import { AppCredentials } from './app-credentials';

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
  /**
   * Revision of the Secret's data (`data_wo_revision`): Terraform writes the data when the Secret
   * is created and again only when this number grows — then with fresh generated values for every
   * credential not supplied (rotation).
   * @default 1
   */
  readonly revision?: number;
}

/**
 * An app's credentials Secret, written by Terraform through the write-only `data_wo` argument
 * (kubernetes provider ≥ 2.38): the values (supplied ephemeral variables, else ephemeral random
 * passwords; see {@link AppCredentials}) are in neither the synthesized JSON, nor a plan, nor the
 * state. Composed settings (a URL with a password) are built from the same ephemeral values in the
 * same apply, so they always agree with the credential they embed.
 */
export class AppSecret extends Construct {
  /** The Secret. */
  public readonly secret: SecretV1;
  /** The credentials, their variables and generated values. */
  public readonly credentials: AppCredentials;

  constructor(scope: Construct, id: string, props: AppSecretProps) {
    super(scope, id);
    const revision = props.revision ?? 1;
    if (!Number.isInteger(revision) || revision < 1) throw new ConstructError(this, `revision ${revision} must be a whole number >= 1`);
    this.credentials = new AppCredentials(this, 'credentials', {
      secretName: props.secretName,
      variablePrefix: props.variablePrefix,
      credentials: props.credentials,
    });

    const settings = typeof props.settings === 'function' ? props.settings((key) => this.credential(key)) : (props.settings ?? {});
    const clash = Object.keys(settings).find((k) => props.credentials.some((c) => c.key === k));
    if (clash) throw new ConstructError(this, `settings must not set the credential key "${clash}"`);

    this.secret = new SecretV1(this, 'secret', {
      metadata: { name: props.secretName, namespace: props.namespace, labels: { ...MANAGED_LABELS } },
      type: 'Opaque',
      // Settings are data (URLs), except the credential expressions they may embed.
      dataWo: { ...terraformLiteral(settings), ...this.credentials.values },
      dataWoRevision: revision,
    });
  }

  /** The sensitive variables, by Secret key. */
  public get variables() {
    return this.credentials.variables;
  }

  /**
   * Credential `key` as a Terraform expression (the variable's value or the generated one), for
   * settings built from it — in this Secret or another one. Never the value itself.
   * @throws when the Secret has no such credential.
   */
  public credential(key: string): string {
    return this.credentials.credential(key);
  }
}
