// Typed errors from the core. The UI turns `code` into a plain-language message; adapters wrap
// these with `new Error(msg, { cause })`.

export type CoreErrorCode =
  | 'NPY_BAD_MAGIC'
  | 'NPY_BAD_VERSION'
  | 'NPY_BAD_HEADER'
  | 'NPY_TRUNCATED'
  | 'NPY_UNSUPPORTED_DTYPE'
  | 'NPY_TOO_LARGE'
  | 'EMPTY_FILE'
  | 'BAD_SHAPE'
  | 'BAD_PARAMS';

export class CoreError extends Error {
  readonly code: CoreErrorCode;
  constructor(code: CoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CoreError';
    this.code = code;
  }
}

export function isCoreError(e: unknown): e is CoreError {
  return e instanceof CoreError;
}
