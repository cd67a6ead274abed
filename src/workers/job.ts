// One sweep job, start to finish, as plain TypeScript (runs in a worker and in Node tests):
// layout → strategy encode → real file in the in-memory FS → read back → decode → metrics.
// Big arrays are verified in slabs of leading-axis rows, so the decoded copy stays small.
import type { DTypeCode, NdArray, NumberArray, TypedArray } from '../core/ndarray';
import { numpyDescr, sizeOf } from '../core/ndarray';
import { float64ToFloat16Bits } from '../core/float16';
import { packUpper, unpackUpper } from '../core/triangle';
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
import { resultIdOf, LAYOUT_SHORT } from '../strategies/sweep';
import { restorePythonNpySnippet, restorePythonSnippet } from '../strategies/restore-python';
import { APP_NAME, APP_VERSION } from '../core/app-info';
import { numbersOf, ulp16, ulp32, ulp64 } from '../strategies/common';

export interface JobInput {
  /** Input file name (used in output file names). */
  name: string;
  array: NdArray;
  facts: InputFacts;
}

/** The small, serialisable summary of one result (DESIGN.md §4 results JSON, plus UI extras). */
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
  if (layout === 'full') {
    return {
      layout,
      values: numeric,
      raw: array.data,
      shape: array.shape,
      dtype: array.dtype,
      layoutError: 0,
      facts,
    };
  }
  const shape = array.shape;
  const m = shape[shape.length - 1]!;
  const lead = shape.slice(0, -2);
  // Floats pack in their own precision; integers average into float64 ((a+b)/2 may be a half).
  const isFloat = numeric instanceof Float32Array || numeric instanceof Float64Array;
  const packed = isFloat
    ? packUpper(numeric, shape)
    : packUpper(numeric, shape, new Float64Array((sizeOf(lead) * m * (m + 1)) / 2));
  return {
    layout,
    values: packed,
    raw: rawFromNumbers(array.dtype, packed),
    shape: [...lead, (m * (m + 1)) / 2],
    dtype: array.dtype,
    layoutError: triangleLayoutError(facts),
    facts,
  };
}

/**
 * Storing (A+Aᵀ)/2 moves each value by |a−b|/2, plus the rounding of a+b in the working float type.
 * NaN/Inf that are not mirrored across the diagonal make it infinite (the layout can't keep them).
 */
function triangleLayoutError(facts: InputFacts): number {
  if (facts.maxAsymmetry === 0) return 0;
  const m = Math.max(Math.abs(facts.min), Math.abs(facts.max));
  // Stored back in the loaded dtype: float16 and integers round the mean once more.
  const d = facts.dtype;
  const ulp = d === 'f2' ? ulp16(m) : d === 'f4' ? ulp32(m) : d === 'f8' ? ulp64(m) : 0.5;
  return facts.maxAsymmetry / 2 + ulp;
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
  const parts = [fileStem(inputName), spec.strategyId, LAYOUT_SHORT[spec.layout], variant].filter((s) => s);
  return `${parts.join('-')}.${def.readableBy(spec.params) === 'numpy' ? 'npy' : 'h5'}`;
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
  const reason = def.unsupported(values, params);
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
      ? restorePythonNpySnippet(fileName, input.array.shape, spec.layout === 'upper-triangle-rowmajor')
      : restorePythonSnippet(fileName, { hdf5plugin: def.readableBy(params) === 'h5py+hdf5plugin' });
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
      ...contractAttrs(input.array, spec, params, plan.attrs, restorePython),
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
    params: r.params,
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

/** The DESIGN.md §3 attributes of `/data` and the root group. */
export function contractAttrs(
  original: { shape: readonly number[]; dtype: DTypeCode },
  spec: StrategySpec,
  params: Params,
  strategyAttrs: Record<string, AttrValue>,
  restorePython: string,
): Pick<DatasetPlan, 'attrs' | 'rootAttrs'> {
  const layoutAttrs: Record<string, AttrValue> =
    spec.layout === 'upper-triangle-rowmajor'
      ? { matrix_size: { type: 'int64', value: original.shape[original.shape.length - 1]! } }
      : {};
  return {
    attrs: {
      layout: { type: 'string', value: spec.layout },
      ...layoutAttrs,
      original_shape: { type: 'int64[]', value: [...original.shape] },
      original_dtype: { type: 'string', value: numpyDescr(original.dtype) },
      ...strategyAttrs,
      max_abs_error: { type: 'float64', value: NaN },
      strategy: {
        type: 'string',
        value: JSON.stringify({ id: spec.strategyId, layout: spec.layout, params }),
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
 * Compares decoded rows [r0, r1) of the stored array with the same rows of the original.
 * For the triangle layout the stored rows are unpacked back to full matrices first.
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
  const rowElems = shape.length === 0 ? 1 : sizeOf(shape.slice(1));
  const storedRowElems = values.shape.length === 0 ? 1 : sizeOf(values.shape.slice(1));
  const stored =
    decoded.length === (r1 - r0) * storedRowElems
      ? decoded
      : decoded.subarray(r0 * storedRowElems, r1 * storedRowElems);
  let full: NumberArray = stored;
  if (values.layout === 'upper-triangle-rowmajor') {
    const m = shape[shape.length - 1]!;
    full = unpackUpper(stored, m, stored.length / ((m * (m + 1)) / 2));
  }
  // A single matrix packed to one triangle row is verified whole; otherwise rows map one to one.
  const whole =
    shape.length === 0 || (values.layout === 'upper-triangle-rowmajor' && values.shape.length === 1);
  const origSlab = whole ? numeric : numeric.subarray(r0 * rowElems, r1 * rowElems);
  acc.add(origSlab, full);
}
