// On an exactly symmetric input the triangle rows are verified from the decoded triangles alone
// (layouts/triangle.ts compareStored → ErrorAccumulator.addSymmetric). Every triangle spec of the
// sweep must report the figures the rebuilt-matrices comparison gives: a job with an onCompare hook
// (the quality panel's) sees full slabs, so it takes that path. Real h5wasm files, no mocks.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runJob } from '../../../src/workers/job';
import { buildSweep, DEFAULT_SWEEP_SETTINGS } from '../../../src/strategies/sweep';
import { generateNotebookArray } from '../../../src/core/generator';
import { analyzeArray } from '../../../src/core/analysis';
import { factsOf } from '../../../src/workers/load';
import { triangleLayout } from '../../../src/layouts/triangle';

describe('triangle rows of an exactly symmetric input', () => {
  const array = generateNotebookArray({ n: 30, m: 21, seed: 5 });
  const input = { name: 'nb.npy', array, facts: factsOf(array, analyzeArray(array)) };
  const specs = buildSweep(
    { shape: array.shape, facts: input.facts },
    { ...DEFAULT_SWEEP_SETTINGS, layouts: 'all' },
    1e-3,
  ).filter((s) => s.layout === 'upper-triangle-rowmajor');
  afterEach(() => vi.restoreAllMocks());

  it('are exactly symmetric, and the sweep has triangle rows of every container', () => {
    expect(input.facts.maxAsymmetry).toBe(0);
    const ids = new Set(specs.map((s) => s.strategyId));
    for (const id of ['npy', 'hdf5-native', 'hdf5-float16', 'hdf5-quantized', 'zarr'])
      expect(ids).toContain(id);
  });

  it.each(specs.map((s) => [`${s.strategyId}:${JSON.stringify(s.params)}`, s] as const))(
    '%s: the triangles compared as stored give the rebuilt matrices’ figures',
    async (_name, spec) => {
      const compared = vi.spyOn(triangleLayout, 'compareStored');
      const fast = await runJob(input, spec, { slabBytes: 30_000 });
      expect(compared.mock.results.some((r) => r.value === true)).toBe(true);
      const slow = await runJob(input, spec, { slabBytes: 30_000, onCompare: () => undefined });
      for (const key of ['maxAbsError', 'maxRelError', 'bytes'] as const)
        expect(fast.result[key]).toBe(slow.result[key]);
      expect(Math.abs(fast.result.rmse - slow.result.rmse)).toBeLessThanOrEqual(slow.result.rmse * 1e-12);
    },
  );
});
