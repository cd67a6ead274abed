// Quality beyond one number: where the error lands, not just its maximum. From original vs decoded
// values (streamed in C order, slab by slab): a histogram of |error| on log-spaced bins, the worst
// matrices (entries of the leading axes) and worst features (row/column index of the last two axes),
// and — for stacks of square matrices such as SHAP interaction values (samples × F × F) — whether the
// feature ranking by mean |value| survives the encoding (Spearman ρ, top-10 set and order).
// Also: how many of the original's exact zeros decode to exactly 0, and for square matrices the
// additivity error — the largest drift of a row sum, max over matrices and rows of
// |Σⱼ decoded[i,j] − Σⱼ original[i,j]| (for SHAP interaction values, the drift of a main effect).
// Error per element follows core/metrics.ts: NaN facing NaN and the same infinity are exact; any other
// NaN/Inf mismatch is an infinite error.
// Hard constraint: one pass, plain index loops, no per-element allocation.

import { CoreError } from './errors';
import type { NumberArray } from './ndarray';
import { sizeOf } from './ndarray';

export interface HistogramBin {
  /** Lower edge (0 for the first bin when smaller errors were merged into it). */
  lo: number;
  /** Upper edge (exclusive). */
  hi: number;
  count: number;
}

export interface ErrorHistogram {
  /** Elements whose decoded value equals the original exactly. */
  zero: number;
  /** Elements with an infinite error (NaN/Inf not preserved, or an overflowing difference). */
  nonFinite: number;
  /** Log-spaced bins of the finite, non-zero errors, smallest first: [10^(k/b), 10^((k+1)/b)). */
  bins: HistogramBin[];
  binsPerDecade: number;
  /** k of the first bin (its edges are 10^(k/b) … unless merged, see HistogramBin.lo). */
  firstBin: number;
}

export interface IndexedError {
  index: number;
  maxError: number;
}

export interface RankingStability {
  /** Mean |value| per feature (row index of the last two axes, over samples and the other axis). */
  importanceBefore: number[];
  importanceAfter: number[];
  /** Spearman rank correlation of the two importance vectors (average ranks for ties); NaN if constant. */
  spearman: number;
  /** Up to 10 most important features, most important first (ties: lower index first). */
  topBefore: number[];
  topAfter: number[];
  /** The top-10 sets are the same (order aside). */
  topUnchanged: boolean;
  /** The top 10 is the same list in the same order. */
  topOrderUnchanged: boolean;
  /** Pairs of features in both top lists whose order flipped (0 when the order is kept). */
  topSwaps: number;
  /** Features that entered / left the top list (by importance after / before). */
  topEntered: number[];
  topLeft: number[];
}

export interface ZerosKept {
  /** Values exactly 0 in the original (−0 counts as 0). */
  original: number;
  /** Of those, how many decode to exactly 0. */
  kept: number;
}

export interface AdditivityError {
  /** max over matrices and rows of |Σⱼ decoded[i,j] − Σⱼ original[i,j]| (metrics' NaN/Inf rules). */
  maxError: number;
  /** Where it is largest (the first such row in C order). */
  matrix: number;
  row: number;
  /** Length of a row (M): the drift is at most M × the max abs error. */
  rowLength: number;
}

export interface QualitySummary {
  shape: number[];
  count: number;
  histogram: ErrorHistogram;
  /** Matrices = entries of all axes but the last two (0 for rank < 2). */
  matrixCount: number;
  matrixShape: [number, number] | null;
  /** Largest error of each matrix, worst first (top `topK`). */
  worstMatrices: IndexedError[];
  /** Square matrices: feature f = row f and column f together; otherwise empty. */
  worstFeatures: IndexedError[];
  worstRows: IndexedError[];
  worstColumns: IndexedError[];
  /** Stacks (rank ≥ 3) of square matrices only. */
  ranking: RankingStability | null;
  zeros: ZerosKept;
  /** Square matrices (rank ≥ 2) only. */
  additivity: AdditivityError | null;
}

export interface QualityOptions {
  /** Histogram resolution (default 2 bins per decade). */
  binsPerDecade?: number;
  /** Bins kept below the largest error; smaller errors merge into the first bin (default 40). */
  maxBins?: number;
  /** Length of the worst-matrix/feature lists (default 10). */
  topK?: number;
}

export interface QualityAccumulator {
  /** The next elements in C order (any slab length; slabs must follow each other). */
  add(orig: NumberArray, decoded: NumberArray): void;
  result(): QualitySummary;
}

export const TOP_FEATURES = 10;

/** |decoded − original| with core/metrics.ts's NaN/Inf rules. */
export function elementError(o: number, d: number): number {
  if (o === d) return 0;
  if (o !== o || d !== d) return o !== o && d !== d ? 0 : Infinity;
  return d > o ? d - o : o - d;
}

/** Indices sorted by value, largest first; ties by lower index. NaN values go last. */
function topIndices(values: ArrayLike<number>, k: number): number[] {
  const idx: number[] = [];
  for (let i = 0; i < values.length; i++) idx.push(i);
  const key = (i: number) => (Number.isNaN(values[i]!) ? -Infinity : values[i]!);
  idx.sort((a, b) => key(b) - key(a) || a - b);
  return idx.slice(0, k);
}

function worst(values: Float64Array, k: number): IndexedError[] {
  return topIndices(values, k).map((index) => ({ index, maxError: values[index]! }));
}

/** Ranks 1…n, ties sharing their average rank (scipy.stats.rankdata 'average'). */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]!] === values[order[i]!]) j++;
    const r = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) ranks[order[t]!] = r;
    i = j + 1;
  }
  return ranks;
}

/** Spearman's ρ: Pearson correlation of the average ranks; NaN when either side is constant. */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new CoreError('BAD_SHAPE', 'Spearman needs two vectors of one length.');
  const n = a.length;
  if (n < 2) return NaN;
  const ra = averageRanks(a);
  const rb = averageRanks(b);
  const mean = (n + 1) / 2;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = ra[i]! - mean;
    const y = rb[i]! - mean;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return saa === 0 || sbb === 0 ? NaN : sab / Math.sqrt(saa * sbb);
}

/** Pairs of items present in both lists whose relative order differs (Kendall's discordant pairs). */
export function orderSwaps(before: readonly number[], after: readonly number[]): number {
  const posAfter = new Map(after.map((f, i) => [f, i]));
  const common = before.filter((f) => posAfter.has(f));
  let swaps = 0;
  for (let i = 0; i < common.length; i++)
    for (let j = i + 1; j < common.length; j++)
      if (posAfter.get(common[i]!)! > posAfter.get(common[j]!)!) swaps++;
  return swaps;
}

/** Ranking stability of two importance vectors (see RankingStability). */
export function rankingStability(before: ArrayLike<number>, after: ArrayLike<number>): RankingStability {
  const k = Math.min(TOP_FEATURES, before.length);
  const topBefore = topIndices(before, k);
  const topAfter = topIndices(after, k);
  const setBefore = new Set(topBefore);
  const setAfter = new Set(topAfter);
  const topSwaps = orderSwaps(topBefore, topAfter);
  const topEntered = topAfter.filter((i) => !setBefore.has(i));
  return {
    importanceBefore: Array.from(before),
    importanceAfter: Array.from(after),
    spearman: spearman(before, after),
    topBefore,
    topAfter,
    topUnchanged: topEntered.length === 0,
    topOrderUnchanged: topEntered.length === 0 && topSwaps === 0,
    topSwaps,
    topEntered,
    topLeft: topBefore.filter((i) => !setAfter.has(i)),
  };
}

export function createQualityAccumulator(
  shape: readonly number[],
  opts: QualityOptions = {},
): QualityAccumulator {
  const bpd = opts.binsPerDecade ?? 2;
  const maxBins = opts.maxBins ?? 40;
  const topK = opts.topK ?? 10;
  if (!(bpd >= 1 && Number.isInteger(bpd)) || !(maxBins >= 1))
    throw new CoreError('BAD_PARAMS', 'binsPerDecade must be an integer ≥ 1 and maxBins ≥ 1.');
  const total = sizeOf(shape);
  const rank = shape.length;
  const rows = rank >= 2 ? shape[rank - 2]! : 0;
  const cols = rank >= 2 ? shape[rank - 1]! : 0;
  const perMatrix = rows * cols;
  const matrixCount = rank >= 2 && perMatrix > 0 ? total / perMatrix : 0;
  const square = rank >= 2 && rows === cols;
  const ranked = rank >= 3 && square && rows > 0;

  const matrixMax = new Float64Array(matrixCount);
  const rowMax = new Float64Array(rows);
  const colMax = new Float64Array(cols);
  // Sums of |value| per feature (row index), finite values only, and how many were summed.
  const sumBefore = new Float64Array(ranked ? rows : 0);
  const sumAfter = new Float64Array(ranked ? rows : 0);
  const nBefore = new Float64Array(ranked ? rows : 0);
  const nAfter = new Float64Array(ranked ? rows : 0);
  // Bin k counts errors in [10^(k/bpd), 10^((k+1)/bpd)); every finite double has −324 ≤ log10 < 309.
  const kOffset = 324 * bpd;
  const binCounts = new Float64Array(634 * bpd);
  let zero = 0;
  let nonFinite = 0;
  let seen = 0;
  let zerosOriginal = 0;
  let zerosKept = 0;
  // Row sums of the current row (square matrices), carried across slabs.
  let rowSumO = 0;
  let rowSumD = 0;
  let addMax = 0;
  let addMat = 0;
  let addRow = 0;
  // Position of the next element: matrix, row and column (C order).
  let mat = 0;
  let r = 0;
  let c = 0;

  return {
    add(orig: NumberArray, decoded: NumberArray): void {
      const n = orig.length;
      if (decoded.length !== n)
        throw new CoreError(
          'BAD_SHAPE',
          `Cannot compare ${n} original values with ${decoded.length} decoded ones.`,
        );
      if (seen + n > total)
        throw new CoreError(
          'BAD_SHAPE',
          `${seen + n} values are more than shape (${shape.join(', ')}) holds.`,
        );
      for (let i = 0; i < n; i++) {
        const o = orig[i]!;
        const d = decoded[i]!;
        const e = elementError(o, d);
        if (o === 0) {
          zerosOriginal++;
          if (d === 0) zerosKept++;
        }
        if (e === 0) zero++;
        else if (e === Infinity) nonFinite++;
        else {
          binCounts[Math.floor(Math.log10(e) * bpd) + kOffset]!++;
        }
        if (perMatrix > 0) {
          if (e > matrixMax[mat]!) matrixMax[mat] = e;
          if (e > rowMax[r]!) rowMax[r] = e;
          if (e > colMax[c]!) colMax[c] = e;
          if (ranked) {
            if (o - o === 0) {
              sumBefore[r]! += o < 0 ? -o : o;
              nBefore[r]!++;
            }
            if (d - d === 0) {
              sumAfter[r]! += d < 0 ? -d : d;
              nAfter[r]!++;
            }
          }
          if (square) {
            rowSumO += o;
            rowSumD += d;
          }
          if (++c === cols) {
            c = 0;
            if (square) {
              const drift = elementError(rowSumO, rowSumD);
              if (drift > addMax) {
                addMax = drift;
                addMat = mat;
                addRow = r;
              }
              rowSumO = 0;
              rowSumD = 0;
            }
            if (++r === rows) {
              r = 0;
              mat++;
            }
          }
        }
      }
      seen += n;
    },

    result(): QualitySummary {
      const keys: number[] = [];
      binCounts.forEach((count, i) => {
        if (count > 0) keys.push(i - kOffset);
      });
      const hist: HistogramBin[] = [];
      let firstBin = 0;
      if (keys.length > 0) {
        const kMax = Math.max(...keys);
        firstBin = Math.max(Math.min(...keys), kMax - maxBins + 1);
        const merged = Math.min(...keys) < firstBin;
        for (let k = firstBin; k <= kMax; k++)
          hist.push({ lo: 10 ** (k / bpd), hi: 10 ** ((k + 1) / bpd), count: 0 });
        for (const k of keys) hist[Math.max(k, firstBin) - firstBin]!.count += binCounts[k + kOffset]!;
        if (merged) hist[0]!.lo = 0;
      }
      let features: IndexedError[] = [];
      if (square && rows > 0) {
        const f = new Float64Array(rows);
        for (let i = 0; i < rows; i++) f[i] = Math.max(rowMax[i]!, colMax[i]!);
        features = worst(f, topK);
      }
      let ranking: RankingStability | null = null;
      if (ranked) {
        const before = Array.from(sumBefore, (s, i) => (nBefore[i]! > 0 ? s / nBefore[i]! : 0));
        const after = Array.from(sumAfter, (s, i) => (nAfter[i]! > 0 ? s / nAfter[i]! : 0));
        ranking = rankingStability(before, after);
      }
      return {
        shape: [...shape],
        count: seen,
        histogram: { zero, nonFinite, bins: hist, binsPerDecade: bpd, firstBin },
        matrixCount,
        matrixShape: rank >= 2 ? [rows, cols] : null,
        worstMatrices: worst(matrixMax, topK),
        worstFeatures: features,
        worstRows: worst(rowMax, topK),
        worstColumns: worst(colMax, topK),
        ranking,
        zeros: { original: zerosOriginal, kept: zerosKept },
        additivity:
          square && perMatrix > 0 ? { maxError: addMax, matrix: addMat, row: addRow, rowLength: cols } : null,
      };
    },
  };
}

/** Quality of `decoded` against `orig` (both of `shape`, C order) in one call. */
export function qualitySummary(
  orig: NumberArray,
  decoded: NumberArray,
  shape: readonly number[],
  opts: QualityOptions = {},
): QualitySummary {
  const acc = createQualityAccumulator(shape, opts);
  acc.add(orig, decoded);
  return acc.result();
}
