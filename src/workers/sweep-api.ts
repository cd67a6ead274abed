// The worker's API object (docs/ARCHITECTURE.md): plain functions, callable in Node tests without a
// Worker. It holds the current input (shared, or a transferred copy) and runs jobs on it.
import type { DTypeCode, NdArray } from '../core/ndarray';
import { sizeOf, typedArrayFor } from '../core/ndarray';
import type { CallContext } from './rpc';
import type { JobInput, StrategyResult } from './job';
import { joinParts, runJobParts } from './job';
import { entropyFloor } from './entropy-floor';
import { npyBlobRowReader } from './row-reader';
import { getH5 } from '../hdf5/h5wasm-init';
import { warmUpJobs } from './warm-up';
import type { InputFacts, Layout, LayoutValues, StrategySpec } from '../strategies/types';
import type { NpyHeader } from '../core/npy';
import { matrixOf, runQuality } from './quality-job';
import { KeptFiles } from '../core/kept-files';
import { specKeyOf } from '../strategies/sweep';
import type { MatrixView, QualityReport } from './quality-job';

export interface InputMessage {
  inputId: number;
  name: string;
  dtype: DTypeCode;
  shape: number[];
  buffer: ArrayBufferLike;
  facts: InputFacts;
}

/**
 * Result files each sweep worker keeps for download (smallest first; two workers: 64 MiB); bigger
 * ones, and those evicted, are rebuilt on download.
 */
export const KEPT_FILES_BUDGET_BYTES = 32 * 2 ** 20;
const kept = new KeptFiles(KEPT_FILES_BUDGET_BYTES);

let current: { inputId: number; input: JobInput; layoutCache: Map<Layout, LayoutValues> } | null = null;
/** Real work has come (an input or a full run): the warm-up stops at its next job. */
let workCame = false;

export const api = {
  /**
   * Initialises h5wasm ahead of the first job, then warms the worker up in the background
   * (workers/warm-up.ts) until real work comes.
   */
  async warm(): Promise<void> {
    await getH5();
    // Warming up is optional: a failure (which the jobs' own catch doesn't see) is dropped.
    if (!workCame) void warmUpJobs(() => workCame).catch(() => undefined);
  },

  /** An input is loading: the warm-up stops at its next job, leaving the cores to the load. */
  stopWarmUp(): void {
    workCame = true;
  },

  setInput(msg: InputMessage): number {
    workCame = true;
    const array: NdArray = {
      dtype: msg.dtype,
      shape: msg.shape,
      data: typedArrayFor(msg.dtype, msg.buffer, sizeOf(msg.shape)),
    };
    kept.clear();
    current = {
      inputId: msg.inputId,
      input: { name: msg.name, array, facts: msg.facts },
      layoutCache: new Map(),
    };
    return msg.inputId;
  },

  /**
   * Runs one spec. The file comes back only with `wantFile` (a download); otherwise this worker keeps
   * it if it fits its budget (`held`: ask `heldFile` for it) and drops it if not.
   */
  async runJob(
    arg: { inputId: number; spec: StrategySpec; wantFile?: boolean },
    ctx: CallContext,
  ): Promise<{ result: StrategyResult; file: Uint8Array | null; held: boolean }> {
    if (!current || current.inputId !== arg.inputId) throw new Error('this worker does not hold the input');
    // Copied out of the in-memory FS only when it is wanted or would be kept.
    const keepFile = (bytes: number) => arg.wantFile === true || bytes <= kept.largestAccepted();
    const onProgress = (f: number) => ctx.progress(f);
    // One pipeline: HDF5 files of row-aligned layouts are built slab by slab from the shared input (no
    // whole-array copies per job); other layouts, .npy and Zarr are built whole.
    const { result, parts } = await runJobParts(current.input, arg.spec, {
      layoutCache: current.layoutCache,
      onProgress,
      keepFile,
    });
    const file = parts.length === 0 ? null : joinParts(parts);
    if (file && arg.wantFile) {
      ctx.transfer([file.buffer]);
      return { result, file, held: false };
    }
    return { result, file: null, held: file !== null && kept.put(specKeyOf(arg.spec), file) };
  },

  /** A copy of a file this worker kept for the current input (null when evicted since). */
  heldFile(arg: { inputId: number; specKey: string }, ctx: CallContext): Uint8Array | null {
    if (!current || current.inputId !== arg.inputId) return null;
    const bytes = kept.get(arg.specKey)?.slice() ?? null;
    if (bytes) ctx.transfer([bytes.buffer]);
    return bytes;
  },

  /** Quality summaries of one result (the job is re-run) and one matrix for the heatmap. */
  async quality(
    arg: { inputId: number; spec: StrategySpec; matrix: number | null },
    ctx: CallContext,
  ): Promise<QualityReport> {
    if (!current || current.inputId !== arg.inputId) throw new Error('this worker does not hold the input');
    const report = await runQuality(current.input, arg.spec, arg.matrix, {
      layoutCache: current.layoutCache,
      onProgress: (f) => ctx.progress(f),
    });
    if (report.view) ctx.transfer([report.view.original.buffer, report.view.decoded.buffer]);
    return report;
  },

  /** Another matrix of the same result, for the heatmap's picker. */
  async qualityMatrix(
    arg: { inputId: number; spec: StrategySpec; matrix: number },
    ctx: CallContext,
  ): Promise<MatrixView | null> {
    if (!current || current.inputId !== arg.inputId) throw new Error('this worker does not hold the input');
    const view = await matrixOf(current.input, arg.spec, arg.matrix, {
      layoutCache: current.layoutCache,
      onProgress: (f) => ctx.progress(f),
    });
    if (view) ctx.transfer([view.original.buffer, view.decoded.buffer]);
    return view;
  },

  /**
   * The entropy floor at ε: for each layout, the zeroth-order entropy of the integer codes quantized
   * to ε would store (the layout's own error paid out of ε, as the quantized rows do); the smallest.
   */
  floor(arg: { inputId: number; layouts: Layout[]; eps: number }): { bytes: number; layout: Layout } | null {
    if (!current || current.inputId !== arg.inputId) throw new Error('this worker does not hold the input');
    return entropyFloor(current.input, arg.layouts, arg.eps);
  },

  /** The chosen strategy on the whole (big) file, streamed; the file comes back in ≤ 512 MiB parts. */
  async runFull(
    arg: { file: Blob; header: NpyHeader; name: string; facts: InputFacts; spec: StrategySpec },
    ctx: CallContext,
  ): Promise<{ result: StrategyResult; parts: Uint8Array[] }> {
    workCame = true;
    const out = await runJobParts(
      { name: arg.name, reader: npyBlobRowReader(arg.file, arg.header), facts: arg.facts },
      arg.spec,
      { onProgress: (f) => ctx.progress(f) },
    );
    ctx.transfer(out.parts.map((p) => p.buffer as ArrayBuffer));
    return out;
  },
};

export type SweepApi = typeof api;
