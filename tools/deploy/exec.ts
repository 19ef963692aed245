/**
 * Child processes of the deploy wrapper behind one small interface, so the wrapper's logic is
 * tested with fakes of the CLIs.
 */
import { spawn } from 'child_process';

/** How a child process ended and what it printed (nothing when its output was only passed through). */
export interface ExecResult {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of one child process. */
export interface ExecOptions {
  readonly cwd?: string;
  /** Extra environment variables. */
  readonly env?: Readonly<Record<string, string>>;
  /** Pass its output through to the user instead of capturing it. */
  readonly passThrough?: boolean;
  /** Pass its output through to the user and capture it too. */
  readonly tee?: boolean;
}

/** Runs a program (no shell) and resolves when it ends. */
export type Exec = (file: string, args: readonly string[], options?: ExecOptions) => Promise<ExecResult>;

/** The real {@link Exec}. */
export const spawnExec: Exec = (file, args, options = {}) =>
  new Promise((resolve) => {
    const child = spawn(file, [...args], {
      cwd: options.cwd,
      env: { ...process.env, ...(options.env ?? {}) },
      stdio: options.passThrough ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => {
      stdout += d;
      if (options.tee) process.stdout.write(d);
    });
    child.stderr?.on('data', (d) => {
      stderr += d;
      if (options.tee) process.stderr.write(d);
    });
    child.on('error', (err) => resolve({ code: 127, signal: null, stdout, stderr: `${stderr}${err.message}\n` }));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
