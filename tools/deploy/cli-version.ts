/**
 * The Terraform/OpenTofu release this program needs: write-only arguments (every credential is
 * written through one) exist from Terraform 1.11 and OpenTofu 1.11 on. `terraform.required_version`
 * in each stack stops older CLIs too, but only after cdktf has started; this check fails first,
 * with the versions and what to do.
 */
import { execFileSync } from 'child_process';

/** The oldest release (major, minor) of either CLI with write-only arguments and ephemeral resources. */
export const MINIMUM_CLI = { major: 1, minor: 11 } as const;

/**
 * Why the `<binary> version` output does not name a usable CLI, or undefined when it does.
 * Accepts `Terraform vX.Y.Z` and `OpenTofu vX.Y.Z` (first line).
 */
export function cliVersionProblem(binary: string, output: string): string | undefined {
  const match = /^(Terraform|OpenTofu) v(\d+)\.(\d+)\.(\d+)\S*/m.exec(output);
  if (!match)
    return `${binary} version printed no "Terraform vX.Y.Z" or "OpenTofu vX.Y.Z" line (got ${JSON.stringify(output.split('\n')[0] ?? '')}): set TERRAFORM_BINARY_NAME to terraform or tofu`;
  const [line, name, major, minor] = match;
  if (Number(major) > MINIMUM_CLI.major || (Number(major) === MINIMUM_CLI.major && Number(minor) >= MINIMUM_CLI.minor)) return undefined;
  return (
    `${binary} is ${line.trim()}; this program needs ${name} >= ${MINIMUM_CLI.major}.${MINIMUM_CLI.minor} ` +
    `(write-only arguments keep every credential out of plans and state): install Terraform >= 1.11 or OpenTofu >= 1.11 (TERRAFORM_BINARY_NAME=tofu)`
  );
}

/**
 * Runs `<binary> version` and throws with {@link cliVersionProblem}'s message when it is too old
 * or cannot be run.
 */
export function checkCliVersion(binary: string): void {
  let output: string;
  try {
    output = execFileSync(binary, ['version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  } catch (err) {
    throw new Error(
      `cannot run "${binary} version" (${(err as Error).message.split('\n')[0]}): install Terraform >= 1.11 or OpenTofu >= 1.11 and put it on the PATH`,
    );
  }
  const problem = cliVersionProblem(binary, output);
  if (problem) throw new Error(problem);
}
