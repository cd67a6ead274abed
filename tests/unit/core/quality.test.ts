// core/quality.ts against numpy-computed references (tests/fixtures/make_quality_fixtures.py; the
// zeros-kept and additivity figures are computed by numpy here, from the same fixture files).
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  averageRanks,
  createQualityAccumulator,
  elementError,
  orderSwaps,
  qualitySummary,
  rankingStability,
  spearman,
} from '../../../src/core/quality';
import type { QualitySummary } from '../../../src/core/quality';
import { readNpy } from '../../../src/core/npy';
import type { NumberArray } from '../../../src/core/ndarray';
import { fixtureBytes, fixtureJson, fixturePath } from './fixture-helpers';

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

/** numpy's answer for the zeros kept and the additivity error of fixture `name`. */
const NUMPY_EXTRAS = `
import json, sys
import numpy as np
out = {}
for name in sys.argv[2:]:
    o = np.load(f"{sys.argv[1]}/{name}_orig.npy").astype(np.float64)
    d = np.load(f"{sys.argv[1]}/{name}_dec.npy").astype(np.float64)
    z = o == 0
    r = {"zerosOriginal": int(z.sum()), "zerosKept": int((z & (d == 0)).sum())}
    if o.ndim >= 2 and o.shape[-1] == o.shape[-2]:
        so, sd = o.sum(axis=-1).ravel(), d.sum(axis=-1).ravel()
        with np.errstate(invalid="ignore"):
            e = np.abs(sd - so)
        e[so == sd] = 0.0
        no, nd = np.isnan(so), np.isnan(sd)
        e[no & nd] = 0.0
        e[no ^ nd] = np.inf
        i = int(np.argmax(e))
        top2 = np.sort(e)[-2:]
        r["additivity"] = {
            "maxError": "Infinity" if np.isinf(e[i]) else float(e[i]),
            "matrix": i // o.shape[-2],
            "row": i % o.shape[-2],
            "scale": float(np.nanmax(np.abs(np.where(np.isfinite(so), so, 0.0)))),
            "runnerUp": "Infinity" if np.isinf(top2[0]) else float(top2[0]),
        }
    out[name] = r
print(json.dumps(out))
`;

interface NumpyExtras {
  zerosOriginal: number;
  zerosKept: number;
  additivity?: {
    maxError: number | string;
    matrix: number;
    row: number;
    scale: number;
    runnerUp: number | string;
  };
}

describe('zeros kept and additivity error vs numpy', () => {
  const names = ['shap_f16', 'shap_q', 'odd_nan_inf', 'rank4', 'vector'];
  let expected: Record<string, NumpyExtras> = {};
  beforeAll(() => {
    expected = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', NUMPY_EXTRAS, fixturePath('quality'), ...names], {
        encoding: 'utf8',
      }),
    ) as Record<string, NumpyExtras>;
  });
  const num = (v: number | string) => (v === 'Infinity' ? Infinity : (v as number));

  it.each(names)('%s', async (name) => {
    const { orig, dec, exp } = await load(name);
    const q = qualitySummary(orig, dec, exp.shape);
    const e = expected[name]!;
    expect(q.zeros).toEqual({ original: e.zerosOriginal, kept: e.zerosKept });
    if (!e.additivity) {
      expect(q.additivity).toBeNull();
      return;
    }
    const a = q.additivity!;
    const want = num(e.additivity.maxError);
    expect(a.rowLength).toBe(exp.shape[exp.shape.length - 1]);
    if (want === Infinity) expect(a.maxError).toBe(Infinity);
    // numpy sums pairwise, we sum in order: the row sums differ by a few ulps of their size.
    else expect(Math.abs(a.maxError - want)).toBeLessThanOrEqual(1e-13 * e.additivity.scale);
    // The worst row is numpy's unless the two largest drifts are within rounding of each other.
    if (want - num(e.additivity.runnerUp) > 1e-12 * e.additivity.scale || want === Infinity)
      expect([a.matrix, a.row]).toEqual([e.additivity.matrix, e.additivity.row]);
  });

  it('the fixtures cover kept, lost and absent zeros, and drifts from ulps to a lost NaN', () => {
    expect(expected.shap_q!.zerosKept).toBe(expected.shap_q!.zerosOriginal);
    expect(expected.odd_nan_inf!.zerosKept).toBe(expected.odd_nan_inf!.zerosOriginal - 1);
    expect(expected.rank4!.zerosOriginal).toBe(0);
    expect(num(expected.odd_nan_inf!.additivity!.maxError)).toBe(Infinity);
    expect(num(expected.shap_q!.additivity!.maxError)).toBeGreaterThan(0.1);
  });

  it('a rank-2 square matrix streamed in slabs that split rows gives the one-call answer', () => {
    // A 5 × 5 matrix; every value of row 3 drifts by +0.1 (row sum +0.5), and value 0 turns 1e-9.
    const n = 5;
    const orig = new Float64Array(n * n).map((_, i) => (i % 3 === 0 ? 0 : Math.sin(i)));
    const dec = orig.map((x, i) => (Math.floor(i / n) === 3 ? x + 0.1 : x));
    dec[0] = 1e-9;
    const whole = qualitySummary(orig, dec, [n, n]);
    expect(whole.additivity!.row).toBe(3);
    expect(whole.additivity!.matrix).toBe(0);
    expect(whole.additivity!.maxError).toBeCloseTo(0.5, 12);
    // Zeros at every third index: 9 of them; the one at 0 and row 3's two (15, 18) are lost.
    expect(whole.zeros).toEqual({ original: 9, kept: 6 });
    const acc = createQualityAccumulator([n, n]);
    for (const [a, b] of [
      [0, 3],
      [3, 11],
      [11, 25],
    ] as const)
      acc.add(orig.subarray(a, b), dec.subarray(a, b));
    expect(acc.result()).toEqual(whole);
  });

  it('errors that cancel along a row leave no drift', () => {
    const orig = Float64Array.of(1, 2, 3, 4);
    const dec = Float64Array.of(1.5, 1.5, 3, 4);
    const q = qualitySummary(orig, dec, [1, 2, 2]);
    expect(q.histogram.bins.length).toBeGreaterThan(0);
    expect(q.additivity).toEqual({ maxError: 0, matrix: 0, row: 0, rowLength: 2 });
  });

  it('non-square matrices have no additivity figure', () => {
    expect(qualitySummary(new Float64Array(6), new Float64Array(6), [2, 3]).additivity).toBeNull();
  });
});

describe('top-10 order', () => {
  it('counts the pairs whose order flipped', () => {
    expect(orderSwaps([1, 2, 3, 4], [1, 2, 3, 4])).toBe(0);
    expect(orderSwaps([1, 2, 3, 4], [2, 1, 3, 4])).toBe(1);
    expect(orderSwaps([1, 2, 3, 4], [4, 3, 2, 1])).toBe(6);
    // Only features in both lists count.
    expect(orderSwaps([1, 2, 3], [3, 9, 1])).toBe(1);
  });

  it('same set in another order: unchanged set, not unchanged order', () => {
    const r = rankingStability([5, 4, 3, 2, 1], [4, 5, 3, 1, 2]);
    expect(r.topUnchanged).toBe(true);
    expect(r.topOrderUnchanged).toBe(false);
    expect(r.topSwaps).toBe(2);
    expect(r.topEntered).toEqual([]);
    expect(r.topLeft).toEqual([]);
  });

  it('features entering and leaving the top 10', () => {
    const before = Array.from({ length: 12 }, (_, i) => 12 - i); // 0 … 9 on top
    const after = [...before];
    after[11] = 100; // 11 jumps to first place, 9 drops out
    const r = rankingStability(before, after);
    expect(r.topUnchanged).toBe(false);
    expect(r.topOrderUnchanged).toBe(false);
    expect(r.topEntered).toEqual([11]);
    expect(r.topLeft).toEqual([9]);
    expect(r.topSwaps).toBe(0);
  });

  it('the quantized SHAP fixture: numpy’s top lists give the same entered/left features', async () => {
    const { orig, dec, exp } = await load('shap_q');
    const r = qualitySummary(orig, dec, exp.shape).ranking!;
    const before = new Set(exp.ranking!.topBefore);
    const after = new Set(exp.ranking!.topAfter);
    expect(r.topEntered).toEqual(exp.ranking!.topAfter.filter((i) => !before.has(i)));
    expect(r.topLeft).toEqual(exp.ranking!.topBefore.filter((i) => !after.has(i)));
  });
});
