/**
 * Whether the terraform/tofu invocations of one `cdktf deploy|destroy` finished cleanly, from the
 * lines `record-exit.js` appended to its status file.
 */

/** One line of the status file. */
export interface StatusLine {
  readonly id: string;
  readonly event: 'start' | 'exit';
  readonly args?: readonly string[];
  readonly code?: number | null;
  readonly signal?: string | null;
}

/** The verdict on a stack's run. */
export interface RunVerdict {
  /** True when cdktf and every CLI invocation exited 0 and the run was not interrupted. */
  readonly ok: boolean;
  /** Why not, for the user (empty when ok). */
  readonly reasons: readonly string[];
}

/** Parses the status file's text (one JSON object a line; a torn last line is ignored). */
export function parseStatus(text: string): StatusLine[] {
  const lines: StatusLine[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      lines.push(JSON.parse(line) as StatusLine);
    } catch {
      // A line cut short by a kill: its invocation then has no exit line and counts as failed.
    }
  }
  return lines;
}

/**
 * The verdict on a stack's `cdktf` run: it failed when cdktf exited non-zero or by a signal, when
 * the wrapper was interrupted, when no CLI invocation was recorded at all, or when any recorded
 * invocation exited non-zero, was killed by a signal, or has no exit line.
 */
export function verdict(cdktf: { code: number | null; signal: string | null }, lines: readonly StatusLine[], interrupted = false): RunVerdict {
  const reasons: string[] = [];
  if (interrupted) reasons.push('interrupted (SIGINT/SIGTERM)');
  if (cdktf.signal) reasons.push(`cdktf was killed by ${cdktf.signal}`);
  else if (cdktf.code !== 0) reasons.push(`cdktf exited with ${cdktf.code}`);
  const started = lines.filter((l) => l.event === 'start');
  if (started.length === 0) reasons.push('cdktf ran no terraform/tofu command');
  for (const start of started) {
    const what = (start.args ?? []).join(' ') || 'terraform';
    const exit = lines.find((l) => l.event === 'exit' && l.id === start.id);
    if (!exit) reasons.push(`\`${what}\` did not finish (no exit status recorded)`);
    else if (exit.signal) reasons.push(`\`${what}\` was killed by ${exit.signal}`);
    else if (exit.code !== 0) reasons.push(`\`${what}\` exited with ${exit.code}`);
  }
  return { ok: reasons.length === 0, reasons };
}
