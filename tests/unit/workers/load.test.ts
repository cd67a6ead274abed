import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadNpyFile } from '../../../src/workers/load';
import { readNpy } from '../../../src/core/npy';
import { analyzeArray } from '../../../src/core/analysis';

const NPY_DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'npy');
const SHAP_DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'shap');
const BAD_DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'bad');
const files = [
  ...readdirSync(BAD_DIR)
    .filter((f) => f.endsWith('.npy'))
    .map((f) => join(BAD_DIR, f)),
  ...readdirSync(NPY_DIR)
    .filter((f) => f.endsWith('.npy'))
    .map((f) => join(NPY_DIR, f)),
  ...['iris.npy', 'wine.npy', 'diabetes.npy'].map((f) => join(SHAP_DIR, f)),
];

/** What the file gives when read whole and analysed afterwards (or the error it gives). */
async function reference(bytes: Uint8Array<ArrayBuffer>) {
  try {
    const array = await readNpy(new Blob([bytes]));
    return { array, summary: analyzeArray(array) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

describe('loading a .npy file (rows analysed while the next slab is read)', () => {
  it.each(files)('%s: the same values, dtype, shape and summary as reading it whole', async (path) => {
    const bytes = new Uint8Array(readFileSync(path));
    const want = await reference(bytes);
    // Small slabs: several steps even for the small fixtures (one row at a time at the smallest).
    for (const slabBytes of [1, 100, 4096, 1 << 24]) {
      const progress: number[] = [];
      const got = await loadNpyFile(
        new Blob([bytes]),
        'x.npy',
        false,
        (f) => progress.push(f),
        slabBytes,
      ).then(
        (l) => l,
        (e: Error) => ({ error: e.message }),
      );
      if ('error' in want) {
        expect(got).toEqual({ error: want.error });
        continue;
      }
      if ('error' in got) throw new Error(got.error);
      expect(got.dtype).toBe(want.array.dtype);
      expect(got.shape).toEqual(want.array.shape);
      expect(new Uint8Array(got.buffer)).toEqual(
        new Uint8Array(want.array.data.buffer, want.array.data.byteOffset, want.array.data.byteLength),
      );
      expect(got.summary).toEqual(want.summary);
      expect(progress.at(-1)).toBe(1);
      expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    }
  });
});
