// Layout `used-pairs`: for symmetric stacks where some feature pairs are zero in every matrix (SHAP
// interaction values of unused features), only the K upper-triangle pairs that are non-zero somewhere
// are stored, as (A + Aᵀ)/2 like the triangle layout; `/pairs` (K × 2 int32: row, column with
// row ≤ column) says which. Every pair left out is exactly 0 in every matrix of the input, so the
// layout costs nothing beyond the triangle's symmetrisation.
// Two orientations of the same values: sample-major `/data` = matrices × K (pairs on the last axis),
// and pair-major `/data` = K × matrices (each pair's values side by side, which entropy coders
// compress better on SHAP data). `pairs_axis` says which axis of `/data` indexes the pairs.
import { sizeOf } from '../core/ndarray';
import type { NumberArray } from '../core/ndarray';
import { triangleSize, triuIndices } from '../core/triangle';
import type { InputFacts } from '../strategies/types';
import type { LayoutDef } from './types';
import { meanOf, packedArrayLike, squareStackProblem, symmetrizeError } from './symmetric';

/** Offered by default when it drops at least this share of the triangle's pairs. */
export const USED_PAIRS_MIN_SAVING = 0.1;

interface PairIndex {
  rows: Int32Array;
  cols: Int32Array;
  /** Flat positions in an M×M matrix of each pair's upper (row·M + column) and lower value. */
  upper: Int32Array;
  lower: Int32Array;
}

/** Per used-pairs list, per matrix size (the flat positions mean different pairs for another M). */
const indexCache = new WeakMap<readonly number[], Map<number, PairIndex>>();

/** Row and column of each used pair (np.triu_indices order). */
export function usedPairIndex(m: number, facts: InputFacts): PairIndex {
  const used = facts.usedPairs ?? [];
  let bySize = indexCache.get(used);
  if (!bySize) indexCache.set(used, (bySize = new Map()));
  let idx = bySize.get(m);
  if (!idx) {
    const [r, c] = triuIndices(m);
    const rows = Int32Array.from(used, (k) => r[k]!);
    const cols = Int32Array.from(used, (k) => c[k]!);
    const upper = rows.map((row, p) => row * m + cols[p]!);
    const lower = rows.map((row, p) => cols[p]! * m + row);
    idx = { rows, cols, upper, lower };
    bySize.set(m, idx);
  }
  return idx;
}

function problem(shape: readonly number[], facts: InputFacts | null): string | null {
  const p = squareStackProblem(shape);
  if (p) return p.replace('triangle packing', 'the used-pairs layout');
  if (!facts || facts.usedPairs === null) return 'the used pairs of this array are not known';
  if (facts.usedPairs.length === 0)
    return 'every value is exactly 0: there are no used pairs to store (keep the .npy)';
  return null;
}

function pays(shape: readonly number[], facts: InputFacts): boolean {
  if (problem(shape, facts) !== null) return false;
  const t = triangleSize(shape[shape.length - 1]!);
  return facts.usedPairs!.length <= (1 - USED_PAIRS_MIN_SAVING) * t;
}

/** Matrices in `shape` and its matrix size. */
function geometry(shape: readonly number[]): { m: number; count: number } {
  const m = shape[shape.length - 1]!;
  return { m, count: sizeOf(shape) / (m * m) };
}

/**
 * Matrices packed (or unpacked) together in the pair-major orientation: each pair's 8 values (one
 * cache line of float64) are written at once. One matrix at a time was 2× slower in Node.
 */
const PAIR_MAJOR_BLOCK = 8;

function packInto(
  values: NumberArray,
  shape: readonly number[],
  facts: InputFacts,
  pairMajor: boolean,
): NumberArray {
  const { m, count } = geometry(shape);
  const { upper, lower } = usedPairIndex(m, facts);
  const k = upper.length;
  // Always a float array here (integers are stored as float64).
  const out = packedArrayLike(values, count * k);
  const mm = m * m;
  if (!pairMajor) {
    for (let n = 0, o = 0; n < count; n++) {
      const base = n * mm;
      for (let p = 0; p < k; p++, o++) out[o] = meanOf(values[base + upper[p]!]!, values[base + lower[p]!]!);
    }
    return out;
  }
  // Pair-major: a block of matrices at a time, pair after pair (one matrix at a time wrote each value
  // to another pair's row).
  for (let n0 = 0; n0 < count; n0 += PAIR_MAJOR_BLOCK) {
    const n1 = Math.min(count, n0 + PAIR_MAJOR_BLOCK);
    for (let p = 0; p < k; p++) {
      const u = upper[p]!;
      const l = lower[p]!;
      for (let n = n0, o = p * count + n0, base = n0 * mm; n < n1; n++, o++, base += mm)
        out[o] = meanOf(values[base + u]!, values[base + l]!);
    }
  }
  return out;
}

function unpackFrom(
  stored: NumberArray,
  r0: number,
  r1: number,
  shape: readonly number[],
  facts: InputFacts,
  pairMajor: boolean,
): NumberArray {
  const { m, count: total } = geometry(shape);
  const { upper, lower } = usedPairIndex(m, facts);
  const k = upper.length;
  // Matrices per row along axis 0 (a single matrix is one row).
  const perRow = shape.length === 2 ? 1 : total / shape[0]!;
  const n0 = shape.length === 2 ? 0 : r0 * perRow;
  const n1 = shape.length === 2 ? 1 : r1 * perRow;
  const mm = m * m;
  const out = new (stored instanceof Float32Array ? Float32Array : Float64Array)((n1 - n0) * mm);
  if (!pairMajor) {
    for (let n = n0, i = 0; n < n1; n++) {
      const base = (n - n0) * mm;
      for (let p = 0; p < k; p++, i++) {
        const v = stored[i]!;
        out[base + upper[p]!] = v;
        out[base + lower[p]!] = v;
      }
    }
    return out;
  }
  for (let b0 = n0; b0 < n1; b0 += PAIR_MAJOR_BLOCK) {
    const b1 = Math.min(n1, b0 + PAIR_MAJOR_BLOCK);
    for (let p = 0; p < k; p++) {
      const u = upper[p]!;
      const l = lower[p]!;
      for (let n = b0, i = p * total + b0, base = (b0 - n0) * mm; n < b1; n++, i++, base += mm) {
        const v = stored[i]!;
        out[base + u] = v;
        out[base + l] = v;
      }
    }
  }
  return out;
}

const RESTORE_PYTHON = `m = int(d.attrs["matrix_size"])
ij = f["pairs"][...]  # the stored pairs: row, column (row <= column)
a = np.moveaxis(a, int(d.attrs["pairs_axis"]), -1)
full = np.zeros(a.shape[:-1] + (m, m), dtype=a.dtype)  # pairs not stored are 0 in every matrix
full[..., ij[:, 0], ij[:, 1]] = a
full[..., ij[:, 1], ij[:, 0]] = a
a = full`;

function makeUsedPairs(pairMajor: boolean): LayoutDef {
  return {
    id: pairMajor ? 'used-pairs-pair-major' : 'used-pairs',
    short: pairMajor ? 'pairs (pair-major)' : 'pairs',
    fileTag: pairMajor ? 'pairs-pm' : 'pairs',
    description: pairMajor
      ? 'Only the upper-triangle pairs that are non-zero in some matrix, each pair’s values side by side (pairs × matrices).'
      : 'Only the upper-triangle pairs that are non-zero in some matrix (matrices × pairs).',
    problem,
    pays,
    rowAligned: !pairMajor,
    ...(pairMajor ? { reorderOf: 'used-pairs' as const } : {}),
    storedShape: (shape, facts) => {
      const k = facts.usedPairs?.length ?? 0;
      const lead = shape.slice(0, -2);
      return pairMajor ? [k, ...lead] : [...lead, k];
    },
    layoutError: symmetrizeError,
    pack: (values, shape, facts) => packInto(values, shape, facts, pairMajor),
    unpack: (stored, r0, r1, shape, facts) => unpackFrom(stored, r0, r1, shape, facts, pairMajor),
    attrs: (shape) => ({
      layout: { type: 'string', value: 'used-pairs' },
      matrix_size: { type: 'int64', value: shape[shape.length - 1]! },
      pairs_axis: { type: 'int64', value: pairMajor ? 0 : Math.max(0, shape.length - 2) },
    }),
    fitsNpy: false,
    extraDatasets: (shape, facts) => {
      const { rows, cols } = usedPairIndex(shape[shape.length - 1]!, facts);
      const data = new Int32Array(rows.length * 2);
      for (let p = 0; p < rows.length; p++) {
        data[2 * p] = rows[p]!;
        data[2 * p + 1] = cols[p]!;
      }
      return [{ name: 'pairs', dtype: 'i4', shape: [rows.length, 2], data }];
    },
    restorePython: RESTORE_PYTHON,
  };
}

export const usedPairsLayout = makeUsedPairs(false);
export const usedPairsPairMajorLayout = makeUsedPairs(true);
