import { TerraformProvider, TerraformStack } from 'cdktf';

/**
 * Pins every provider of `stack` to the exact version its prebuilt bindings were generated for.
 * cdktf writes the bindings' range (`~> 2.0`) into `required_providers`; a range would let
 * `terraform init` pick a provider whose schema differs from the one the code was typed against.
 */
export function pinProviderVersions(stack: TerraformStack): void {
  for (const node of stack.node.findAll()) {
    if (!(node instanceof TerraformProvider)) continue;
    const type = node.terraformResourceType;
    const version = node.terraformGeneratorMetadata?.providerVersion;
    if (version) stack.addOverride(`terraform.required_providers.${type}.version`, version);
    // Spell out the namespace that a bare `helm` source implies, so the lock file and mirrors agree.
    const source = node.terraformProviderSource;
    if (source && !source.includes('/')) stack.addOverride(`terraform.required_providers.${type}.source`, `hashicorp/${source}`);
  }
}
