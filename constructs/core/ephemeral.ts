import { TerraformElement, TerraformStack, TerraformVariable, TerraformVariableConfig, Token, ref } from 'cdktf';
import { Construct } from 'constructs';
import { ConstructError } from './errors';

/**
 * Terraform ≥ 1.11 (and OpenTofu ≥ 1.11): write-only arguments, which every generated or supplied
 * credential flows into, exist from these versions on (ephemeral blocks from 1.10).
 */
export const REQUIRED_TERRAFORM_VERSION = '>= 1.11';

/** Writes `terraform.required_version` into a stack: older CLIs stop before planning. */
export function requireTerraformVersion(stack: TerraformStack): void {
  stack.addOverride('terraform.required_version', REQUIRED_TERRAFORM_VERSION);
}

/**
 * An `ephemeral "<type>" "<name>"` block: a value Terraform opens during each plan and apply and
 * never writes to a plan or state file. cdktf 0.21 has no class for these blocks; this element
 * emits one into the stack's JSON beside the resources. Its attributes can flow only into
 * write-only arguments, provider configuration, ephemeral variables or other ephemeral blocks
 * (Terraform rejects any other use at validate time).
 */
export class EphemeralResource extends TerraformElement {
  /** The ephemeral resource type, e.g. `random_password`. */
  public readonly ephemeralType: string;
  private readonly config: Record<string, unknown>;

  /**
   * @param type the ephemeral resource type, e.g. `random_password` (its provider must be configured in the stack)
   * @param config the block's arguments, in Terraform's (snake_case) names
   */
  constructor(scope: Construct, id: string, type: string, config: Record<string, unknown>) {
    super(scope, id, `ephemeral.${type}`);
    if (!/^[a-z][a-z0-9]*_[a-z0-9_]+$/.test(type)) throw new ConstructError(this, `type "${type}" must be a resource type such as random_password`);
    this.ephemeralType = type;
    this.config = { ...config };
  }

  /** The Terraform JSON fragment: `{ ephemeral: { <type>: { <name>: {…} } } }`, overrides applied. */
  public toTerraform(): Record<string, unknown> {
    const body = { ...this.config };
    for (const [key, value] of Object.entries(this.rawOverrides as Record<string, unknown>)) body[key] = value;
    return { ephemeral: { [this.ephemeralType]: { [this.friendlyUniqueId]: body } } };
  }

  /** Attribute `name` as a Terraform expression (`ephemeral.<type>.<name>.<attribute>`). */
  public attribute(name: string): string {
    return Token.asString(ref(`ephemeral.${this.ephemeralType}.${this.friendlyUniqueId}.${name}`, this.cdktfStack));
  }
}

/** Properties of {@link EphemeralRandomPassword}: the `random_password` arguments this platform uses. */
export interface EphemeralRandomPasswordProps {
  /** Number of characters. */
  readonly length: number;
  /**
   * The characters to draw from, each with the same probability. Letters, digits and the
   * characters `!#$%&*()-_=+[]{}<>:?.~` only.
   * @default - upper- and lower-case letters and digits
   */
  readonly alphabet?: string;
}

const LETTERS_AND_DIGITS = /^[A-Za-z0-9!#$%&*()\-_=+[\]{}<>:?.~]+$/;

/**
 * `ephemeral "random_password"` of the random provider (≥ 3.7): a new value on every plan and
 * apply, cryptographically random, never stored. A custom alphabet is expressed through the
 * provider's own switches: digits through `numeric`, every other character as `override_special`.
 */
export class EphemeralRandomPassword extends EphemeralResource {
  /** The generated value as a Terraform expression (ephemeral). */
  public readonly result: string;

  constructor(scope: Construct, id: string, props: EphemeralRandomPasswordProps) {
    const alphabet = props.alphabet;
    const digits = alphabet === undefined || /[0-9]/.test(alphabet);
    const others = alphabet === undefined ? undefined : [...new Set(alphabet.replace(/[0-9]/g, ''))].join('');
    super(
      scope,
      id,
      'random_password',
      alphabet === undefined
        ? { length: props.length, special: false }
        : { length: props.length, upper: false, lower: false, numeric: digits, special: others !== '', ...(others ? { override_special: others } : {}) },
    );
    if (!Number.isInteger(props.length) || props.length < 16 || props.length > 256) {
      throw new ConstructError(this, `length ${props.length} must be a whole number from 16 to 256`);
    }
    if (alphabet !== undefined && (!LETTERS_AND_DIGITS.test(alphabet) || new Set(alphabet).size < 16)) {
      throw new ConstructError(this, `alphabet "${alphabet}" must hold at least 16 distinct letters, digits or !#$%&*()-_=+[]{}<>:?.~`);
    }
    this.result = this.attribute('result');
  }
}

/**
 * A Terraform variable declared `ephemeral = true` (Terraform/OpenTofu ≥ 1.11): a supplied
 * value (`TF_VAR_<name>`) that is never written to a plan or state file, so it must be given again
 * at apply. Its logical id is `name`, so the `TF_VAR_` name is stable.
 */
export function ephemeralVariable(scope: Construct, name: string, config: TerraformVariableConfig): TerraformVariable {
  const variable = new TerraformVariable(scope, name, config);
  variable.overrideLogicalId(name);
  variable.addOverride('ephemeral', true);
  return variable;
}
