// The in-memory array every layer shares: a C-order typed array in the platform's (little-endian)
// byte order, its shape and its numpy dtype code. Nothing here copies data.

/** numpy dtype kinds+sizes we support (byte order is normalised to little-endian on load). */
export type DTypeCode = 'b1' | 'i1' | 'u1' | 'i2' | 'u2' | 'i4' | 'u4' | 'i8' | 'u8' | 'f2' | 'f4' | 'f8';

export const DTYPE_CODES: readonly DTypeCode[] = [
  'b1',
  'i1',
  'u1',
  'i2',
  'u2',
  'i4',
  'u4',
  'i8',
  'u8',
  'f2',
  'f4',
  'f8',
];

export const DTYPE_BYTES: Record<DTypeCode, number> = {
  b1: 1,
  i1: 1,
  u1: 1,
  i2: 2,
  u2: 2,
  i4: 4,
  u4: 4,
  i8: 8,
  u8: 8,
  f2: 2,
  f4: 4,
  f8: 8,
};

/** Typed arrays whose elements read as JS numbers. */
export type NumberArray =
  Uint8Array | Int8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

export type TypedArray = NumberArray | BigInt64Array | BigUint64Array;

/**
 * The rows of an array a writer pulls instead of holding it whole: rows [r0, r1) along axis 0, asked
 * for in order, each slab used (copied or compressed) before the next is asked for; `done` once the
 * writer is finished with them (written or failed).
 */
export interface RowSlabs {
  rows(r0: number, r1: number): TypedArray;
  done?(): void;
  /**
   * Bytes one row costs to produce when more than it stores (rows laid out as float64 and then cast
   * to 1-byte codes): writers size their slabs by the larger of the two, so a slab's intermediate
   * arrays stay near `slabBytes` too (8 MiB of 1-byte codes was 64 MiB of float64 rows).
   */
  rowBytes?: number;
}

/** Rows per writer slab: whole `align`-row bands within `slabBytes` of the larger row cost (≥ 1 band). */
export function slabRowsFor(
  rowBytes: number,
  source: RowSlabs | null | undefined,
  align: number,
  slabBytes: number,
): number {
  const cost = Math.max(1, rowBytes, source?.rowBytes ?? 0);
  return align * Math.max(1, Math.floor(slabBytes / (cost * align)));
}

/**
 * Bytes a writer pulls from a RowSlabs at a time by default (the HDF5 writer and the Zarr store).
 * Slabs stay resident in the wasm heap (which never shrinks) and in the JS heap until collected: with
 * 8 MiB (and 8 MiB read and verify slabs) the seed bench's peak PSS over idle went from +1109 to +911
 * MiB (3-run medians) at the same speed; 4 MiB gained nothing more.
 */
export const ROW_SLAB_BYTES = 8 * 2 ** 20;

/**
 * `f2` data is held as raw IEEE half bit patterns in a Uint16Array (use core/float16 to widen);
 * `b1` as 0/1 bytes; `i8`/`u8` as BigInt arrays.
 */
export interface NdArray {
  readonly dtype: DTypeCode;
  readonly shape: readonly number[];
  readonly data: TypedArray;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** numpy's dtype string for a code in little-endian order, e.g. `<f8`, `|u1`. */
export function numpyDescr(dtype: DTypeCode): string {
  return DTYPE_BYTES[dtype] === 1 ? `|${dtype}` : `<${dtype}`;
}

/** True when the array is a stack (rank ≥ 2) whose two trailing axes are equal: triangle packing applies. */
export function isSquareStack(shape: readonly number[]): boolean {
  return (
    shape.length >= 2 && shape[shape.length - 1] === shape[shape.length - 2] && shape[shape.length - 1]! > 0
  );
}

/**
 * A typed array of the dtype's element type over `buffer` (shared or not) from `byteOffset`, without
 * copying.
 */
export function typedArrayFor(
  dtype: DTypeCode,
  buffer: ArrayBufferLike,
  length?: number,
  byteOffset = 0,
): TypedArray {
  switch (dtype) {
    case 'b1':
    case 'u1':
      return new Uint8Array(buffer, byteOffset, length);
    case 'i1':
      return new Int8Array(buffer, byteOffset, length);
    case 'i2':
      return new Int16Array(buffer, byteOffset, length);
    case 'u2':
    case 'f2':
      return new Uint16Array(buffer, byteOffset, length);
    case 'i4':
      return new Int32Array(buffer, byteOffset, length);
    case 'u4':
      return new Uint32Array(buffer, byteOffset, length);
    case 'i8':
      return new BigInt64Array(buffer, byteOffset, length);
    case 'u8':
      return new BigUint64Array(buffer, byteOffset, length);
    case 'f4':
      return new Float32Array(buffer, byteOffset, length);
    case 'f8':
      return new Float64Array(buffer, byteOffset, length);
  }
}
