// Loading a .npy file in the loader worker: the slab-by-slab read with the analysis overlapped gives
// exactly what reading the whole file and analysing it afterwards gives, for every fixture (dtypes,
// byte orders, Fortran order, shapes) and for a stack big enough to need many slabs.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadNpyFile, factsOf } from '../../../src/workers/load';
import { readNpy, writeNpy } from '../../../src/core/npy';
import { analyzeArray } from '../../../src/core/analysis';
import { generateNotebookArray } from '../../../src/core/generator';

const DIR = join(import.meta.dirname, '../../fixtures/npy');

async function expectSameAsWholeRead(bytes: Uint8Array, shared: boolean): Promise<void> {
  const loaded = await loadNpyFile(new Blob([bytes]), 'x.npy', shared, () => {});
  const whole = await readNpy(bytes);
  const summary = analyzeArray(whole);
  expect(loaded.shape).toEqual([...whole.shape]);
  expect(loaded.dtype).toBe(whole.dtype);
  expect(
    Buffer.from(new Uint8Array(loaded.buffer)).equals(
      Buffer.from(whole.data.buffer, whole.data.byteOffset, whole.data.byteLength),
    ),
  ).toBe(true);
  expect(loaded.summary).toEqual(summary);
  expect(loaded.facts).toEqual(factsOf(whole, summary));
  expect(loaded.buffer instanceof SharedArrayBuffer).toBe(shared);
}

describe('loadNpyFile', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.npy'));

  it('has fixtures', () => expect(files.length).toBeGreaterThan(10));

  it.each(files)('%s: the same array, summary and facts as a whole read', async (f) => {
    const bytes = new Uint8Array(readFileSync(join(DIR, f)));
    const refused = await readNpy(bytes).then(
      () => null,
      (e: unknown) => e as Error,
    );
    // A file the reader refuses is refused by the loader too, with the same message.
    if (refused) {
      await expect(loadNpyFile(new Blob([bytes]), f, false, () => {})).rejects.toThrow(refused.message);
      return;
    }
    await expectSameAsWholeRead(bytes, false);
  });

  it('a stack of many slabs, into shared memory', async () => {
    await expectSameAsWholeRead(writeNpy(generateNotebookArray({ n: 300, m: 141, seed: 5 })), true);
  });

  it('a truncated file says so', async () => {
    const bytes = writeNpy(generateNotebookArray({ n: 20, m: 30, seed: 1 }));
    await expect(
      loadNpyFile(new Blob([bytes.subarray(0, bytes.length - 100)]), 'x.npy', false, () => {}),
    ).rejects.toThrow(/truncated/);
  });
});
