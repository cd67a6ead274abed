// core/quality.ts against numpy-computed references (tests/fixtures/make_quality_fixtures.py).
import { describe, expect, it } from 'vitest';
import {
  averageRanks,
  createQualityAccumulator,
  elementError,
  qualitySummary,
  rankingStability,
  spearman,
} from '../../../src/core/quality';
import type { QualitySummary } from '../../../src/core/quality';
import { readNpy } from '../../../src/core/npy';
import type { NumberArray } from '../../../src/core/ndarray';
import { fixtureBytes, fixtureJson } from './fixture-helpers';

interface Expected {
  shape: number[];
  zero: number;
  nonFinite: number;
  bins: [number, number][];
  matrixCount?: number;
  worstMatrices?: { index: number; maxError: number }[];
  worstRows?: { index: number; maxError: number }[];
  worstColumns?: { index: number; maxError: number }[];
  worstFeatures?: { index: number; maxError: number }[];
  ranking?: {
    importanceBefore: number[];
    importanceAfter: number[];
    spearman: number;
    topBefore: number[];
    topAfter: number[];
    topUnchanged: boolean;
  };
}

async function load(name: string): Promise<{ orig: NumberArray; dec: NumberArray; exp: Expected }> {
  const orig = await readNpy(fixtureBytes('quality', `${name}_orig.npy`));
  const dec = await readNpy(fixtureBytes('quality', `${name}_dec.npy`));
  return {
    orig: orig.data as NumberArray,
    dec: dec.data as NumberArray,
    // JSON has no Infinity: the fixture script writes it as a string.
    exp: JSON.parse(JSON.stringify(fixtureJson<Expected>('quality', `${name}.json`)), (_k, v: unknown) =>
      v === 'Infinity' ? Infinity : v,
    ) as Expected,
  };
}

function expectClose(actual: number[], expected: number[]) {
  expect(actual.length).toBe(expected.length);
  // Summation order differs from numpy's pairwise sums: a few ulps.
  actual.forEach((a, i) =>
    expect(Math.abs(a - expected[i]!)).toBeLessThanOrEqual(1e-13 * Math.abs(expected[i]!)),
  );
}

function checkAgainst(q: QualitySummary, exp: Expected) {
  expect(q.shape).toEqual(exp.shape);
  expect(q.histogram.zero).toBe(exp.zero);
  expect(q.histogram.nonFinite).toBe(exp.nonFinite);
  const bins = q.histogram.bins
    .map((b, i): [number, number] => [q.histogram.firstBin + i, b.count])
    .filter(([, c]) => c > 0);
  expect(bins).toEqual(exp.bins);
  q.histogram.bins.forEach((b, i) => {
    const k = q.histogram.firstBin + i;
    expect(b.lo).toBeCloseTo(10 ** (k / 2), 12);
    expect(b.hi).toBeCloseTo(10 ** ((k + 1) / 2), 12);
  });
  if (exp.matrixCount === undefined) {
    expect(q.matrixCount).toBe(0);
    expect(q.worstMatrices).toEqual([]);
    return;
  }
  expect(q.matrixCount).toBe(exp.matrixCount);
  expect(q.worstMatrices).toEqual(exp.worstMatrices);
  expect(q.worstRows).toEqual(exp.worstRows);
  expect(q.worstColumns).toEqual(exp.worstColumns);
  expect(q.worstFeatures).toEqual(exp.worstFeatures);
  if (!exp.ranking) {
    expect(q.ranking).toBeNull();
    return;
  }
  const r = q.ranking!;
  expectClose(r.importanceBefore, exp.ranking.importanceBefore);
  expectClose(r.importanceAfter, exp.ranking.importanceAfter);
  expect(r.spearman).toBeCloseTo(exp.ranking.spearman, 12);
  expect(r.topBefore).toEqual(exp.ranking.topBefore);
  expect(r.topAfter).toEqual(exp.ranking.topAfter);
  expect(r.topUnchanged).toBe(exp.ranking.topUnchanged);
}

describe('qualitySummary vs numpy', () => {
  it.each(['shap_f16', 'shap_q', 'odd_nan_inf', 'rank4', 'vector'])('%s', async (name) => {
    const { orig, dec, exp } = await load(name);
    checkAgainst(qualitySummary(orig, dec, exp.shape), exp);
  });

  it('the quantized SHAP stack changes its top 10; the float16 one keeps it', async () => {
    const q = await load('shap_q');
    const f = await load('shap_f16');
    expect(qualitySummary(q.orig, q.dec, q.exp.shape).ranking!.topUnchanged).toBe(false);
    expect(qualitySummary(f.orig, f.dec, f.exp.shape).ranking!.topUnchanged).toBe(true);
  });

  it('streaming in uneven slabs gives the same summary', async () => {
    const { orig, dec, exp } = await load('shap_q');
    const acc = createQualityAccumulator(exp.shape);
    for (let i = 0, step = 1; i < orig.length; i += step, step = step * 3 + 7) {
      const j = Math.min(orig.length, i + step);
      acc.add(orig.subarray(i, j), dec.subarray(i, j));
    }
    expect(acc.result()).toEqual(qualitySummary(orig, dec, exp.shape));
  });
});

describe('quality pieces', () => {
  it('errors follow core/metrics rules', () => {
    expect(elementError(NaN, NaN)).toBe(0);
    expect(elementError(Infinity, Infinity)).toBe(0);
    expect(elementError(1, NaN)).toBe(Infinity);
    expect(elementError(Infinity, -Infinity)).toBe(Infinity);
    expect(elementError(1, 1.5)).toBe(0.5);
  });

  it('merges errors far below the largest into the first bin', () => {
    const orig = Float64Array.of(0, 0, 0, 0);
    const dec = Float64Array.of(1e-300, 1e-20, 0.5, 0);
    const q = qualitySummary(orig, dec, [4], { binsPerDecade: 1, maxBins: 5 });
    expect(q.histogram.zero).toBe(1);
    expect(q.histogram.bins).toHaveLength(5);
    expect(q.histogram.bins[0]!.lo).toBe(0);
    expect(q.histogram.bins[0]!.count).toBe(2);
    expect(q.histogram.bins[4]!.count).toBe(1);
    expect(q.histogram.bins[4]!.hi).toBe(1);
  });

  it('average ranks and Spearman ρ', () => {
    expect(Array.from(averageRanks([10, 20, 20, 5]))).toEqual([2, 3.5, 3.5, 1]);
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 15);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 15);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNaN();
  });

  it('top sets: order aside, the same features count as unchanged', () => {
    const r = rankingStability([5, 4, 3, 2, 1], [4, 5, 3, 2, 1]);
    expect(r.topUnchanged).toBe(true);
    expect(r.topBefore).toEqual([0, 1, 2, 3, 4]);
    expect(r.topAfter).toEqual([1, 0, 2, 3, 4]);
  });

  it('refuses more values than the shape holds', () => {
    const acc = createQualityAccumulator([2, 2]);
    expect(() => acc.add(new Float64Array(5), new Float64Array(5))).toThrow(/more than shape/);
  });
});
