// Rounding to the nearest integer, halves up: Math.round's result for every number (as a value: -0
// comes out as +0), with the half test as a number instead of a conditional. Measured on 2·10⁷ noisy
// codes in Chromium 156, the quantizer's loop took ~270 ms with Math.round, as long with the test
// written as `? f + 1 : f`, and ~75 ms with this; in Node 20, quantize of a 1000×141×141 stack went
// from 304 to 123 ms.

/**
 * The integer nearest to y, halves up (toward +∞), as Math.round. y − ⌊y⌋ may round only when it is
 * far below ½ (tiny negative y), so the comparison with ½ is exact. NaN and ±∞ come back unchanged.
 */
export function roundHalfUp(y: number): number {
  const f = Math.floor(y);
  return f + +(y - f >= 0.5);
}
