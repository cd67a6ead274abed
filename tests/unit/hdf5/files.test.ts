// The MEMFS reservation: room for the whole file up front, and the file written into it is the same.
import { describe, expect, it } from 'vitest';
import { getH5, scratchPath } from '../../../src/hdf5/h5wasm-init';
import { readFileBytes, removeFile, reserveFileCapacity } from '../../../src/hdf5/files';
import { writeHdf5File } from '../../../src/hdf5/write';
import type { DatasetPlan } from '../../../src/hdf5/types';
import { readHdf5File } from '../../../src/hdf5/read';

const env = await getH5();
const capacity = (path: string) =>
  (env.fs.lookupPath(path, {}).node as unknown as { contents: ArrayBufferView }).contents.byteLength;

describe('reserveFileCapacity', () => {
  it('gives a file with bytes room for the reservation, keeping its bytes and length', () => {
    const path = scratchPath(env, 'reserve');
    const f = new env.h5.File(path, 'w');
    try {
      const before = readFileBytes(path);
      expect(before.length).toBeGreaterThan(0); // HDF5 writes its superblock on create
      reserveFileCapacity(path, 5_000_000);
      expect(capacity(path)).toBeGreaterThanOrEqual(5_000_000);
      expect(Buffer.from(readFileBytes(path)).equals(Buffer.from(before))).toBe(true);
    } finally {
      f.close();
      removeFile(path);
    }
  });

  it('the writer reserves the uncompressed size, and the file reads back whole', () => {
    const n = 300_000;
    const data = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
    const plan: DatasetPlan = { data, dtype: 'f8', shape: [300, 1000], attrs: {}, rootAttrs: {} };
    const path = scratchPath(env, 'reserved');
    try {
      const bytes = writeHdf5File(path, plan, { slabBytes: 100_000 });
      expect(capacity(path)).toBeGreaterThanOrEqual(n * 8); // no regrowth while writing
      expect(readFileBytes(path).length).toBe(bytes);
      const back = readHdf5File(path).data as Float64Array;
      expect(
        Buffer.from(back.buffer, back.byteOffset, back.byteLength).equals(Buffer.from(data.buffer)),
      ).toBe(true);
    } finally {
      removeFile(path);
    }
  });
});

describe('MEMFS storage (adjusted in h5wasm-init)', () => {
  const contents = (path: string) =>
    (env.fs.lookupPath(path, {}).node as unknown as { contents: Uint8Array }).contents;

  it('truncating within the room keeps the array (no copy); bytes brought back read as zeros', () => {
    const path = scratchPath(env, 'resize', '.bin');
    env.fs.writeFile(path, new Uint8Array(1000).fill(7));
    reserveFileCapacity(path, 1 << 20);
    const room = contents(path);
    env.fs.truncate(path, 400);
    env.fs.truncate(path, 600);
    expect(contents(path)).toBe(room);
    const back = readFileBytes(path);
    expect(back.length).toBe(600);
    expect(back.subarray(0, 400).every((b) => b === 7)).toBe(true);
    expect(back.subarray(400).every((b) => b === 0)).toBe(true);
    removeFile(path);
  });

  it('growing past the room frees the array it replaces (poisoned in these tests)', () => {
    const path = scratchPath(env, 'grow', '.bin');
    env.fs.writeFile(path, new Uint8Array(300_000).fill(5));
    const old = contents(path);
    const stream = env.fs.open(path, 'r+');
    env.fs.write(stream, new Uint8Array(700_000).fill(6), 0, 700_000, 300_000);
    env.fs.close(stream);
    expect(contents(path)).not.toBe(old);
    expect(old.length === 0 || old.every((b) => b === 0xff)).toBe(true);
    const back = readFileBytes(path);
    expect(back.length).toBe(1_000_000);
    expect(back[0]).toBe(5);
    expect(back[999_999]).toBe(6);
    removeFile(path);
  });
});
