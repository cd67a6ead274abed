import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { analyzeArray, createAnalyzer } from '../../../src/core/analysis';
import type { ArraySummary } from '../../../src/core/analysis';
import { readNpy } from '../../../src/core/npy';
import { generateNotebookArray } from '../../../src/core/generator';
import { CoreError } from '../../../src/core/errors';
import type { NdArray } from '../../../src/core/ndarray';
import { fixtureBytes, fixtureJson, fixtureNames, pyFloat, type NpySidecar } from './fixture-helpers';

const WITH_ANALYSIS = fixtureNames('npy', '.json')
  .filter((f) => f !== 'headers.json')
  .map((f) => ({ name: f.replace(/\.json$/, ''), side: fixtureJson<NpySidecar>('npy', f) }))
  .filter((f) => f.side.analysis);

function num(v: string | number | null | undefined): number {
  return v === null || v === undefined ? NaN : typeof v === 'number' ? v : pyFloat(v);
}

/** Our summary against numpy's (make_fixtures.py: analysis_of). */
function expectNumpySummary(s: ArraySummary, ref: Record<string, string | number | null>): void {
  expect(Object.is(s.min, num(ref.min)), `min ${s.min} vs ${ref.min}`).toBe(true);
  expect(Object.is(s.max, num(ref.max)), `max ${s.max} vs ${ref.max}`).toBe(true);
  expect(s.nanCount).toBe(ref.nanCount);
  expect(s.posInfCount).toBe(ref.posInfCount);
  expect(s.negInfCount).toBe(ref.negInfCount);
  expect(s.finiteCount).toBe(ref.finiteCount);
  expect(s.overFloat16Count).toBe(ref.exceedsFloat16Count);
  expect(s.float16SubnormalCount).toBe(ref.float16SubnormalCount);
  expect(
    Object.is(s.maxAsymmetry, num(ref.maxAsymmetry)),
    `asym ${s.maxAsymmetry} vs ${ref.maxAsymmetry}`,
  ).toBe(true);
}

async function load(name: string): Promise<NdArray> {
  return readNpy(fixtureBytes('npy', `${name}.npy`));
}

describe('analyzeArray agrees with numpy', () => {
  it('covers every dtype and the special stacks', () => {
    expect(WITH_ANALYSIS.length).toBeGreaterThan(25);
  });

  for (const { name, side } of WITH_ANALYSIS) {
    it(name, async () => {
      const arr = await load(name);
      const s = analyzeArray(arr);
      expectNumpySummary(s, side.analysis!);
      expect(s.count).toBe(arr.data.length);
      expect(s.isSquareStack).toBe(side.analysis!.maxAsymmetry !== null);
    });
  }

  it('classifies symmetry: exact, near (≤ 1e-6 × max|x|), no', async () => {
    expect(analyzeArray(await load('stack_sym_f8')).symmetric).toBe('exact');
    expect(analyzeArray(await load('stack_sym_be_f8')).symmetric).toBe('exact');
    expect(analyzeArray(await load('stack_sym_f2')).symmetric).toBe('exact');
    expect(analyzeArray(await load('matrix_sym_f8')).symmetric).toBe('exact');
    const near = analyzeArray(await load('stack_near_sym_f8'));
    expect(near.symmetric).toBe('near');
    expect(near.maxAsymmetry).toBeGreaterThan(0);
    expect(analyzeArray(await load('stack_near_sym_f8'), { nearTolerance: 1e-12 }).symmetric).toBe('no');
    expect(analyzeArray(await load('stack_nonsym_f8')).symmetric).toBe('no');
    const special = analyzeArray(await load('stack_nan_inf_f8'));
    expect(special.maxAsymmetry).toBe(Infinity); // a NaN facing a number
    expect(special.symmetric).toBe('no');
    const nonSquare = analyzeArray(await load('stack_nonsquare_f8'));
    expect(nonSquare.isSquareStack).toBe(false);
    expect(nonSquare.maxAsymmetry).toBeNaN();
    expect(nonSquare.symmetric).toBe('no');
  });

  it('treats NaN facing NaN and the same infinity as equal, +Inf facing −Inf as infinitely apart', () => {
    const m = (vals: number[]): ArraySummary =>
      analyzeArray({ dtype: 'f8', shape: [1, 2, 2], data: Float64Array.from(vals) });
    expect(m([1, NaN, NaN, 2]).maxAsymmetry).toBe(0);
    expect(m([1, Infinity, Infinity, 2]).maxAsymmetry).toBe(0);
    expect(m([1, Infinity, -Infinity, 2]).maxAsymmetry).toBe(Infinity);
    expect(m([1, NaN, 3, 2]).maxAsymmetry).toBe(Infinity);
    expect(m([1, 3, NaN, 2]).maxAsymmetry).toBe(Infinity);
    expect(m([NaN, NaN, NaN, NaN])).toMatchObject({ symmetric: 'exact', min: NaN, max: NaN, finiteCount: 0 });
  });

  it('handles 0-d, empty and 1-D arrays', () => {
    expect(analyzeArray({ dtype: 'f8', shape: [], data: Float64Array.of(-3) })).toMatchObject({
      count: 1,
      min: -3,
      max: -3,
      isSquareStack: false,
    });
    expect(analyzeArray({ dtype: 'f8', shape: [0, 5, 5], data: new Float64Array(0) })).toMatchObject({
      count: 0,
      symmetric: 'exact',
      maxAsymmetry: 0,
    });
    expect(analyzeArray({ dtype: 'u1', shape: [4, 0], data: new Uint8Array(0) }).count).toBe(0);
    expect(() => analyzeArray({ dtype: 'f8', shape: [3], data: new Float64Array(2) })).toThrow(CoreError);
  });

  it('summarises the notebook array (1000×141×141) like numpy, in one pass (time printed)', () => {
    const ref = fixtureJson<{ n: number; m: number; min: string; max: string; maxAsymmetry: string }[]>(
      'generator',
      'hashes.json',
    ).find((r) => r.n === 1000)!;
    const arr = generateNotebookArray({ n: 1000, m: 141, seed: 0 });
    const t0 = performance.now();
    const s = analyzeArray(arr);
    console.log(`analyzeArray 1000×141×141: ${(performance.now() - t0).toFixed(0)} ms`);
    expect(s.min).toBe(pyFloat(ref.min));
    expect(s.max).toBe(pyFloat(ref.max));
    expect(s.maxAsymmetry).toBe(0);
    expect(s.symmetric).toBe('exact');
    expect(s.count).toBe(1000 * 141 * 141);
  });
});

describe('createAnalyzer streams blocks of rows', () => {
  const names = [
    'stack_sym_f8',
    'stack_near_sym_f8',
    'stack_nan_inf_f8',
    'stack_sym_f2',
    'stack_sym_i8',
    'matrix_sym_f8',
    'stack_nonsquare_f8',
    'f8_4d',
    'u8_le',
  ];

  it('gives the same summary for any split into row blocks, in any order', async () => {
    const arrays = await Promise.all(names.map(load));
    await fc.assert(
      fc.property(
        fc.nat({ max: arrays.length - 1 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.boolean(),
        (k, cuts, reverse) => {
          const arr = arrays[k]!;
          const rows = arr.shape[0]!;
          const rowSize = arr.data.length / rows;
          const bounds = [...new Set([0, rows, ...cuts.map((c) => c % (rows + 1))])].sort((a, b) => a - b);
          const blocks = bounds.slice(1).map((end, i) => [bounds[i]!, end] as const);
          if (reverse) blocks.reverse();
          const an = createAnalyzer(arr.shape, { dtype: arr.dtype });
          for (const [s, e] of blocks) an.add(arr.data.subarray(s * rowSize, e * rowSize), s);
          expect(an.result()).toEqual(analyzeArray(arr));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects partial rows and out-of-range blocks', () => {
    const an = createAnalyzer([3, 2, 2]);
    expect(() => an.add(new Float64Array(5), 0)).toThrow(CoreError);
    expect(() => an.add(new Float64Array(8), 2)).toThrow(CoreError);
    expect(() => createAnalyzer([2, -1])).toThrow(CoreError);
  });
});
