import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  copyUpper,
  packUpper,
  packedShape,
  triangleSize,
  triuIndices,
  unpackUpper,
} from '../../../src/core/triangle';
import { readNpy } from '../../../src/core/npy';
import { generateNotebookArray } from '../../../src/core/generator';
import { CoreError } from '../../../src/core/errors';
import type { NumberArray } from '../../../src/core/ndarray';
import { fixtureBytes, fixtureJson } from './fixture-helpers';

async function npy(dir: string, name: string) {
  return readNpy(fixtureBytes(dir, name));
}

function expectSameValues(got: NumberArray, want: NumberArray): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++)
    if (!Object.is(got[i], want[i])) expect.fail(`element ${i}: ${got[i]} != ${want[i]}`);
}

describe('upper-triangle-rowmajor order', () => {
  for (const m of [1, 2, 5, 12]) {
    it(`equals np.triu_indices(${m})`, () => {
      const ref = fixtureJson<{ rows: number[]; cols: number[] }>('triangle', `triu_${m}.json`);
      const [rows, cols] = triuIndices(m);
      expect([...rows]).toEqual(ref.rows);
      expect([...cols]).toEqual(ref.cols);
      // Packing a matrix whose entries are their own flat index r·m + c (symmetrised so the mean is
      // the upper value) lists exactly numpy's positions.
      const a = new Float64Array(m * m);
      for (let r = 0; r < m; r++)
        for (let c = 0; c < m; c++) a[r * m + c] = Math.min(r, c) * m + Math.max(r, c);
      expect([...packUpper(a, [m, m])]).toEqual(ref.rows.map((r, i) => r * m + ref.cols[i]!));
      expect(triangleSize(m)).toBe(ref.rows.length);
    });
  }

  it('packedShape keeps the leading axes', () => {
    expect(packedShape([1000, 141, 141])).toEqual([1000, 10011]);
    expect(packedShape([2, 3, 4, 4])).toEqual([2, 3, 10]);
    expect(packedShape([5, 5])).toEqual([15]);
    expect(() => packedShape([5, 4, 6])).toThrow(CoreError);
  });
});

describe('packUpper / unpackUpper against numpy', () => {
  it('packs (A + Aᵀ)/2 exactly like numpy mean[:, iu[0], iu[1]], NaN and Inf included', async () => {
    const a = await npy('triangle', 'nonsym_f8.npy');
    const packed = packUpper(a.data as Float64Array, a.shape);
    expect(packed).toBeInstanceOf(Float64Array);
    expectSameValues(packed, (await npy('triangle', 'nonsym_packed_f8.npy')).data as Float64Array);
  });

  it('unpack(pack(A)) equals numpy (A + Aᵀ)/2 bit for bit', async () => {
    const a = await npy('triangle', 'nonsym_f8.npy');
    const full = unpackUpper(packUpper(a.data as Float64Array, a.shape), 9, 4);
    expectSameValues(full, (await npy('triangle', 'nonsym_mean_f8.npy')).data as Float64Array);
  });

  it('float32 input gives float32 output rounded once from the exact mean', async () => {
    const a = await npy('triangle', 'nonsym_f4.npy');
    const full = unpackUpper(packUpper(a.data as Float32Array, a.shape), 6, 3);
    expect(full).toBeInstanceOf(Float32Array);
    expectSameValues(full, (await npy('triangle', 'nonsym_mean_f4.npy')).data as Float32Array);
  });

  it('round-trips exactly symmetric numpy stacks of every type', async () => {
    for (const name of [
      'stack_sym_f8',
      'stack_sym_f4',
      'stack_sym_i2',
      'stack_sym_f2',
      'stack_sym_be_f8',
      'matrix_sym_f8',
    ]) {
      const a = await npy('npy', `${name}.npy`);
      const data = a.data as NumberArray;
      const m = a.shape[a.shape.length - 1]!;
      const packed = packUpper(data, a.shape);
      expect(packed.constructor).toBe(data.constructor);
      expect(packed.length).toBe((data.length / (m * m)) * triangleSize(m));
      expectSameValues(unpackUpper(packed, m, data.length / (m * m)), data);
    }
  });

  it('keeps NaN positions of a symmetric stack and ±0', () => {
    const a = Float64Array.of(NaN, -0, -0, 5);
    expectSameValues(unpackUpper(packUpper(a, [1, 2, 2]), 2, 1), a);
  });

  it('avoids overflow where a + b exceeds the float64 range', () => {
    const big = 1.5e308;
    expect([...packUpper(Float64Array.of(1, big, big, 1), [2, 2])]).toEqual([1, big, 1]);
    expect([...packUpper(Float64Array.of(1, big, 1e308, 1), [2, 2])]).toEqual([1, 1.25e308, 1]);
  });

  it('writes into a given output of another type, rounding means for integer outputs', () => {
    const a = Float64Array.of(1, 2, 3, 4);
    expect([...packUpper(a, [2, 2], new Float32Array(3))]).toEqual([1, 2.5, 4]);
    expect([...packUpper(a, [2, 2], new Int16Array(3))]).toEqual([1, 3, 4]);
    const out = new Float64Array(4);
    expect(unpackUpper(Float32Array.of(1, 2.5, 4), 2, 1, out)).toBe(out);
    expect([...out]).toEqual([1, 2.5, 2.5, 4]);
  });

  it('rejects bad shapes, sizes and outputs', () => {
    expect(() => packUpper(new Float64Array(24), [2, 3, 4])).toThrow(CoreError);
    expect(() => packUpper(new Float64Array(7), [2, 2, 2])).toThrow(CoreError);
    expect(() => packUpper(new Float64Array(8), [2, 2, 2], new Float64Array(5))).toThrow(CoreError);
    expect(() => unpackUpper(new Float64Array(5), 2, 2)).toThrow(CoreError);
    expect(() => unpackUpper(new Float64Array(6), 2, 2, new Float64Array(7))).toThrow(CoreError);
    expect(() => unpackUpper(new Float64Array(0), 0, 1)).toThrow(CoreError);
  });
});

describe('properties', () => {
  const stack = fc
    .record({ count: fc.integer({ min: 0, max: 4 }), m: fc.integer({ min: 1, max: 9 }) })
    .chain(({ count, m }) =>
      fc.record({
        count: fc.constant(count),
        m: fc.constant(m),
        values: fc.float64Array({ minLength: count * m * m, maxLength: count * m * m }),
      }),
    );

  it('symmetrised input round-trips exactly; the packed mean is idempotent', () => {
    fc.assert(
      fc.property(stack, ({ count, m, values }) => {
        const shape = [count, m, m];
        const packed = packUpper(values, shape);
        const sym = unpackUpper(packed, m, count);
        // Symmetric now: packing again is an exact copy, and so is the round trip.
        expectSameValues(packUpper(sym, shape), packed);
        expectSameValues(unpackUpper(packUpper(sym, shape), m, count), sym);
        // Each stored value is the mean of the pair: its distance to either side is |a − b|/2, up to
        // one rounding of the mean (half an ulp of v: |v|·2^-53, or the subnormal spacing 2^-1074), plus
        // slack for the rounding of this check itself.
        for (let i = 0; i < count; i++)
          for (let r = 0; r < m; r++)
            for (let c = 0; c < m; c++) {
              const a = values[i * m * m + r * m + c]!;
              const b = values[i * m * m + c * m + r]!;
              const v = sym[i * m * m + r * m + c]!;
              if (Number.isFinite(a) && Number.isFinite(b))
                expect(Math.abs(v - a)).toBeLessThanOrEqual(
                  (Math.abs(a / 2 - b / 2) + Math.abs(v) * 2 ** -53) * (1 + 2 ** -50) + Number.MIN_VALUE,
                );
            }
      }),
      { numRuns: 300 },
    );
  });
});

describe('copyUpper (exactly symmetric input)', () => {
  const symmetricStack = fc
    .record({ count: fc.integer({ min: 0, max: 4 }), m: fc.integer({ min: 1, max: 9 }) })
    .chain(({ count, m }) =>
      fc.record({
        count: fc.constant(count),
        m: fc.constant(m),
        values: fc.float64Array({ minLength: count * m * m, maxLength: count * m * m, noNaN: true }),
      }),
    );

  it('stores the very numbers packUpper stores, in float64 and in float32', () => {
    fc.assert(
      fc.property(symmetricStack, ({ count, m, values }) => {
        const shape = [count, m, m];
        // Mirrored copies of one triangle: exactly symmetric, infinities and huge values included.
        const sym = unpackUpper(packUpper(values, shape), m, count);
        const n = count * triangleSize(m);
        expectSameValues(copyUpper(sym, shape, new Float64Array(n)), packUpper(sym, shape));
        expectSameValues(
          copyUpper(sym, shape, new Float32Array(n)),
          packUpper(sym, shape, new Float32Array(n)),
        );
        const ints = Int16Array.from(sym, (v) => (Number.isFinite(v) ? Math.trunc(v) % 30000 : 7));
        const symInts = unpackUpper(packUpper(ints, shape), m, count);
        expectSameValues(
          copyUpper(symInts, shape, new Float64Array(n)),
          packUpper(symInts, shape, new Float64Array(n)),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the upper zero of a ±0 pair (packUpper stores +0): equal numbers either way', () => {
    const a = Float64Array.of(1, -0, 0, 2); // upper −0, lower +0
    const copied = copyUpper(a, [1, 2, 2], new Float64Array(3));
    expect(Object.is(copied[1], -0)).toBe(true);
    expect(Object.is(packUpper(a, [1, 2, 2])[1], 0)).toBe(true);
    expect(copied[1] === 0 && copied[0] === 1 && copied[2] === 2).toBe(true); // −0 === +0
  });

  it('rejects bad shapes, sizes and integer outputs for floats', () => {
    expect(() => copyUpper(new Float64Array(24), [2, 3, 4], new Float64Array(12))).toThrow(CoreError);
    expect(() => copyUpper(new Float64Array(7), [2, 2, 2], new Float64Array(6))).toThrow(CoreError);
    expect(() => copyUpper(new Float64Array(8), [2, 2, 2], new Float64Array(5))).toThrow(CoreError);
    expect(() => copyUpper(new Float64Array(8), [2, 2, 2], new Int32Array(6))).toThrow(CoreError);
  });
});

describe('speed', () => {
  it('packs and unpacks 1000×141×141 exactly (time printed)', () => {
    const a = generateNotebookArray();
    const data = a.data as Float64Array;
    const out = new Float64Array(1000 * triangleSize(141));
    let t = performance.now();
    packUpper(data, a.shape, out); // first call, before the JIT has optimised the loop
    const coldMs = performance.now() - t;
    t = performance.now();
    const packed = packUpper(data, a.shape, out);
    const packMs = performance.now() - t;
    t = performance.now();
    const full = unpackUpper(packed, 141, 1000);
    const unpackMs = performance.now() - t;
    console.log(
      `triangle 1000×141×141: pack ${packMs.toFixed(0)} ms (first call ${coldMs.toFixed(0)} ms), unpack ${unpackMs.toFixed(0)} ms`,
    );
    expect(Buffer.from(full.buffer).equals(Buffer.from(data.buffer))).toBe(true);
  });
});
