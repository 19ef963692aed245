/**
 * Terraform `moved` blocks and the built-in `terraform_data` resource without cdktf's check of the
 * Terraform binary: cdktf runs `terraform version` through a shell during synthesis for both
 * (`moveFromId`, `DataResource`), which makes `cdktf synth` fail on a machine without Terraform
 * (CI, a reviewer's laptop with only OpenTofu) and costs a process per stack. Every stack already
 * declares `required_version` (constructs/core/provider-pins.ts), which Terraform and OpenTofu
 * enforce before planning, and `npm run deploy` checks the CLI first.
 */
import { TerraformElement, TerraformResource, TerraformResourceLifecycle } from 'cdktf';
import { Construct } from 'constructs';

/** `terraform_data` (Terraform ≥ 1.4): a value or provisioner that is replaced when `triggersReplace` changes. */
export interface TerraformDataProps {
  /**
   * A value stored in state (its change updates the resource in place).
   * @default - none
   */
  readonly input?: Record<string, unknown>;
  /**
   * Values whose change replaces the resource (and re-runs its provisioners).
   * @default - none
   */
  readonly triggersReplace?: Record<string, unknown>;
  /**
   * Provisioners (as cdktf writes them: `{ type: 'local-exec', command }`).
   * @default - none
   */
  readonly provisioners?: ({ readonly type: 'local-exec'; readonly command: string } & Record<string, unknown>)[];
  /**
   * Lifecycle meta-argument.
   * @default - none
   */
  readonly lifecycle?: TerraformResourceLifecycle;
}

/** The built-in `terraform_data` resource. */
export class TerraformData extends TerraformResource {
  private readonly triggersReplace?: Record<string, unknown>;
  private readonly input?: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: TerraformDataProps = {}) {
    super(scope, id, {
      terraformResourceType: 'terraform_data',
      terraformGeneratorMetadata: { providerName: 'terraform' },
      provisioners: props.provisioners as never,
      lifecycle: props.lifecycle,
    });
    this.triggersReplace = props.triggersReplace;
    this.input = props.input;
  }

  /** The resource's id. */
  get id(): string {
    return this.getStringAttribute('id');
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return { input: this.input, triggers_replace: this.triggersReplace };
  }

  protected synthesizeHclAttributes(): Record<string, unknown> {
    const attribute = (value: unknown) => ({ value, isBlock: false, type: 'simple', storageClassType: 'anyMap' });
    return { input: attribute(this.input), triggers_replace: attribute(this.triggersReplace) };
  }
}

/** A `moved` block: the state of the resource that had the address `from` now belongs to `to`. */
export class Moved extends TerraformElement {
  constructor(
    scope: Construct,
    id: string,
    private readonly from: string,
    private readonly to: TerraformResource,
  ) {
    super(scope, id);
  }

  /** The block in the stack's JSON. */
  toTerraform(): Record<string, unknown> {
    return { moved: [{ to: `${this.to.terraformResourceType}.${this.to.friendlyUniqueId}`, from: this.from }] };
  }

  /** The block in the stack's HCL. */
  toHclTerraform(): Record<string, unknown> {
    return { moved: [{ to: this.ref(`${this.to.terraformResourceType}.${this.to.friendlyUniqueId}`), from: this.ref(this.from) }] };
  }

  private ref(value: string) {
    return { value, isBlock: false, type: 'simple', storageClassType: 'reference' };
  }
}

/** Records that `resource` was previously at `from` (`<type>.<id>`), as cdktf's `moveFromId` does. */
export function movedFrom(resource: TerraformResource, from: string): Moved {
  return new Moved(resource, 'moved', from, resource);
}
