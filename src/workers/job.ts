// One sweep job, start to finish, as plain TypeScript (runs in a worker and in Node tests):
// layout → strategy encode → real file in the in-memory FS → read back → decode → metrics.
// Big arrays are verified in slabs of leading-axis rows, so the decoded copy stays small.
import type { DTypeCode, NdArray, NumberArray, TypedArray } from '../core/ndarray';
import { numpyDescr, sizeOf } from '../core/ndarray';
import { float16BitsToFloat64, float64ToFloat16Bits } from '../core/float16';
import { createErrorAccumulator } from '../core/metrics';
import { readNpy, writeNpy } from '../core/npy';
import type { ErrorMetrics } from '../core/metrics';
import type { AttrValue, DatasetPlan, ReadBack } from '../hdf5/types';
import { isFilterFailure, writeHdf5File } from '../hdf5/write';
import type { WriteOptions } from '../hdf5/write';
import { readHdf5File } from '../hdf5/read';
import { readFileBytes, removeFile } from '../hdf5/files';
import { setMaxAbsError } from '../hdf5/max-abs-error';
import { getH5, scratchPath } from '../hdf5/h5wasm-init';
import { ensurePlugins, isPluginFilter } from '../hdf5/plugins';
import type {
  InputFacts,
  Layout,
  LayoutValues,
  Params,
  ReadableBy,
  StrategyId,
  StrategySpec,
} from '../strategies/types';
import { strategyOf } from '../strategies/registry';
import { canonicalParams, resultIdOf } from '../strategies/sweep';
import { restorePythonNpySnippet, restorePythonSnippet } from '../strategies/restore-python';
import { APP_NAME, APP_VERSION } from '../core/app-info';
import { numbersOf } from '../strategies/common';
import { layoutOf } from '../layouts/registry';
import { restorePythonZarrSnippet } from '../zarr/restore-python';
import { buildZarrEntries, zipEntries, ZarrStoreProblem } from '../zarr/store';
import type { ZarrEntries } from '../zarr/store';
import { readZarrData, withMaxAbsError, zarrStorePlan } from '../zarr/job-store';

export interface JobInput {
  /** Input file name (used in output file names). */
  name: string;
  array: NdArray;
  facts: InputFacts;
}

/** The small, serialisable summary of one result (the results JSON of docs/ARCHITECTURE.md, plus UI extras). */
export interface StrategyResult {
  id: string;
  strategyId: StrategyId;
  label: string;
  params: Params;
  paramsLabel: string;
  layout: Layout;
  fileName: string;
  bytes: number;
  ratio: number;
  maxAbsError: number;
  maxRelError: number;
  rmse: number;
  psnr: number;
  encodeMs: number;
  verifyMs: number;
  readableBy: ReadableBy;
  /** What the strategy promised against the loaded array (0 = lossless). */
  errorBound: number;
  nanMismatch: number;
  warnings: string[];
  restorePython: string;
}

export interface JobOptions {
  signal?: AbortSignal;
  onProgress?: (fraction: number, phase: 'encode' | 'write' | 'verify') => void;
  /** Reuses layout values across jobs on the same input (the triangle pack is shared). */
  layoutCache?: Map<Layout, LayoutValues>;
  /** Sees each verified slab: original values and the decoded ones, in C order from the start. */
  onCompare?: (orig: NumberArray, decoded: NumberArray) => void;
}

export class UnsupportedError extends Error {
  readonly code = 'UNSUPPORTED';
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedError';
  }
}

/** Decoded slabs are about this big (float64), whatever the array's size. */
const VERIFY_SLAB_BYTES = 16 << 20;

/** The loaded values as JS numbers; float32/float64 (and small ints) are used without copying. */
export function numericView(array: NdArray): NumberArray {
  return numbersOf(array.data, array.dtype);
}

/** Numbers back into the loaded dtype's own representation (for lossless strategies). */
function rawFromNumbers(dtype: DTypeCode, values: NumberArray): TypedArray {
  switch (dtype) {
    case 'f8':
      return values instanceof Float64Array ? values : Float64Array.from(values);
    case 'f4':
      return Float32Array.from(values);
    case 'f2':
      return float64ToFloat16Bits(values);
    case 'i8':
      return BigInt64Array.from(values, (x) => BigInt(Math.round(x)));
    case 'u8':
      return BigUint64Array.from(values, (x) => BigInt(Math.round(x)));
    case 'b1':
    case 'u1':
      return Uint8Array.from(values);
    case 'i1':
      return Int8Array.from(values);
    case 'i2':
      return Int16Array.from(values);
    case 'u2':
      return Uint16Array.from(values);
    case 'i4':
      return Int32Array.from(values);
    case 'u4':
      return Uint32Array.from(values);
  }
}

export function buildLayoutValues(input: JobInput, layout: Layout, numeric: NumberArray): LayoutValues {
  const { array, facts } = input;
  const def = layoutOf(layout);
  const problem = def.problem(array.shape, facts);
  if (problem) throw new UnsupportedError(problem);
  const values = def.pack(numeric, array.shape, facts);
  return {
    layout,
    values,
    // Unchanged values keep the input's own typed array (no copy); packed ones go back to the dtype.
    raw: values === numeric ? array.data : rawFromNumbers(array.dtype, values),
    shape: def.storedShape(array.shape, facts),
    dtype: array.dtype,
    layoutError: def.layoutError(facts),
    facts,
  };
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new DOMException('cancelled', 'AbortError');
}

function fileStem(name: string): string {
  return name.replace(/\.npy$/i, '').replace(/[^A-Za-z0-9._-]+/g, '_') || 'array';
}

export function fileNameFor(inputName: string, spec: StrategySpec): string {
  const def = strategyOf(spec.strategyId);
  const variant = def.variantKey(spec.params);
  const parts = [fileStem(inputName), spec.strategyId, layoutOf(spec.layout).fileTag, variant].filter(
    (s) => s,
  );
  const reader = def.readableBy(spec.params);
  return `${parts.join('-')}.${reader === 'numpy' ? 'npy' : reader === 'zarr' ? 'zarr.zip' : 'h5'}`;
}

let jobCounter = 0;

/**
 * Runs one spec. Returns the summary and the file's bytes (a fresh buffer the caller may transfer).
 * Throws UnsupportedError when the strategy can't honour its contract on this input.
 */
export async function runJob(
  input: JobInput,
  spec: StrategySpec,
  opts: JobOptions = {},
): Promise<{ result: StrategyResult; file: Uint8Array }> {
  const out = await runJobKeeping(input, spec, opts, () => true);
  return { result: out.result, file: out.file! };
}

/**
 * runJob, but the file's bytes are copied out of the in-memory FS only when `keepFile(bytes)` says
 * so (a 159 MB copy per big file otherwise, just to be dropped); `file` is null when they weren't.
 */
export async function runJobKeeping(
  input: JobInput,
  spec: StrategySpec,
  opts: JobOptions,
  keepFile: (bytes: number) => boolean,
): Promise<{ result: StrategyResult; file: Uint8Array | null }> {
  const def = strategyOf(spec.strategyId);
  const params = { ...def.defaults, ...spec.params };
  const numeric = numericView(input.array);
  const t0 = performance.now();
  let values = opts.layoutCache?.get(spec.layout);
  if (!values) {
    values = buildLayoutValues(input, spec.layout, numeric);
    opts.layoutCache?.set(spec.layout, values);
  }
  assertLayoutKeepsValues(values);
  const reason = def.unsupported(values, params) ?? containerProblem(spec.layout, def.readableBy(params));
  if (reason) throw new UnsupportedError(reason);
  throwIfAborted(opts.signal);
  opts.onProgress?.(0.05, 'encode');
  if (def.readableBy(params) !== 'numpy' && (values.shape.length === 0 || values.shape.includes(0)))
    throw new UnsupportedError(
      values.shape.length === 0
        ? 'a 0-d (scalar) array has nothing to compress; keep the .npy'
        : 'an empty array has nothing to compress; keep the .npy',
    );
  const plan = def.encode(values, params);
  throwIfAborted(opts.signal);
  opts.onProgress?.(0.2, 'write');

  const fileName = fileNameFor(input.name, spec);
  const restorePython =
    plan.container === 'npy'
      ? restorePythonNpySnippet(fileName, input.array.shape, input.array.dtype, spec.layout)
      : plan.container === 'zarr'
        ? restorePythonZarrSnippet(fileName, spec.layout)
        : restorePythonSnippet(fileName, {
            hdf5plugin: def.readableBy(params) === 'h5py+hdf5plugin',
            layout: spec.layout,
          });
  const errors = createErrorAccumulator();
  const onCompare = opts.onCompare;
  const acc: typeof errors = onCompare
    ? {
        add: (o, d) => {
          errors.add(o, d);
          onCompare(o, d);
        },
        result: () => errors.result(),
      }
    : errors;
  let file: Uint8Array | null;
  let bytes: number;
  let encodeMs: number;
  let verifyMs: number;

  if (plan.container === 'npy') {
    file = writeNpy({ dtype: plan.dtype, shape: plan.shape, data: plan.data });
    bytes = file.byteLength;
    encodeMs = performance.now() - t0;
    const t1 = performance.now();
    const back = await readNpy(file);
    const read: ReadBack = {
      data: back.data,
      dtype: back.dtype === 'b1' ? 'u1' : back.dtype,
      shape: [...back.shape],
      attrs: {},
      rootAttrs: {},
      filters: [],
    };
    compareSlab(acc, input, numeric, values, def.decode(read, values, params), 0, leadingRows(values.shape));
    verifyMs = performance.now() - t1;
  } else if (plan.container === 'zarr') {
    // A zipped Zarr v2 store: built in memory, read back and decoded with the same codecs, then zipped
    // again with the measured max_abs_error in data/.zattrs (the chunks are the ones verified).
    const zarrPlan = zarrStorePlan(plan, {
      ...contractAttrs(input.array, spec, params, plan.attrs, restorePython, input.facts),
      extraDatasets: layoutOf(spec.layout).extraDatasets(input.array.shape, input.facts),
    });
    let entries: ZarrEntries;
    let zip: Uint8Array;
    try {
      entries = await buildZarrEntries(zarrPlan, (f) => opts.onProgress?.(0.2 + 0.5 * f, 'write'));
      zip = zipEntries(entries);
    } catch (e) {
      if (e instanceof ZarrStoreProblem) throw new UnsupportedError(e.message);
      throw e;
    }
    encodeMs = performance.now() - t0;
    throwIfAborted(opts.signal);
    const t1 = performance.now();
    const decoded = def.decode(await readZarrData(zip), values, params);
    const inRows = leadingRows(input.array.shape);
    const step = slabRows(values.shape, input.array.shape);
    for (let r0 = 0; r0 < inRows; r0 += step) {
      const r1 = Math.min(inRows, r0 + step);
      compareSlab(acc, input, numeric, values, decoded, r0, r1);
      throwIfAborted(opts.signal);
    }
    verifyMs = performance.now() - t1;
    file = zipEntries(withMaxAbsError(entries, zarrPlan, acc.result().maxAbsError));
    bytes = file.byteLength;
  } else {
    const env = await getH5();
    if (plan.filter && isPluginFilter(plan.filter.id)) await ensurePlugins();
    const path = scratchPath(env, `job-${++jobCounter}`);
    const dataset: DatasetPlan = {
      data: plan.data,
      dtype: plan.dtype,
      shape: plan.shape,
      chunks: plan.chunks,
      filter: plan.filter,
      shuffle: plan.shuffle,
      extraDatasets: layoutOf(spec.layout).extraDatasets(input.array.shape, input.facts),
      ...contractAttrs(input.array, spec, params, plan.attrs, restorePython, input.facts),
    };
    try {
      writeHdf5OrExplain(path, dataset, {
        onProgress: (f) => opts.onProgress?.(0.2 + 0.5 * f, 'write'),
      });
      encodeMs = performance.now() - t0;
      throwIfAborted(opts.signal);
      const t1 = performance.now();
      const rows = leadingRows(values.shape);
      const step = slabRows(values.shape, input.array.shape);
      if (!layoutOf(spec.layout).rowAligned) {
        // Axis 0 isn't the input's: decode the whole stored array once, compare input rows in slabs.
        const decodedAll = def.decode(readHdf5File(path), values, params);
        const inRows = leadingRows(input.array.shape);
        for (let r0 = 0; r0 < inRows; r0 += step) {
          const r1 = Math.min(inRows, r0 + step);
          compareSlab(acc, input, numeric, values, decodedAll, r0, r1);
          throwIfAborted(opts.signal);
        }
      } else
        for (let r0 = 0; r0 < rows; r0 += step) {
          const r1 = Math.min(rows, r0 + step);
          const read = readHdf5File(
            path,
            values.shape.length >= 1 && step < rows ? { rows: [r0, r1] } : undefined,
          );
          compareSlab(acc, input, numeric, values, def.decode(read, values, params), r0, r1);
          opts.onProgress?.(0.7 + (0.25 * r1) / rows, 'verify');
          throwIfAborted(opts.signal);
        }
      if (rows === 0) readHdf5File(path);
      verifyMs = performance.now() - t1;
      bytes = setMaxAbsError(path, acc.result().maxAbsError);
      file = keepFile(bytes) ? readFileBytes(path) : null;
    } finally {
      removeFile(path);
    }
  }
  const m: ErrorMetrics = acc.result();
  const originalBytes = input.array.data.byteLength;
  opts.onProgress?.(1, 'verify');
  return {
    result: summarizeResult({
      spec,
      params,
      values,
      metrics: m,
      bytes,
      originalBytes,
      fileName,
      encodeMs,
      verifyMs,
      restorePython,
    }),
    file: file && keepFile(bytes) ? file : null,
  };
}

/** The small summary of one measured file (in-memory and streamed runs alike). */
export function summarizeResult(r: {
  spec: StrategySpec;
  params: Params;
  /** Layout values whose shape and facts describe the whole array. */
  values: LayoutValues;
  metrics: ErrorMetrics;
  bytes: number;
  originalBytes: number;
  fileName: string;
  encodeMs: number;
  verifyMs: number;
  restorePython: string;
}): StrategyResult {
  const def = strategyOf(r.spec.strategyId);
  const m = r.metrics;
  return {
    id: resultIdOf(r.spec),
    strategyId: r.spec.strategyId,
    label: def.label,
    params: canonicalParams({ ...r.spec, params: r.params }),
    paramsLabel: def.describeParams(r.params),
    layout: r.spec.layout,
    fileName: r.fileName,
    bytes: r.bytes,
    ratio: r.bytes > 0 ? r.originalBytes / r.bytes : 0,
    maxAbsError: m.maxAbsError,
    maxRelError: m.maxRelError,
    rmse: m.rmse,
    psnr: m.psnr,
    encodeMs: r.encodeMs,
    verifyMs: r.verifyMs,
    readableBy: def.readableBy(r.params),
    errorBound: def.errorBound(r.values, r.params) + r.values.layoutError,
    nanMismatch: m.nanMismatch,
    warnings: def.warnings(r.values, r.params),
    restorePython: r.restorePython,
  };
}

/** The triangle layout can't keep NaN/±Inf that aren't mirrored across the diagonal. */
export function assertLayoutKeepsValues(values: LayoutValues): void {
  if (!Number.isFinite(values.layoutError))
    throw new UnsupportedError(
      'NaN or ±Inf are not mirrored across the diagonal, so the triangle layout would change them',
    );
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

/** Why this layout can't go into this container (a .npy has no room for a layout's index), or null. */
export function containerProblem(layout: Layout, readableBy: ReadableBy): string | null {
  if (readableBy === 'numpy' && !layoutOf(layout).fitsNpy)
    return `a .npy file cannot carry what the ${layoutOf(layout).short} layout needs to be undone; the HDF5 rows store it`;
  return null;
}

/** The file-contract attributes of `/data` and the root group (docs/FILE-FORMAT.md). */
export function contractAttrs(
  original: { shape: readonly number[]; dtype: DTypeCode },
  spec: StrategySpec,
  params: Params,
  strategyAttrs: Record<string, AttrValue>,
  restorePython: string,
  facts: InputFacts,
): Pick<DatasetPlan, 'attrs' | 'rootAttrs'> {
  return {
    attrs: {
      layout: { type: 'string', value: spec.layout },
      ...layoutOf(spec.layout).attrs(original.shape, facts),
      original_shape: { type: 'int64[]', value: [...original.shape] },
      original_dtype: { type: 'string', value: numpyDescr(original.dtype) },
      ...strategyAttrs,
      max_abs_error: { type: 'float64', value: NaN },
      strategy: {
        type: 'string',
        value: JSON.stringify({
          id: spec.strategyId,
          layout: spec.layout,
          params: canonicalParams({ ...spec, params }),
        }),
      },
      created_by: { type: 'string', value: `${APP_NAME} ${APP_VERSION}` },
    },
    rootAttrs: { restore_python: { type: 'string', value: restorePython } },
  };
}

/** Rows along axis 0 of the stored array (a 0-d array is one row). */
export function leadingRows(shape: readonly number[]): number {
  return shape.length === 0 ? 1 : shape[0]!;
}

function slabRows(stored: readonly number[], original: readonly number[]): number {
  if (stored.length <= 1 && original.length > 1) return Math.max(1, leadingRows(stored)); // one matrix
  const rowElems = Math.max(1, sizeOf(original.slice(1)));
  return Math.max(1, Math.floor(VERIFY_SLAB_BYTES / 8 / rowElems));
}

/**
 * Compares input rows [r0, r1) with the decoded values. For row-aligned layouts `decoded` holds the
 * stored rows [r0, r1) (or the whole stored array); otherwise the whole decoded stored array. The
 * layout rebuilds full rows, which are cast to the loaded dtype exactly as the restore snippet does
 * (float32 rounding, integer rounding), so the measured error is what a reader gets.
 */
export function compareSlab(
  acc: ReturnType<typeof createErrorAccumulator>,
  input: JobInput,
  numeric: NumberArray,
  values: LayoutValues,
  decoded: NumberArray,
  r0: number,
  r1: number,
): void {
  const shape = input.array.shape;
  const layout = layoutOf(values.layout);
  const rowElems = shape.length === 0 ? 1 : sizeOf(shape.slice(1));
  // A single matrix packed to one row is verified whole; otherwise rows map one to one.
  const whole = shape.length === 0 || (values.layout !== 'full' && shape.length === 2);
  let full: NumberArray;
  if (layout.rowAligned) {
    const storedRowElems = values.shape.length === 0 ? 1 : sizeOf(values.shape.slice(1));
    const stored =
      whole || decoded.length === (r1 - r0) * storedRowElems
        ? decoded
        : decoded.subarray(r0 * storedRowElems, r1 * storedRowElems);
    full = layout.unpack(stored, r0, r1, shape, values.facts);
  } else {
    full = layout.unpack(decoded, whole ? 0 : r0, whole ? 1 : r1, shape, values.facts);
  }
  castToLoadedDtype(full, input.array.dtype);
  const origSlab = whole ? numeric : numeric.subarray(r0 * rowElems, r1 * rowElems);
  acc.add(origSlab, full);
}

/** Rounds decoded float64 values in place as `astype(original dtype)` would (float32, integers). */
function castToLoadedDtype(values: NumberArray, dtype: DTypeCode): void {
  if (!(values instanceof Float64Array)) return;
  if (dtype === 'f4') {
    for (let i = 0; i < values.length; i++) values[i] = Math.fround(values[i]!);
  } else if (dtype === 'f2') {
    values.set(float16BitsToFloat64(float64ToFloat16Bits(values)));
  } else if (dtype !== 'f8') {
    // numpy's rint rounds halves to even; decoded integers are within ε < 0.5 of an integer anyway.
    for (let i = 0; i < values.length; i++) {
      const x = values[i]!;
      const r = Math.round(x);
      values[i] = r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
    }
  }
}
