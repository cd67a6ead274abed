// Derived values, computed from the store's facts (never stored).
import type { InputInfo, RowState, State } from './store';
import type { InputFacts } from '../strategies/types';
import { absoluteTolerance } from '../strategies/sweep';
import { factsFromSummary } from '../strategies/common';
import type { StrategyResult } from '../workers/job';

export function doneResults(rows: Record<string, RowState>, order: readonly string[]): StrategyResult[] {
  const out: StrategyResult[] = [];
  for (const id of order) {
    const r = rows[id]?.result;
    if (rows[id]?.status === 'done' && r) out.push(r);
  }
  return out;
}

/** Results no other result beats on both size and error (ties broken towards the smaller file). */
export function paretoIds(results: readonly StrategyResult[]): Set<string> {
  const sorted = [...results]
    .filter((r) => r.nanMismatch === 0)
    .sort((a, b) => a.bytes - b.bytes || a.maxAbsError - b.maxAbsError);
  const front = new Set<string>();
  let best = Infinity;
  for (const r of sorted) {
    if (r.maxAbsError < best) {
      front.add(r.id);
      best = r.maxAbsError;
    }
  }
  return front;
}

/** The smallest file whose measured max error is within the tolerance. */
export function recommendedResult(
  results: readonly StrategyResult[],
  tolerance: number,
  allowPlugins = false,
): StrategyResult | null {
  let best: StrategyResult | null = null;
  for (const r of results) {
    if (r.nanMismatch > 0 || !(r.maxAbsError <= tolerance)) continue;
    // Unless other readers are allowed, only files plain numpy/h5py open: it must open as is. A Zarr
    // store needs zarr (and numcodecs), like a plugin file needs hdf5plugin.
    if (!allowPlugins && (r.readableBy === 'h5py+hdf5plugin' || r.readableBy === 'zarr')) continue;
    if (!best || r.bytes < best.bytes || (r.bytes === best.bytes && r.maxAbsError < best.maxAbsError))
      best = r;
  }
  return best;
}

/** The absolute tolerance τ (the typed value, or that fraction of the largest |value|). */
export function absTolerance(s: Pick<State, 'tolerance' | 'toleranceMode' | 'input'>): number {
  return absoluteTolerance({ mode: s.toleranceMode, value: s.tolerance }, s.input?.summary.maxAbs ?? 0);
}

/** The small facts strategies and layouts read, from the loaded input's summary. */
export function factsOfInput(input: InputInfo): InputFacts {
  return factsFromSummary(input.dtype, input.shape, input.summary);
}
