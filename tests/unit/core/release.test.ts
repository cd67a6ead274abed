import { describe, expect, it } from 'vitest';
import { buffersOf, poisonReleasedBuffers, releaseBuffers } from '../../../src/core/release';

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
