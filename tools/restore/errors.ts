/** A restore that cannot go on: the message names the environment, app or claim and the fix. */
export class RestoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreError';
  }
}
