import { describe, expect, it } from 'vitest';
import {
  decodeNpyData,
  npyHeaderBytes,
  parseNpyHeader,
  readNpy,
  readNpyHeaderFromBlob,
  readNpyRows,
  writeNpy,
} from '../../../src/core/npy';
import type { NpyHeader } from '../../../src/core/npy';
import { CoreError } from '../../../src/core/errors';
import type { DTypeCode, NdArray } from '../../../src/core/ndarray';
import {
  fixtureBlob,
  fixtureBytes,
  fixtureJson,
  fixtureNames,
  pyFloat,
  sameNumber,
  npyWithHeader,
  type NpySidecar,
} from './fixture-helpers';

const NPY_FILES = fixtureNames('npy', '.npy');

function codeOf(numpyStr: string): DTypeCode {
  return numpyStr.slice(1) as DTypeCode;
}

/** Asserts our decoded array equals numpy's view of the same file (sidecar JSON). */
function expectMatchesNumpy(arr: NdArray, side: NpySidecar): void {
  expect(arr.dtype).toBe(codeOf(side.dtype));
  expect([...arr.shape]).toEqual(side.shape);
  expect(arr.data.length).toBe(side.values.length);
  const kind = side.dtype[1];
  const data = arr.data;
  for (let i = 0; i < side.values.length; i++) {
    const want = side.values[i]!;
    const got = data[i]!;
    if (typeof got === 'bigint') {
      if (got !== BigInt(want)) expect.fail(`element ${i}: ${got} != ${want}`);
    } else if (kind === 'f' && arr.dtype !== 'f2') {
      if (!sameNumber(got, pyFloat(want as string))) expect.fail(`element ${i}: ${got} != ${want}`);
    } else if (arr.dtype === 'f2') {
      if (got !== side.bits![i]) expect.fail(`element ${i}: bits ${got} != ${side.bits![i]}`);
    } else if (got !== want) expect.fail(`element ${i}: ${got} != ${want}`);
  }
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<CoreError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(CoreError);
    expect((e as CoreError).code).toBe(code);
    return e as CoreError;
  }
  return expect.fail(`expected CoreError ${code}, but it resolved`);
}

function throwsWith(f: () => unknown, code: string): CoreError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CoreError);
    expect((e as CoreError).code).toBe(code);
    return e as CoreError;
  }
  return expect.fail(`expected CoreError ${code}`);
}

describe('readNpy on every numpy-written fixture', () => {
  it('has fixtures', () => {
    expect(NPY_FILES.length).toBeGreaterThan(40);
  });

  for (const name of NPY_FILES) {
    it(`${name}: bytes and Blob give numpy's values`, async () => {
      const side = fixtureJson<NpySidecar>('npy', name.replace(/\.npy$/, '.json'));
      const bytes = fixtureBytes('npy', name);
      const header = parseNpyHeader(bytes);
      expect(header.descr).toBe(side.dtype);
      expect(header.dtype).toBe(codeOf(side.dtype));
      expect([...header.version]).toEqual(side.version);
      expect(header.fortranOrder).toBe(side.fortranOrder);
      expect(header.dataOffset + header.dataBytes).toBe(bytes.length);
      expectMatchesNumpy(await readNpy(bytes), side);
      const blob = await fixtureBlob('npy', name);
      expect(await readNpyHeaderFromBlob(blob)).toEqual(header);
      // A tiny slab size exercises the multi-slab path on small files.
      const fractions: number[] = [];
      const arr = await readNpy(blob, { slabBytes: 16, onProgress: (f) => fractions.push(f) });
      expectMatchesNumpy(arr, side);
      expect(fractions.at(-1)).toBe(1);
      expect([...fractions].sort((a, b) => a - b)).toEqual(fractions);
    });
  }

  it('parses the byte order, Fortran flag and version of representative files', () => {
    const be = parseNpyHeader(fixtureBytes('npy', 'i2_be_fortran_3d.npy'));
    expect(be).toMatchObject({
      descr: '>i2',
      dtype: 'i2',
      littleEndian: false,
      fortranOrder: true,
      shape: [2, 3, 4],
    });
    expect(parseNpyHeader(fixtureBytes('npy', 'u1_na.npy'))).toMatchObject({
      descr: '|u1',
      littleEndian: true,
    });
    expect(parseNpyHeader(fixtureBytes('npy', 'f8_v2.npy')).version).toEqual([2, 0]);
    expect(parseNpyHeader(fixtureBytes('npy', 'f8_v3.npy')).version).toEqual([3, 0]);
    expect(parseNpyHeader(fixtureBytes('npy', 'f8_0d.npy')).shape).toEqual([]);
    expect(parseNpyHeader(fixtureBytes('npy', 'f8_empty_3d.npy'))).toMatchObject({
      shape: [0, 5, 5],
      dataBytes: 0,
    });
  });
});

describe('writeNpy and npyHeaderBytes are byte-identical to np.save', () => {
  const rows = fixtureJson<{ dtype: DTypeCode; shape: string[]; hex: string }[]>('npy', 'headers.json');

  it('matches numpy header bytes for every dtype × shape numpy can describe', () => {
    let checked = 0;
    for (const row of rows) {
      const shape = row.shape.map(Number);
      if (!shape.every(Number.isSafeInteger)) continue;
      const got = Buffer.from(npyHeaderBytes(row.dtype, shape)).toString('hex');
      expect(got, `${row.dtype} (${row.shape.join(',')})`).toBe(row.hex);
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('parses every numpy header back to its dtype and shape; absurd dims are NPY_TOO_LARGE', () => {
    for (const row of rows) {
      const bytes = Uint8Array.from(Buffer.from(row.hex, 'hex'));
      const shape = row.shape.map(Number);
      if (!shape.every(Number.isSafeInteger)) {
        throwsWith(() => parseNpyHeader(bytes), 'NPY_TOO_LARGE');
        continue;
      }
      const n = shape.reduce((a, b) => a * b, 1);
      if (!Number.isSafeInteger(n * Number(row.dtype[1]))) {
        throwsWith(() => parseNpyHeader(bytes), 'NPY_TOO_LARGE');
        continue;
      }
      const h = parseNpyHeader(bytes);
      expect(h.dtype).toBe(row.dtype);
      expect(h.shape).toEqual(shape);
      expect(h.dataOffset).toBe(bytes.length);
      expect(h.dataOffset % 64).toBe(0);
    }
  });

  const C_ORDER_V1 = NPY_FILES.filter((f) => {
    const side = fixtureJson<NpySidecar>('npy', f.replace(/\.npy$/, '.json'));
    return side.version[0] === 1 && !side.fortranOrder && side.dtype[0] !== '>';
  });

  for (const name of C_ORDER_V1) {
    it(`writeNpy(readNpy(${name})) reproduces the file`, async () => {
      const bytes = fixtureBytes('npy', name);
      const arr = await readNpy(bytes.slice());
      expect(Buffer.from(writeNpy(arr)).equals(Buffer.from(bytes))).toBe(true);
    });
  }

  it('a big-endian or Fortran file is rewritten as the little-endian C-order np.save bytes', async () => {
    for (const [from, to] of [
      ['f8_be.npy', 'f8_le.npy'],
      ['u8_be.npy', 'u8_le.npy'],
      ['f2_be.npy', 'f2_le.npy'],
      ['stack_sym_be_f8.npy', 'stack_sym_f8.npy'],
    ] as const) {
      const arr = await readNpy(fixtureBytes('npy', from));
      expect(Buffer.from(writeNpy(arr)).equals(Buffer.from(fixtureBytes('npy', to))), from).toBe(true);
    }
  });

  it('rejects data that do not match the shape', () => {
    throwsWith(() => writeNpy({ dtype: 'f8', shape: [3], data: new Float64Array(4) }), 'BAD_SHAPE');
    throwsWith(() => writeNpy({ dtype: 'f8', shape: [2], data: new Float32Array(2) }), 'BAD_SHAPE');
    throwsWith(() => npyHeaderBytes('f8', [-1]), 'BAD_SHAPE');
    throwsWith(() => npyHeaderBytes('f8', [1.5]), 'BAD_SHAPE');
  });
});

describe('broken and impostor files', () => {
  const expected = fixtureJson<Record<string, string>>('bad', 'expected.json');

  for (const [name, code] of Object.entries(expected)) {
    it(`${name} → ${code} (bytes and Blob)`, async () => {
      await rejectsWith(readNpy(fixtureBytes('bad', name)), code);
      await rejectsWith(readNpy(await fixtureBlob('bad', name)), code);
    });
  }

  it('says what an impostor looks like', async () => {
    const msg = async (name: string) =>
      (await rejectsWith(readNpy(fixtureBytes('bad', name)), 'NPY_BAD_MAGIC')).message;
    expect(await msg('hdf5_renamed.npy')).toMatch(/not a \.npy file.*HDF5/);
    expect(await msg('png_signature.npy')).toMatch(/PNG/);
    expect(await msg('npz_renamed.npy')).toMatch(/zip.*npz/);
    expect(await msg('pickle_renamed.npy')).toMatch(/pickle/);
    expect(await msg('bad_magic.npy')).toMatch(/not a \.npy file.*text/);
  });

  it('names the unsupported dtype', async () => {
    const msg = async (name: string) =>
      (await rejectsWith(readNpy(fixtureBytes('bad', name)), 'NPY_UNSUPPORTED_DTYPE')).message;
    expect(await msg('complex128.npy')).toContain("'<c16' (complex128");
    expect(await msg('object.npy')).toContain("'|O'");
    expect(await msg('structured.npy')).toContain("[('a', '<i4'), ('b', '<f8')]");
    expect(await msg('unicode_u5.npy')).toContain("'<U5'");
    expect(await msg('datetime_ns.npy')).toContain("'<M8[ns]' (datetime64[ns]");
    expect(await msg('bytes_s3.npy')).toContain("'|S3'");
    expect(await msg('void_v4.npy')).toContain("'|V4'");
    expect(await msg('float128.npy')).toContain("'<f16' (float128");
  });

  it('reports expected vs actual bytes for truncated data and oversized shapes', async () => {
    const e = await rejectsWith(readNpy(await fixtureBlob('bad', 'truncated.npy')), 'NPY_TRUNCATED');
    expect(e.message).toContain(`needs ${128 + 800} bytes but the file has ${128 + 400}`);
    const big = await rejectsWith(
      readNpyHeaderFromBlob(await fixtureBlob('bad', 'shape_larger_than_file.npy')),
      'NPY_TRUNCATED',
    );
    expect(big.message).toContain(`needs ${128 + 8e6} bytes but the file has ${128 + 80}`);
  });

  it('fails on a header claiming 1e15 elements before allocating anything', async () => {
    // Allocating first would fail as NPY_TOO_LARGE (8e15 bytes): the size check came before it.
    const blob = await fixtureBlob('bad', 'shape_1e15.npy');
    await rejectsWith(readNpy(blob), 'NPY_TRUNCATED');
    await rejectsWith(readNpy(fixtureBytes('bad', 'shape_1e15.npy')), 'NPY_TRUNCATED');
  });

  it('rejects a zero-byte Blob and Uint8Array as EMPTY_FILE', async () => {
    await rejectsWith(readNpyHeaderFromBlob(new Blob([])), 'EMPTY_FILE');
    throwsWith(() => parseNpyHeader(new Uint8Array(0)), 'EMPTY_FILE');
  });
});

describe('header dict parsing is strict but tolerant', () => {
  const eight = new Uint8Array(new Float64Array([1.5, -2]).buffer);

  it.each([
    ["{'shape': (2,), 'fortran_order': False, 'descr': '<f8'}"],
    ['{"descr": "<f8", "fortran_order": False, "shape": (2,)}'],
    ["{ 'descr' : '<f8' ,\n 'fortran_order' : False , 'shape' : ( 2 , ) , }"],
    ["{'descr': '<f8', 'fortran_order': False, 'shape': (2L,), }"],
    ["{'descr': 'float64', 'fortran_order': False, 'shape': (2,)}"],
    ["{'descr': 'd', 'fortran_order': False, 'shape': [2]}"],
    ["{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'extra': None}"],
  ])('accepts %s', async (text) => {
    for (const version of [1, 2, 3] as const) {
      const arr = await readNpy(npyWithHeader(text, eight, version));
      expect(arr.dtype).toBe('f8');
      expect([...arr.shape]).toEqual([2]);
      expect([...(arr.data as Float64Array)]).toEqual([1.5, -2]);
    }
  });

  it('reads True for fortran_order and 0-d shapes', async () => {
    const h = parseNpyHeader(npyWithHeader("{'descr': '>i4', 'fortran_order': True, 'shape': (3, 2)}"));
    expect(h).toMatchObject({ fortranOrder: true, littleEndian: false, shape: [3, 2], dataBytes: 24 });
    const z = await readNpy(
      npyWithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': ()}", eight.slice(0, 8)),
    );
    expect([...z.shape]).toEqual([]);
    expect(z.data[0]).toBe(1.5);
  });

  it.each([
    ["{'descr': '<f8', 'fortran_order': False, 'shape': (2)}", 'NPY_BAD_HEADER'],
    ["{'descr': '<f8', 'fortran_order': False, 'shape': (2.0,)}", 'NPY_BAD_HEADER'],
    ["{'descr': '<f8', 'fortran_order': False, 'shape': (-2,)}", 'NPY_BAD_HEADER'],
    ["{'descr': '<f8', 'fortran_order': False, 'shape': ('2',)}", 'NPY_BAD_HEADER'],
    ["{'descr': '<f8', 'fortran_order': 'False', 'shape': (2,)}", 'NPY_BAD_HEADER'],
    ["{'descr': '<f8', 'shape': (2,)}", 'NPY_BAD_HEADER'],
    ["{'fortran_order': False, 'shape': (2,)}", 'NPY_BAD_HEADER'],
    ["{'descr': 8, 'fortran_order': False, 'shape': (2,)}", 'NPY_BAD_HEADER'],
    ["{'descr': '<f8', 'fortran_order': False, 'shape': (2,)} x", 'NPY_BAD_HEADER'],
    ["{'descr': '<f8', 'fortran_order': False, 'shape': (2,)", 'NPY_BAD_HEADER'],
    ["{'descr': '<f8, 'fortran_order': False, 'shape': (2,)}", 'NPY_BAD_HEADER'],
    ["dict(descr='<f8', fortran_order=False, shape=(2,))", 'NPY_BAD_HEADER'],
    [
      "{'descr': '<f8', 'fortran_order': False, 'shape': " + '('.repeat(100) + ')'.repeat(100) + '}',
      'NPY_BAD_HEADER',
    ],
    ["{'descr': '<f8', 'fortran_order': False, 'shape': (" + '1, '.repeat(65) + ')}', 'NPY_BAD_HEADER'],
    ["{'descr': '<c8', 'fortran_order': False, 'shape': (2,)}", 'NPY_UNSUPPORTED_DTYPE'],
    ["{'descr': 'zz', 'fortran_order': False, 'shape': (2,)}", 'NPY_UNSUPPORTED_DTYPE'],
    ["{'descr': '<i3', 'fortran_order': False, 'shape': (2,)}", 'NPY_UNSUPPORTED_DTYPE'],
    ["{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,)}", 'NPY_TOO_LARGE'],
  ])('rejects %s', (text, code) => {
    throwsWith(() => parseNpyHeader(npyWithHeader(text, eight)), code);
  });

  it('rejects headers that are not UTF-8 in version 3.0 and unknown versions', () => {
    const f = npyWithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (2,)}", eight, 3);
    f[14] = 0xff;
    throwsWith(() => parseNpyHeader(f), 'NPY_BAD_HEADER');
    const v = npyWithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (2,)}", eight);
    v[7] = 1;
    throwsWith(() => parseNpyHeader(v), 'NPY_BAD_VERSION');
  });
});

describe('decodeNpyData', () => {
  const header = (over: Partial<NpyHeader>): NpyHeader => ({
    version: [1, 0],
    descr: '<f8',
    dtype: 'f8',
    littleEndian: true,
    fortranOrder: false,
    shape: [2],
    dataOffset: 0,
    dataBytes: 16,
    ...over,
  });

  it('returns a view (no copy) for aligned little-endian C-order data', () => {
    const buf = new Uint8Array(new Float64Array([1, 2, 3]).buffer);
    const arr = decodeNpyData(header({}), buf.subarray(8));
    expect(arr.data.buffer).toBe(buf.buffer);
    expect([...(arr.data as Float64Array)]).toEqual([2, 3]);
  });

  it('copies once to align unaligned data, leaving the input untouched', () => {
    const buf = new Uint8Array(17);
    buf.set(new Uint8Array(new Float64Array([4, 5]).buffer), 1);
    const copy = buf.slice();
    const arr = decodeNpyData(header({}), buf.subarray(1));
    expect(arr.data.buffer).not.toBe(buf.buffer);
    expect([...(arr.data as Float64Array)]).toEqual([4, 5]);
    const be = decodeNpyData(header({ littleEndian: false, descr: '>f8' }), buf.subarray(1));
    expect(be.data.length).toBe(2);
    expect(buf).toEqual(copy);
  });

  it('maps non-0/1 bool bytes to 1, as numpy reads them as True', () => {
    const arr = decodeNpyData(
      header({ dtype: 'b1', descr: '|b1', shape: [4], dataBytes: 4 }),
      Uint8Array.of(0, 1, 7, 255),
    );
    expect([...(arr.data as Uint8Array)]).toEqual([0, 1, 1, 1]);
  });

  it('transposes Fortran order for any rank (checked against numpy files)', async () => {
    for (const name of [
      'f8_le_fortran_2d',
      'i2_be_fortran_3d',
      'f4_le_fortran_4d',
      'u8_be_fortran_2d',
      'i4_be_v2_fortran',
    ]) {
      const side = fixtureJson<NpySidecar>('npy', `${name}.json`);
      expect(side.fortranOrder).toBe(true);
      expectMatchesNumpy(await readNpy(fixtureBytes('npy', `${name}.npy`)), side);
    }
  });

  it('throws NPY_TRUNCATED when there are fewer bytes than the header needs', () => {
    throwsWith(() => decodeNpyData(header({}), new Uint8Array(15)), 'NPY_TRUNCATED');
  });
});

describe('readNpy on Blobs: slabs, progress, abort, header-only reads', () => {
  class SpyBlob extends Blob {
    readonly ranges: [number, number][] = [];
    override slice(start?: number, end?: number, type?: string): Blob {
      this.ranges.push([start ?? 0, end ?? this.size]);
      return super.slice(start, end, type);
    }
  }

  it('readNpyHeaderFromBlob reads only header bytes', async () => {
    const bytes = fixtureBytes('npy', 'stack_sym_f8.npy');
    const blob = new SpyBlob([bytes]);
    const h = await readNpyHeaderFromBlob(blob);
    expect(blob.ranges.length).toBe(2);
    for (const [, end] of blob.ranges) expect(end).toBeLessThanOrEqual(h.dataOffset);
  });

  it('reads the data in slabs into one buffer, reporting progress', async () => {
    const bytes = fixtureBytes('npy', 'stack_sym_f8.npy');
    const blob = new SpyBlob([bytes]);
    const seen: number[] = [];
    const arr = await readNpy(blob, { slabBytes: 1000, onProgress: (f) => seen.push(f) });
    const dataBytes = 6 * 12 * 12 * 8;
    const dataSlices = blob.ranges.slice(2);
    expect(dataSlices.length).toBe(Math.ceil(dataBytes / 1000));
    for (const [s, e] of dataSlices) expect(e - s).toBeLessThanOrEqual(1000);
    expect(seen.length).toBe(dataSlices.length);
    expect(seen.at(-1)).toBe(1);
    expect(Buffer.from(writeNpy(arr)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('honours an AbortSignal before and during the read', async () => {
    const blob = new Blob([fixtureBytes('npy', 'stack_sym_f8.npy')]);
    const before = new AbortController();
    before.abort();
    await expect(readNpy(blob, { signal: before.signal })).rejects.toHaveProperty('name', 'AbortError');
    const during = new AbortController();
    const p = readNpy(blob, {
      slabBytes: 512,
      signal: during.signal,
      onProgress: (f) => f > 0.3 && during.abort(),
    });
    await expect(p).rejects.toHaveProperty('name', 'AbortError');
    const custom = new AbortController();
    custom.abort('stop');
    await expect(readNpy(blob, { signal: custom.signal })).rejects.toHaveProperty('name', 'AbortError');
  });
});

describe('readNpyRows', () => {
  it('reads whole matrices [start, start+count) along axis 0, also big-endian', async () => {
    for (const name of ['stack_sym_f8', 'stack_sym_be_f8', 'stack_nonsquare_f8', 'stack_sym_i2']) {
      const blob = await fixtureBlob('npy', `${name}.npy`);
      const header = await readNpyHeaderFromBlob(blob);
      const full = await readNpy(blob);
      const per = header.shape.slice(1).reduce((a, b) => a * b, 1);
      const rows = await readNpyRows(blob, header, 2, 3);
      expect([...rows.shape]).toEqual([3, ...header.shape.slice(1)]);
      expect([...rows.data]).toEqual([...full.data.subarray(2 * per, 5 * per)]);
      expect((await readNpyRows(blob, header, 1, 0)).data.length).toBe(0);
    }
  });

  it('rejects bad ranges, Fortran files and 0-d arrays', async () => {
    const blob = await fixtureBlob('npy', 'stack_sym_f8.npy');
    const header = await readNpyHeaderFromBlob(blob);
    await rejectsWith(readNpyRows(blob, header, 5, 2), 'BAD_PARAMS');
    await rejectsWith(readNpyRows(blob, header, -1, 1), 'BAD_PARAMS');
    await rejectsWith(readNpyRows(blob, header, 0.5, 1), 'BAD_PARAMS');
    const fblob = await fixtureBlob('npy', 'f8_le_fortran_2d.npy');
    await rejectsWith(readNpyRows(fblob, await readNpyHeaderFromBlob(fblob), 0, 1), 'BAD_PARAMS');
    const zblob = await fixtureBlob('npy', 'f8_0d.npy');
    await rejectsWith(readNpyRows(zblob, await readNpyHeaderFromBlob(zblob), 0, 1), 'BAD_SHAPE');
  });
});

describe('readNpy into a caller-made buffer', () => {
  it('reads a Blob straight into a SharedArrayBuffer, with the same values as a plain read', async () => {
    const blob = await fixtureBlob('npy', 'stack_sym_f8.npy');
    const made: SharedArrayBuffer[] = [];
    const shared = await readNpy(blob, {
      buffer: (n) => {
        const sab = new SharedArrayBuffer(n);
        made.push(sab);
        return sab;
      },
    });
    const plain = await readNpy(blob);
    expect(made).toHaveLength(1);
    expect(shared.data.buffer).toBe(made[0]);
    expect(Array.from(shared.data as Float64Array)).toEqual(Array.from(plain.data as Float64Array));
  });
});
