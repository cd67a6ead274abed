// One-pass summary of an array: range, NaN/Inf counts, float16 hazards and, for stacks of square
// matrices, the largest asymmetry max|A − Aᵀ|. Streaming-capable (createAnalyzer) so big files can be
// summarised block by block of whole matrices.

import { CoreError } from './errors';
import { float16BitsToFloat64, FLOAT16_MAX, FLOAT16_MIN_NORMAL } from './float16';
import type { DTypeCode, NdArray, NumberArray, TypedArray } from './ndarray';
import { isSquareStack, sizeOf } from './ndarray';

export type Symmetry = 'exact' | 'near' | 'no';

export interface ArraySummary {
  readonly dtype: DTypeCode;
  readonly shape: readonly number[];
  /** Elements analysed (equals the array size once every row was added). */
  readonly count: number;
  /** Smallest and largest finite values; NaN when there are none. */
  readonly min: number;
  readonly max: number;
  /** max |x| over finite values (0 when there are none). */
  readonly maxAbs: number;
  readonly nanCount: number;
  readonly posInfCount: number;
  readonly negInfCount: number;
  readonly finiteCount: number;
  readonly zeroCount: number;
  /** The two trailing axes are equal (triangle packing applies). */
  readonly isSquareStack: boolean;
  /**
   * max |A − Aᵀ| over every matrix of the stack; NaN when not a square stack. Positions where both
   * values are NaN (or the same infinity) count as equal; a NaN facing a number, or +Inf facing −Inf,
   * makes it Infinity.
   */
  readonly maxAsymmetry: number;
  /**
   * 'exact' when maxAsymmetry is 0; 'near' when maxAsymmetry ≤ nearTolerance × maxAbs (default
   * nearTolerance 1e-6, i.e. the asymmetry is rounding-level relative to the data); otherwise 'no'
   * (also for arrays that are not square stacks).
   */
  readonly symmetric: Symmetry;
  /** Finite values with |x| > 65504, the largest float16 (those in [65520, ∞) even become ±Inf). */
  readonly overFloat16Count: number;
  /** Finite values with 0 < |x| < 6.103515625e-5 = 2^-14: float16 subnormals, fewer significant digits. */
  readonly float16SubnormalCount: number;
  /**
   * For square stacks: the upper-triangle pairs (i ≤ j, np.triu_indices order, as flat positions in
   * that order) where A[i, j] or A[j, i] is non-zero (or NaN) in at least one matrix. Pairs not listed
   * are exactly 0 in every matrix. null when not a square stack.
   */
  readonly usedPairs: number[] | null;
}

export interface AnalyzeOptions {
  /** Relative tolerance for 'near' symmetry (see ArraySummary.symmetric). Default 1e-6. */
  nearTolerance?: number;
}

export interface AnalyzerOptions extends AnalyzeOptions {
  /**
   * dtype of the rows passed to add(). Needed for 'f2' (raw half bits in a Uint16Array); otherwise
   * inferred from the typed array (Uint16Array → 'u2', Uint8Array → 'u1').
   */
  dtype?: DTypeCode;
}

export interface Analyzer {
  /** Adds rows [startRow, startRow + k) along axis 0 (for a stack: k whole matrices), C order. */
  add(rows: TypedArray, startRow: number): void;
  /** Summary of everything added so far. */
  result(): ArraySummary;
}

export const DEFAULT_NEAR_TOLERANCE = 1e-6;

function inferDtype(a: TypedArray): DTypeCode {
  if (a instanceof Float64Array) return 'f8';
  if (a instanceof Float32Array) return 'f4';
  if (a instanceof Int8Array) return 'i1';
  if (a instanceof Uint8Array) return 'u1';
  if (a instanceof Int16Array) return 'i2';
  if (a instanceof Uint16Array) return 'u2';
  if (a instanceof Int32Array) return 'i4';
  if (a instanceof Uint32Array) return 'u4';
  if (a instanceof BigInt64Array) return 'i8';
  return 'u8';
}

/** Running statistics; plain fields so the hot loops stay monomorphic. */
class Stats {
  count = 0;
  min = Infinity;
  max = -Infinity;
  nan = 0;
  posInf = 0;
  negInf = 0;
  finite = 0;
  zero = 0;
  over16 = 0;
  sub16 = 0;
  maxAsym = 0;
  /** Per position r·m + c (r ≤ c): the pair was seen non-zero (see ArraySummary.usedPairs). */
  used: Uint8Array | null = null;

  /** Value statistics over v[from, to). */
  values(v: NumberArray, from: number, to: number): void {
    let { min, max, nan, posInf, negInf, finite, zero, over16, sub16 } = this;
    for (let i = from; i < to; i++) {
      const x = v[i]!;
      if (x !== x) nan++;
      else if (x === Infinity) posInf++;
      else if (x === -Infinity) negInf++;
      else {
        finite++;
        if (x < min) min = x;
        if (x > max) max = x;
        const ax = x < 0 ? -x : x;
        if (ax > FLOAT16_MAX) over16++;
        else if (ax < FLOAT16_MIN_NORMAL) {
          if (ax === 0) zero++;
          else sub16++;
        }
      }
    }
    Object.assign(this, { min, max, nan, posInf, negInf, finite, zero, over16, sub16 });
    this.count += to - from;
  }

  /** max |A − Aᵀ| of the m×m matrix at v[base ...], NaN-aware (see ArraySummary.maxAsymmetry). */
  asymmetry(v: NumberArray, base: number, m: number): void {
    let worst = this.maxAsym;
    const used = (this.used ??= new Uint8Array(m * m));
    for (let r = 0; r < m; r++) {
      const row = base + r * m;
      if (v[row + r] !== 0) used[r * m + r] = 1;
      for (let c = r + 1, q = base + (r + 1) * m + r; c < m; c++, q += m) {
        const x = v[row + c]!;
        const y = v[q]!;
        if (x !== 0 || y !== 0) used[r * m + c] = 1;
        if (x !== y) {
          let d = x - y;
          if (d < 0) d = -d;
          if (d > worst) worst = d;
          // d is NaN: one side NaN (infinitely asymmetric) or both NaN (equal).
          else if (d !== d && (x === x || y === y)) worst = Infinity;
        }
      }
    }
    this.maxAsym = worst;
  }
}

/** Streams rows along axis 0 of an array of `shape` into a summary (see ArraySummary). */
export function createAnalyzer(shape: readonly number[], opts: AnalyzerOptions = {}): Analyzer {
  const nearTolerance = opts.nearTolerance ?? DEFAULT_NEAR_TOLERANCE;
  if (!(nearTolerance >= 0)) throw new CoreError('BAD_PARAMS', 'nearTolerance must be ≥ 0.');
  for (const d of shape)
    if (!Number.isSafeInteger(d) || d < 0)
      throw new CoreError('BAD_SHAPE', `Shape (${shape.join(', ')}) must hold non-negative integers.`);
  const rows = shape.length === 0 ? 1 : shape[0]!;
  const rowSize = shape.length === 0 ? 1 : sizeOf(shape.slice(1));
  const square = isSquareStack(shape);
  const m = square ? shape[shape.length - 1]! : 0;
  // A single matrix (rank 2) arrives row by row: keep its values to compare A with Aᵀ at the end.
  const whole = square && shape.length === 2 ? new Float64Array(m * m) : null;
  let dtype = opts.dtype;
  const stats = new Stats();
  let scratch: Float64Array | null = null;

  function asNumbers(rowsData: TypedArray): NumberArray {
    if (dtype === 'f2') return float16BitsToFloat64(rowsData as Uint16Array, widen(rowsData.length));
    if (rowsData instanceof BigInt64Array || rowsData instanceof BigUint64Array) {
      const out = widen(rowsData.length);
      for (let i = 0; i < rowsData.length; i++) out[i] = Number(rowsData[i]!);
      return out;
    }
    return rowsData;
  }

  function widen(n: number): Float64Array {
    if (!scratch || scratch.length < n) scratch = new Float64Array(n);
    return scratch.length === n ? scratch : scratch.subarray(0, n);
  }

  return {
    add(rowsData: TypedArray, startRow: number): void {
      dtype ??= inferDtype(rowsData);
      const k = rowSize === 0 ? 0 : rowsData.length / rowSize;
      if (!Number.isInteger(k) || (rowSize === 0 && rowsData.length !== 0))
        throw new CoreError('BAD_SHAPE', `${rowsData.length} values are not whole rows of ${rowSize}.`);
      if (!Number.isSafeInteger(startRow) || startRow < 0 || startRow + k > rows)
        throw new CoreError('BAD_PARAMS', `Rows [${startRow}, ${startRow + k}) are outside 0..${rows}.`);
      const v = asNumbers(rowsData);
      // Matrix by matrix, so each matrix is hot in cache for its asymmetry scan right after its values.
      if (square && !whole) {
        const mm = m * m;
        for (let base = 0; base < v.length; base += mm) {
          stats.values(v, base, base + mm);
          stats.asymmetry(v, base, m);
        }
      } else {
        stats.values(v, 0, v.length);
        if (whole) whole.set(v, startRow * m);
      }
    },

    result(): ArraySummary {
      const s = stats;
      let maxAsymmetry = NaN;
      let used: Uint8Array | null = null;
      if (square) {
        if (whole) {
          const t = new Stats();
          t.asymmetry(whole, 0, m);
          maxAsymmetry = t.maxAsym;
          used = t.used;
        } else {
          maxAsymmetry = s.maxAsym;
          used = s.used;
        }
      }
      let usedPairs: number[] | null = null;
      if (square) {
        usedPairs = [];
        for (let r = 0, k = 0; r < m; r++)
          for (let c = r; c < m; c++, k++) if (used && used[r * m + c]) usedPairs.push(k);
      }
      const hasFinite = s.finite > 0;
      const maxAbs = hasFinite ? Math.max(-s.min, s.max) : 0;
      let symmetric: Symmetry = 'no';
      if (square && maxAsymmetry === 0) symmetric = 'exact';
      else if (square && maxAsymmetry <= nearTolerance * maxAbs) symmetric = 'near';
      return {
        dtype: dtype ?? 'f8',
        shape: [...shape],
        count: s.count,
        min: hasFinite ? s.min : NaN,
        max: hasFinite ? s.max : NaN,
        maxAbs,
        nanCount: s.nan,
        posInfCount: s.posInf,
        negInfCount: s.negInf,
        finiteCount: s.finite,
        zeroCount: s.zero,
        isSquareStack: square,
        maxAsymmetry,
        symmetric,
        overFloat16Count: s.over16,
        float16SubnormalCount: s.sub16,
        usedPairs,
      };
    },
  };
}

/** Summarises a whole array in one pass (see ArraySummary). */
export function analyzeArray(arr: NdArray, opts: AnalyzeOptions = {}): ArraySummary {
  const a = createAnalyzer(arr.shape, { ...opts, dtype: arr.dtype });
  if (arr.data.length !== sizeOf(arr.shape))
    throw new CoreError(
      'BAD_SHAPE',
      `${arr.data.length} values do not fill shape (${arr.shape.join(', ')}).`,
    );
  if (arr.data.length > 0 || arr.shape.length === 0) {
    // For huge non-f8 arrays, widen (f2, i8, u8) in blocks of rows rather than all at once.
    const rows = arr.shape.length === 0 ? 1 : arr.shape[0]!;
    const rowSize = arr.data.length / rows;
    const needsWidening = arr.dtype === 'f2' || arr.dtype === 'i8' || arr.dtype === 'u8';
    const step = needsWidening ? Math.max(1, Math.floor((1 << 20) / Math.max(1, rowSize))) : rows;
    const whole = arr.shape.length === 2 && isSquareStack(arr.shape);
    for (let r = 0; r < rows; r += whole ? rows : step) {
      const end = whole ? rows : Math.min(rows, r + step);
      a.add(arr.data.subarray(r * rowSize, end * rowSize), r);
    }
  }
  return a.result();
}
