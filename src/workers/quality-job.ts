// The quality panel's numbers for one result: the job is run again (the same real file is written and
// read back), and every verified slab of original/decoded values streams into core/quality.ts. One
// matrix is copied out for the heatmap — the requested one, or the worst when none is asked for.
// Small inputs keep the decoded array so picking another matrix needs no second run.
import type { NumberArray } from '../core/ndarray';
import { sizeOf } from '../core/ndarray';
import { createQualityAccumulator, elementError } from '../core/quality';
import type { QualitySummary } from '../core/quality';
import type { Layout, LayoutValues, StrategySpec } from '../strategies/types';
import { specKeyOf } from '../strategies/sweep';
import { runJobParts } from './job';
import { numericView } from './layout-values';
import type { JobInput } from './layout-values';

/** One matrix (the last two axes) of the original and of the decoded array. */
export interface MatrixView {
  index: number;
  rows: number;
  cols: number;
  original: Float64Array;
  decoded: Float64Array;
}

export interface QualityReport {
  summary: QualitySummary;
  /** null when the array has no matrices (rank < 2) or one is too large to draw. */
  view: MatrixView | null;
}

/** Matrices larger than this are not sent for the heatmap (4 MB per side). */
export const MAX_VIEW_CELLS = 1 << 19;
/** Decoded arrays up to this many values stay in the worker for quick matrix picks (32 MB). */
const KEEP_DECODED_VALUES = 1 << 22;

let kept: { input: JobInput; specKey: string; decoded: Float64Array } | null = null;

function matrixGeometry(shape: readonly number[]) {
  if (shape.length < 2) return null;
  const rows = shape[shape.length - 2]!;
  const cols = shape[shape.length - 1]!;
  const cells = rows * cols;
  if (cells === 0 || cells > MAX_VIEW_CELLS) return null;
  return { rows, cols, cells, count: sizeOf(shape) / cells };
}

/**
 * Copies matrix `target` (or, with target 'worst', the first matrix with the largest error) out of the
 * streamed slabs. Slabs arrive in C order; a matrix may straddle two of them only when it is the
 * whole array (rank 2), so 'worst' compares whole matrices inside a slab.
 */
function matrixCapture(shape: readonly number[], target: number | 'worst') {
  const g = matrixGeometry(shape);
  if (!g) return null;
  const fixed = target === 'worst' ? (g.count === 1 ? 0 : null) : Math.min(Math.max(0, target), g.count - 1);
  const original = new Float64Array(g.cells);
  const decoded = new Float64Array(g.cells);
  let offset = 0;
  let best = -1;
  let index = fixed ?? 0;
  return {
    add(o: NumberArray, d: NumberArray) {
      const start = offset;
      offset += o.length;
      if (fixed !== null) {
        const m0 = fixed * g.cells;
        const from = Math.max(m0, start);
        const to = Math.min(m0 + g.cells, offset);
        for (let i = from; i < to; i++) {
          original[i - m0] = o[i - start]!;
          decoded[i - m0] = d[i - start]!;
        }
        return;
      }
      const first = Math.ceil(start / g.cells);
      for (let m = first; (m + 1) * g.cells <= offset; m++) {
        const base = m * g.cells - start;
        let worst = 0;
        for (let i = 0; i < g.cells; i++) {
          const e = elementError(o[base + i]!, d[base + i]!);
          if (e > worst) worst = e;
        }
        if (worst > best) {
          best = worst;
          index = m;
          for (let i = 0; i < g.cells; i++) {
            original[i] = o[base + i]!;
            decoded[i] = d[base + i]!;
          }
        }
      }
    },
    view(): MatrixView {
      return { index, rows: g.rows, cols: g.cols, original, decoded };
    },
  };
}

export interface QualityJobOptions {
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  layoutCache?: Map<Layout, LayoutValues>;
}

/** Summary + one matrix (`matrix`, or the worst one) of the result `spec` on `input`. */
export async function runQuality(
  input: JobInput,
  spec: StrategySpec,
  matrix: number | null,
  opts: QualityJobOptions = {},
): Promise<QualityReport> {
  const shape = input.array.shape;
  const acc = createQualityAccumulator(shape);
  const capture = matrixCapture(shape, matrix ?? 'worst');
  const total = sizeOf(shape);
  const keep = total <= KEEP_DECODED_VALUES ? new Float64Array(total) : null;
  let offset = 0;
  kept = null;
  await runJobParts(input, spec, {
    keepFile: () => false,
    signal: opts.signal,
    layoutCache: opts.layoutCache,
    onProgress: opts.onProgress && ((f) => opts.onProgress!(f)),
    onCompare: (o, d) => {
      acc.add(o, d);
      capture?.add(o, d);
      keep?.set(d, offset);
      offset += o.length;
    },
  });
  if (keep) kept = { input, specKey: specKeyOf(spec), decoded: keep };
  return { summary: acc.result(), view: capture?.view() ?? null };
}

/** Matrix `matrix` of result `spec`: from the kept decoded array, or by running the job again. */
export async function matrixOf(
  input: JobInput,
  spec: StrategySpec,
  matrix: number,
  opts: QualityJobOptions = {},
): Promise<MatrixView | null> {
  const g = matrixGeometry(input.array.shape);
  if (!g) return null;
  const index = Math.min(Math.max(0, Math.floor(matrix)), g.count - 1);
  if (kept && kept.input === input && kept.specKey === specKeyOf(spec)) {
    const base = index * g.cells;
    // The same numbers the job compares (float16 bits and 64-bit integers widened).
    const { dtype, data } = input.array;
    const slice = { dtype, shape: [g.rows, g.cols], data: data.subarray(base, base + g.cells) };
    return {
      index,
      rows: g.rows,
      cols: g.cols,
      original: Float64Array.from(numericView(slice as typeof input.array)),
      decoded: kept.decoded.slice(base, base + g.cells),
    };
  }
  const capture = matrixCapture(input.array.shape, index)!;
  await runJobParts(input, spec, {
    keepFile: () => false,
    signal: opts.signal,
    layoutCache: opts.layoutCache,
    onProgress: opts.onProgress && ((f) => opts.onProgress!(f)),
    onCompare: (o, d) => capture.add(o, d),
  });
  return capture.view();
}
