// A tiny typed request/response protocol between the main thread and workers (docs/ARCHITECTURE.md).
// Each request carries an id; the worker answers with progress messages and one final result or error.
// Cancelling is not a message: the client terminates the worker (the only way to stop wasm mid-call).
// Errors cross as plain data (WireError: name, message, a code from core/errors.ts's ErrorCode union and
// the cause chain) and are rebuilt on the main thread as WorkerError, a CoreError.
import { CoreError, errorCodeOf, isErrorCode } from '../core/errors';
import type { ErrorCode } from '../core/errors';

export interface CallContext {
  progress(fraction: number, detail?: string): void;
  /** Buffers to transfer (not copy) with the result. */
  transfer(buffers: Transferable[]): void;
}

// Every API method takes one argument and a context.
export type ApiMethod = (arg: never, ctx: CallContext) => unknown;
export type ApiShape = Record<string, ApiMethod>;

export type Request = { id: number; method: string; arg: unknown };
export type Response =
  | { id: number; kind: 'progress'; fraction: number; detail?: string }
  | { id: number; kind: 'ok'; value: unknown }
  | { id: number; kind: 'error'; error: WireError };

/** An error as plain data (structured clone always works on it), with its cause chain. */
export interface WireError {
  name: string;
  message: string;
  code: ErrorCode;
  /** The worker-side stack, when the engine gave one (for debugging). */
  stack?: string;
  cause?: WireError;
}

/** Causes deeper than this are left off (a chain that long is a loop or noise). */
export const MAX_CAUSE_DEPTH = 4;

/**
 * Serialises a thrown value: an Error keeps its name, message and stack; a value without a known code
 * gets 'INTERNAL'; a non-Error throw becomes an 'Error' whose message is the value as text. The cause
 * (standard ES2022 `cause`) is serialised the same way, up to MAX_CAUSE_DEPTH levels below the error.
 */
export function toWireError(err: unknown, depth = 0): WireError {
  const isError = err instanceof Error;
  const wire: WireError = {
    name: isError ? String(err.name) : 'Error',
    message: isError ? String(err.message) : describeThrown(err),
    code: errorCodeOf(err),
  };
  if (isError && typeof err.stack === 'string') wire.stack = err.stack;
  if (isError && err.cause !== undefined && depth < MAX_CAUSE_DEPTH) {
    wire.cause = toWireError(err.cause, depth + 1);
  }
  return wire;
}

function describeThrown(x: unknown): string {
  if (typeof x === 'string') return x;
  try {
    const json = JSON.stringify(x);
    if (typeof json === 'string') return json;
  } catch {
    // a cyclic object or a BigInt: fall back to String()
  }
  return String(x);
}

interface MessagePortLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
}

/**
 * TEST HOOK (bad-day journey): a request whose argument carries TEST_OOM_KEY runs out of memory on
 * purpose. The page sets it only when its address asks to (client.ts, `?h5sq-test-oom=`). The job
 * then asks for more wasm memory than a small cap allows, the way a job meets a browser that
 * refuses memory: a real WebAssembly.Memory with a 16 MiB maximum is grown past it, and the
 * engine's RangeError is thrown uncaught ('crash': the worker dies) or returned as the job's error
 * ('caught', as h5wasm reports a failed allocation).
 */
export const TEST_OOM_KEY = 'h5sqTestOom';
export type TestOomMode = 'crash' | 'caught';
const TEST_CAP_PAGES = 256; // 16 MiB of 64 KiB pages

function testOomOf(req: Request): TestOomMode | undefined {
  const mode = (req.arg as { [TEST_OOM_KEY]?: unknown } | null)?.[TEST_OOM_KEY];
  return mode === 'crash' || mode === 'caught' ? mode : undefined;
}

function allocateBeyondTestCap(): never {
  const capped = new WebAssembly.Memory({ initial: 1, maximum: TEST_CAP_PAGES });
  capped.grow(TEST_CAP_PAGES); // 1 + 256 pages > the cap: the engine throws a RangeError
  throw new Error('unreachable: the capped memory grew');
}

/** Worker side: answer requests with the API object's methods. */
export function exposeApi(api: ApiShape, port: MessagePortLike): void {
  port.addEventListener('message', (e: MessageEvent) => {
    const req = e.data as Request;
    const testOom = testOomOf(req);
    if (testOom === 'crash') allocateBeyondTestCap();
    const method = Object.hasOwn(api, req.method) ? api[req.method] : undefined;
    const transfers: Transferable[] = [];
    const ctx: CallContext = {
      progress: (fraction, detail) => port.postMessage({ id: req.id, kind: 'progress', fraction, detail }),
      transfer: (buffers) => transfers.push(...buffers),
    };
    void (async () => {
      try {
        if (!method) {
          const known = Object.keys(api).join(', ');
          throw new CoreError(
            'INTERNAL',
            `unknown worker method "${req.method}" (this worker has: ${known})`,
          );
        }
        if (testOom === 'caught') allocateBeyondTestCap();
        const value = await method(req.arg as never, ctx);
        port.postMessage({ id: req.id, kind: 'ok', value } satisfies Response, transfers);
      } catch (err) {
        port.postMessage({ id: req.id, kind: 'error', error: toWireError(err) } satisfies Response);
      }
    })();
  });
}

/**
 * An error raised inside a worker, rebuilt on the main thread: its name, message, stack, a code from the
 * ErrorCode union (a code this build doesn't know becomes 'INTERNAL') and the rebuilt cause chain.
 */
export class WorkerError extends CoreError {
  constructor(wire: WireError) {
    const code = isErrorCode(wire.code) ? wire.code : 'INTERNAL';
    super(code, String(wire.message), wire.cause ? { cause: new WorkerError(wire.cause) } : undefined);
    this.name = String(wire.name);
    if (typeof wire.stack === 'string') this.stack = wire.stack;
  }
}

/** The main thread's copy of an error from a worker (see WorkerError). */
export function fromWire(wire: WireError): WorkerError {
  return new WorkerError(wire);
}

/** A cancelled call: a DOM AbortError or a CoreError with code 'CANCELLED'. */
export function isAbortError(e: unknown): boolean {
  return e instanceof Error && (e.name === 'AbortError' || errorCodeOf(e) === 'CANCELLED');
}
