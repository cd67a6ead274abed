// One job, start to finish, as plain TypeScript (runs in a worker and in Node tests) — the ONE slab
// pipeline the sweep, the full-file run, the quality panel, the bench and the tests all use:
//
//   rows (RowReader) → layout → strategy encode → container writer → read back → decode → unpack
//   → cast to the loaded dtype → metrics
//
// Row-aligned layouts written to HDF5 stream: rows are laid out and encoded slab by slab as the
// writer pulls them, and verified slab by slab, so a job holds a few slabs plus its file whatever the
// input's size. Layouts that need every matrix at once (pair-major), the .npy and Zarr containers and
// arrays without rows are built whole from an in-memory input.
import type { NdArray, NumberArray, RowSlabs } from '../core/ndarray';
import type { LayoutDef } from '../layouts/types';
import { DTYPE_BYTES, ROW_SLAB_BYTES, sizeOf } from '../core/ndarray';
import { createErrorAccumulator } from '../core/metrics';
import type { ErrorAccumulator } from '../core/metrics';
import { decodeNpyData, HOST_LITTLE_ENDIAN, npyHeaderBytes, parseNpyHeader, writeNpy } from '../core/npy';
import type { AttrValue, DatasetPlan, ReadBack } from '../hdf5/types';
import { isFilterFailure, writeHdf5File } from '../hdf5/write';
import type { WriteOptions } from '../hdf5/write';
import { openHdf5Reader } from '../hdf5/read';
import { readFileParts, removeFile } from '../hdf5/files';
import { setMaxAbsError } from '../hdf5/max-abs-error';
import { getH5, scratchPath } from '../hdf5/h5wasm-init';
import { ensurePlugins, isPluginFilter } from '../hdf5/plugins';
import type {
  FilePlan,
  InputFacts,
  Layout,
  LayoutValues,
  Params,
  StrategyDef,
  StrategySpec,
} from '../strategies/types';
import { strategyOf } from '../strategies/registry';
import { CHUNK_TARGET_BYTES } from '../strategies/common';
import { restorePythonNpySnippet, restorePythonSnippet } from '../strategies/restore-python';
import { layoutOf } from '../layouts/registry';
import { restorePythonZarrSnippet } from '../zarr/restore-python';
import { buildZarrEntries, zipEntries, ZarrStoreProblem } from '../zarr/store';
import type { ZarrEntries } from '../zarr/store';
import { openZarrData, withMaxAbsError, zarrStorePlan } from '../zarr/job-store';
import type { RowReader } from './row-reader';
import { memoryRowReader } from './row-reader';
import type { JobInput } from './layout-values';
import { assertLayoutKeepsValues, buildLayoutValues, containerProblem, numericView } from './layout-values';
import type { StrategyResult } from './result';
import { contractAttrs, fileNameFor, summarizeResult } from './result';
import { compareSlab, leadingRows, slabRows, VERIFY_SLAB_BYTES } from './verify';
import { CancelledError, UnsupportedError } from '../core/errors';
import { buffersOf, freeRecycled, releaseBuffers } from '../core/release';

export type { JobInput } from './layout-values';
export type { StrategyResult } from './result';
export { UnsupportedError } from '../core/errors';
export { buildLayoutValues, numericView } from './layout-values';

/** A job's input: an array in memory, or rows read on demand (a big file on disk). */
export type JobSource = JobInput | { name: string; reader: RowReader; facts: InputFacts };

export interface JobOptions {
  signal?: AbortSignal;
  onProgress?: (fraction: number, phase: 'encode' | 'write' | 'verify') => void;
  /** Reuses whole-array layout values across jobs on the same input (in-memory jobs only). */
  layoutCache?: Map<Layout, LayoutValues>;
  /** Sees each verified slab: original values and the decoded ones, in C order from the start. */
  onCompare?: (orig: NumberArray, decoded: NumberArray) => void;
  /** Input bytes per written / verified slab (tests use tiny slabs to cross many slab borders). */
  slabBytes?: number;
  /** Whether to copy the file's bytes out of the in-memory FS (default: yes). */
  keepFile?: (bytes: number) => boolean;
}

export interface JobOutput {
  result: StrategyResult;
  /** The file in ≤ 512 MiB parts (fresh buffers the caller may transfer); empty when not kept. */
  parts: Uint8Array[];
}

/** Why this spec can't be streamed from rows on an array of this shape, or null when it can. */
export function streamProblem(shape: readonly number[], spec: StrategySpec): string | null {
  const def = strategyOf(spec.strategyId);
  const readableBy = def.readableBy({ ...def.defaults, ...spec.params });
  const layout = layoutOf(spec.layout);
  if (readableBy === 'numpy')
    return 'the .npy strategies store your input as it is: the file you have is that file';
  if (readableBy === 'zarr') return 'a Zarr store is built whole in memory; it is not streamed';
  return rowsProblem(shape, layout);
}

/** Why rows of this shape can't be laid out and encoded slab by slab, or null when they can. */
function rowsProblem(shape: readonly number[], layout: LayoutDef): string | null {
  if (shape.length < 2 || shape.includes(0)) return 'streaming needs an array with rows (rank ≥ 2)';
  if (layout.id !== 'full' && shape.length < 3)
    return 'streaming a packed layout needs a stack of matrices (rank ≥ 3)';
  if (!layout.rowAligned)
    return `the ${layout.short} layout needs every matrix at once; it can't be streamed`;
  return null;
}

/** True when the job streams its rows (row-aligned layout, HDF5 file, an array with rows). */
export function canStream(shape: readonly number[], spec: StrategySpec): boolean {
  return streamProblem(shape, spec) === null;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

/** Runs one spec and returns the summary with the whole file (tests and small inputs). */
export async function runJob(
  source: JobSource,
  spec: StrategySpec,
  opts: JobOptions = {},
): Promise<{ result: StrategyResult; file: Uint8Array }> {
  const out = await runJobParts(source, spec, { ...opts, keepFile: () => true });
  return { result: out.result, file: joinParts(out.parts) };
}

let jobCounter = 0;

/**
 * Whole-array layouts up to this size are kept for the next job on the same input; bigger ones (the
 * 80 MB triangle of a 159 MB stack) are packed again when needed rather than held for the session.
 */
const LAYOUT_CACHE_MAX_BYTES = 32 * 2 ** 20;

/** Bytes a layout holds besides the input itself (the full layout holds views of it: 0). */
function layoutCopyBytes(values: LayoutValues, array: NdArray): number {
  const own = (x: { buffer: ArrayBufferLike; byteLength: number }) =>
    x.buffer === array.data.buffer ? 0 : x.byteLength;
  return own(values.values) + (values.raw === values.values ? 0 : own(values.raw));
}

/**
 * Runs one spec through the pipeline. The file's bytes are copied out of the in-memory FS only when
 * `keepFile(bytes)` says so (a 159 MB copy per big file otherwise, just to be dropped).
 * Throws UnsupportedError when the strategy can't honour its contract on this input.
 */
export async function runJobParts(
  source: JobSource,
  spec: StrategySpec,
  opts: JobOptions = {},
): Promise<JobOutput> {
  try {
    return await pipeline(source, spec, opts);
  } finally {
    freeRecycled(); // the slab buffers its slabs reused (core/release.ts): none stays between jobs
  }
}

async function pipeline(source: JobSource, spec: StrategySpec, opts: JobOptions): Promise<JobOutput> {
  const reader = 'reader' in source ? source.reader : memoryRowReader(source.array);
  const { name, facts } = source;
  const shape = reader.shape;
  const def = strategyOf(spec.strategyId);
  const params = { ...def.defaults, ...spec.params };
  const readableBy = def.readableBy(params);
  const layout = layoutOf(spec.layout);
  const keepFile = opts.keepFile ?? (() => true);
  const t0 = performance.now();
  const streamed = canStream(shape, spec);
  if (!streamed && !reader.inMemory) throw new UnsupportedError(streamProblem(shape, spec)!);
  // Rows pulled slab by slab: streamed HDF5 files, and in memory the Zarr stores and .npy files of
  // row-aligned layouts (the file is assembled in memory if kept, but the encoded array is never
  // held whole).
  const slabbed =
    streamed || ((readableBy === 'zarr' || readableBy === 'numpy') && rowsProblem(shape, layout) === null);

  // Layout: the whole stored array's description. Streamed jobs lay out a probe of ≥ 1 MiB of rows
  // (the same chunk shape as the whole array would get) and the rest as the writer asks for it.
  const rows = leadingRows(shape);
  const inputOf = (array: NdArray): JobInput => ({ name, array, facts });
  const layoutOfRows = (array: NdArray): LayoutValues =>
    buildLayoutValues(inputOf(array), spec.layout, numericView(array));
  let values: LayoutValues;
  let probeRows = 0;
  if (slabbed) {
    probeRows = Math.min(rows, Math.ceil(CHUNK_TARGET_BYTES / sizeOf(shape.slice(1))) + 1);
    const probe = layoutOfRows(reader.read(0, probeRows));
    values = { ...probe, shape: [rows, ...probe.shape.slice(1)] };
  } else {
    const cached = opts.layoutCache?.get(spec.layout);
    if (cached) values = cached;
    else {
      const array = reader.read(0, rows);
      values = layoutOfRows(array);
      if (layoutCopyBytes(values, array) <= LAYOUT_CACHE_MAX_BYTES)
        opts.layoutCache?.set(spec.layout, values);
    }
  }
  assertLayoutKeepsValues(values);
  const reason = def.unsupported(values, params) ?? containerProblem(spec.layout, readableBy);
  if (reason) throw new UnsupportedError(reason);
  if (readableBy !== 'numpy' && (values.shape.length === 0 || values.shape.includes(0)))
    throw new UnsupportedError(
      values.shape.length === 0
        ? 'a 0-d (scalar) array has nothing to compress; keep the .npy'
        : 'an empty array has nothing to compress; keep the .npy',
    );
  throwIfAborted(opts.signal);
  opts.onProgress?.(0.05, 'encode');
  // Encoded with the whole stored shape, so chunk choices that depend on the row count match.
  const plan = def.encode(values, params);
  throwIfAborted(opts.signal);
  opts.onProgress?.(0.2, 'write');

  const fileName = fileNameFor(name, spec);
  const restorePython =
    plan.container === 'npy'
      ? restorePythonNpySnippet(fileName, shape, reader.dtype, spec.layout)
      : plan.container === 'zarr'
        ? restorePythonZarrSnippet(fileName, spec.layout)
        : restorePythonSnippet(fileName, {
            hdf5plugin: readableBy === 'h5py+hdf5plugin',
            layout: spec.layout,
          });
  // The loader's analysis gives the originals' range when it describes this very array (a sampled
  // sweep of a big file gets the whole file's facts: the accumulator finds its own range then).
  const wholeInput = facts.shape.length === shape.length && facts.shape.every((d, i) => d === shape[i]);
  const errors = createErrorAccumulator(wholeInput ? { range: { min: facts.min, max: facts.max } } : {});
  const onCompare = opts.onCompare;
  const acc: ErrorAccumulator = onCompare
    ? {
        add: (o, d) => {
          errors.add(o, d);
          onCompare(o, d);
        },
        result: () => errors.result(),
      }
    : errors;
  const original = { shape, dtype: reader.dtype };
  const attrsOf = (strategyAttrs: Record<string, AttrValue>) =>
    contractAttrs(original, spec, params, strategyAttrs, restorePython, facts);
  // What this job must not free: the input (the in-memory reader's whole array) and the layouts it
  // may have cached; while it runs also the values laid out once and the encoded plan (the probe's
  // rows are served from it).
  const cachedLayouts = () => [...(opts.layoutCache?.values() ?? [])];
  const notOurs = buffersOf(
    reader.inMemory ? reader.read(0, rows).data : null,
    ...cachedLayouts().flatMap((v) => [v.values, v.raw]),
  );
  const keep = new Set([...notOurs, ...buffersOf(values.values, values.raw, plan.data)]);
  const free = (items: Releasable[], ...stillUsed: Releasable[]) =>
    releaseBuffers(items, stillUsed.some(Boolean) ? new Set([...keep, ...buffersOf(...stillUsed)]) : keep);
  // Rows the reader keeps owning (views of the input, the browser's file buffers), and whatever is
  // laid out as a view of them, are never freed here.
  const readerKeeps = (rows: NdArray): Releasable => (reader.freshRows ? null : rows.data);
  // Encoded rows [r0, r1) for a writer that pulls them in order. The writer has copied or compressed
  // a slab before it asks for the next, so the previous slab's rows, laid-out values and encoded
  // values are freed then (and the last one when it is done).
  let previous: Releasable[] = [];
  let previousRows: Releasable = null;
  const rowElems = sizeOf(values.shape.slice(1));
  const encodedRows: RowSlabs = {
    rows: (r0, r1) => {
      throwIfAborted(opts.signal);
      free(previous, previousRows);
      previous = [];
      // The probe's rows are encoded already: small inputs are laid out and encoded once.
      if (r1 <= probeRows) return plan.data.subarray(r0 * rowElems, r1 * rowElems);
      const rowsIn = reader.read(r0, r1);
      const laid = layoutOfRows(rowsIn);
      const data = def.encode(laid, params).data;
      previous = [rowsIn.data, laid.values, laid.raw, data];
      previousRows = readerKeeps(rowsIn);
      return data;
    },
    done: () => free(previous, previousRows),
    // An input row is read and laid out (as float64 at most) before it is encoded.
    rowBytes: 8 * Math.max(sizeOf(shape.slice(1)), rowElems),
  };
  const ctx: WriteContext = {
    spec,
    def,
    params,
    values,
    acc,
    opts,
    t0,
    inputOf,
    free,
    readerKeeps,
    encodedRows: slabbed ? encodedRows : null,
  };

  let out: { bytes: number; parts: Uint8Array[]; encodeMs: number; verifyMs: number };
  if (plan.container === 'npy') out = await npyFile(ctx, plan, reader, keepFile);
  else if (plan.container === 'zarr') out = await zarrFile(ctx, plan, reader, attrsOf(plan.attrs), keepFile);
  else {
    const dataset: DatasetPlan = {
      data: plan.data,
      dtype: plan.dtype,
      shape: plan.shape,
      chunks: plan.chunks,
      filter: plan.filter,
      shuffle: plan.shuffle,
      extraDatasets: layout.extraDatasets(shape, facts),
      ...attrsOf(plan.attrs),
    };
    if (slabbed) {
      dataset.rowSource = encodedRows;
    }
    out = await hdf5File(ctx, reader, dataset, streamed, keepFile);
  }
  opts.onProgress?.(1, 'verify');
  const result = summarizeResult({
    spec,
    params,
    values,
    metrics: acc.result(),
    bytes: out.bytes,
    originalBytes: sizeOf(shape) * DTYPE_BYTES[reader.dtype],
    fileName,
    encodeMs: out.encodeMs,
    verifyMs: out.verifyMs,
    restorePython,
  });
  // The laid-out values and the encoded plan, unless cached (or views of the input).
  if (!cachedLayouts().includes(values)) releaseBuffers([values.values, values.raw, plan.data], notOurs);
  return { result, parts: out.parts };
}

type PlanIn<C extends FilePlan['container']> = Extract<FilePlan, { container: C }>;

interface WriteContext {
  spec: StrategySpec;
  def: StrategyDef<Params>;
  params: Params;
  values: LayoutValues;
  acc: ErrorAccumulator;
  opts: JobOptions;
  t0: number;
  inputOf: (array: NdArray) => JobInput;
  /** Frees the job's own buffers among `items`, except those behind `stillUsed` (see runJobParts). */
  free(items: Releasable[], ...stillUsed: Releasable[]): void;
  /** The rows' data when the reader keeps owning it (pass it as `stillUsed`), else null. */
  readerKeeps(rows: NdArray): Releasable;
  /** Encoded rows on demand, when the writer pulls them slab by slab; null: `plan.data` is whole. */
  encodedRows: RowSlabs | null;
}

type Releasable = ArrayBufferView | null | undefined;

/**
 * A .npy file: its header, then the stored values' own little-endian bytes. The header is parsed back
 * as numpy would and the data decoded from those very bytes, slab by slab when the rows are pulled
 * (a packed triangle is never held whole); the file is assembled only when it is kept (a copy of the
 * input otherwise, just to be dropped).
 */
async function npyFile(
  ctx: WriteContext,
  plan: PlanIn<'npy'>,
  reader: RowReader,
  keepFile: (bytes: number) => boolean,
) {
  const { def, params, values, acc, opts, t0 } = ctx;
  const input = ctx.inputOf(reader.read(0, leadingRows(reader.shape)));
  const header = npyHeaderBytes(plan.dtype, plan.shape);
  const dataBytes = sizeOf(plan.shape) * DTYPE_BYTES[plan.dtype];
  const bytes = header.length + dataBytes;
  const parsed = parseNpyHeader(header);
  if (parsed.dataOffset !== header.length || parsed.dataBytes !== dataBytes)
    throw new Error(`the .npy header describes ${parsed.dataBytes} data bytes at ${parsed.dataOffset}`);
  const file = keepFile(bytes) ? new Uint8Array(bytes) : null;
  file?.set(header);
  const numeric = numericView(input.array);
  const storedRows = leadingRows(values.shape);
  const rowShape = values.shape.slice(1);
  const step = ctx.encodedRows
    ? slabRows(values.shape, input.array.shape, opts.slabBytes ?? VERIFY_SLAB_BYTES)
    : storedRows;
  let encodeMs = performance.now() - t0;
  let verifyMs = 0;
  for (let r0 = 0; r0 < storedRows; r0 += step) {
    throwIfAborted(opts.signal);
    const r1 = Math.min(storedRows, r0 + step);
    const t1 = performance.now();
    const data = ctx.encodedRows ? ctx.encodedRows.rows(r0, r1) : plan.data;
    const shape = values.shape.length === 0 ? [] : [r1 - r0, ...rowShape];
    // The bytes numpy writes: the values' own on a little-endian host.
    const own = HOST_LITTLE_ENDIAN
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : writeNpy({ dtype: plan.dtype, shape, data }).subarray(npyHeaderBytes(plan.dtype, shape).length);
    const at =
      header.length + (values.shape.length === 0 ? 0 : r0 * sizeOf(rowShape)) * DTYPE_BYTES[plan.dtype];
    file?.set(own, at);
    const t2 = performance.now();
    encodeMs += t2 - t1;
    const back = decodeNpyData({ ...parsed, shape, dataBytes: own.byteLength }, own);
    const read: ReadBack = {
      data: back.data,
      dtype: back.dtype === 'b1' ? 'u1' : back.dtype,
      shape: [...back.shape],
      attrs: {},
      rootAttrs: {},
      filters: [],
    };
    const decoded = def.decode(read, values, params);
    const full = compareSlab(acc, input, numeric, values, decoded, r0, r1);
    ctx.free([back.data, decoded, full]);
    verifyMs += performance.now() - t2;
  }
  ctx.encodedRows?.done?.();
  return { bytes, parts: file ? [file] : [], encodeMs, verifyMs };
}

/**
 * A zipped Zarr v2 store: built in memory, read back and decoded with the same codecs, then zipped
 * again with the measured max_abs_error in data/.zattrs (the chunks are the ones verified).
 */
async function zarrFile(
  ctx: WriteContext,
  plan: PlanIn<'zarr'>,
  reader: RowReader,
  attrs: Pick<DatasetPlan, 'attrs' | 'rootAttrs'>,
  keepFile: (bytes: number) => boolean,
) {
  const { spec, def, params, values, acc, opts, t0 } = ctx;
  const input = ctx.inputOf(reader.read(0, leadingRows(reader.shape)));
  const zarrPlan = zarrStorePlan(plan, {
    ...attrs,
    extraDatasets: layoutOf(spec.layout).extraDatasets(input.array.shape, input.facts),
  });
  if (ctx.encodedRows) zarrPlan.arrays[0]!.rowSource = ctx.encodedRows;
  let entries: ZarrEntries;
  let zip: Uint8Array;
  try {
    entries = await buildZarrEntries(zarrPlan, {
      onProgress: (f) => opts.onProgress?.(0.2 + 0.5 * f, 'write'),
      slabBytes: opts.slabBytes ?? ROW_SLAB_BYTES, // the HDF5 writer's slabs
    });
    zip = zipEntries(entries);
    // The chunks are in the zip now; the final file is zipped from the verified store's own copies.
    // One copy of the compressed store at a time, two while copying (there were four at the end).
    ctx.free([...entries.values()]);
    freeRecycled(); // the written slabs' sizes don't come back while verifying
  } catch (e) {
    if (e instanceof ZarrStoreProblem) throw new UnsupportedError(e.message);
    throw e;
  }
  const encodeMs = performance.now() - t0;
  throwIfAborted(opts.signal);
  const t1 = performance.now();
  // Verified like an HDF5 file: row-aligned layouts slab by slab (only those rows' chunks decoded),
  // others decoded whole once.
  const store = openZarrData(zip);
  ctx.free([zip]); // the store reads its own unzipped copies
  const numeric = numericView(input.array);
  const inRows = leadingRows(input.array.shape);
  const storedRows = leadingRows(values.shape);
  const step = slabRows(values.shape, input.array.shape, opts.slabBytes ?? VERIFY_SLAB_BYTES);
  if (!layoutOf(spec.layout).rowAligned || step >= storedRows) {
    const read = await store.read();
    const decoded = def.decode(read, values, params);
    for (let r0 = 0; r0 < inRows; r0 += step) {
      const full = compareSlab(acc, input, numeric, values, decoded, r0, Math.min(inRows, r0 + step));
      ctx.free([full], decoded);
      throwIfAborted(opts.signal);
    }
    ctx.free([read.data, decoded]);
  } else
    for (let r0 = 0; r0 < storedRows; r0 += step) {
      const r1 = Math.min(storedRows, r0 + step);
      const read = await store.read([r0, r1]);
      const decoded = def.decode(read, values, params);
      const full = compareSlab(acc, input, numeric, values, decoded, r0, r1);
      ctx.free([read.data, decoded, full]);
      opts.onProgress?.(0.7 + (0.3 * r1) / storedRows, 'verify');
      throwIfAborted(opts.signal);
    }
  const verifyMs = performance.now() - t1;
  const file = zipEntries(withMaxAbsError(store.entries(), zarrPlan, acc.result().maxAbsError));
  store.close(); // the entries unzipped from the verified zip, copied into the final one
  const bytes = file.byteLength;
  if (keepFile(bytes)) return { bytes, parts: [file], encodeMs, verifyMs };
  ctx.free([file]);
  return { bytes, parts: [], encodeMs, verifyMs };
}

/** An HDF5 file written by h5wasm into the in-memory FS, read back slab by slab, then removed. */
async function hdf5File(
  ctx: WriteContext,
  reader: RowReader,
  dataset: DatasetPlan,
  streamed: boolean,
  keepFile: (bytes: number) => boolean,
) {
  const { spec, def, params, values, acc, opts, t0 } = ctx;
  const env = await getH5();
  if (dataset.filter && isPluginFilter(dataset.filter.id)) await ensurePlugins();
  const path = scratchPath(env, `job-${++jobCounter}`);
  try {
    writeHdf5OrExplain(path, dataset, {
      onProgress: (f) => opts.onProgress?.(0.2 + 0.5 * f, 'write'),
      slabBytes: opts.slabBytes,
    });
    freeRecycled(); // the written slabs' sizes don't come back while verifying
    const encodeMs = performance.now() - t0;
    throwIfAborted(opts.signal);
    const t1 = performance.now();
    const shape = reader.shape;
    const inRows = leadingRows(shape);
    // Each slab's buffers (rows read back, decoded, rebuilt, and the input's rows unless the reader
    // keeps them) are freed as soon as it is compared; a whole decoded array (no `read`) after its
    // last slab.
    const verify = (decoded: NumberArray, input: JobInput, r0: number, r1: number, read?: ReadBack) => {
      const full = compareSlab(acc, input, numericView(input.array), values, decoded, r0, r1);
      if (read) ctx.free([read.data, decoded, full, input.array.data], ctx.readerKeeps(input.array));
      else ctx.free([full], decoded);
    };
    // The file is opened once for the whole pass (its attributes read once), then read slab by slab,
    // each slab compared where HDF5 put it in the wasm heap (no copy out; nothing below calls into
    // wasm before the slab is compared, so the view stays valid).
    const file = openHdf5Reader(path);
    try {
      if (streamed) {
        // Input rows and stored rows correspond one to one: each slab is read from the file and from
        // the input, decoded with the whole array's layout metadata, and compared.
        const step = slabRows(values.shape, shape, opts.slabBytes ?? VERIFY_SLAB_BYTES);
        for (let r0 = 0; r0 < inRows; r0 += step) {
          throwIfAborted(opts.signal);
          const r1 = Math.min(inRows, r0 + step);
          const read = file.readView([r0, r1]);
          verify(def.decode(read, values, params), ctx.inputOf(reader.read(r0, r1)), 0, r1 - r0, read);
          opts.onProgress?.(0.7 + (0.3 * r1) / inRows, 'verify');
        }
      } else {
        const input = ctx.inputOf(reader.read(0, inRows));
        const step = slabRows(values.shape, shape, opts.slabBytes ?? VERIFY_SLAB_BYTES);
        const storedRows = leadingRows(values.shape);
        if (!layoutOf(spec.layout).rowAligned || step >= storedRows) {
          // Axis 0 isn't the input's (or it is one slab): decode the whole stored array once.
          const read = file.read();
          const decodedAll = def.decode(read, values, params);
          for (let r0 = 0; r0 < inRows; r0 += step) {
            verify(decodedAll, input, r0, Math.min(inRows, r0 + step));
            throwIfAborted(opts.signal);
          }
          ctx.free([read.data, decodedAll]);
        } else
          for (let r0 = 0; r0 < storedRows; r0 += step) {
            const r1 = Math.min(storedRows, r0 + step);
            const read = file.readView([r0, r1]);
            verify(def.decode(read, values, params), input, r0, r1, read);
            opts.onProgress?.(0.7 + (0.3 * r1) / storedRows, 'verify');
            throwIfAborted(opts.signal);
          }
      }
    } finally {
      file.close();
    }
    const verifyMs = performance.now() - t1;
    const bytes = setMaxAbsError(path, acc.result().maxAbsError);
    return { bytes, parts: keepFile(bytes) ? readFileParts(path) : [], encodeMs, verifyMs };
  } finally {
    removeFile(path);
  }
}

/**
 * Writes the file; a plugin refusing this data (blosc on a chunk that doesn't shrink) is a property
 * of the input, not a bug, so the row says why instead of failing.
 */
export function writeHdf5OrExplain(path: string, dataset: DatasetPlan, opts: WriteOptions): number {
  try {
    return writeHdf5File(path, dataset, opts);
  } catch (e) {
    if (dataset.filter && isPluginFilter(dataset.filter.id) && isFilterFailure(e))
      throw new UnsupportedError(
        `the HDF5 filter ${dataset.filter.id} refused a chunk of this data (blosc does when a chunk doesn't shrink), and h5wasm can't store a chunk unfiltered`,
      );
    throw e;
  }
}

/** One buffer from the ≤ 512 MiB parts of a file (tests, and files small enough to send whole). */
export function joinParts(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1 && parts[0]!.buffer instanceof ArrayBuffer) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.byteLength;
  }
  return out;
}
