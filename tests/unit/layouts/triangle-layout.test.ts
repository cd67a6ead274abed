import { describe, expect, it } from 'vitest';
import { analyzeArray } from '../../../src/core/analysis';
import { generateNotebookArray } from '../../../src/core/generator';
import type { NdArray } from '../../../src/core/ndarray';
import { packUpper, triuIndices } from '../../../src/core/triangle';
import { factsOf } from '../../../src/workers/load';
import { buildLayoutValues, numericView } from '../../../src/workers/layout-values';

function laidOut(array: NdArray): Float64Array {
  const input = { name: 'x.npy', array, facts: factsOf(array, analyzeArray(array)) };
  return buildLayoutValues(input, 'upper-triangle-rowmajor', numericView(array)).values as Float64Array;
}

describe('the triangle layout', () => {
  it('stores the upper triangle of an exactly symmetric stack as it is (the copy path)', () => {
    const array = generateNotebookArray({ n: 3, m: 7, seed: 1 });
    expect(analyzeArray(array).maxAsymmetry).toBe(0);
    const data = array.data as Float64Array;
    const [rows, cols] = triuIndices(7);
    const want: number[] = [];
    for (let i = 0; i < 3; i++)
      for (let k = 0; k < rows.length; k++) want.push(data[i * 49 + rows[k]! * 7 + cols[k]!]!);
    expect([...laidOut(array)]).toEqual(want);
  });

  it('stores (A + Aᵀ)/2 when the facts say the stack is not exactly symmetric', () => {
    const array = generateNotebookArray({ n: 3, m: 7, seed: 1 });
    const data = array.data as Float64Array;
    data[1 * 49 + 5 * 7 + 2] = data[1 * 49 + 2 * 7 + 5]! + 1e-9; // one lower value off its mirror
    expect(analyzeArray(array).maxAsymmetry).toBeGreaterThan(0);
    const packed = laidOut(array);
    expect([...packed]).toEqual([...packUpper(data, array.shape)]);
    // The pair's stored value is the mean, not the upper value the copy path would keep.
    const k = 1 * 28 + 13 + (5 - 2); // matrix 1 (28 values each), whose row 2 starts at 7 + 6 = 13
    expect(packed[k]).toBe((data[1 * 49 + 2 * 7 + 5]! + data[1 * 49 + 5 * 7 + 2]!) * 0.5);
    expect(packed[k]).not.toBe(data[1 * 49 + 2 * 7 + 5]);
  });
});
