import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MT19937, generateNotebookArray } from '../../../src/core/generator';
import { writeNpy } from '../../../src/core/npy';
import { CoreError } from '../../../src/core/errors';
import { fixtureBytes, fixtureJson, fixtureNames, pyFloat } from './fixture-helpers';

interface HashRef {
  n: number;
  m: number;
  seed: number;
  sha256: string;
  first: string[];
  last: string;
}

function sha256(a: Float64Array): string {
  return createHash('sha256')
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest('hex');
}

describe('generateNotebookArray is bit-identical to numpy', () => {
  for (const name of fixtureNames('generator', '.npy')) {
    const [, n, m, seed] = /^nb_n(\d+)_m(\d+)_s(\d+)\.npy$/.exec(name)!.map(Number);
    it(`n=${n} m=${m} seed=${seed}: writeNpy(ours) equals numpy's np.save file byte for byte`, () => {
      const arr = generateNotebookArray({ n, m, seed });
      expect(Buffer.from(writeNpy(arr)).equals(Buffer.from(fixtureBytes('generator', name)))).toBe(true);
    });
  }

  for (const ref of fixtureJson<HashRef[]>('generator', 'hashes.json')) {
    it(`n=${ref.n} m=${ref.m} seed=${ref.seed}: sha256 of the data equals numpy's (time printed)`, () => {
      const t0 = performance.now();
      const arr = generateNotebookArray({ n: ref.n, m: ref.m, seed: ref.seed });
      const ms = performance.now() - t0;
      console.log(`generateNotebookArray(${ref.n}, ${ref.m}, ${ref.seed}): ${ms.toFixed(0)} ms`);
      const data = arr.data as Float64Array;
      expect([...data.subarray(0, 5)]).toEqual(ref.first.map(pyFloat));
      expect(data[data.length - 1]).toBe(pyFloat(ref.last));
      expect(sha256(data)).toBe(ref.sha256);
      expect([...arr.shape]).toEqual([ref.n, ref.m, ref.m]);
    });
  }

  it('defaults to the notebook (1000×141×141, seed 0)', () => {
    const a = generateNotebookArray();
    expect([...a.shape]).toEqual([1000, 141, 141]);
    expect(a.data.length * 8).toBe(159048000);
  });

  it('MT19937 matches the reference genrand_int32 outputs for init_genrand(5489)', () => {
    // First outputs of mt19937ar.c with the default seed 5489 (also std::mt19937's default).
    const g = new MT19937(5489);
    expect([g.nextUint32(), g.nextUint32(), g.nextUint32()]).toEqual([3499211612, 581869302, 3890346734]);
    const h = new MT19937(5489);
    for (let i = 0; i < 9999; i++) h.nextUint32();
    expect(h.nextUint32()).toBe(4123659995); // the C++ standard's check value for the 10000th output
  });

  it('fillDoubles equals pairs of nextUint32 outputs, also when a pair straddles a twist', () => {
    for (const skip of [0, 1, 623]) {
      const g = new MT19937(42);
      const h = new MT19937(42);
      for (let k = 0; k < skip; k++) {
        g.nextUint32();
        h.nextUint32();
      }
      const fast = new Float64Array(2000);
      g.fillDoubles(fast);
      const slow = Float64Array.from({ length: 2000 }, () => {
        const a = h.nextUint32();
        const b = h.nextUint32();
        return ((a >>> 5) * 67108864 + (b >>> 6)) / 9007199254740992;
      });
      expect(fast).toEqual(slow);
      expect(g.nextUint32()).toBe(h.nextUint32());
    }
  });

  it('rejects seeds numpy rejects and bad sizes', () => {
    for (const seed of [-1, 2 ** 32, 1.5, NaN])
      expect(() => generateNotebookArray({ n: 1, m: 1, seed })).toThrow(CoreError);
    expect(() => generateNotebookArray({ n: -1, m: 2 })).toThrow(CoreError);
    expect(() => generateNotebookArray({ n: 2, m: 2.5 })).toThrow(CoreError);
    expect(generateNotebookArray({ n: 0, m: 3 }).data.length).toBe(0);
  });
});
