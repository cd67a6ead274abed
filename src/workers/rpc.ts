// A tiny typed request/response protocol between the main thread and workers (docs/ARCHITECTURE.md).
// Each request carries an id; the worker answers with progress messages and one final result or error.
// Cancelling is not a message: the client terminates the worker (the only way to stop wasm mid-call).

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
  | { id: number; kind: 'error'; error: { name: string; message: string; code?: string } };

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
    const method = api[req.method];
    const transfers: Transferable[] = [];
    const ctx: CallContext = {
      progress: (fraction, detail) => port.postMessage({ id: req.id, kind: 'progress', fraction, detail }),
      transfer: (buffers) => transfers.push(...buffers),
    };
    void (async () => {
      try {
        if (!method) throw new Error(`unknown worker method ${req.method}`);
        if (testOom === 'caught') allocateBeyondTestCap();
        const value = await method(req.arg as never, ctx);
        port.postMessage({ id: req.id, kind: 'ok', value } satisfies Response, transfers);
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err));
        const code = (e as { code?: unknown }).code;
        port.postMessage({
          id: req.id,
          kind: 'error',
          error: { name: e.name, message: e.message, code: typeof code === 'string' ? code : undefined },
        } satisfies Response);
      }
    })();
  });
}

/** An error raised inside a worker, rebuilt on the main thread with its name and code. */
export class WorkerError extends Error {
  readonly code?: string;
  constructor(error: { name: string; message: string; code?: string }) {
    super(error.message);
    this.name = error.name;
    this.code = error.code;
  }
}

export function isAbortError(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError';
}
