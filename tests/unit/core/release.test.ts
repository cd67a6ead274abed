import { describe, expect, it } from 'vitest';
import {
  buffersOf,
  freeRecycled,
  poisonReleasedBuffers,
  recycledArray,
  recycledBytes,
  releaseBuffers,
} from '../../../src/core/release';

describe('releaseBuffers', () => {
  it('poisons (or detaches) what it releases and leaves kept buffers alone', () => {
    poisonReleasedBuffers(true);
    const kept = new Float64Array([1, 2, 3]);
    const mine = new Float64Array([4, 5, 6]);
    const view = mine.subarray(1);
    releaseBuffers([kept, mine, view], buffersOf(kept));
    expect([...kept]).toEqual([1, 2, 3]);
    // Detached (length 0) where the engine can, poisoned (NaN) in Node before 22.
    expect(mine.length === 0 || mine.every((x) => Number.isNaN(x))).toBe(true);
  });

  it('never touches shared buffers', () => {
    const shared = new Float64Array(new SharedArrayBuffer(24)).fill(7);
    releaseBuffers([shared], new Set());
    expect([...shared]).toEqual([7, 7, 7]);
  });

  it('leaves small buffers to the garbage collector unless poisoning', () => {
    poisonReleasedBuffers(false);
    try {
      const small = new Uint8Array(1024).fill(3);
      releaseBuffers([small], new Set());
      expect(small.length).toBe(1024);
      expect(small[0]).toBe(3);
    } finally {
      poisonReleasedBuffers(true);
    }
  });
});

describe('recycledArray', () => {
  const SLAB = 1 << 20; // float64 elements: an 8 MiB slab

  it('hands a released slab’s memory to the next array of its size, the released view detached', () => {
    freeRecycled();
    const a = recycledArray(Float64Array, SLAB).fill(1);
    releaseBuffers([a], new Set());
    expect(a.length).toBe(0); // the released object is detached: a stale view is empty
    expect(recycledBytes()).toBe(8 * SLAB);
    // A second release of the stale view is a no-op: the memory can't be handed out twice.
    releaseBuffers([a], new Set());
    expect(recycledBytes()).toBe(8 * SLAB);
    // Same byte size, another element type: the waiting buffer, poisoned in tests (old values).
    const b = recycledArray(Uint16Array, 4 * SLAB);
    expect(recycledBytes()).toBe(0);
    expect(b.length).toBe(4 * SLAB);
    expect(b[0]).toBe(0xffff);
    const c = recycledArray(Uint16Array, 4 * SLAB); // none waiting: a new, zeroed buffer
    expect(c[0]).toBe(0);
    releaseBuffers([b, c], new Set());
    expect(recycledBytes()).toBe(16 * SLAB);
    freeRecycled();
    expect(recycledBytes()).toBe(0);
  });

  it('keeps at most 64 MiB waiting, freeing the oldest first, and never recycles kept or foreign buffers', () => {
    freeRecycled();
    const slabs = Array.from({ length: 10 }, () => recycledArray(Float64Array, SLAB));
    releaseBuffers(slabs, new Set());
    expect(recycledBytes()).toBe(64 << 20);
    const kept = recycledArray(Float64Array, SLAB + 1);
    const foreign = new Float64Array(SLAB + 1);
    releaseBuffers([kept, foreign], buffersOf(kept));
    expect(kept.length).toBe(SLAB + 1);
    expect(recycledBytes()).toBe(64 << 20);
    expect(recycledArray(Float64Array, SLAB + 1)[0]).toBe(0); // the foreign buffer was not recycled
    freeRecycled();
  });

  it('leaves small arrays to the garbage collector', () => {
    freeRecycled();
    const small = recycledArray(Float64Array, 1000);
    releaseBuffers([small], new Set());
    expect(recycledBytes()).toBe(0);
  });
});
