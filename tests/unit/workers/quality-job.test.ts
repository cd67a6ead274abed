// The worker's quality run: the summary's max error is the job's measured max error, the heatmap
// matrix defaults to the worst one, and picking a matrix (kept decoded array or a re-run) gives the
// loaded values and the decoded ones.
import { describe, expect, it } from 'vitest';
import { matrixOf, runQuality } from '../../../src/workers/quality-job';
import { runJob } from '../../../src/workers/job';
import type { StrategySpec } from '../../../src/strategies/types';
import { loadFixture } from '../strategies/fixtures';
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
