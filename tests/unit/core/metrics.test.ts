import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bytesRatio, compareArrays, createErrorAccumulator } from '../../../src/core/metrics';
import type { ErrorMetrics } from '../../../src/core/metrics';
import { readNpy } from '../../../src/core/npy';
import { generateNotebookArray } from '../../../src/core/generator';
import { CoreError } from '../../../src/core/errors';
import { packUpper, unpackUpper } from '../../../src/core/triangle';
import { fixtureBytes, fixtureJson, pyFloat } from './fixture-helpers';

type Ref = Record<keyof ErrorMetrics, string | number>;
const refs = fixtureJson<Record<string, Ref>>('metrics', 'expected.json');
const orig = (await readNpy(fixtureBytes('metrics', 'orig.npy'))).data as Float64Array;
const decoded: Record<string, Float64Array> = {};
for (const name of Object.keys(refs))
  decoded[name] = (await readNpy(fixtureBytes('metrics', `dec_${name}.npy`))).data as Float64Array;

function expectClose(got: number, want: number, rel = 1e-12): void {
  if (!Number.isFinite(want) || want === 0) expect(Object.is(got, want), `${got} vs ${want}`).toBe(true);
  else expect(Math.abs(got - want) / Math.abs(want), `${got} vs ${want}`).toBeLessThan(rel);
}

function expectNumpy(m: ErrorMetrics, ref: Ref): void {
  expect(Object.is(m.maxAbsError, pyFloat(ref.maxAbsError as string))).toBe(true);
  expect(Object.is(m.maxRelError, pyFloat(ref.maxRelError as string))).toBe(true);
  expectClose(m.rmse, pyFloat(ref.rmse as string));
  expectClose(m.psnr, pyFloat(ref.psnr as string));
  expect(m.count).toBe(ref.count);
  expect(m.nanMismatch).toBe(ref.nanMismatch);
  expect(m.infMismatch).toBe(ref.infMismatch);
  expect(m.worstIndex).toBe(ref.worstIndex);
}

describe('compareArrays matches numpy-computed metrics', () => {
  for (const [name, ref] of Object.entries(refs)) {
    it(`${name}`, () => {
      expectNumpy(compareArrays(orig, decoded[name]!), ref);
    });

    it(`${name}: any split into slabs gives the same result`, () => {
      fc.assert(
        fc.property(fc.array(fc.nat({ max: orig.length }), { maxLength: 8 }), (cuts) => {
          const b = [...new Set([0, orig.length, ...cuts])].sort((x, y) => x - y);
          const acc = createErrorAccumulator();
          for (let i = 1; i < b.length; i++)
            acc.add(orig.subarray(b[i - 1], b[i]), decoded[name]!.subarray(b[i - 1], b[i]));
          expectNumpy(acc.result(), ref);
        }),
        { numRuns: 50 },
      );
    });
  }

  it('given the originals’ range (a job’s analysed input), every figure is numpy’s, PSNR from that range', () => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const x of orig) if (Number.isFinite(x)) [lo, hi] = [Math.min(lo, x), Math.max(hi, x)];
    for (const [name, ref] of Object.entries(refs)) {
      const acc = createErrorAccumulator({ range: { min: lo, max: hi } });
      for (let i = 0; i < orig.length; i += 1000)
        acc.add(orig.subarray(i, i + 1000), decoded[name]!.subarray(i, i + 1000));
      expectNumpy(acc.result(), ref);
    }
    // The range given is the one used: twice as wide, PSNR 20·log10(2) dB higher.
    const wide = createErrorAccumulator({ range: { min: lo, max: hi + (hi - lo) } });
    wide.add(orig, decoded.f32!);
    expectClose(wide.result().psnr, compareArrays(orig, decoded.f32!).psnr + 20 * Math.log10(2), 1e-9);
  });

  it('with a known range, values equal to their originals are skipped, never a difference after them', () => {
    // Lossless up to some index, then another decoding (or the originals with one NaN): the figures
    // and the worst index are those of the pass without the range, over any slabs.
    let lo = Infinity;
    let hi = -Infinity;
    for (const x of orig) if (Number.isFinite(x)) [lo, hi] = [Math.min(lo, x), Math.max(hi, x)];
    const names = Object.keys(refs);
    fc.assert(
      fc.property(
        fc.constantFrom(...names),
        fc.nat({ max: orig.length }),
        fc.array(fc.nat({ max: orig.length }), { maxLength: 5 }),
        (name, k, cuts) => {
          const mixed = orig.slice();
          mixed.set(decoded[name]!.subarray(k), k);
          const want = compareArrays(orig, mixed);
          const b = [...new Set([0, orig.length, ...cuts])].sort((x, y) => x - y);
          const acc = createErrorAccumulator({ range: { min: lo, max: hi } });
          for (let i = 1; i < b.length; i++)
            acc.add(orig.subarray(b[i - 1], b[i]), mixed.subarray(b[i - 1], b[i]));
          const got = acc.result();
          expect(got.worstIndex).toBe(want.worstIndex);
          expect(got.count).toBe(want.count);
          expect([got.nanMismatch, got.infMismatch]).toEqual([want.nanMismatch, want.infMismatch]);
          expect(Object.is(got.maxAbsError, want.maxAbsError)).toBe(true);
          expect(Object.is(got.maxRelError, want.maxRelError)).toBe(true);
          expectClose(got.rmse, want.rmse, 1e-12);
          if (Number.isFinite(lo)) expectClose(got.psnr, want.psnr, 1e-9);
        },
      ),
      { numRuns: 100 },
    );
    // An exact copy: nothing but the count.
    const exact = createErrorAccumulator({ range: { min: lo, max: hi } });
    exact.add(orig, orig.slice());
    expect(exact.result()).toMatchObject({ maxAbsError: 0, rmse: 0, psnr: Infinity, count: orig.length });
  });

  it('a float32 round trip has a small finite error; a NaN appearing is never hidden', () => {
    const f32 = compareArrays(orig, decoded.f32!);
    expect(f32.maxAbsError).toBeGreaterThan(0);
    expect(f32.maxAbsError).toBeLessThan(1e-4);
    const nan = compareArrays(orig, decoded.nan_appears!);
    expect(nan.maxAbsError).toBe(Infinity);
    expect(nan.nanMismatch).toBe(1);
    expect(nan.rmse).toBe(Infinity);
  });
});

describe('edge cases', () => {
  it('identical arrays, NaNs and infinities in the same places: zero error, psnr Infinity', () => {
    const a = Float64Array.of(1, NaN, Infinity, -Infinity, -0, 3);
    const m = compareArrays(a, Float64Array.of(1, NaN, Infinity, -Infinity, 0, 3));
    expect(m).toEqual({
      maxAbsError: 0,
      maxRelError: 0,
      rmse: 0,
      psnr: Infinity,
      count: 6,
      nanMismatch: 0,
      infMismatch: 0,
      worstIndex: -1,
    });
  });

  it('counts +Inf vs −Inf and Inf lost as inf mismatches', () => {
    const m = compareArrays(Float64Array.of(Infinity, 1, 2), Float64Array.of(-Infinity, Infinity, 2));
    expect(m).toMatchObject({ infMismatch: 2, nanMismatch: 0, maxAbsError: Infinity, worstIndex: 0 });
    expect(m.maxRelError).toBe(Infinity);
  });

  it('empty input and mixed array types', () => {
    expect(compareArrays(new Float64Array(0), new Float64Array(0))).toMatchObject({
      count: 0,
      rmse: 0,
      worstIndex: -1,
    });
    const m = compareArrays(Int16Array.of(1, 2, 3), Float32Array.of(1, 2.5, 3));
    expect(m).toMatchObject({ maxAbsError: 0.5, maxRelError: 0.25, worstIndex: 1 });
    expectClose(m.rmse, Math.sqrt(0.25 / 3));
    expectClose(m.psnr, 20 * Math.log10(2 / Math.sqrt(0.25 / 3)));
  });

  it('huge errors do not overflow the rmse', () => {
    const m = compareArrays(Float64Array.of(1e300, -1e300), Float64Array.of(-1e300, 1e300));
    expectClose(m.rmse, 2e300);
    expect(m.maxAbsError).toBe(2e300);
  });

  it('rejects arrays of different lengths', () => {
    expect(() => compareArrays(new Float64Array(2), new Float64Array(3))).toThrow(CoreError);
  });

  it('bytesRatio is original / file bytes', () => {
    expect(bytesRatio(159048128, 19880000)).toBeCloseTo(8.0004, 3);
    expect(bytesRatio(100, 100)).toBe(1);
    expect(() => bytesRatio(100, 0)).toThrow(CoreError);
    expect(() => bytesRatio(NaN, 5)).toThrow(CoreError);
  });

  it('rmse of a big random slab matches a naive float64 sum closely', () => {
    fc.assert(
      fc.property(
        fc.float64Array({
          noNaN: true,
          noDefaultInfinity: true,
          min: -1e6,
          max: 1e6,
          minLength: 1,
          maxLength: 300,
        }),
        fc.float64Array({
          noNaN: true,
          noDefaultInfinity: true,
          min: -1,
          max: 1,
          minLength: 300,
          maxLength: 300,
        }),
        (a, noise) => {
          // Keep squared errors clear of float64 underflow so the naive reference sum is accurate.
          const d = a.map((x, i) => x + (Math.abs(noise[i]!) < 1e-100 ? 0 : noise[i]!));
          let s = 0;
          for (let i = 0; i < a.length; i++) s += (d[i]! - a[i]!) ** 2;
          const m = compareArrays(a, d);
          if (s === 0) expect(m.rmse).toBe(0);
          else expectClose(m.rmse, Math.sqrt(s / a.length), 1e-9);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('addSymmetric (mirrored matrices compared from their upper triangles)', () => {
  /** Symmetric stacks and a symmetric decoded version of them: noisy, rounded, some values exact. */
  const pair = fc
    .record({
      count: fc.integer({ min: 1, max: 5 }),
      m: fc.integer({ min: 1, max: 8 }),
      split: fc.integer({ min: 0, max: 5 }),
      scale: fc.constantFrom(1, 1e-3, 1e6),
      rounding: fc.constantFrom('noise', 'float32', 'coarse', 'exact'),
    })
    .chain((p) =>
      fc.record({
        p: fc.constant(p),
        values: fc.array(
          fc.oneof(fc.constant(0), fc.constant(-0), fc.double({ min: -1, max: 1, noNaN: true })),
          {
            minLength: p.count * p.m * p.m,
            maxLength: p.count * p.m * p.m,
          },
        ),
        noise: fc.array(fc.double({ min: -1e-3, max: 1e-3, noNaN: true }), {
          minLength: p.count * p.m * p.m,
          maxLength: p.count * p.m * p.m,
        }),
      }),
    );

  it('gives the figures add gives on the rebuilt matrices, slab by slab', () => {
    fc.assert(
      fc.property(pair, ({ p, values, noise }) => {
        const { count, m, split, scale, rounding } = p;
        const shape = [count, m, m];
        const orig = unpackUpper(
          packUpper(
            Float64Array.from(values, (v) => v * scale),
            shape,
          ),
          m,
          count,
        );
        const packedOrig = packUpper(orig, shape);
        const decoded = packedOrig.map((v, i) =>
          rounding === 'noise'
            ? v + noise[i]! * scale
            : rounding === 'float32'
              ? Math.fround(v)
              : rounding === 'coarse'
                ? Math.round(v * 8) / 8
                : v,
        );
        const range = { min: Math.min(...orig), max: Math.max(...orig) };
        const full = createErrorAccumulator({ range });
        const sym = createErrorAccumulator({ range });
        const t = (m * (m + 1)) / 2;
        // Two slabs of whole matrices (the first may be empty).
        const cut = Math.min(split, count);
        for (const [a, b] of [
          [0, cut],
          [cut, count],
        ] as const) {
          const o = orig.subarray(a * m * m, b * m * m);
          const d = decoded.subarray(a * t, b * t);
          full.add(o, unpackUpper(d, m, b - a));
          expect(sym.addSymmetric!(o, d, m)).toBe(true);
        }
        const want = full.result();
        const got = sym.result();
        expect(got.maxAbsError).toBe(want.maxAbsError);
        expect(got.maxRelError).toBe(want.maxRelError);
        expect(got.worstIndex).toBe(want.worstIndex);
        expect(got.count).toBe(want.count);
        expect([got.nanMismatch, got.infMismatch]).toEqual([want.nanMismatch, want.infMismatch]);
        // The squares are summed in another order: equal up to rounding.
        expect(Math.abs(got.rmse - want.rmse)).toBeLessThanOrEqual(want.rmse * 1e-12);
      }),
      { numRuns: 400 },
    );
  });

  it('declines, changing nothing, on NaN, infinities and without a known range', () => {
    const orig = Float64Array.of(1, 2, 2, 3); // one symmetric 2×2 matrix
    const range = { min: 1, max: 3 };
    for (const bad of [NaN, Infinity, -Infinity, 1e200]) {
      const acc = createErrorAccumulator({ range });
      acc.add(Float64Array.of(5), Float64Array.of(5.5)); // some state first
      const before = acc.result();
      expect(acc.addSymmetric!(orig, Float64Array.of(1, bad, 3), 2)).toBe(false);
      expect(acc.result()).toEqual(before);
    }
    const noRange = createErrorAccumulator();
    expect(noRange.addSymmetric!(orig, Float64Array.of(1, 2, 3), 2)).toBe(false);
    expect(noRange.result().count).toBe(0);
  });

  it('rejects packed values that are not whole triangles of the originals', () => {
    const acc = createErrorAccumulator({ range: { min: 0, max: 1 } });
    expect(() => acc.addSymmetric!(new Float64Array(4), new Float64Array(4), 2)).toThrow(CoreError);
    expect(() => acc.addSymmetric!(new Float64Array(9), new Float64Array(3), 2)).toThrow(CoreError);
  });
});

describe('speed', () => {
  it('compares 1000×141×141 values quickly (time printed)', () => {
    const a = generateNotebookArray().data as Float64Array;
    const b = Float64Array.from(new Float32Array(a));
    const t = performance.now();
    const m = compareArrays(a, b);
    console.log(`compareArrays 1000×141×141 (float32 round trip): ${(performance.now() - t).toFixed(0)} ms`);
    expect(m.maxAbsError).toBeGreaterThan(0);
    expect(m.maxAbsError).toBeLessThan(1e-6); // docs/ARCHITECTURE.md, notebook figures: f32 max abs error 9.5e-7
  });
});
