/**
 * Markdown for text the pull request controls (artifact contents, file and job names): every such
 * string is shown literally, inside a code span or a fenced block it cannot close, so it can add
 * no link, mention, HTML, heading or table cell of its own.
 */
import * as fs from 'fs';

/** Characters that must not reach the comment: C0/C1 controls except tab and newline, bidi overrides. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `text` with control and bidi characters replaced by U+FFFD. */
export function visible(text: string): string {
  return text.replace(UNSAFE, '\ufffd');
}

/** The longest run of backticks in `text`. */
function longestBacktickRun(text: string): number {
  return Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
}

/**
 * `text` on one line as a code span (shown literally), at most `max` characters; in a table cell
 * (`table`), `|` is escaped so that it stays inside its cell.
 */
export function code(text: string, max = 200, table = false): string {
  let line = visible(text.replace(/[\r\n\t]+/g, ' '));
  if (line.length > max) line = `${line.slice(0, max)}…`;
  const ticks = '`'.repeat(longestBacktickRun(line) + 1);
  const pad = line.startsWith('`') || line.endsWith('`') || line.trim() === '' ? ' ' : '';
  return `${ticks}${pad}${table ? line.replace(/\|/g, '\\|') : line}${pad}${ticks}`;
}

/** `text` as a fenced code block whose fence is longer than any backtick run inside it. */
export function fenced(text: string, info = ''): string {
  const body = visible(text.replace(/\r\n/g, '\n'));
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(body) + 1));
  return `${fence}${info}\n${body}\n${fence}`;
}

/** The first `maxBytes` bytes of `file` (decoded as UTF-8), and whether there was more. */
export function readBounded(file: string, maxBytes: number): { text: string; truncated: boolean } | undefined {
  let fd: number;
  try {
    if (!fs.lstatSync(file).isFile()) return undefined;
    fd = fs.openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const buffer = Buffer.alloc(maxBytes + 1);
    const read = fs.readSync(fd, buffer, 0, maxBytes + 1, 0);
    return { text: buffer.subarray(0, Math.min(read, maxBytes)).toString('utf8'), truncated: read > maxBytes };
  } finally {
    fs.closeSync(fd);
  }
}
