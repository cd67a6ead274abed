import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { shuffleBytes, unshuffleBytes } from '../../../src/core/byte-shuffle';
import { numcodecsShuffle } from '../../../src/zarr/codecs';

/** The definition, byte by byte: byte b of element j goes to b·n + j. */
function reference(src: Uint8Array, e: number): Uint8Array {
  const n = src.length / e;
  const out = new Uint8Array(src.length);
  for (let j = 0; j < n; j++) for (let b = 0; b < e; b++) out[b * n + j] = src[j * e + b]!;
  return out;
}

describe('byte shuffle', () => {
  it('matches the definition and inverts, word-aligned or not, for every element size', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 3, 4, 8, 16),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 0, max: 7 }),
        fc.integer(),
        (e, n, srcOffset, dstOffset, seed) => {
          const src = new Uint8Array(srcOffset + n * e).subarray(srcOffset);
          for (let i = 0; i < src.length; i++) src[i] = (Math.imul(i + 1, 2654435761) ^ seed) >>> 24;
          const dst = new Uint8Array(dstOffset + n * e).subarray(dstOffset);
          shuffleBytes(src, dst, e);
          expect([...dst]).toEqual([...reference(src, e)]);
          const back = new Uint8Array(dstOffset + n * e).subarray(dstOffset);
          unshuffleBytes(dst, back, e);
          expect([...back]).toEqual([...src]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('numcodecs’ Shuffle keeps the bytes of a partial last element where they are', () => {
    const src = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const out = numcodecsShuffle(src, 4);
    expect([...out]).toEqual([1, 5, 2, 6, 3, 7, 4, 8, 9, 10, 11]);
    expect([...numcodecsShuffle(out, 4, true)]).toEqual([...src]);
  });
});
