import { IAspect, TerraformProvider, TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';

/**
 * Pins every provider to the exact version its prebuilt bindings were generated for. cdktf writes
 * the bindings' range (`~> 2.0`) into `required_providers`; a range would let `terraform init`
 * pick a provider whose schema differs from the one the code was typed against. As an Aspect it
 * sees every provider, however late in construction it was added.
 */
export class PinProviderVersions implements IAspect {
  /** Called by cdktf for each construct at synth time. */
  public visit(node: IConstruct): void {
    if (!(node instanceof TerraformProvider)) return;
    const stack = TerraformStack.of(node);
    const type = node.terraformResourceType;
    const version = node.terraformGeneratorMetadata?.providerVersion;
    if (version) stack.addOverride(`terraform.required_providers.${type}.version`, version);
    // Spell out the namespace that a bare `helm` source implies, so the lock file and mirrors agree.
    const source = node.terraformProviderSource;
    if (source && !source.includes('/')) stack.addOverride(`terraform.required_providers.${type}.source`, `hashicorp/${source}`);
  }
}
