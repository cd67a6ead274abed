// The STORED zip writer: byte for byte what fflate's zipSync writes (the writer the app used before),
// for any names, sizes and contents. Python's zipfile checks every CRC of the app's stores in
// tests/interop/zarr.test.ts.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { unzipSync, zipSync } from 'fflate';
import { storedZip } from '../../../src/zarr/zip';

const MTIME = new Date(1980, 0, 1, 0, 0, 0);

function fflateZip(entries: Map<string, Uint8Array>, mtime = MTIME): Uint8Array {
  const files: Record<string, [Uint8Array, { level: 0; mtime: Date }]> = {};
  for (const [k, v] of entries) files[k] = [v, { level: 0, mtime }];
  return zipSync(files, { level: 0, mtime });
}

const entryName = fc
  .array(fc.constantFrom('a', 'b', '0', '.', '/', 'z', 'é', '数', '_'), { minLength: 1, maxLength: 12 })
  .map((cs) => `data/${cs.join('')}`);

describe('storedZip', () => {
  it('writes what fflate zipSync writes at level 0, for any entries', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(entryName, fc.uint8Array({ maxLength: 300 })), {
          selector: ([name]) => name,
          maxLength: 8,
        }),
        fc.date({ min: new Date(1980, 0, 1), max: new Date(2099, 11, 31), noInvalidDate: true }),
        (list, mtime) => {
          const entries = new Map(list);
          expect(storedZip(entries, mtime)).toEqual(fflateZip(entries, mtime));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps a big entry whole, with its CRC-32 (a 3 MB chunk of every byte value)', () => {
    const big = Uint8Array.from({ length: 3 << 20 }, (_, i) => (i * 2654435761) >>> 24);
    const entries = new Map([
      ['.zgroup', new TextEncoder().encode('{"zarr_format": 2}')],
      ['data/0.0', big],
    ]);
    const zip = storedZip(entries, MTIME);
    expect(zip).toEqual(fflateZip(entries));
    expect(unzipSync(zip)['data/0.0']).toEqual(big);
  });

  it('refuses a date a zip cannot hold', () => {
    expect(() => storedZip(new Map(), new Date(1979, 11, 31))).toThrow(RangeError);
  });
});
