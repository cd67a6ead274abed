// The chart's entropy floor: for each layout, the zeroth-order entropy of the integer codes that the
// quantized rows would store at ε (the layout's own error paid out of ε, as they do); the smallest.
// Used by the worker API and by bench/shap-compare.ts, so both report the same figure.
import { quantizedEntropyBits } from '../core/quantize';
import { quantizationPlanFor, quantizationProblem } from '../strategies/quantized-values';
import type { Layout, LayoutValues } from '../strategies/types';
import { buildLayoutValues, numericView } from './job';
import type { JobInput } from './job';

export function entropyFloor(
  input: JobInput,
  layouts: readonly Layout[],
  eps: number,
  layoutCache: Map<Layout, LayoutValues> = new Map(),
): { bytes: number; layout: Layout } | null {
  let best: { bytes: number; layout: Layout } | null = null;
  for (const layout of layouts) {
    let values = layoutCache.get(layout);
    if (!values) {
      try {
        values = buildLayoutValues(input, layout, numericView(input.array));
      } catch {
        continue; // the layout doesn't apply to this input
      }
      layoutCache.set(layout, values);
    }
    if (quantizationProblem(values, eps) !== null) continue;
    const bytes = Math.ceil(quantizedEntropyBits(values.values, quantizationPlanFor(values, eps)) / 8);
    if (!best || bytes < best.bytes) best = { bytes, layout };
  }
  return best;
}
