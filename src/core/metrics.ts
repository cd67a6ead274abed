// Error metrics between an original array and what was decoded from a written file — the ONE place
// the app measures error (docs/ARCHITECTURE.md). Streaming: add() may be called slab by slab.
// Non-finite values are never hidden: a NaN that appears or disappears, or an infinity that is not
// preserved, makes maxAbsError (and rmse) Infinity and is counted.

import { CoreError } from './errors';
import type { NumberArray } from './ndarray';

export interface ErrorMetrics {
  /** max |decoded − original|; Infinity when any NaN/Inf mismatch exists. */
  readonly maxAbsError: number;
  /** max |decoded − original| / |original| over finite, non-zero originals (0 when there are none). */
  readonly maxRelError: number;
  /** sqrt(mean((decoded − original)²)) over all elements, equal NaNs/infinities counting as 0 error. */
  readonly rmse: number;
  /** 20·log10(range / rmse), range = max − min of the finite originals; Infinity when rmse = 0. */
  readonly psnr: number;
  /** Elements compared. */
  readonly count: number;
  /** Elements that are NaN on one side only. */
  readonly nanMismatch: number;
  /** Elements (neither NaN) where an ±Inf on either side is not matched exactly by the other. */
  readonly infMismatch: number;
  /** Flat index of the first element with the largest error; −1 when every element is exact. */
  readonly worstIndex: number;
}

export interface ErrorAccumulator {
  /** Compares the next slab: orig[i] vs decoded[i] (same length), continuing the flat index. */
  add(orig: NumberArray, decoded: NumberArray): void;
  /**
   * Compares the next slab of M×M matrices whose originals AND decoded values are each mirrored
   * across the diagonal, from the decoded upper triangles alone (`packed`: M(M+1)/2 values per
   * matrix, np.triu_indices order; `orig`: the full matrices, of which only the upper triangles are
   * read). The figures are those `add` gives on the full matrices: an off-diagonal error stands for
   * its two places (counted and squared twice), and the first largest error in C order is always an
   * upper-triangle place (its mirror comes later). Returns false, having changed nothing, when it
   * can't (a NaN, an infinity or a huge error in the slab, or no known range): then `add` the
   * rebuilt matrices. Optional: an accumulator that must see full slabs leaves it out.
   */
  addSymmetric?(orig: NumberArray, packed: NumberArray, m: number): boolean;
  result(): ErrorMetrics;
}

/** Errors up to this size are squared and summed directly: 2⁵³ of them can't overflow a double. */
const PLAIN_SQUARE_LIMIT = 1e140;

/** The running extremes and counts of an accumulator, and a slab's sum of ordinary squared errors. */
interface Extremes {
  min: number;
  max: number;
  maxAbs: number;
  worstIndex: number;
  maxRel: number;
  nanMismatch: number;
  infMismatch: number;
}
type SlabPass = Extremes & { sum: number };

/**
 * One slab's pass with no NaN/Inf branches, continuing the running maxima given as plain numbers;
 * `worst` is the slab's own index of a new largest error (−1: none). A module function of numbers,
 * not a closure over the accumulator's state object: V8 keeps its loop state unboxed (2·10⁷ noisy
 * values: 113 ms in Node as a closure reading and returning the state object, ~80 ms like this).
 * The originals' range is not tracked here: a job knows it from the input's analysis, and tracking it
 * cost the pass ~20 % in Chromium (64 vs 52 ms on 2·10⁷ values); `valueRange` does it otherwise.
 */
function plainSlabPass(
  orig: NumberArray,
  decoded: NumberArray,
  maxAbs: number,
  maxRel: number,
): { maxAbs: number; worst: number; maxRel: number; sum: number } {
  const n = orig.length;
  let worst = -1;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const o = orig[i]!;
    const err = Math.abs(decoded[i]! - o);
    if (err > maxAbs) {
      maxAbs = err;
      worst = i;
    }
    sum += err * err;
    const absO = Math.abs(o);
    if (err > maxRel * absO && o !== 0) maxRel = err / absO;
  }
  return { maxAbs, worst, maxRel, sum };
}

/**
 * plainSlabPass over mirrored matrices given by their upper triangles (see addSymmetric): each
 * off-diagonal error is squared once and counted twice; `worst` is the full slab's flat index. The
 * loop body is plainSlabPass's, inlined: calling it per triangle row (with offsets) made verifying
 * 1000×141×141 float16 triangles ~10 ms slower in Node (67–81 vs 59–64 ms).
 */
function symmetricSlabPass(
  orig: NumberArray,
  packed: NumberArray,
  m: number,
  maxAbs: number,
  maxRel: number,
): { maxAbs: number; worst: number; maxRel: number; sum: number } {
  const matrices = packed.length / ((m * (m + 1)) / 2);
  let worst = -1;
  let all = 0; // every place of the triangles once
  let diag = 0; // the diagonal's
  let k = 0;
  for (let i = 0; i < matrices; i++) {
    const base = i * m * m;
    for (let r = 0; r < m; r++) {
      // The diagonal place, then the places right of it (each standing for its mirror too).
      const at = base + r * m + r;
      const dk = k;
      for (let q = at, end = base + (r + 1) * m; q < end; q++) {
        const o = orig[q]!;
        const err = Math.abs(packed[k++]! - o);
        if (err > maxAbs) {
          maxAbs = err;
          worst = q;
        }
        all += err * err;
        const absO = Math.abs(o);
        if (err > maxRel * absO && o !== 0) maxRel = err / absO;
      }
      const d = packed[dk]! - orig[at]!;
      diag += d * d;
    }
  }
  return { maxAbs, worst, maxRel, sum: 2 * all - diag };
}

/**
 * How many leading values of two arrays of the same type are equal (NaN matching NaN, as the careful
 * pass counts them): their errors are all 0. A lossless file's read-back is equal throughout, and
 * this loop is about twice as fast as the error pass (2·10⁷ float64 in Node: ~30 vs ~61 ms), which
 * then only runs from the first difference on (right away for a lossy file, nearly always).
 */
function equalPrefix(orig: NumberArray, decoded: NumberArray): number {
  if (orig.constructor !== decoded.constructor) return 0;
  const n = orig.length;
  let i = 0;
  for (; i < n; i++) {
    const o = orig[i]!;
    const d = decoded[i]!;
    if (o !== d && (o === o || d === d)) break;
  }
  return i;
}

/** Smallest and largest of values that are all finite, continuing a running range. */
function valueRange(orig: NumberArray, min: number, max: number): [number, number] {
  for (let i = 0; i < orig.length; i++) {
    const o = orig[i]!;
    min = Math.min(min, o);
    max = Math.max(max, o);
  }
  return [min, max];
}

export interface AccumulatorOptions {
  /**
   * The finite originals' smallest and largest value, when the caller knows them (a job compares its
   * whole input, which the loader has analysed): PSNR's range, not tracked again per slab.
   */
  range?: { min: number; max: number };
}

export function createErrorAccumulator(opts: AccumulatorOptions = {}): ErrorAccumulator {
  const known = opts.range && opts.range.max >= opts.range.min ? opts.range : null;
  let count = 0;
  let e: Extremes = {
    min: Infinity,
    max: -Infinity,
    maxAbs: 0,
    worstIndex: -1,
    maxRel: 0,
    nanMismatch: 0,
    infMismatch: 0,
  };
  // Squared errors: ordinary ones summed directly (per slab, then added with Neumaier compensation);
  // the rare huge ones (> 1e140) as scale² · ssq, rescaled like LAPACK's dnrm2, so nothing overflows.
  let plainSum = 0;
  let plainComp = 0;
  let scale = 0;
  let ssq = 0;
  let infiniteError = false;

  function addHuge(err: number): void {
    if (err > scale) {
      const f = scale / err;
      ssq = 1 + ssq * f * f;
      scale = err;
    } else {
      const q = err / scale;
      ssq += q * q;
    }
  }

  /** The common case: the slab's figures, or null when it needs the careful pass. */
  function fastPass(orig: NumberArray, decoded: NumberArray): SlabPass | null {
    const p = plainSlabPass(orig, decoded, e.maxAbs, e.maxRel);
    // A NaN or infinity on either side makes the sum NaN or Infinity; a huge error shows in maxAbs.
    // Either way this pass's figures are dropped.
    if (!(p.sum < Infinity) || !(p.maxAbs <= PLAIN_SQUARE_LIMIT)) return null;
    const worstIndex = p.worst < 0 ? e.worstIndex : count + p.worst;
    // Every original is finite here (an infinite one makes its error NaN or ∞).
    const [min, max] = known ? [e.min, e.max] : valueRange(orig, e.min, e.max);
    return { ...e, min, max, maxAbs: p.maxAbs, worstIndex, maxRel: p.maxRel, sum: p.sum };
  }

  function addPlain(sum: number): void {
    const t = plainSum + sum;
    plainComp += Math.abs(plainSum) >= sum ? plainSum - t + sum : sum - t + plainSum;
    plainSum = t;
  }

  /** Every value checked for NaN and infinities; huge errors summed without overflow. */
  function carefulPass(orig: NumberArray, decoded: NumberArray): SlabPass {
    const n = orig.length;
    // The hot loop keeps its state in locals (closure variables live in a heap context) and avoids
    // divisions: the relative error is divided out only when it may be a new maximum.
    let { min, max, maxAbs, worstIndex, maxRel, nanMismatch, infMismatch } = e;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const o = orig[i]!;
      const d = decoded[i]!;
      const oFinite = o - o === 0;
      // Branch-free min/max/abs: with noisy data `d > o ? …` mispredicts half the time (2× slower).
      if (oFinite) {
        min = Math.min(min, o);
        max = Math.max(max, o);
      }
      if (o === d) continue; // exact, including the same infinity
      let err: number;
      if (o !== o || d !== d) {
        if (o !== o && d !== d) continue; // NaN in both places: equal
        nanMismatch++;
        err = Infinity;
      } else {
        if (!oFinite || d - d !== 0) infMismatch++;
        err = Math.abs(d - o); // Infinity when an infinity is involved or the difference overflows
      }
      if (err > maxAbs) {
        maxAbs = err;
        worstIndex = count + i;
      }
      const absO = Math.abs(o);
      if (err > maxRel * absO && oFinite && o !== 0) {
        const rel = err / absO;
        if (rel > maxRel) maxRel = rel;
      }
      if (err <= PLAIN_SQUARE_LIMIT) sum += err * err;
      else if (err === Infinity) infiniteError = true;
      else addHuge(err);
    }
    return { min, max, maxAbs, worstIndex, maxRel, nanMismatch, infMismatch, sum };
  }

  return {
    add(orig: NumberArray, decoded: NumberArray): void {
      const n = orig.length;
      if (decoded.length !== n)
        throw new CoreError(
          'BAD_SHAPE',
          `Cannot compare ${n} original values with ${decoded.length} decoded ones.`,
        );
      // Most slabs hold only finite values with ordinary errors: one tight pass with no per-element
      // NaN/Inf branches (3× faster). Its result is kept only when the slab proves it was that kind
      // (a finite sum of squares, every error ≤ PLAIN_SQUARE_LIMIT); otherwise the careful pass
      // below runs on the same slab from the same state. Either pass returns the new extremes.
      // Values equal to their originals change nothing but the count when the originals' range is
      // known, so with a known range the passes start at the first difference.
      const same = known ? equalPrefix(orig, decoded) : 0;
      count += same;
      if (same === n) return;
      const o = same > 0 ? orig.subarray(same) : orig;
      const d = same > 0 ? decoded.subarray(same) : decoded;
      const { sum, ...extremes } = fastPass(o, d) ?? carefulPass(o, d);
      e = extremes;
      addPlain(sum);
      count += n - same;
    },

    addSymmetric(orig: NumberArray, packed: NumberArray, m: number): boolean {
      const t = (m * (m + 1)) / 2;
      if (!Number.isSafeInteger(m) || m < 1 || packed.length % t !== 0)
        throw new CoreError('BAD_SHAPE', `${packed.length} packed values are not triangles of ${t}.`);
      const matrices = packed.length / t;
      if (orig.length !== matrices * m * m)
        throw new CoreError(
          'BAD_SHAPE',
          `Cannot compare ${orig.length} original values with ${matrices} packed ${m}×${m} matrices.`,
        );
      // The range is the loader's (this pass reads only half of the originals).
      if (!known) return false;
      const p = symmetricSlabPass(orig, packed, m, e.maxAbs, e.maxRel);
      if (!(p.sum < Infinity) || !(p.maxAbs <= PLAIN_SQUARE_LIMIT)) return false;
      const worstIndex = p.worst < 0 ? e.worstIndex : count + p.worst;
      e = { ...e, maxAbs: p.maxAbs, worstIndex, maxRel: p.maxRel };
      addPlain(p.sum);
      count += orig.length;
      return true;
    },

    result(): ErrorMetrics {
      const plain = plainSum + plainComp;
      let rmse: number;
      if (infiniteError) rmse = Infinity;
      else if (count === 0) rmse = 0;
      else if (scale === 0) rmse = Math.sqrt(plain / count);
      else rmse = scale * Math.sqrt((plain / scale / scale + ssq) / count);
      const { maxAbs, maxRel, nanMismatch, infMismatch, worstIndex } = e;
      const { min, max } = known ?? e;
      const range = max - min; // NaN-free: -Infinity - Infinity when there were no finite originals
      let psnr: number;
      if (rmse === 0) psnr = Infinity;
      else if (!(range >= 0)) psnr = NaN;
      else psnr = 20 * Math.log10(range / rmse);
      return {
        maxAbsError: maxAbs,
        maxRelError: maxRel,
        rmse,
        psnr,
        count,
        nanMismatch,
        infMismatch,
        worstIndex,
      };
    },
  };
}

/** Error metrics of `decoded` against `orig` in one call. */
export function compareArrays(orig: NumberArray, decoded: NumberArray): ErrorMetrics {
  const acc = createErrorAccumulator();
  acc.add(orig, decoded);
  return acc.result();
}

/**
 * Compression ratio originalBytes / fileBytes: 8 means the file is 8× smaller (12.5 % of the size).
 */
export function bytesRatio(originalBytes: number, fileBytes: number): number {
  if (
    !(fileBytes > 0) ||
    !Number.isFinite(fileBytes) ||
    !(originalBytes >= 0) ||
    !Number.isFinite(originalBytes)
  )
    throw new CoreError(
      'BAD_PARAMS',
      `Cannot compute a size ratio of ${originalBytes} to ${fileBytes} bytes.`,
    );
  return originalBytes / fileBytes;
}
