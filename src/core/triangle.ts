// Layout `upper-triangle-rowmajor` (docs/FILE-FORMAT.md): each M×M matrix of a stack is stored as its
// M(M+1)/2 upper-triangle values including the diagonal, row by row — numpy's np.triu_indices(M)
// order, so `A[..., iu[0], iu[1]]` in numpy gives the same vector.
// Hard constraint: plain index loops into preallocated typed arrays, no per-row allocations.

import { CoreError } from './errors';
import type { NumberArray } from './ndarray';
import { isSquareStack, sizeOf } from './ndarray';
import { recycledArray } from './release';
import type { ArrayType } from './release';

export const UPPER_TRIANGLE_LAYOUT = 'upper-triangle-rowmajor';

/** M(M+1)/2: values per packed M×M matrix. */
export function triangleSize(m: number): number {
  return (m * (m + 1)) / 2;
}

/** Shape of the packed array: the stack's leading axes, then M(M+1)/2. */
export function packedShape(shape: readonly number[]): number[] {
  assertSquare(shape);
  return [...shape.slice(0, -2), triangleSize(shape[shape.length - 1]!)];
}

/** Row and column of each packed position, as numpy's np.triu_indices(m). */
export function triuIndices(m: number): [Int32Array, Int32Array] {
  const rows = new Int32Array(triangleSize(m));
  const cols = new Int32Array(rows.length);
  let k = 0;
  for (let r = 0; r < m; r++)
    for (let c = r; c < m; c++, k++) {
      rows[k] = r;
      cols[k] = c;
    }
  return [rows, cols];
}

function assertSquare(shape: readonly number[]): void {
  if (!isSquareStack(shape))
    throw new CoreError(
      'BAD_SHAPE',
      `Triangle packing needs a stack of square matrices (… × M × M), got shape (${shape.join(', ')}).`,
    );
}

/** The matrix size and count of a stack of M×M matrices that `src` fills exactly. */
function stackOf(src: NumberArray, shape: readonly number[]): { m: number; count: number } {
  assertSquare(shape);
  const n = sizeOf(shape);
  if (src.length !== n)
    throw new CoreError('BAD_SHAPE', `${src.length} values do not fill shape (${shape.join(', ')}).`);
  const m = shape[shape.length - 1]!;
  return { m, count: n / (m * m) };
}

function isFloatArray(a: NumberArray): boolean {
  return a instanceof Float64Array || a instanceof Float32Array;
}

function checkOut(out: NumberArray, need: number): void {
  if (out.length < need)
    throw new CoreError('BAD_PARAMS', `The output array holds ${out.length} values; ${need} are needed.`);
}

/**
 * Packs each M×M matrix of `src` (shape […, M, M], C order) into its upper triangle, storing
 * (A + Aᵀ)/2 for each pair — the same doubles as numpy's `(A + A.T) / 2` — so a near-symmetric input
 * loses at most half of max|A − Aᵀ|. On exactly symmetric input this is an exact copy ((a + a)/2 == a
 * for every finite float; NaN stays NaN). Where a + b overflows although both are finite, a/2 + b/2 is
 * stored instead (numpy would give ±Inf). Integer outputs store Math.round of the mean (a typed-array
 * store would truncate toward zero). Float32 output rounds the exact double mean once.
 * `out` defaults to a new array of src's type; it may be any other numeric typed array.
 * Float16 bit patterns (dtype 'f2') must be widened first unless the input is exactly symmetric.
 */
export function packUpper<T extends NumberArray>(src: T, shape: readonly number[]): T;
export function packUpper<O extends NumberArray>(src: NumberArray, shape: readonly number[], out: O): O;
export function packUpper(src: NumberArray, shape: readonly number[], out?: NumberArray): NumberArray {
  const { m, count } = stackOf(src, shape);
  const t = triangleSize(m);
  const dst = out ?? recycledArray(src.constructor as ArrayType<NumberArray>, count * t);
  checkOut(dst, count * t);
  const roundInts = !isFloatArray(dst);
  // Each matrix's lower triangle is first copied transposed into a scratch matrix, so both halves of
  // every pair are then read along rows (walking a column of the source was 1.8× slower in Node).
  const lowerT = lowerScratch(m * m);
  let k = 0;
  for (let i = 0; i < count; i++) {
    const base = i * m * m;
    for (let c = 1; c < m; c++) {
      const rowC = base + c * m;
      for (let r = 0, q = c; r < c; r++, q += m) lowerT[q] = src[rowC + r]!;
    }
    for (let r = 0; r < m; r++) {
      const row = base + r * m;
      const rowT = r * m;
      dst[k++] = src[row + r]!; // diagonal: (a + a)/2 == a
      for (let c = r + 1; c < m; c++) {
        const a = src[row + c]!;
        const b = lowerT[rowT + c]!;
        let v = (a + b) * 0.5;
        // ±Inf from two finite values: the sum overflowed.
        if ((v === Infinity || v === -Infinity) && a - a === 0 && b - b === 0) v = a * 0.5 + b * 0.5;
        dst[k++] = roundInts ? Math.round(v) : v;
      }
    }
  }
  return dst;
}

/**
 * The upper triangle of each M×M matrix of `src` as it is, row by row: for an exactly symmetric input
 * without NaN the numbers packUpper stores, without reading the lower half (about twice as fast: the
 * mean of a pair of equal values is that value, a + a overflowing included). The one difference in
 * bits: a pair of zeros of opposite signs keeps the upper one's sign where packUpper stores +0, and
 * both restore to equal numbers. `out` may be any float typed array (a float32 store rounds once).
 */
export function copyUpper(src: NumberArray, shape: readonly number[], out: NumberArray): NumberArray {
  const { m, count } = stackOf(src, shape);
  if (!isFloatArray(out) && isFloatArray(src))
    throw new CoreError('BAD_PARAMS', 'copyUpper stores floats in a float array only (no rounding here).');
  checkOut(out, count * triangleSize(m));
  let k = 0;
  for (let i = 0; i < count; i++) {
    const base = i * m * m;
    for (let r = 0; r < m; r++) {
      for (let q = base + r * m + r, end = base + (r + 1) * m; q < end; q++) out[k++] = src[q]!;
    }
  }
  return out;
}

let lowerTScratch: Float64Array | null = null;

/**
 * packUpper's scratch matrix, kept for the next call (one per slab) instead of left to the collector
 * (as quantize's block).
 */
function lowerScratch(n: number): Float64Array {
  if (!lowerTScratch || lowerTScratch.length < n) lowerTScratch = new Float64Array(n);
  return lowerTScratch;
}

/**
 * Expands packed upper triangles (count × M(M+1)/2 values) back to count full symmetric M×M
 * matrices, mirroring each value. `out` defaults to a new array of `packed`'s type.
 */
export function unpackUpper<T extends NumberArray>(packed: T, m: number, count: number): T;
export function unpackUpper<O extends NumberArray>(packed: NumberArray, m: number, count: number, out: O): O;
export function unpackUpper(packed: NumberArray, m: number, count: number, out?: NumberArray): NumberArray {
  if (!Number.isSafeInteger(m) || m < 1 || !Number.isSafeInteger(count) || count < 0)
    throw new CoreError('BAD_PARAMS', `Matrix size ${m} and count ${count} must be integers ≥ 1 and ≥ 0.`);
  const t = triangleSize(m);
  if (packed.length !== count * t)
    throw new CoreError('BAD_SHAPE', `${packed.length} packed values are not ${count} triangles of ${t}.`);
  const dst = out ?? recycledArray(packed.constructor as ArrayType<NumberArray>, count * m * m);
  checkOut(dst, count * m * m);
  let k = 0;
  for (let i = 0; i < count; i++) {
    const base = i * m * m;
    for (let r = 0; r < m; r++) {
      const row = base + r * m;
      dst[row + r] = packed[k++]!;
      for (let c = r + 1, q = base + (r + 1) * m + r; c < m; c++, q += m) {
        const v = packed[k++]!;
        dst[row + c] = v;
        dst[q] = v;
      }
    }
  }
  return dst;
}
