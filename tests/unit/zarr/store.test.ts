// The zipped Zarr v2 store: chunks padded to full size at the edges and read back exactly, metadata
// as numcodecs/zarr expect it, Python-style JSON for NaN/Infinity, deterministic bytes, zip limits.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { unzipSync } from 'fflate';
import {
  buildZarrEntries,
  openZarrZip,
  parsePythonJson,
  PyFloat,
  pythonJson,
  readZarrZip,
  zipEntries,
  zipProblem,
} from '../../../src/zarr/store';
import type { ZarrStorePlan } from '../../../src/zarr/store';
import { decodeFixedScaleOffset } from '../../../src/zarr/fixed-scale-offset';
import type { ZarrCompressor } from '../../../src/zarr/types';

function plan(shape: number[], chunks: number[], compressor: ZarrCompressor | null): ZarrStorePlan {
  const n = shape.reduce((a, b) => a * b, 1);
  return {
    rootAttrs: { restore_python: 'print("hi")' },
    arrays: [
      {
        name: 'data',
        dtype: '<f4',
        shape,
        chunks,
        data: Float32Array.from({ length: n }, (_, i) => i * 0.5 - 3),
        compressor,
        filters: null,
        attrs: { layout: 'full', max_abs_error: NaN },
        dims: shape.map((_, i) => `dim_${i}`),
      },
    ],
  };
}

describe('zarr store', () => {
  it.each([
    [
      [7, 5, 5],
      [3, 5, 5],
    ],
    [
      [4, 6, 5],
      [1, 4, 5],
    ],
    [[11], [4]],
    [
      [3, 4, 5, 6],
      [2, 4, 5, 6],
    ],
    [
      [5, 7],
      [5, 7],
    ],
  ])('shape %j in chunks %j reads back exactly', async (shape, chunks) => {
    for (const c of [
      null,
      { id: 'blosc', cname: 'zstd', clevel: 5, shuffle: 2, blocksize: 0 },
      { id: 'zstd', level: 3 },
      { id: 'gzip', level: 5 },
    ] as const) {
      const p = plan(shape, chunks, c);
      const entries = await buildZarrEntries(p);
      const keys = [...entries.keys()].filter((k) => /^data\/\d/.test(k));
      const grid = shape.map((s, d) => Math.ceil(s / chunks[d]!));
      expect(keys.length).toBe(grid.reduce((a, b) => a * b, 1));
      const back = await readZarrZip(zipEntries(entries));
      const data = back.arrays.get('data')!;
      expect(Array.from(data.data as Float32Array)).toEqual(Array.from(p.arrays[0]!.data as Float32Array));
      expect(data.meta).toMatchObject({
        zarr_format: 2,
        shape,
        chunks,
        dtype: '<f4',
        fill_value: null,
        order: 'C',
      });
      expect(Number.isNaN(data.attrs.max_abs_error)).toBe(true);
      expect(data.attrs._ARRAY_DIMENSIONS).toEqual(shape.map((_, i) => `dim_${i}`));
      expect(back.rootAttrs.restore_python).toBe('print("hi")');
    }
  });

  it('pads edge chunks to the full chunk size (Zarr v2 stores whole chunks)', async () => {
    const entries = await buildZarrEntries(plan([7, 5, 5], [3, 5, 5], null));
    expect(entries.get('data/2.0.0')!.byteLength).toBe(3 * 25 * 4);
  });

  it('writes the same bytes twice, entries STORED', async () => {
    const p = plan([7, 5, 5], [3, 5, 5], { id: 'zstd', level: 3 });
    const a = zipEntries(await buildZarrEntries(p));
    const b = zipEntries(await buildZarrEntries(p));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    // Local header compression method (offset 8) is 0 = STORED.
    expect(a[8]).toBe(0);
    expect(Object.keys(unzipSync(a)).slice(0, 4)).toEqual([
      '.zgroup',
      '.zattrs',
      'data/.zarray',
      'data/.zattrs',
    ]);
  });

  it('writes and reads NaN/Infinity as Python json does, strings untouched', () => {
    const text = pythonJson({ a: NaN, b: Infinity, c: -Infinity, s: 'NaN Infinity "x"', n: [1.5, null] });
    expect(text).toMatch(/"a": NaN/);
    expect(text).toMatch(/"c": -Infinity/);
    const back = parsePythonJson(text) as Record<string, unknown>;
    expect(back.a).toBeNaN();
    expect(back.b).toBe(Infinity);
    expect(back.c).toBe(-Infinity);
    expect(back.s).toBe('NaN Infinity "x"');
    expect(back.n).toEqual([1.5, null]);
    const floats = pythonJson(
      { z: new PyFloat(0), h: new PyFloat(0.5), e: new PyFloat(1e-7), i: new PyFloat(NaN) },
      0,
    );
    expect(floats).toBe('{"z":0.0,"h":0.5,"e":1e-7,"i":NaN}');
  });

  it('says why a store needs zip64', () => {
    const many = new Map<string, Uint8Array>();
    for (let i = 0; i < 65536; i++) many.set(`data/${i}`, new Uint8Array(0));
    expect(zipProblem(many)).toMatch(/zip64/);
    expect(zipProblem(new Map([['data/0', new Uint8Array(10)]]))).toBeNull();
  });
});

describe('reading rows of a zipped store', () => {
  /**
   * Runs `check` on stores of up to `rank` axes in any chunking, with a row range [r0, r1) of the
   * first axis (empty and whole included) and the elements per row.
   */
  const forShapesAndRanges = (
    rank: number,
    check: (shape: number[], chunks: number[], range: [number, number], rowElems: number) => Promise<void>,
  ) =>
    fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: rank }),
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: rank, maxLength: rank }),
        fc.nat(),
        fc.nat(),
        async (shape, chunkSeed, a, b) => {
          const r0 = a % (shape[0]! + 1);
          const r1 = r0 + (b % (shape[0]! - r0 + 1));
          const chunks = shape.map((s, d) => Math.min(s, chunkSeed[d]!));
          await check(
            shape,
            chunks,
            [r0, r1],
            shape.slice(1).reduce((x, y) => x * y, 1),
          );
        },
      ),
      { numRuns: 60 },
    );

  it('rows [r0, r1) equal that slice of the whole array, for any shape, chunking and range', async () => {
    await forShapesAndRanges(4, async (shape, chunks, [r0, r1], rowElems) => {
      const p = plan(shape, chunks, { id: 'zlib', level: 1 } as ZarrCompressor);
      const group = openZarrZip(zipEntries(await buildZarrEntries(p)));
      const want = (p.arrays[0]!.data as Float32Array).subarray(r0 * rowElems, r1 * rowElems);
      expect(Array.from((await group.read('data', [r0, r1])) as Float32Array)).toEqual(Array.from(want));
    });
  });

  it('rows [r0, r1) of quantized codes (shuffle + fixedscaleoffset) decode as numcodecs does, for any chunking and range', async () => {
    const f = { id: 'fixedscaleoffset', offset: 0.25, scale: 1 / 3e-3, dtype: '<f8', astype: '<i2' } as const;
    await forShapesAndRanges(3, async (shape, chunks, [r0, r1], rowElems) => {
      const n = shape.reduce((x, y) => x * y, 1);
      const codes = Int16Array.from({ length: n }, (_, i) => ((i * 7919) % 601) - 300);
      const p = plan(shape, chunks, { id: 'zlib', level: 1 } as ZarrCompressor);
      const array = {
        ...p.arrays[0]!,
        dtype: '<f8',
        data: codes,
        filters: [f, { id: 'shuffle' as const, elementsize: 2 }],
      };
      const group = openZarrZip(zipEntries(await buildZarrEntries({ ...p, arrays: [array] })));
      const want = decodeFixedScaleOffset(codes.subarray(r0 * rowElems, r1 * rowElems), f);
      const got = (await group.read('data', [r0, r1])) as Float64Array;
      expect(got).toBeInstanceOf(Float64Array);
      expect(Array.from(got)).toEqual(Array.from(want));
    });
  });

  it('names a missing array', async () => {
    const group = openZarrZip(zipEntries(await buildZarrEntries(plan([3], [2], null))));
    await expect(group.read('nope')).rejects.toThrow(/no `nope` array/);
  });
});
