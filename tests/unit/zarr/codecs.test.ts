import { deflateSync } from 'node:zlib';
import { inflate } from 'pako';
import { describe, expect, it } from 'vitest';
import { compressChunk, decompressChunk } from '../../../src/zarr/codecs';
import { NATIVE_ZLIB_LEVEL } from '../../../src/zarr/types';
import { CoreError } from '../../../src/core/errors';

/** Bytes with some structure (runs and noise), so zlib implementations differ in what they emit. */
function sample(n: number): Uint8Array {
  const a = new Uint8Array(n);
  let s = 7;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) | 0;
    a[i] = i % 5 === 0 ? (s >>> 24) & 15 : (i >> 9) & 255;
  }
  return a;
}

describe('Zarr zlib chunks', () => {
  const data = sample(300_000);

  it('go through the platform’s CompressionStream at the native level (its default-level zlib)', async () => {
    const out = await compressChunk({ id: 'zlib', level: NATIVE_ZLIB_LEVEL }, data);
    // Node's CompressionStream is Node's zlib at its default level: the same bytes as deflateSync.
    expect(Buffer.from(out)).toEqual(deflateSync(data));
    expect([out[0], out[1]]).toEqual([0x78, 0x9c]); // zlib header: default level
    expect(inflate(out)).toEqual(data);
  });

  it('go through pako at every other level, and every level decodes', async () => {
    for (const level of [1, 4, 9]) {
      const out = await compressChunk({ id: 'zlib', level }, data);
      expect(Buffer.from(out)).not.toEqual(deflateSync(data, { level }));
      expect(await decompressChunk({ id: 'zlib', level }, out, data.length)).toEqual(data);
    }
  });

  it('decode into a buffer of the size the caller knows, and a stream of another size is an error', async () => {
    for (const level of [1, NATIVE_ZLIB_LEVEL, 9]) {
      const c = { id: 'zlib', level } as const;
      const out = await compressChunk(c, data);
      expect(await decompressChunk(c, out, data.length)).toEqual(data);
      for (const size of [data.length - 1, data.length + 1, 10])
        await expect(decompressChunk(c, out, size)).rejects.toThrow(CoreError);
    }
  });

  it('rejects a corrupt chunk', async () => {
    const out = await compressChunk({ id: 'zlib', level: NATIVE_ZLIB_LEVEL }, data);
    const bad = out.slice();
    bad.fill(0xff, 10, 60);
    await expect(
      decompressChunk({ id: 'zlib', level: NATIVE_ZLIB_LEVEL }, bad, data.length),
    ).rejects.toThrow();
  });
});
