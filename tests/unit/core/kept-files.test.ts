import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { KeptFiles } from '../../../src/core/kept-files';

const MiB = 2 ** 20;
const BUDGET = 32 * MiB;
const file = (mib: number, fill: number) => new Uint8Array(mib * MiB).fill(fill);
// Released: detached (length 0) where the engine can, poisoned with 0xFF in Node before 22.
const freed = (x: Uint8Array) => x.length === 0 || x.every((v) => v === 0xff);

describe('kept result files (a worker keeps them for download)', () => {
  it('keeps files up to the budget; of equal sizes the first ones stay', () => {
    const kept = new KeptFiles(BUDGET);
    const n = BUDGET / (4 * MiB);
    const files = Array.from({ length: n + 3 }, (_, i) => file(4, i));
    files.forEach((f, i) => kept.put(`k${i}`, f));
    expect(kept.bytes).toBe(BUDGET);
    expect(kept.has('k0')).toBe(true);
    expect(kept.get('k0')![0]).toBe(0);
    expect(kept.has(`k${n + 2}`)).toBe(false);
    expect(freed(files[n + 2]!)).toBe(true);
  });

  it('drops bigger files to make room for a smaller one, never the other way round, and frees them', () => {
    const kept = new KeptFiles(BUDGET);
    const half = BUDGET / MiB / 2;
    const a = file(half, 1);
    const b = file(half, 2);
    expect(kept.put('a', a)).toBe(true);
    expect(kept.put('b', b)).toBe(true);
    const small = file(1, 3);
    expect(kept.put('small', small)).toBe(true);
    expect([kept.has('a'), kept.has('b')].filter(Boolean)).toHaveLength(1);
    const [evicted, stayed] = kept.has('a') ? [b, a] : [a, b];
    expect(freed(evicted)).toBe(true);
    expect(stayed.every((v) => v === (stayed === a ? 1 : 2))).toBe(true);
    const bigger = file(half + 1, 4);
    expect(kept.put('bigger', bigger)).toBe(false);
    expect(freed(bigger)).toBe(true);
    expect(kept.get('small')![0]).toBe(3);
    expect(kept.bytes).toBeLessThanOrEqual(BUDGET);
  });

  it('never keeps a file larger than the whole budget, and clear() frees everything', () => {
    const kept = new KeptFiles(BUDGET);
    expect(kept.put('huge', new Uint8Array(BUDGET + 1))).toBe(false);
    const one = file(1, 7);
    kept.put('one', one);
    kept.clear();
    expect(kept.bytes).toBe(0);
    expect(kept.has('one')).toBe(false);
    expect(freed(one)).toBe(true);
  });

  it('announces the biggest file it would keep: that size is kept, one byte more is not, and nothing is evicted for it', () => {
    const KiB = 1024;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 20 * 1024 }), { maxLength: 8 }), (kib) => {
        const kept = new KeptFiles(BUDGET);
        kib.forEach((k, i) => kept.put(`f${i}`, new Uint8Array(k * KiB)));
        const best = kept.largestAccepted();
        const before = kept.bytes;
        if (best + 1 <= BUDGET) {
          expect(kept.put('over', new Uint8Array(best + 1))).toBe(false);
          expect(kept.bytes).toBe(before);
        }
        if (best > 0) expect(kept.put('fits', new Uint8Array(best))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});
