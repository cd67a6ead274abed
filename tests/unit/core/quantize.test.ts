import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  QUANTIZED_CODE_RANGE,
  dequantize,
  minimumQuantizationEps,
  planQuantization,
  quantize,
  quantizedEntropyBits,
} from '../../../src/core/quantize';
import type { QuantizationPlan } from '../../../src/core/quantize';
import { CoreError } from '../../../src/core/errors';
import { generateNotebookArray } from '../../../src/core/generator';
import { packUpper } from '../../../src/core/triangle';

function expectCode(f: () => unknown, code: string): CoreError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CoreError);
    expect((e as CoreError).code).toBe(code);
    return e as CoreError;
  }
  return expect.fail('expected a CoreError');
}

/** Largest |x − decoded| over the array, or throws on any bound violation with details. */
function checkBound(x: Float64Array, plan: QuantizationPlan, eps: number): number {
  const q = quantize(x, plan);
  const d = dequantize(q, plan);
  const [lo, hi] = QUANTIZED_CODE_RANGE[plan.dtype];
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    // Exactly the CF decode a reader does, recomputed here rather than trusting dequantize.
    const again = q[i]! * plan.scaleFactor + plan.addOffset;
    if (d[i] !== again) expect.fail(`dequantize gave ${d[i]}, q·s + o is ${again}`);
    const err = Math.abs(x[i]! - again);
    if (!(err <= eps)) expect.fail(`x=${x[i]} q=${q[i]} decoded=${again} err=${err} > eps=${eps}`);
    if (q[i]! < lo || q[i]! > hi) expect.fail(`code ${q[i]} outside ${plan.dtype} range`);
    if (err > worst) worst = err;
  }
  return worst;
}

/** Values in [min, max]: endpoints, grid midpoints (worst case for rounding) and random points. */
function probe(min: number, max: number, plan: QuantizationPlan, rand: number[]): Float64Array {
  const xs = [min, max, min / 2 + max / 2];
  const { scaleFactor: s, addOffset: o } = plan;
  for (const r of rand) {
    const x = min + (max - min) * r;
    xs.push(Math.min(max, Math.max(min, x)));
    // The midpoint between two codes near x, and its float64 neighbours.
    const k = Math.floor((x - o) / s);
    const mid = o + (k + 0.5) * s;
    if (mid >= min && mid <= max) xs.push(mid);
  }
  return Float64Array.from(xs.filter((x) => Number.isFinite(x)));
}

describe('planQuantization', () => {
  it('picks the smallest type: int16 for the notebook range at ε = 7.8e-3, int32 at 1e-4 (docs/ARCHITECTURE.md, notebook figures)', () => {
    const a = generateNotebookArray({ n: 50, m: 141, seed: 0 });
    const packed = packUpper(a.data as Float64Array, a.shape);
    let min = Infinity;
    let max = -Infinity;
    for (const v of packed) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    const coarse = planQuantization(min, max, 7.8e-3);
    expect(coarse.dtype).toBe('i2');
    expect(checkBound(packed, coarse, 7.8e-3)).toBeGreaterThan(7.8e-3 * 0.99);
    const fine = planQuantization(min, max, 1e-4);
    expect(fine.dtype).toBe('i4');
    checkBound(packed, fine, 1e-4);
  });

  it('uses just under 2ε as the scale factor and a centred offset on the grid for signed types', () => {
    const p = planQuantization(-1, 3, 0.01);
    expect(p.scaleFactor).toBeLessThan(0.02);
    expect(p.scaleFactor).toBeGreaterThan(0.02 * (1 - 2 ** -19));
    expect(p).toMatchObject({ dtype: 'i1', eps: 0.01 });
    // The offset is the multiple of the step nearest the centre (1), so 0 is a grid point.
    const k = Math.round(p.addOffset / p.scaleFactor);
    expect(-k * p.scaleFactor + p.addOffset).toBe(0);
    expect(Math.abs(p.addOffset - 1)).toBeLessThanOrEqual(p.scaleFactor / 2);
    // ~253 codes of 2ε (+1 of slack either side): fits u1 (offset min, codes 0..254) but not i1 (±126).
    expect(planQuantization(0, 0.02 * 252.5, 0.01)).toMatchObject({ dtype: 'u1', addOffset: 0 });
    expect(planQuantization(0, 0.02 * 250, 0.01)).toMatchObject({ dtype: 'i1' });
    expect(planQuantization(5, 5, 1e-9)).toMatchObject({ dtype: 'i1', addOffset: 5 });
  });

  it('refuses ranges whose decoded values would overflow float64', () => {
    expectCode(() => planQuantization(-Number.MAX_VALUE, Number.MAX_VALUE, 1e300), 'BAD_PARAMS');
    expectCode(() => minimumQuantizationEps(0, Number.MAX_VALUE), 'BAD_PARAMS');
  });

  it('rejects bad ε and ranges', () => {
    for (const eps of [0, -1, NaN, Infinity]) expectCode(() => planQuantization(0, 1, eps), 'BAD_PARAMS');
    expectCode(() => planQuantization(1, 0, 0.1), 'BAD_PARAMS');
    expectCode(() => planQuantization(NaN, 1, 0.1), 'BAD_PARAMS');
    expectCode(() => planQuantization(0, Infinity, 0.1), 'BAD_PARAMS');
  });

  it('names the smallest ε that works when the range is too wide for int32', () => {
    const e = expectCode(() => planQuantization(-20, 22, 1e-9), 'BAD_PARAMS');
    const need = minimumQuantizationEps(-20, 22);
    expect(e.message).toContain(`ε ≥ ${need}`);
    expect(need).toBeGreaterThan(42 / 2 ** 33);
    expect(need).toBeLessThan((42 / 2 ** 33) * 1.01);
    expect(['i4', 'u4']).toContain(planQuantization(-20, 22, need).dtype);
    // Where float64 itself is the limit (values near 1e12, ε of 1e-6), the message says so too.
    const near = minimumQuantizationEps(1e12, 1e12 + 1);
    expect(near).toBeGreaterThan(1e12 * 2 ** -53);
    expectCode(() => planQuantization(1e12, 1e12 + 1, near / 10), 'BAD_PARAMS');
    checkBound(
      probe(1e12, 1e12 + 1, planQuantization(1e12, 1e12 + 1, near), [0.1, 0.5, 0.77]),
      planQuantization(1e12, 1e12 + 1, near),
      near,
    );
  });
});

describe('exact zeros', () => {
  it('decode to exactly 0.0 whenever 0 is in the range (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
        fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
        fc.double({ min: 1e-9, max: 10, noNaN: true }),
        (neg, pos, epsFrac) => {
          const min = -neg;
          const max = pos;
          const eps = epsFrac * (max - min);
          const plan = planQuantization(min, max, eps);
          const q = quantize(new Float64Array([0, min, max]), plan);
          const back = dequantize(q, plan);
          // q·s + o evaluated as numpy does (float64): the zero code gives +0 or −0, both == 0.
          expect(back[0]).toBe(0 * 1);
          expect(Object.is(back[0], -0) || back[0] === 0).toBe(true);
          expect(Math.abs(back[1]! - min)).toBeLessThanOrEqual(eps);
          expect(Math.abs(back[2]! - max)).toBeLessThanOrEqual(eps);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('keep the offset at or below min for unsigned plans, still on the grid', () => {
    const p = planQuantization(0.3, 0.3 + 0.02 * 252, 0.01);
    expect(p.dtype).toBe('u1');
    expect(p.addOffset).toBeLessThanOrEqual(0.3);
    const k = Math.round(p.addOffset / p.scaleFactor);
    expect(-k * p.scaleFactor + p.addOffset).toBe(0);
  });
});

describe('quantize / dequantize guarantee |x − decoded| ≤ ε', () => {
  const magnitude = fc.oneof(
    fc.double({ min: -1e3, max: 1e3, noNaN: true }),
    fc.double({ min: -1e300, max: 1e300, noNaN: true }),
    fc.double({ min: -1e-300, max: 1e-300, noNaN: true }),
    fc.constantFrom(0, -0, 1, -1, 65504, 1e12, -1e12, Number.MIN_VALUE),
  );

  it('holds for random ranges, ε and values, including grid midpoints (property)', () => {
    fc.assert(
      fc.property(
        magnitude,
        magnitude,
        fc.double({ min: -12, max: 2, noNaN: true }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 60 }),
        (a, b, logRel, rand) => {
          const min = Math.min(a, b);
          const max = Math.max(a, b);
          const width = max / 2 - min / 2;
          // ε relative to the range (or to the magnitude when the range is 0), from 1e-12 to 100×.
          const eps = Math.max(width, Math.abs(max), 1e-300) * 10 ** logRel;
          if (!Number.isFinite(eps)) return;
          let plan: QuantizationPlan;
          try {
            plan = planQuantization(min, max, eps);
          } catch (e) {
            // Only allowed when ε is really below what 32-bit codes or float64 can do (ranges that
            // touch ±1.8e308 can't be quantized at all: decoded values would overflow).
            expect(e).toBeInstanceOf(CoreError);
            let need = Infinity;
            try {
              need = minimumQuantizationEps(min, max);
            } catch (e2) {
              expect(e2).toBeInstanceOf(CoreError);
            }
            expect(eps).toBeLessThan(need);
            return;
          }
          checkBound(probe(min, max, plan, rand), plan, eps);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('holds at the smallest ε that plans, for random ranges (property)', () => {
    fc.assert(
      fc.property(
        magnitude,
        magnitude,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 40 }),
        (a, b, rand) => {
          const min = Math.min(a, b);
          const max = Math.max(a, b);
          let eps: number;
          try {
            eps = minimumQuantizationEps(min, max);
          } catch (e) {
            expect(e).toBeInstanceOf(CoreError);
            expect(Math.max(-min, max)).toBeGreaterThan(1e307); // only ranges touching float64's limit
            return;
          }
          const plan = planQuantization(min, max, eps);
          checkBound(probe(min, max, plan, rand), plan, eps);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('holds on every value of a dense sweep over one type’s full code range', () => {
    const plan = planQuantization(-3.7, 1234.5, 0.01);
    expect(plan.dtype).toBe('i2');
    const n = 400_000;
    const x = Float64Array.from({ length: n }, (_, i) => -3.7 + ((1234.5 + 3.7) * i) / (n - 1));
    expect(checkBound(x, plan, 0.01)).toBeLessThanOrEqual(0.01);
  });

  it('writes into a given output, and rejects NaN/Inf, out-of-range values and wrong outputs', () => {
    const plan = planQuantization(0, 1, 0.1);
    const out = new Int8Array(3);
    expect(quantize(Float64Array.of(0, 0.5, 1), plan, out)).toBe(out);
    expect(expectCode(() => quantize(Float64Array.of(0, NaN), plan), 'BAD_PARAMS').message).toContain('NaN');
    expectCode(() => quantize(Float64Array.of(Infinity), plan), 'BAD_PARAMS');
    expectCode(() => quantize(Float64Array.of(1000), plan), 'BAD_PARAMS');
    expectCode(() => quantize(Float64Array.of(1), plan, new Int16Array(1)), 'BAD_PARAMS');
    expectCode(() => quantize(Float64Array.of(1, 2), plan, new Int8Array(1)), 'BAD_PARAMS');
  });

  it('dequantizes with a plan rebuilt from file attributes (no ε)', () => {
    const plan = planQuantization(-2, 2, 1e-3);
    const q = quantize(Float64Array.of(-2, 0.123, 2), plan);
    const fromFile = { scaleFactor: plan.scaleFactor, addOffset: plan.addOffset, dtype: plan.dtype };
    expect([...dequantize(q, fromFile)]).toEqual([...dequantize(q, plan)]);
    expect([...quantize(Float64Array.of(-2, 0.123, 2), fromFile)]).toEqual([...q]);
  });

  it('quantizes 10 M values quickly (time printed)', () => {
    const a = generateNotebookArray({ n: 1000, m: 141, seed: 0 });
    const packed = packUpper(a.data as Float64Array, a.shape);
    const plan = planQuantization(-19.99, 21.98, 1e-4);
    let t = performance.now();
    const q = quantize(packed, plan);
    const qMs = performance.now() - t;
    t = performance.now();
    dequantize(q, plan);
    console.log(
      `quantize ${packed.length} values: ${qMs.toFixed(0)} ms, dequantize ${(performance.now() - t).toFixed(0)} ms`,
    );
    expect(q).toBeInstanceOf(Int32Array);
  });
});

describe('quantizedEntropyBits', () => {
  it('is the zeroth-order entropy of the stored codes', () => {
    // Codes of [0, 0, 0, 1] at ε = 0.1: two symbols with p = 3/4 and 1/4.
    const plan = planQuantization(0, 1, 0.1);
    const h = -(3 * Math.log2(3 / 4) + Math.log2(1 / 4));
    expect(quantizedEntropyBits(new Float64Array([0, 0, 0, 1]), plan)).toBeCloseTo(h, 12);
    // One symbol costs nothing; values that share a code share its probability.
    expect(quantizedEntropyBits(new Float64Array(1000), plan)).toBe(0);
    expect(quantizedEntropyBits(new Float64Array([0, 0.05, 1, 0.99]), plan)).toBeCloseTo(4, 12);
  });

  it('counts wide code ranges (int32) without a dense table', () => {
    const plan = planQuantization(-1, 1, 1e-7);
    expect(plan.dtype).toBe('i4');
    const x = Float64Array.from({ length: 1 << 12 }, (_, i) => (i % 256) / 256 - 0.5);
    expect(quantizedEntropyBits(x, plan)).toBeCloseTo(x.length * 8, 6);
  });
});
