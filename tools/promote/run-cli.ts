import { PromoteError } from './git';

/** A usage error (exit 2). */
export class UsageError extends Error {}

/**
 * Runs a command's `main` as the process: usage errors exit 2 with the usage text, promotion and
 * configuration errors exit 1 with their message, anything else is a bug and throws.
 */
export function runCli(name: string, usage: string, main: (argv: readonly string[]) => number): void {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${name}: ${error.message}\n\n${usage}`);
      process.exitCode = 2;
    } else if (error instanceof PromoteError || (error as Error).name === 'ConfigError') {
      console.error(`${name}: ${(error as Error).message}`);
      process.exitCode = 1;
    } else throw error;
  }
}
