/**
 * Jest setup (`setupFilesAfterEnv`): cdktf records a creation stack for every token it makes
 * (thousands per synthesized environment) by reading the `stack` of a plain object it passed to
 * `Error.captureStackTrace`. Under jest, `Error.prepareStackTrace` is source-map-support's, which
 * maps every frame through the inline source maps of cdktf and the providers: about 40 % of a
 * stack suite's CPU time. Those plain-object captures get V8's own frame format (cdktf shows them
 * only in its error messages); every real error keeps its source-mapped stack.
 */
const sourceMapped = Error.prepareStackTrace;

if (sourceMapped) {
  Error.prepareStackTrace = (error, frames) =>
    Object.getPrototypeOf(error) === Object.prototype ? frames.map((frame) => `\n    at ${frame}`).join('') : sourceMapped(error, frames);
}
