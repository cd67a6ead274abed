import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { getFloat16, setFloat16 } from '@petamoriken/float16';
import {
  float16BitsToFloat32,
  float16BitsToFloat64,
  float16BitsToNumber,
  float64ToFloat16Bits,
  roundToFloat16,
} from '../../../src/core/float16';
import { readNpy } from '../../../src/core/npy';
import { CoreError } from '../../../src/core/errors';
import { fixtureBytes } from './fixture-helpers';

// numpy's own float64 -> float16 results (make_fixtures.py: make_float16).
const inputs = (await readNpy(fixtureBytes('float16', 'inputs_f8.npy'))).data as Float64Array;
const expected = (await readNpy(fixtureBytes('float16', 'expected_u2.npy'))).data as Uint16Array;
/** The first 0x7c00 inputs are every non-negative finite half, in bit order. */
const FINITE_HALVES = 0x7c00;

function firstMismatches(got: Uint16Array, want: Uint16Array, xs: ArrayLike<number>): string[] {
  const bad: string[] = [];
  for (let i = 0; i < want.length && bad.length < 5; i++)
    if (got[i] !== want[i])
      bad.push(`x=${xs[i]} got 0x${got[i]!.toString(16)} numpy 0x${want[i]!.toString(16)}`);
  return bad;
}

describe('float64ToFloat16Bits matches numpy astype(np.float16)', () => {
  it('has the reference set: all finite halves, ties, ties ± 1 ulp, subnormals, overflow, NaN, ±0', () => {
    expect(inputs.length).toBe(expected.length);
    expect(inputs.length).toBeGreaterThan(80000);
    expect(inputs.some((x) => Number.isNaN(x))).toBe(true);
    expect(inputs).toContain(65520);
    expect(inputs).toContain(Infinity);
  });

  it('is bit-identical to numpy on every reference case', () => {
    const got = float64ToFloat16Bits(inputs);
    expect(firstMismatches(got, expected, inputs)).toEqual([]);
  });

  it('is bit-identical on views at an offset, into an output view (blocks of values fall elsewhere)', () => {
    // Three times the reference set (> 3 × 80 000 values: many 4096-value blocks), viewed from value
    // 12 345 on, so that no block starts where the underlying buffer's blocks would.
    const n = inputs.length;
    const src = new Float64Array(3 * n + 12345);
    for (let k = 0; k < 3; k++) src.set(inputs, 12345 + k * n);
    const out = new Uint16Array(3 * n + 7).fill(0xdead);
    const got = float64ToFloat16Bits(src.subarray(12345), out.subarray(7));
    expect(got.buffer).toBe(out.buffer);
    for (let k = 0; k < 3; k++)
      expect(firstMismatches(out.subarray(7 + k * n, 7 + (k + 1) * n), expected, inputs)).toEqual([]);
    expect([...out.subarray(0, 7)]).toEqual(Array(7).fill(0xdead));
  });

  it('gives the same bits from Float32Array, Int32Array and Uint8Array inputs (widened exactly)', () => {
    const idx: number[] = [];
    for (let i = 0; i < inputs.length; i++)
      if (Math.fround(inputs[i]!) === inputs[i] || Number.isNaN(inputs[i]!)) idx.push(i);
    const f32 = Float32Array.from(idx, (i) => inputs[i]!);
    const got = float64ToFloat16Bits(f32);
    const want = Uint16Array.from(idx, (i) => expected[i]!);
    // NaN sign/payload may not survive the float32 copy; compare NaN-ness there.
    for (let k = 0; k < idx.length; k++) {
      if (Number.isNaN(f32[k]!)) expect((got[k]! & 0x7c00) === 0x7c00 && (got[k]! & 0x3ff) !== 0).toBe(true);
      else if (got[k] !== want[k]) expect.fail(`x=${f32[k]} got ${got[k]} numpy ${want[k]}`);
    }
    expect(idx.length).toBeGreaterThan(60000);
    const ints = Int32Array.of(0, 1, -1, 2049, 2051, 65504, 65519, 65520, -70000);
    expect([...float64ToFloat16Bits(ints)]).toEqual([...float64ToFloat16Bits(Float64Array.from(ints))]);
    const bytes = Uint8Array.of(0, 1, 255);
    expect([...float64ToFloat16Bits(bytes)]).toEqual([0, 0x3c00, 0x5bf8]);
  });

  it('rounds ties to even and does not double-round through float32', () => {
    // 1 + 2^-11 is a tie between 1 and 1 + 2^-10: goes to 1 (even). A hair above goes up.
    expect(roundToFloat16(1 + 2 ** -11)).toBe(1);
    expect(roundToFloat16(1 + 2 ** -11 + 2 ** -40)).toBe(1 + 2 ** -10);
    // Math.fround would first round 1 + 2^-11 + 2^-40 to exactly the tie, then to 1: double rounding.
    expect(Math.fround(1 + 2 ** -11 + 2 ** -40)).toBe(1 + 2 ** -11);
    expect(roundToFloat16(65519.99)).toBe(65504);
    expect(roundToFloat16(65520)).toBe(Infinity);
    expect(roundToFloat16(-65520)).toBe(-Infinity);
    expect(roundToFloat16(2 ** -25)).toBe(0);
    expect(roundToFloat16(2 ** -25 * (1 + 2 ** -52))).toBe(2 ** -24);
    expect(Object.is(roundToFloat16(-1e-10), -0)).toBe(true);
  });

  it('writes into a given output and rejects one that is too short', () => {
    const out = new Uint16Array(4);
    expect(float64ToFloat16Bits(Float64Array.of(1, 2), out)).toBe(out);
    expect([...out]).toEqual([0x3c00, 0x4000, 0, 0]);
    expect(() => float64ToFloat16Bits(Float64Array.of(1, 2, 3), new Uint16Array(2))).toThrow(CoreError);
  });

  it('agrees with the oracle on doubles a few float64 ulps from each float16 midpoint and value (double-rounding bait)', () => {
    // A float16 value or midpoint (every one, any sign), moved by a few units in the last place of
    // float64 and by whole float32 ones, so that rounding to float32 first lands on the midpoint.
    const dv = new DataView(new ArrayBuffer(8));
    const nudge = (x: number, k: number): number => {
      dv.setFloat64(0, x);
      dv.setBigInt64(0, dv.getBigInt64(0) + BigInt(k));
      return dv.getFloat64(0);
    };
    const half = new DataView(new ArrayBuffer(2));
    const oracle = (x: number): number => {
      setFloat16(half, 0, x, true);
      return half.getUint16(0, true);
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xfbff }),
        fc.boolean(),
        fc.constantFrom(-(2 ** 29), -3, -1, 0, 1, 3, 2 ** 29),
        (bits, mid, k) => {
          if ((bits & 0x7c00) === 0x7c00) return; // Inf/NaN patterns
          const a = float16BitsToNumber(bits);
          const b = float16BitsToNumber(bits + 1);
          const x = nudge(mid && (bits & 0x7fff) !== 0x7bff ? (a + b) / 2 : a, k);
          const xs = Float64Array.of(x, -x);
          const got = float64ToFloat16Bits(xs);
          expect([got[0], got[1]]).toEqual([oracle(x), oracle(-x)]);
        },
      ),
      { numRuns: 20000 },
    );
  });

  it('@petamoriken/float16 (the independent oracle) agrees with numpy on every case', () => {
    const dv = new DataView(new ArrayBuffer(2));
    const got = new Uint16Array(inputs.length);
    for (let i = 0; i < inputs.length; i++) {
      setFloat16(dv, 0, inputs[i]!, true);
      got[i] = dv.getUint16(0, true);
    }
    // The package cannot see NaN signs/payloads (JS NaNs are canonical), so compare NaN-ness only there.
    for (let i = 0; i < inputs.length; i++) {
      if (Number.isNaN(inputs[i]!))
        expect((got[i]! & 0x7c00) === 0x7c00 && (got[i]! & 0x3ff) !== 0).toBe(true);
      else if (got[i] !== expected[i]) expect.fail(`x=${inputs[i]} package ${got[i]} numpy ${expected[i]}`);
    }
  });
});

describe('float16 bits to float64 / float32', () => {
  const all = Uint16Array.from({ length: 65536 }, (_, i) => i);

  it('gives numpy’s float64 value for every finite half, with sign', () => {
    const wide = float16BitsToFloat64(all);
    for (let h = 0; h < FINITE_HALVES; h++) {
      if (!Object.is(wide[h], inputs[h]))
        expect.fail(`0x${h.toString(16)}: ${wide[h]} vs numpy ${inputs[h]}`);
      if (!Object.is(wide[h | 0x8000], -inputs[h]!)) expect.fail(`-0x${h.toString(16)}`);
    }
    expect(wide[0x7c00]).toBe(Infinity);
    expect(wide[0xfc00]).toBe(-Infinity);
    for (let h = 0x7c01; h < 0x8000; h++) expect(Number.isNaN(wide[h]!)).toBe(true);
  });

  it('round-trips every non-NaN pattern bit for bit, NaN payloads included', () => {
    const back = float64ToFloat16Bits(float16BitsToFloat64(all));
    expect(firstMismatches(back, all, all)).toEqual([]);
  });

  it('float32 widening equals float64 widening, and the package agrees', () => {
    const f32 = float16BitsToFloat32(all);
    const f64 = float16BitsToFloat64(all);
    const dv = new DataView(new ArrayBuffer(2));
    for (let h = 0; h < 65536; h++) {
      dv.setUint16(0, h, true);
      const pkg = getFloat16(dv, 0, true);
      if (!Object.is(f32[h], f64[h]) || !Object.is(pkg, f64[h])) expect.fail(`0x${h.toString(16)}`);
    }
    expect(float16BitsToNumber(0x3c00)).toBe(1);
    expect(float16BitsToNumber(0x0001)).toBe(2 ** -24);
  });

  it('converts a 1000×141×141 stack (time printed)', () => {
    const n = 1000 * 141 * 141;
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = ((i * 2654435761) % 1000003) / 50000 - 10;
    let t = performance.now();
    const bits = float64ToFloat16Bits(x);
    const encodeMs = performance.now() - t;
    t = performance.now();
    const back = float16BitsToFloat64(bits);
    const decodeMs = performance.now() - t;
    console.log(`float16 1000×141×141: encode ${encodeMs.toFixed(0)} ms, decode ${decodeMs.toFixed(0)} ms`);
    expect(back.length).toBe(n);
  });
});
