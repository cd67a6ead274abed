// Typed errors: one string-literal union of error codes for the whole app. Layers throw a CoreError
// (or a subclass) with a code; adapters wrap what a library threw as the standard ES2022 `cause`;
// workers/rpc.ts carries code, message and cause chain across the worker boundary; the UI turns the
// code into plain language (store/messages.ts).

export const ERROR_CODES = [
  // The input file (core/npy.ts).
  'NPY_BAD_MAGIC',
  'NPY_BAD_VERSION',
  'NPY_BAD_HEADER',
  'NPY_TRUNCATED',
  'NPY_UNSUPPORTED_DTYPE',
  'NPY_TOO_LARGE',
  'EMPTY_FILE',
  // Arguments that don't fit (shapes, parameters, dataset plans).
  'BAD_SHAPE',
  'BAD_PARAMS',
  /** The strategy can't honour its contract on this input: a skipped row, not a failure. */
  'UNSUPPORTED',
  /** The Python recipe export does not know this strategy, layout or parameter. */
  'RECIPE_UNSUPPORTED',
  /** The h5wasm module could not start. */
  'HDF5_INIT',
  /** Writing or patching an HDF5 file failed (h5wasm, or the in-place header patches). */
  'HDF5_WRITE',
  /** Reading an HDF5 file back failed. */
  'HDF5_READ',
  /** A compression filter refused a chunk (HDF5: "filter returned failure"). */
  'FILTER_REFUSED',
  /** An HDF5 plugin binary could not be fetched or installed. */
  'PLUGIN_LOAD',
  /** A Zarr store could not be built as planned (Zarr v2's limits). */
  'ZARR_STORE',
  /** A Zarr store could not be read back. */
  'ZARR_READ',
  /** The browser or the wasm heap refused memory. */
  'OUT_OF_MEMORY',
  /** A worker crashed (an uncaught error or a wasm abort) and its calls were lost. */
  'WORKER_LOST',
  /** The caller cancelled; not an error to show. */
  'CANCELLED',
  /** Anything else: a bug, or an error from code that gives no code. */
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The codes core/npy.ts and the other pure modules raise (kept for existing imports). */
export type CoreErrorCode = ErrorCode;

const CODE_SET: ReadonlySet<string> = new Set(ERROR_CODES);

export function isErrorCode(x: unknown): x is ErrorCode {
  return typeof x === 'string' && CODE_SET.has(x);
}

export class CoreError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CoreError';
    this.code = code;
  }
}

export function isCoreError(e: unknown): e is CoreError {
  return e instanceof CoreError;
}

/**
 * A property of the input or the chosen strategy, not a bug: the row is shown as skipped with this
 * plain-language reason.
 */
export class UnsupportedError extends CoreError {
  declare readonly code: 'UNSUPPORTED';
  constructor(message: string, options?: { cause?: unknown }) {
    super('UNSUPPORTED', message, options);
    this.name = 'UnsupportedError';
  }
}

/** A cancelled call. Its name is 'AbortError', as DOM APIs name theirs, so either kind is recognised. */
export class CancelledError extends CoreError {
  declare readonly code: 'CANCELLED';
  constructor(message = 'cancelled') {
    super('CANCELLED', message);
    this.name = 'AbortError';
  }
}

/**
 * The code of any thrown value: a CoreError's own, a known `code` property on another error (e.g.
 * one rebuilt from a worker), else 'INTERNAL'.
 */
export function errorCodeOf(e: unknown): ErrorCode {
  const code = (e as { code?: unknown } | null | undefined)?.code;
  return isErrorCode(code) ? code : 'INTERNAL';
}

/**
 * Codes that say why something failed in terms the user acts on, wherever it happened: a wrapper keeps
 * them rather than replacing them with its own (an allocation failing inside a write is still memory).
 */
const KEPT_WHEN_WRAPPED: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'UNSUPPORTED',
  'FILTER_REFUSED',
  'PLUGIN_LOAD',
  'HDF5_INIT',
  'OUT_OF_MEMORY',
  'WORKER_LOST',
  'CANCELLED',
]);

/**
 * Wraps a caught value as a CoreError with `code` and `message`, keeping it as the cause. A cause whose
 * code says why in the user's terms (KEPT_WHEN_WRAPPED) lends the wrapper that code instead.
 */
export function wrapError(code: ErrorCode, message: string, cause: unknown): CoreError {
  const inner = errorCodeOf(cause);
  return new CoreError(KEPT_WHEN_WRAPPED.has(inner) ? inner : code, message, { cause });
}
