import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { roundHalfUp } from '../../../src/core/round';

/** Math.round's value (its -0 counted as 0). */
const reference = (y: number) => Math.round(y) + 0;

describe('roundHalfUp', () => {
  it('gives Math.round’s value for any finite double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (y) => {
        expect(roundHalfUp(y)).toBe(reference(y));
      }),
      { numRuns: 20000 },
    );
  });

  it('gives Math.round’s value at and next to every half, and where y − ⌊y⌋ is inexact', () => {
    const cases = [
      0.49999999999999994,
      -0.49999999999999994,
      -0.5000000000000001,
      -1e-20,
      1e-20,
      -5e-324,
      5e-324,
      -0.9999999999999999,
      -1.0000000000000002,
      2 ** 52 - 0.5,
      -(2 ** 52) + 0.5,
      2 ** 52,
      2 ** 53,
      -(2 ** 53),
      1.7976931348623157e308,
      -1.7976931348623157e308,
    ];
    for (let i = -3000; i < 3000; i++) {
      const h = i + 0.5;
      cases.push(h, -h, h - 2 ** -44, h + 2 ** -44, i, i + 0.49999999999999994);
    }
    for (const y of cases) expect([y, roundHalfUp(y)]).toEqual([y, reference(y)]);
  });

  it('keeps NaN and the infinities, as Math.round does', () => {
    expect(roundHalfUp(NaN)).toBeNaN();
    expect(roundHalfUp(Infinity)).toBe(Infinity);
    expect(roundHalfUp(-Infinity)).toBe(-Infinity);
  });
});
