// The worker's quality run: the summary's max error is the job's measured max error, the heatmap
// matrix defaults to the worst one, and picking a matrix (kept decoded array or a re-run) gives the
// loaded values and the decoded ones.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matrixOf, runQuality } from '../../../src/workers/quality-job';
import { runJob } from '../../../src/workers/job';
import type { StrategySpec } from '../../../src/strategies/types';
import { loadFixture } from '../strategies/fixtures';
import { readNpy } from '../../../src/core/npy';
import { analyzeArray } from '../../../src/core/analysis';
import { factsOf } from '../../../src/workers/load';
import { elementError } from '../../../src/core/quality';
import type { JobInput } from '../../../src/workers/job';
import { float16BitsToFloat64 } from '../../../src/core/float16';

const F16_TRI: StrategySpec = { strategyId: 'hdf5-float16', layout: 'upper-triangle-rowmajor', params: {} };
const Q_TRI: StrategySpec = {
  strategyId: 'hdf5-quantized',
  layout: 'upper-triangle-rowmajor',
  params: { eps: 1e-3, codec: 'gzip', level: 4 },
};

describe('runQuality', () => {
  it.each([F16_TRI, Q_TRI])('%j: summary agrees with the job, view is the worst matrix', async (spec) => {
    const input = await loadFixture('stack_near_sym_f8.npy');
    const { result } = await runJob(input, spec);
    const { summary, view } = await runQuality(input, spec, null);
    expect(summary.count).toBe(6 * 12 * 12);
    expect(summary.worstMatrices[0]!.maxError).toBe(result.maxAbsError);
    expect(summary.matrixCount).toBe(6);
    expect(summary.ranking).not.toBeNull();
    expect(view!.index).toBe(summary.worstMatrices[0]!.index);
    expect([view!.rows, view!.cols]).toEqual([12, 12]);
    const data = input.array.data as Float64Array;
    const base = view!.index * 144;
    expect(Array.from(view!.original)).toEqual(Array.from(data.subarray(base, base + 144)));
    let worst = 0;
    view!.decoded.forEach((d, i) => (worst = Math.max(worst, Math.abs(d - view!.original[i]!))));
    expect(worst).toBe(result.maxAbsError);
  });

  it('matrixOf: the kept decoded array and a fresh run agree', async () => {
    const input = await loadFixture('stack_near_sym_f8.npy');
    await runQuality(input, F16_TRI, 0);
    const fast = await matrixOf(input, F16_TRI, 4);
    // Another input object: nothing kept for it, so the job runs again.
    const again = await matrixOf({ ...input }, F16_TRI, 4);
    expect(fast!.index).toBe(4);
    expect(Array.from(fast!.decoded)).toEqual(Array.from(again!.decoded));
    expect(Array.from(fast!.original)).toEqual(Array.from(again!.original));
    // Out-of-range picks clamp.
    expect((await matrixOf(input, F16_TRI, 99))!.index).toBe(5);
  });

  it('float16 input: the view holds numbers, not half bits', async () => {
    const input = await loadFixture('stack_sym_f2.npy');
    const spec: StrategySpec = { strategyId: 'hdf5-gzip', layout: 'full', params: { level: 4 } };
    await runQuality(input, spec, 1);
    const view = await matrixOf(input, spec, 2);
    const bits = (input.array.data as Uint16Array).subarray(2 * 144, 3 * 144);
    expect(Array.from(view!.original)).toEqual(Array.from(float16BitsToFloat64(bits)));
    expect(Array.from(view!.decoded)).toEqual(Array.from(view!.original));
  });

  it('a vector has no matrix view', async () => {
    const input = await loadFixture('f8_1d.npy');
    const { summary, view } = await runQuality(
      input,
      { strategyId: 'hdf5-float32', layout: 'full', params: {} },
      null,
    );
    expect(view).toBeNull();
    expect(summary.matrixCount).toBe(0);
    expect(summary.histogram.bins.length).toBeGreaterThan(0);
  });
});

/** Real XGBoost SHAP interaction values (tests/fixtures/shap): float32, a third of them exact zeros. */
async function loadShap(name: string): Promise<JobInput> {
  const bytes = new Uint8Array(readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'shap', name)));
  const array = await readNpy(bytes);
  return { name, array, facts: factsOf(array, analyzeArray(array)) };
}

describe('zeros kept and additivity on real SHAP values', () => {
  it.each<StrategySpec>([
    {
      strategyId: 'hdf5-quantized',
      layout: 'upper-triangle-rowmajor',
      params: { eps: 1e-2, codec: 'gzip', level: 4 },
    },
    { strategyId: 'hdf5-scaleoffset', layout: 'full', params: { decimals: 1, base: 'float32' } },
    { strategyId: 'hdf5-float16', layout: 'full', params: {} },
  ])('%j: the streamed pass agrees with the whole decoded array', async (spec) => {
    const input = await loadShap('iris.npy');
    const [n, m] = [input.array.shape[0]!, input.array.shape[1]!];
    const { result } = await runJob(input, spec);
    const { summary } = await runQuality(input, spec, null);
    // The whole decoded array, matrix by matrix, as the quality run kept it.
    const orig = Float64Array.from(input.array.data as Float32Array);
    const dec = new Float64Array(n * m * m);
    for (let k = 0; k < n; k++) dec.set((await matrixOf(input, spec, k))!.decoded, k * m * m);
    let zeros = 0;
    let kept = 0;
    let drift = { e: 0, matrix: 0, row: 0 };
    for (let k = 0; k < n; k++)
      for (let i = 0; i < m; i++) {
        let so = 0;
        let sd = 0;
        for (let j = 0; j < m; j++) {
          const at = (k * m + i) * m + j;
          if (orig[at] === 0) {
            zeros++;
            if (dec[at] === 0) kept++;
          }
          so += orig[at]!;
          sd += dec[at]!;
        }
        const e = elementError(so, sd);
        if (e > drift.e) drift = { e, matrix: k, row: i };
      }
    expect(zeros).toBe(1200); // 32 % of 150 × 5 × 5, as tests/fixtures/shap/README.md says
    expect(summary.zeros).toEqual({ original: zeros, kept });
    expect(summary.additivity).toEqual({
      maxError: drift.e,
      matrix: drift.matrix,
      row: drift.row,
      rowLength: m,
    });
    // Errors can cancel along a row, never add up beyond M × the max error.
    expect(drift.e).toBeLessThanOrEqual(m * result.maxAbsError * (1 + 1e-12));
    if (spec.strategyId !== 'hdf5-scaleoffset') expect(kept).toBe(zeros);
  });
});
