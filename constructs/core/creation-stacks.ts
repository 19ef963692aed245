/** The error-like argument V8 passes to `Error.prepareStackTrace`. */
type Traced = { name?: string; message?: string };

/**
 * Runs `fn` without cdktf's token creation stacks. cdktf records one for every token it makes
 * (thousands per environment) by reading the `stack` of a plain object it passed to
 * `Error.captureStackTrace`; formatting them is about a fifth of a synthesis, and like construct
 * stack traces (`stackTraces: false`) they only help debugging cdktf itself. Those plain-object
 * captures come out empty; real errors keep the formatter in place (source-map-support's under
 * jest), or V8's format when there is none.
 */
export function withoutCreationStacks<T>(fn: () => T): T {
  const errorClass = Error as { prepareStackTrace?: (error: Traced, frames: unknown[]) => unknown };
  const previous = errorClass.prepareStackTrace;
  errorClass.prepareStackTrace = (error, frames) => {
    if (Object.getPrototypeOf(error) === Object.prototype) return '';
    // Not node's fallback (the main context's formatter): under jest that maps every frame too.
    return previous ? previous(error, frames) : `${error.name ?? 'Error'}: ${error.message ?? ''}${frames.map((frame) => `\n    at ${frame}`).join('')}`;
  };
  try {
    return fn();
  } finally {
    errorClass.prepareStackTrace = previous;
  }
}
