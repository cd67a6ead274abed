// The only place that creates workers: a pool of sweep workers sharing one input, plus one-off
// workers for loading/generating. Cancelling a call terminates its worker; the pool replaces it.
import type { Request, Response } from './rpc';
import { TEST_OOM_KEY, WorkerError } from './rpc';
import type { TestOomMode } from './rpc';
import { CancelledError, CoreError } from '../core/errors';
import type { InputMessage, SweepApi } from './sweep-api';
import type { LoadApi } from './load-api';
import type { LoadedArray } from './load';
import type { StrategySpec } from '../strategies/types';
import { specKeyOf } from '../strategies/sweep';
import type { StrategyResult } from './job';
import { handH5wasmTo } from '../hdf5/wasm-module';

type AnyApi = SweepApi | LoadApi;
type SweepArg<M extends keyof SweepApi> = Parameters<SweepApi[M]>[0];
type SweepResult<M extends keyof SweepApi> = Awaited<ReturnType<SweepApi[M]>>;
type ArgOf<A, M extends keyof A> = A[M] extends (arg: infer T, ...rest: never[]) => unknown ? T : never;
type ResultOf<A, M extends keyof A> = A[M] extends (...args: never[]) => infer R ? Awaited<R> : never;

/**
 * TEST HOOK, inert unless the page address carries `?h5sq-test-oom=[caught:]<strategyId>:<layout>`:
 * the first sweep job with that id is sent with a flag that makes its worker run out of memory on
 * purpose against a small cap (rpc.ts, TEST_OOM_KEY): uncaught (the worker crashes), or with
 * `caught:` returned as the job's error. Once per page; the bad-day journey uses it.
 */
let testOom: { target: string; mode: TestOomMode } | null = (() => {
  if (typeof location === 'undefined') return null;
  const value = new URLSearchParams(location.search).get('h5sq-test-oom');
  if (!value) return null;
  return value.startsWith('caught:')
    ? { target: value.slice('caught:'.length), mode: 'caught' }
    : { target: value, mode: 'crash' };
})();

function takeTestOom(spec: StrategySpec): TestOomMode | undefined {
  if (!testOom || testOom.target !== `${spec.strategyId}:${spec.layout}`) return undefined;
  const { mode } = testOom;
  testOom = null;
  return mode;
}

/** The two worker scripts: the sweep worker (h5wasm) and the light loader (no wasm). */
const WORKER_SCRIPTS = {
  sweep: () => new Worker(new URL('./sweep.worker.ts', import.meta.url), { type: 'module' }),
  load: () => new Worker(new URL('./load.worker.ts', import.meta.url), { type: 'module' }),
};

/** How a worker was lost: out of memory, or another crash (an uncaught error, a wasm abort). */
export type WorkerLossKind = 'out-of-memory' | 'crash';

export interface WorkerLoss {
  kind: WorkerLossKind;
  /** `strategyId · layout` of the job it was running, when it was running one. */
  job: string | null;
  /** What the browser or the worker said. */
  detail: string;
  /** A sweep-pool worker (replaced at once), or a one-off worker (loading, the full-file run). */
  pooled: boolean;
}

/** Errors that mean the browser refused memory (JS buffers, the wasm heap, an emscripten abort). */
const OUT_OF_MEMORY =
  /out of memory|array buffer allocation failed|memory allocation of \d+ bytes failed|maximum memory size exceeded|cannot enlarge memory|aborted\(oom\)|failed to grow the heap|could not allocate/i;

export function isOutOfMemory(message: string): boolean {
  return OUT_OF_MEMORY.test(message);
}

/** A wasm abort leaves the module unusable: the worker must go even though it answered. */
function isFatalToWorker(error: { name: string; message: string }): boolean {
  return error.name === 'RuntimeError' || isOutOfMemory(error.message);
}

/** The message a lost job's row shows: what happened, that nothing else is lost, what to do next. */
export function describeWorkerLoss(loss: WorkerLoss): string {
  const what = loss.job ? `This job (${loss.job})` : 'A worker';
  const kept = loss.pooled
    ? 'The worker was replaced; your array and the other results are kept.'
    : 'Only that worker stopped; the array and results already on the page are kept.';
  if (loss.kind === 'out-of-memory') {
    const next = loss.pooled
      ? 'close other tabs or programs and change a setting to re-run it, try the upper-triangle layout (half the values), or sweep a smaller sample of matrices.'
      : 'close other tabs or programs and try again, or pick a layout or strategy that stores fewer values.';
    return `${what} ran out of memory: the browser refused more (${loss.detail}). ${kept} Next: ${next}`;
  }
  const crashed = loss.job ? `${what} crashed its worker` : 'A worker crashed';
  const next = loss.pooled ? 'change a setting to re-run it' : 'try again';
  return `${crashed} (${loss.detail}). ${kept} Next: ${next}; if it keeps crashing, reload the page and report the strategy and array shape.`;
}

const lossListeners = new Set<(loss: WorkerLoss) => void>();

/** Calls `listener` for every worker lost to a crash or to memory (a notice shows it). */
export function onWorkerLoss(listener: (loss: WorkerLoss) => void): () => void {
  lossListeners.add(listener);
  return () => lossListeners.delete(listener);
}

function reportLoss(loss: WorkerLoss): void {
  for (const l of lossListeners) l(loss);
}

function jobLabel(spec: StrategySpec | undefined): string | null {
  return spec ? `${spec.strategyId} · ${spec.layout}` : null;
}

/** Raised to a lost job's caller; `code` (OUT_OF_MEMORY or WORKER_LOST) tells it from an ordinary failure. */
export class WorkerLostError extends CoreError {
  declare readonly code: 'OUT_OF_MEMORY' | 'WORKER_LOST';
  constructor(readonly loss: WorkerLoss) {
    super(loss.kind === 'out-of-memory' ? 'OUT_OF_MEMORY' : 'WORKER_LOST', describeWorkerLoss(loss));
    this.name = 'WorkerLostError';
  }
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  onProgress?: (f: number) => void;
  /** The job this call runs, for the message if the worker is lost. */
  label: string | null;
}

function abortError(): CancelledError {
  return new CancelledError();
}

/** One worker with request bookkeeping. */
class WorkerHandle<A extends AnyApi = SweepApi> {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  dead = false;
  /** Set once the worker has answered anything (it started). */
  answered = false;

  constructor(
    private readonly onDeath: (h: WorkerHandle<A>) => void,
    script: keyof typeof WORKER_SCRIPTS = 'sweep',
    private readonly pooled = false,
  ) {
    this.worker = WORKER_SCRIPTS[script]();
    if (script === 'sweep') handH5wasmTo(this.worker);
    this.worker.addEventListener('message', (e: MessageEvent<Response>) => {
      this.answered = true;
      const msg = e.data;
      const p = this.pending.get(msg.id);
      if (!p) return;
      if (msg.kind === 'progress') p.onProgress?.(msg.fraction);
      else if (msg.kind === 'ok') {
        this.pending.delete(msg.id);
        p.resolve(msg.value);
      } else if (script === 'sweep' && isFatalToWorker(msg.error)) {
        // Out of memory or a wasm abort: the worker's heap is spent (wasm memory never shrinks) or
        // its module is unusable, so it is replaced even though it answered.
        this.lose(isOutOfMemory(msg.error.message) ? 'out-of-memory' : 'crash', msg.error.message, p.label);
      } else {
        this.pending.delete(msg.id);
        p.reject(new WorkerError(msg.error));
      }
    });
    // An uncaught error or a wasm abort kills the worker's state: fail its calls and replace it.
    this.worker.addEventListener('error', (e) => {
      e.preventDefault();
      const detail = e.message || 'the worker stopped without a message';
      const label = [...this.pending.values()].find((p) => p.label)?.label ?? null;
      this.lose(isOutOfMemory(detail) ? 'out-of-memory' : 'crash', detail, label);
    });
  }

  private lose(kind: WorkerLossKind, detail: string, job: string | null): void {
    if (this.dead) return;
    const loss: WorkerLoss = { kind, job, detail, pooled: this.pooled };
    this.kill(new WorkerLostError(loss));
    reportLoss(loss);
    this.onDeath(this);
  }

  call<M extends keyof A & string>(
    method: M,
    arg: ArgOf<A, M>,
    opts: { transfer?: Transferable[]; onProgress?: (f: number) => void } = {},
  ): Promise<ResultOf<A, M>> {
    if (this.dead) return Promise.reject(new CoreError('WORKER_LOST', 'worker is gone'));
    const id = this.nextId++;
    const label = jobLabel((arg as { spec?: StrategySpec } | undefined)?.spec);
    return new Promise<ResultOf<A, M>>((resolve, reject) => {
      this.pending.set(id, {
        resolve: resolve as (v: unknown) => void,
        reject,
        onProgress: opts.onProgress,
        label,
      });
      this.worker.postMessage({ id, method, arg } satisfies Request, opts.transfer ?? []);
    });
  }

  kill(reason: unknown = abortError()): void {
    if (this.dead) return;
    this.dead = true;
    this.worker.terminate();
    for (const p of this.pending.values()) p.reject(reason);
    this.pending.clear();
  }
}

function runJobArg(inputId: number, job: QueuedJob): ArgOf<SweepApi, 'runJob'> {
  const arg: ArgOf<SweepApi, 'runJob'> & { [TEST_OOM_KEY]?: TestOomMode } = {
    inputId,
    spec: job.spec,
    wantFile: job.wantFile,
  };
  const oom = takeTestOom(job.spec);
  if (oom) arg[TEST_OOM_KEY] = oom;
  return arg;
}

/** Replacements stop after this many workers in a row die without answering. */
const MAX_STILLBORN = 3;

/** Placeholder spec for queued calls that are not about one strategy (the entropy floor). */
const FLOOR_SPEC: StrategySpec = { strategyId: 'hdf5-quantized', layout: 'full', params: {} };

export function poolSize(): number {
  return Math.max(2, Math.min(8, (typeof navigator !== 'undefined' && navigator.hardwareConcurrency) || 2));
}

export function canShareMemory(): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && globalThis.crossOriginIsolated === true;
}

export interface SharingMode {
  /**
   * 'shared': the page is cross-origin isolated, every worker reads one SharedArrayBuffer.
   * 'copies': it is not (a host without COOP/COEP headers), so each sweep worker holds its own
   * structured-clone copy of the input and the page keeps one to hand to replacement workers.
   */
  mode: 'shared' | 'copies';
  /** Sweep workers in the pool. */
  workers: number;
  /** Copies of the input held beyond the one a shared page holds (0 when shared). */
  extraCopies: number;
}

export function sharingMode(): SharingMode {
  const workers = poolSize();
  return canShareMemory()
    ? { mode: 'shared', workers, extraCopies: 0 }
    : { mode: 'copies', workers, extraCopies: workers };
}

/** Memory the copies cost beyond shared memory for an input of `inputBytes` (0 when shared). */
export function extraCopyBytes(inputBytes: number): number {
  return sharingMode().extraCopies * inputBytes;
}

interface QueuedJob {
  spec: StrategySpec;
  /** A call other than runJob (e.g. quality), made on the worker that takes the job. */
  invoke?: (handle: WorkerHandle, inputId: number) => Promise<unknown>;
  onProgress?: (f: number) => void;
  wantFile: boolean;
  resolve(v: { result: StrategyResult; file: Uint8Array | null; held?: boolean }): void;
  reject(e: unknown): void;
  signal?: AbortSignal;
}

/**
 * Runs jobs on a fixed number of workers that all hold the current input. With shared memory the
 * input is one SharedArrayBuffer; without it each worker gets its own copy (structured clone, see
 * sharingMode()). A worker lost to a crash or to memory fails only its own job and is replaced;
 * the new one receives the input again.
 */
export class SweepPool {
  private workers: { handle: WorkerHandle; busy: boolean; ready: Promise<unknown> }[] = [];
  private queue: QueuedJob[] = [];
  private input: InputMessage | null = null;

  constructor(readonly size = poolSize()) {}

  private spawn(): { handle: WorkerHandle; busy: boolean; ready: Promise<unknown> } {
    const slot = {
      handle: null as unknown as WorkerHandle,
      busy: false,
      ready: Promise.resolve() as Promise<unknown>,
    };
    slot.handle = new WorkerHandle((dead) => this.replace(dead, true), 'sweep', true);
    if (this.input) slot.ready = slot.handle.call('setInput', this.input);
    return slot;
  }

  /** Workers in a row that died before answering anything (a script that can't start). */
  private stillborn = 0;

  private replace(dead: WorkerHandle, died = false): void {
    if (died) this.stillborn = dead.answered ? 0 : this.stillborn + 1;
    const i = this.workers.findIndex((w) => w.handle === dead);
    if (this.stillborn >= MAX_STILLBORN) {
      // Respawning a worker whose script fails to start would loop forever: fail the waiting jobs.
      if (i >= 0) this.workers.splice(i, 1);
      if (this.workers.every((w) => w.handle.dead)) {
        const e = new CoreError(
          'WORKER_LOST',
          'The sweep workers could not start. Reload the page; if it persists, try another browser.',
        );
        for (const job of this.queue.splice(0)) job.reject(e);
      }
      return;
    }
    if (i >= 0) this.workers[i] = this.spawn();
    this.pump();
  }

  /**
   * Starts the workers before any input exists: each starts h5wasm (the page compiles its 3.5 MB
   * wasm once for all of them, src/hdf5/wasm-module.ts) and warms up while the user is still
   * choosing a file, so the first result isn't delayed by it.
   */
  warm(): void {
    if (this.workers.length > 0) return;
    for (let i = 0; i < this.size; i++) {
      const slot = this.spawn();
      slot.ready = slot.handle.call('warm', undefined);
      this.workers.push(slot);
    }
  }

  /**
   * An input is on its way: the workers stop warming up (the load needs the cores; warming up while a
   * 159 MB file loaded delayed the first result by 0.25–0.35 s).
   */
  stopWarmUp(): void {
    for (const w of this.workers) void w.handle.call('stopWarmUp', undefined).catch(() => undefined);
  }

  /** Which worker kept which result's file (by spec key), for the current input. */
  private readonly heldBy = new Map<string, WorkerHandle>();

  setInput(loaded: LoadedArray, inputId: number): void {
    this.cancelAll();
    this.heldBy.clear();
    this.input = {
      inputId,
      name: loaded.name,
      dtype: loaded.dtype,
      shape: loaded.shape,
      buffer: loaded.buffer,
      facts: loaded.facts,
    };
    if (this.workers.length === 0) for (let i = 0; i < this.size; i++) this.workers.push(this.spawn());
    else for (const w of this.workers) w.ready = w.handle.call('setInput', this.input);
  }

  get inputId(): number | null {
    return this.input?.inputId ?? null;
  }

  run(
    spec: StrategySpec,
    opts: { onProgress?: (f: number) => void; signal?: AbortSignal; wantFile?: boolean } = {},
  ) {
    return new Promise<{ result: StrategyResult; file: Uint8Array | null }>((resolve, reject) => {
      if (opts.signal?.aborted) return reject(abortError());
      const job: QueuedJob = {
        spec,
        onProgress: opts.onProgress,
        resolve,
        reject,
        signal: opts.signal,
        wantFile: opts.wantFile ?? false,
      };
      this.queue.push(job);
      opts.signal?.addEventListener('abort', () => this.cancelJob(job), { once: true });
      this.pump();
    });
  }

  /**
   * A copy of the result file a worker kept (null when no live worker holds it any more: the caller
   * then runs the job again with `wantFile`). Not queued: the worker answers between its jobs.
   */
  async heldFile(spec: StrategySpec): Promise<Uint8Array | null> {
    const key = specKeyOf(spec);
    const handle = this.heldBy.get(key);
    if (!this.input || !handle || handle.dead || !this.workers.some((w) => w.handle === handle)) return null;
    try {
      return await handle.call('heldFile', { inputId: this.input.inputId, specKey: key });
    } catch {
      return null;
    }
  }

  /** Another API method on a worker holding the current input, queued like a job. */
  call<M extends 'quality' | 'qualityMatrix' | 'floor'>(
    method: M,
    arg: Omit<SweepArg<M>, 'inputId'>,
    opts: { onProgress?: (f: number) => void; signal?: AbortSignal } = {},
  ): Promise<SweepResult<M>> {
    return new Promise<SweepResult<M>>((resolve, reject) => {
      if (opts.signal?.aborted) return reject(abortError());
      const job: QueuedJob = {
        spec: (arg as { spec?: StrategySpec }).spec ?? FLOOR_SPEC,
        invoke: (handle, inputId) =>
          handle.call(method, { ...arg, inputId } as ArgOf<SweepApi, M>, { onProgress: opts.onProgress }),
        onProgress: opts.onProgress,
        resolve: resolve as (v: unknown) => void,
        reject,
        signal: opts.signal,
        wantFile: false,
      };
      this.queue.push(job);
      opts.signal?.addEventListener('abort', () => this.cancelJob(job), { once: true });
      this.pump();
    });
  }

  private running = new Map<QueuedJob, { handle: WorkerHandle }>();

  private cancelJob(job: QueuedJob): void {
    const qi = this.queue.indexOf(job);
    if (qi >= 0) {
      this.queue.splice(qi, 1);
      job.reject(abortError());
      return;
    }
    const r = this.running.get(job);
    if (r) {
      // Terminating is the only way to stop wasm mid-write; the slot gets a fresh worker in a task
      // of its own: creating one took ~7 ms of main thread in a profile, not to be spent in the key
      // press or click that cancelled the job (the pool skips the dead slot until then).
      r.handle.kill();
      setTimeout(() => this.replace(r.handle), 0);
    }
  }

  cancelAll(): void {
    for (const job of [...this.queue]) this.cancelJob(job);
    for (const job of [...this.running.keys()]) this.cancelJob(job);
  }

  private pump(): void {
    if (!this.input) return;
    for (const slot of this.workers) {
      if (slot.busy || slot.handle.dead) continue;
      const job = this.queue.shift();
      if (!job) return;
      slot.busy = true;
      const handle = slot.handle;
      this.running.set(job, { handle });
      const inputId = this.input.inputId;
      void slot.ready
        .then(() =>
          job.invoke
            ? job.invoke(handle, inputId)
            : handle.call('runJob', runJobArg(inputId, job), { onProgress: job.onProgress }),
        )
        .then(
          (v) => {
            const out = v as Parameters<QueuedJob['resolve']>[0];
            if (!job.invoke && out.held) this.heldBy.set(specKeyOf(job.spec), handle);
            job.resolve(out);
          },
          (e) => job.reject(e),
        )
        .finally(() => {
          this.running.delete(job);
          slot.busy = false;
          this.pump();
        });
    }
  }

  dispose(): void {
    this.cancelAll();
    for (const w of this.workers) w.handle.kill();
    this.workers = [];
  }
}

/** Runs a one-off call on its own worker, terminated afterwards or on abort (the only way to stop it). */
async function oneOff<A extends AnyApi, M extends keyof A & string>(
  script: keyof typeof WORKER_SCRIPTS,
  method: M,
  arg: ArgOf<A, M>,
  onProgress: (f: number) => void,
  signal?: AbortSignal,
): Promise<ResultOf<A, M>> {
  const handle = new WorkerHandle<A>(() => undefined, script);
  const onAbort = () => handle.kill();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await handle.call(method, arg, { onProgress });
  } finally {
    signal?.removeEventListener('abort', onAbort);
    handle.kill(new CancelledError('the one-off worker has finished'));
  }
}

export function loadNpyInWorker(
  file: Blob,
  name: string,
  onProgress: (f: number) => void,
  signal?: AbortSignal,
) {
  return oneOff<LoadApi, 'loadNpy'>(
    'load',
    'loadNpy',
    { file, name, shared: canShareMemory() },
    onProgress,
    signal,
  );
}

export function generateInWorker(
  params: { n: number; m: number; seed: number },
  onProgress: (f: number) => void,
  signal?: AbortSignal,
) {
  return oneOff<LoadApi, 'generate'>(
    'load',
    'generate',
    { ...params, shared: canShareMemory() },
    onProgress,
    signal,
  );
}

/** The streamed full-file run needs h5wasm: a sweep worker of its own (the pool keeps sweeping). */
export function runFullInWorker(
  arg: ArgOf<SweepApi, 'runFull'>,
  onProgress: (f: number) => void,
  signal?: AbortSignal,
) {
  return oneOff<SweepApi, 'runFull'>('sweep', 'runFull', arg, onProgress, signal);
}
