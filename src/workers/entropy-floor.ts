// The chart's entropy floor: for each layout, the zeroth-order entropy of the integer codes that the
// quantized rows would store at ε (the layout's own error paid out of ε, as they do); the smallest.
// Used by the worker API and by bench/shap-compare.ts, so both report the same figure.
// Hard constraint: no full-size copy of the input. Row-aligned layouts are laid out slab by slab
// (like the streamed jobs); only a layout whose axis 0 isn't the input's is built whole.
import { sizeOf } from '../core/ndarray';
import { createEntropyCounter } from '../core/quantize';
import { quantizationPlanFor, quantizationProblem } from '../strategies/quantized-values';
import type { Layout, LayoutValues } from '../strategies/types';
import { layoutOf } from '../layouts/registry';
import { buildLayoutValues, numericView } from './layout-values';
import type { JobInput } from './layout-values';
import { buffersOf, freeRecycled, releaseBuffers } from '../core/release';

/** Input bytes laid out at a time. */
const SLAB_BYTES = 16 << 20;

function floorBytes(input: JobInput, layout: Layout, eps: number, slabBytes: number): number | null {
  const { array } = input;
  const def = layoutOf(layout);
  if (def.problem(array.shape, input.facts) !== null) return null;
  const rows = array.shape.length === 0 ? 1 : array.shape[0]!;
  const rowElems = array.shape.length === 0 ? 1 : sizeOf(array.shape.slice(1));
  const slabbed = def.rowAligned && array.shape.length >= 3 && rows > 1;
  const step = slabbed ? Math.max(1, Math.floor(slabBytes / 8 / Math.max(1, rowElems))) : rows;
  const slab = (r0: number, r1: number): LayoutValues => {
    const rowsOf = slabbed
      ? {
          ...array,
          shape: [r1 - r0, ...array.shape.slice(1)],
          data: array.data.subarray(r0 * rowElems, r1 * rowElems),
        }
      : array;
    return buildLayoutValues({ ...input, array: rowsOf }, layout, numericView(rowsOf));
  };
  // The plan depends on the whole array's facts and the layout's error, not on the slab's values.
  const first = slab(0, Math.min(rows, step));
  const whole: LayoutValues = { ...first, shape: def.storedShape(array.shape, input.facts) };
  if (quantizationProblem(whole, eps) !== null) return null;
  const counter = createEntropyCounter(quantizationPlanFor(whole, eps));
  // Each laid-out slab (a triangle of 16 MiB of rows is ~8 MiB) is freed once counted, not left for
  // a garbage collection an idle worker may not run for a long time.
  const inputBuffers = buffersOf(array.data);
  const count = (v: LayoutValues) => {
    counter.add(v.values);
    releaseBuffers([v.values, v.raw], inputBuffers);
  };
  count(first);
  for (let r0 = step; r0 < rows; r0 += step) count(slab(r0, Math.min(rows, r0 + step)));
  return Math.ceil(counter.bits() / 8);
}

export function entropyFloor(
  input: JobInput,
  layouts: readonly Layout[],
  eps: number,
  slabBytes = SLAB_BYTES,
): { bytes: number; layout: Layout } | null {
  let best: { bytes: number; layout: Layout } | null = null;
  try {
    for (const layout of layouts) {
      const bytes = floorBytes(input, layout, eps, slabBytes);
      if (bytes !== null && (!best || bytes < best.bytes)) best = { bytes, layout };
    }
  } finally {
    // The laid-out slabs it released wait for reuse (core/release.ts); a job frees them when it ends,
    // and so does this: nothing stays resident until the next job.
    freeRecycled();
  }
  return best;
}
