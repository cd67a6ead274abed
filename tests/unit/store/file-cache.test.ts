import { afterEach, describe, expect, it } from 'vitest';
import {
  cacheResult,
  cachedFile,
  cachedResult,
  clearCaches,
  hasCachedFile,
  keptFileBytes,
  KEPT_FILES_BUDGET_BYTES,
} from '../../../src/store/file-cache';
import type { StrategyResult } from '../../../src/workers/job';
import fc from 'fast-check';
import { largestAcceptedFileBytes } from '../../../src/store/file-cache';

const MiB = 2 ** 20;
const summary = (id: string) => ({ id }) as StrategyResult;
const file = (mib: number, fill: number) => new Uint8Array(mib * MiB).fill(fill);

afterEach(() => clearCaches());

describe('the kept-files cache', () => {
  it('frees the bytes it does not keep or evicts, and leaves kept bytes and Blobs intact', async () => {
    const half = KEPT_FILES_BUDGET_BYTES / MiB / 2;
    const a = file(half, 1);
    const b = file(half, 2);
    cacheResult('a', summary('a'), a);
    cacheResult('b', summary('b'), b);
    const blobA = cachedFile('a')!;
    const small = file(1, 3);
    cacheResult('small', summary('small'), small); // evicts a or b
    const evicted = hasCachedFile('a') ? b : a;
    const kept = evicted === a ? b : a;
    const rejected = file(half + 1, 4);
    cacheResult('bigger', summary('bigger'), rejected);
    // Released: detached (length 0) where the engine can, poisoned with 0xFF in Node before 22.
    const freed = (x: Uint8Array) => x.length === 0 || x.every((v) => v === 0xff);
    expect(freed(evicted)).toBe(true);
    expect(freed(rejected)).toBe(true);
    expect(kept.every((v) => v === (kept === a ? 1 : 2))).toBe(true);
    expect(small[0]).toBe(3);
    // A Blob handed out before the eviction has its own copy.
    expect(new Uint8Array(await blobA.arrayBuffer()).every((v) => v === 1)).toBe(true);
  });

  it('keeps every summary, and files up to the budget', () => {
    const n = Math.floor(KEPT_FILES_BUDGET_BYTES / (8 * MiB));
    for (let i = 0; i < n + 3; i++) cacheResult(`k${i}`, summary(`r${i}`), file(8, i));
    for (let i = 0; i < n + 3; i++) expect(cachedResult(`k${i}`)?.id).toBe(`r${i}`);
    expect(keptFileBytes()).toBeLessThanOrEqual(KEPT_FILES_BUDGET_BYTES);
    expect(hasCachedFile('k0')).toBe(true);
    expect(hasCachedFile(`k${n + 2}`)).toBe(false); // same size: the first ones stay
  });

  it('drops bigger files to make room for a smaller one, never the other way round', async () => {
    const big = KEPT_FILES_BUDGET_BYTES / MiB / 2;
    cacheResult('a', summary('a'), file(big, 1));
    cacheResult('b', summary('b'), file(big, 2));
    cacheResult('small', summary('small'), file(1, 3));
    expect(hasCachedFile('small')).toBe(true);
    expect([hasCachedFile('a'), hasCachedFile('b')].filter(Boolean)).toHaveLength(1);
    cacheResult('bigger', summary('bigger'), file(big + 1, 4));
    expect(hasCachedFile('bigger')).toBe(false);
    const blob = cachedFile('small')!;
    expect(blob.size).toBe(MiB);
    expect(new Uint8Array(await blob.arrayBuffer())[0]).toBe(3);
    expect(keptFileBytes()).toBeLessThanOrEqual(KEPT_FILES_BUDGET_BYTES);
  });

  it('never keeps a file larger than the whole budget', () => {
    cacheResult('huge', summary('huge'), new Uint8Array(KEPT_FILES_BUDGET_BYTES + 1));
    expect(hasCachedFile('huge')).toBe(false);
    expect(cachedResult('huge')?.id).toBe('huge');
  });

  it('tells workers the biggest file it would keep: that size is kept, one byte more is not', () => {
    const KiB = 1024;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 * 1024 }), { maxLength: 8 }), (kib) => {
        clearCaches();
        kib.forEach((k, i) => cacheResult(`f${i}`, summary(`f${i}`), new Uint8Array(k * KiB)));
        const best = largestAcceptedFileBytes();
        const snapshot = keptFileBytes();
        if (best + 1 <= KEPT_FILES_BUDGET_BYTES) {
          cacheResult('over', summary('over'), new Uint8Array(best + 1));
          expect(hasCachedFile('over')).toBe(false);
          expect(keptFileBytes()).toBe(snapshot);
        }
        if (best > 0) {
          cacheResult('fits', summary('fits'), new Uint8Array(best));
          expect(hasCachedFile('fits')).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
  });
});
