// The entropy floor, laid out slab by slab, equals the entropy of the whole laid-out array's codes.
import { describe, expect, it } from 'vitest';
import { generateNotebookArray } from '../../../src/core/generator';
import { analyzeArray } from '../../../src/core/analysis';
import { quantizedEntropyBits } from '../../../src/core/quantize';
import { factsOf } from '../../../src/workers/load';
import { buildLayoutValues, numericView } from '../../../src/workers/job';
import { entropyFloor } from '../../../src/workers/entropy-floor';
import { quantizationPlanFor } from '../../../src/strategies/quantized-values';
import type { Layout } from '../../../src/strategies/types';
import { freeRecycled, recycledBytes } from '../../../src/core/release';

describe('entropyFloor', () => {
  const array = generateNotebookArray({ n: 40, m: 30, seed: 5 });
  const input = { name: 'nb.npy', array, facts: factsOf(array, analyzeArray(array)) };
  const whole = (layout: Layout, eps: number) => {
    const v = buildLayoutValues(input, layout, numericView(array));
    return Math.ceil(quantizedEntropyBits(v.values, quantizationPlanFor(v, eps)) / 8);
  };

  it.each([1e-2, 1e-4])('streams slabs to the same figure as the whole array (ε = %s)', (eps) => {
    for (const layout of ['full', 'upper-triangle-rowmajor'] as const) {
      // 3 matrices per slab: 14 slabs, the last one short.
      const r = entropyFloor(input, [layout], eps, 3 * 30 * 30 * 8);
      expect(r, layout).toEqual({ bytes: whole(layout, eps), layout });
    }
    // The smallest layout wins: the triangle holds about half the values.
    expect(entropyFloor(input, ['full', 'upper-triangle-rowmajor'], eps)!.layout).toBe(
      'upper-triangle-rowmajor',
    );
  });

  it('skips layouts that do not apply and ε that cannot be planned', () => {
    expect(entropyFloor(input, ['used-pairs'], 1e-2)?.layout ?? null).toBe(
      input.facts.usedPairs!.length > 0 ? 'used-pairs' : null,
    );
    expect(entropyFloor(input, ['full'], 0)).toBeNull();
  });

  it('leaves no released slab waiting for reuse when it is done (it is not a job that would free them)', () => {
    // 200 matrices of 30×30: laid out as one 0.7 MB triangle slab, big enough to be recycled.
    const big = generateNotebookArray({ n: 200, m: 30, seed: 5 });
    freeRecycled();
    entropyFloor(
      { name: 'nb.npy', array: big, facts: factsOf(big, analyzeArray(big)) },
      ['upper-triangle-rowmajor'],
      1e-3,
    );
    expect(recycledBytes()).toBe(0);
  });
});
