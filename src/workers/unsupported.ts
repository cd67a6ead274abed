// A property of the input or the chosen strategy, not a bug: the row is shown as skipped with this
// plain-language reason.
export class UnsupportedError extends Error {
  readonly code = 'UNSUPPORTED';
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedError';
  }
}
