// Helpers shared by strategy files: chunk shapes, error bounds of float casts, dtype conversions.
import type { DTypeCode, NumberArray, TypedArray } from '../core/ndarray';
import { DTYPE_BYTES } from '../core/ndarray';
import type { StoredDType } from '../hdf5/types';
import type { InputFacts, LayoutValues, StrategyDef } from './types';
import type { ArraySummary } from '../core/analysis';
import { float16BitsToFloat64 } from '../core/float16';
import { recycledArray } from '../core/release';

/**
 * Chunks hold whole leading-axis rows (one matrix of the stack, or one packed triangle row) and
 * group rows until a chunk reaches about 1 MiB. Whole rows keep "read matrix i" to one chunk, and
 * ~1 MiB amortises the per-chunk B-tree entry and filter call while staying far below HDF5's 4 GiB
 * chunk limit and well inside the chunk cache of any reader.
 */
export const CHUNK_TARGET_BYTES = 1 << 20;

export function rowChunks(
  shape: readonly number[],
  itemBytes: number,
  targetBytes = CHUNK_TARGET_BYTES,
): number[] | undefined {
  if (shape.length === 0 || shape.some((d) => d === 0)) return undefined;
  const rowElems = shape.slice(1).reduce((a, b) => a * b, 1);
  if (shape.length === 1) {
    return [Math.max(1, Math.min(shape[0]!, Math.floor(targetBytes / itemBytes)))];
  }
  // HDF5 caps one chunk at 4 GiB; a single row larger than that splits its second axis.
  const rowBytes = rowElems * itemBytes;
  if (rowBytes > 2 ** 31) {
    const inner = shape.slice(2).reduce((a, b) => a * b, 1) * itemBytes;
    const k = Math.max(1, Math.min(shape[1]!, Math.floor(targetBytes / inner)));
    return [1, k, ...shape.slice(2)];
  }
  const rows = Math.max(1, Math.min(shape[0]!, Math.floor(targetBytes / rowBytes)));
  return [rows, ...shape.slice(1)];
}

/**
 * Row chunks for byte shuffle + deflate: the writer shuffles complete chunks itself, but a partial
 * last chunk has to stay unshuffled (see hdf5/shuffle.ts), so among chunk heights between half and
 * all of rowChunks' the one leaving the fewest rows in a partial chunk is taken (ties: the taller).
 */
export function shuffleRowChunks(
  shape: readonly number[],
  itemBytes: number,
  targetBytes = CHUNK_TARGET_BYTES,
): number[] | undefined {
  const chunks = rowChunks(shape, itemBytes, targetBytes);
  if (!chunks || chunks.length !== shape.length || chunks.slice(1).some((c, i) => c !== shape[i + 1]))
    return chunks;
  const rows = shape[0]!;
  const c = chunks[0]!;
  let best = c;
  for (let h = c; h >= Math.max(1, Math.ceil(c / 2)); h--) {
    if (rows % h < rows % best) best = h;
    if (rows % best === 0) break;
  }
  return [best, ...chunks.slice(1)];
}

/**
 * The scaleoffset filter bit-packs each chunk to that chunk's own integer range, so smaller chunks
 * follow local ranges more closely: on the notebook's array (±10 blocks in a few matrices) 64 KiB
 * chunks store quantized values in 10.14 MB instead of 10.68 MB with 1 MiB chunks (ε = 7.8e-3,
 * triangle; 17.67 vs 18.00 MB at 1e-4), at no measurable cost in write time. Entropy coders (gzip,
 * plugins) want the bigger chunks.
 */
export const BITPACK_CHUNK_TARGET_BYTES = 64 << 10;

/** Why a chunked (filtered) dataset can't be made for this shape, or null. */
export function chunkingProblem(shape: readonly number[]): string | null {
  if (shape.length === 0) return 'a 0-d array cannot be chunked, so HDF5 filters do not apply';
  if (shape.some((d) => d === 0)) return 'an empty array cannot be chunked, so HDF5 filters do not apply';
  return null;
}

export function maxAbs(values: LayoutValues): number {
  return Math.max(Math.abs(values.facts.min), Math.abs(values.facts.max), 0);
}

/** Spacing of float32 numbers at magnitude `x` (the unit in the last place). */
export function ulp32(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return x === 0 ? 2 ** -149 : Infinity;
  return 2 ** Math.max(Math.floor(Math.log2(x)) - 23, -149);
}

export function ulp64(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return x === 0 ? 2 ** -1074 : Infinity;
  return 2 ** Math.max(Math.floor(Math.log2(x)) - 52, -1074);
}

export function ulp16(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return x === 0 ? 2 ** -24 : Infinity;
  return 2 ** Math.max(Math.floor(Math.log2(x)) - 10, -24);
}

/** HDF5 has no bool class h5py reads as numpy bool without an enum; 0/1 bytes are stored as uint8. */
export function storedDTypeFor(dtype: DTypeCode): StoredDType {
  return dtype === 'b1' ? 'u1' : dtype;
}

export function toFloat32(values: NumberArray): Float32Array {
  if (values instanceof Float32Array) return values;
  const out = recycledArray(Float32Array, values.length);
  out.set(values);
  return out;
}

export function dtypeBytes(dtype: DTypeCode): number {
  return DTYPE_BYTES[dtype];
}

/** Reads a numeric attribute written by us, whatever JS type h5wasm returns it as. */
export function numberAttr(attrs: Record<string, unknown>, name: string): number {
  let v = attrs[name];
  if (ArrayBuffer.isView(v)) v = (v as unknown as ArrayLike<number | bigint>)[0];
  if (Array.isArray(v)) v = v[0];
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return v;
  throw new Error(`attribute ${name} is missing or not a number`);
}

/** The stored values as numbers: float16 bits are widened, 64-bit integers become float64. */
export function numbersOf(data: TypedArray, dtype: DTypeCode | StoredDType): NumberArray {
  if (dtype === 'f2') return float16BitsToFloat64(data as Uint16Array);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    const out = new Float64Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
    return out;
  }
  return data;
}

/**
 * The small facts strategies and layouts read, from an array's summary (core/analysis). The value
 * sample, which needs the values themselves, is added by the loader.
 */
export function factsFromSummary(dtype: DTypeCode, shape: readonly number[], s: ArraySummary): InputFacts {
  return {
    dtype,
    shape,
    min: s.min,
    max: s.max,
    nanCount: s.nanCount,
    infCount: s.posInfCount + s.negInfCount,
    maxAsymmetry: s.maxAsymmetry,
    overFloat16Count: s.overFloat16Count,
    float16SubnormalCount: s.float16SubnormalCount,
    usedPairs: s.usedPairs,
  };
}

/** The shared fields of a strategy without parameters (no knobs, no variants). */
export const PARAMLESS = {
  defaults: {},
  paramSpec: [],
  variantKey: () => '',
  describeParams: () => '',
} as const satisfies Pick<
  StrategyDef<Record<string, never>>,
  'defaults' | 'paramSpec' | 'variantKey' | 'describeParams'
>;
