/**
 * The restore's child processes (`aws`, `kubectl`) behind one small interface, so both halves are
 * tested against fakes and a real API server, and `--dry-run` prints what would change.
 */
import { spawn } from 'child_process';
import { RestoreError } from './errors';

/** How a child process ended and what it printed. */
export interface ExecResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program (no shell), with `input` on its standard input. */
export type Exec = (file: string, args: readonly string[], input?: string) => Promise<ExecResult>;

/** The real {@link Exec}. */
export const spawnExec: Exec = (file, args, input) =>
  new Promise((resolve) => {
    const child = spawn(file, [...args], { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    child.on('error', (err) => resolve({ code: 127, stdout, stderr: `${stderr}${err.message}\n` }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (input !== undefined) child.stdin?.end(input);
  });

/** `arg` quoted for a POSIX shell where needed, so a printed command can be pasted. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** One CLI (`aws`, `kubectl`): reads always run; changes are printed, and run unless dry. */
export class Cli {
  constructor(
    private readonly exec: Exec,
    /** The program. */
    readonly program: string,
    /** Arguments put before every call (`--region`, `--context`). */
    private readonly prefix: readonly string[],
    private readonly log: (line: string) => void,
    /** Print changes instead of running them. */
    readonly dryRun: boolean,
  ) {}

  /** The command line of `args`, as printed. */
  line(args: readonly string[]): string {
    return [this.program, ...this.prefix, ...args].map(shellQuote).join(' ');
  }

  private async run(args: readonly string[], input?: string): Promise<string> {
    const result = await this.exec(this.program, [...this.prefix, ...args], input);
    if (result.code !== 0) throw new RestoreError(`${this.line(args)} failed: ${result.stderr.trim() || `exit ${result.code}`}`);
    return result.stdout;
  }

  /** A call that changes nothing; its output parsed as JSON (empty output: undefined). */
  async read(args: readonly string[]): Promise<any> {
    const out = await this.run(args);
    return out.trim() ? JSON.parse(out) : undefined;
  }

  /** A call that changes something: printed, and run unless dry (then it returns undefined). */
  async change(args: readonly string[], input?: string): Promise<any> {
    this.log(`  $ ${this.line(args)}${input === undefined ? '' : ` <<'EOF'\n${input.trimEnd()}\nEOF`}`);
    if (this.dryRun) return undefined;
    const out = await this.run(args, input);
    return out.trim().startsWith('{') ? JSON.parse(out) : out;
  }
}
