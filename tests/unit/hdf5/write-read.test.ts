import { beforeAll, describe, expect, it } from 'vitest';
import { getH5, scratchPath } from '../../../src/hdf5/h5wasm-init';
import type { H5Env } from '../../../src/hdf5/h5wasm-init';
import { writeHdf5File } from '../../../src/hdf5/write';
import type { WriteOptions } from '../../../src/hdf5/write';
import { openHdf5Reader, readHdf5File } from '../../../src/hdf5/read';
import type { Hdf5Reader } from '../../../src/hdf5/read';
import { releaseBuffers } from '../../../src/core/release';
import { fileLength, readFileBytes, removeFile } from '../../../src/hdf5/files';
import { MAX_ABS_ERROR_PLACEHOLDER } from '../../../src/hdf5/max-abs-error';
import { STORED_DTYPES } from '../../../src/hdf5/types';
import type { DatasetPlan, FilterSpec, StoredDType } from '../../../src/hdf5/types';
import {
  ROOT_ATTRS,
  bytesOf,
  contractAttrs,
  firstDifference,
  sampleData,
  withoutTimestamps,
} from './hdf5-test-helpers';

let env: H5Env;
beforeAll(async () => {
  env = await getH5();
});

function plan(dtype: StoredDType, shape: number[], chunks?: number[], filter?: FilterSpec): DatasetPlan {
  const n = shape.reduce((a, b) => a * b, 1);
  return {
    data: sampleData(dtype, n),
    dtype,
    shape,
    chunks,
    filter,
    attrs: contractAttrs(),
    rootAttrs: ROOT_ATTRS,
  };
}

/** Writes, reads back, removes; returns the read-back and the file length. */
function roundTrip(p: DatasetPlan, slabBytes?: number) {
  const path = scratchPath(env, `rt-${p.dtype}`);
  try {
    const length = writeHdf5File(path, p, { slabBytes });
    expect(length).toBe(fileLength(path));
    return { length, back: readHdf5File(path), bytes: readFileBytes(path) };
  } finally {
    removeFile(path);
  }
}

const INTEGER_DTYPES = STORED_DTYPES.filter((d) => d[0] === 'i' || d[0] === 'u');

describe('round trips for every stored dtype', () => {
  for (const dtype of STORED_DTYPES) {
    for (const chunks of [undefined, [2, 3, 5]]) {
      it(`${dtype} ${chunks ? 'chunked' : 'contiguous'} is bit-identical`, () => {
        const p = plan(dtype, [5, 4, 7], chunks);
        const { back } = roundTrip(p, 4 * 7 * 8); // small slabs: several slabs per file
        expect(back.dtype).toBe(dtype);
        expect(back.shape).toEqual([5, 4, 7]);
        expect(back.chunks).toEqual(chunks ?? null);
        expect(back.data.constructor).toBe(p.data.constructor);
        expect(firstDifference(back.data, p.data)).toBe(-1);
      });
    }
  }

  it('1-D and 4-D shapes, chunks that do not divide the shape', () => {
    for (const [shape, chunks] of [
      [[1001], [100]],
      [
        [3, 2, 5, 7],
        [2, 2, 3, 4],
      ],
    ] as const) {
      const p = plan('f8', [...shape], [...chunks], { id: 1, opts: [4] });
      const { back } = roundTrip(p, 64);
      expect(back.shape).toEqual(shape);
      expect(firstDifference(back.data, p.data)).toBe(-1);
    }
  });
});

describe('filters', () => {
  it('gzip 1,[4] and shuffle 2,[] are lossless and recorded', () => {
    const p = plan('f8', [40, 30], [8, 30]);
    for (const [filter, name, cd] of [
      [{ id: 1, opts: [4] }, 'deflate', [4]],
      [{ id: 2, opts: [] }, 'shuffle', [8]], // HDF5 records the element size for shuffle
      [{ id: 3, opts: [] }, 'fletcher32', []],
    ] as const) {
      const { back } = roundTrip({ ...p, filter: { id: filter.id, opts: [...filter.opts] } });
      expect(firstDifference(back.data, p.data)).toBe(-1);
      expect(back.filters).toEqual([
        { id: filter.id, name: expect.stringContaining(name.slice(0, 4)), cdValues: cd },
      ]);
    }
  });

  it('gzip actually compresses compressible data', () => {
    const data = new Float64Array(100 * 100).map((_, i) => i % 7);
    const base = { data, dtype: 'f8' as const, shape: [100, 100], attrs: {}, rootAttrs: {} };
    const raw = roundTrip({ ...base, chunks: [10, 100] }).length;
    const zipped = roundTrip({ ...base, chunks: [10, 100], filter: { id: 1, opts: [4] } }).length;
    expect(zipped).toBeLessThan(raw / 5);
  });

  for (const dtype of ['f4', 'f8'] as const) {
    it(`scaleoffset float 6,[0,D] on ${dtype} keeps |error| ≤ 10^-D`, () => {
      for (const d of [2, 4]) {
        const p = plan(dtype, [20, 50], [5, 50], { id: 6, opts: [0, d] });
        const { back } = roundTrip(p);
        expect(back.filters[0]).toMatchObject({ id: 6, name: expect.stringMatching(/scale/i) });
        let max = 0;
        const a = p.data as Float32Array | Float64Array;
        const b = back.data as Float32Array | Float64Array;
        for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
        expect(max).toBeGreaterThan(0);
        expect(max).toBeLessThanOrEqual(10 ** -d * 1.0001);
      }
    });
  }

  for (const dtype of INTEGER_DTYPES) {
    it(`scaleoffset integer 6,[2,0] on ${dtype} is lossless`, () => {
      const p = plan(dtype, [12, 25], [4, 25], { id: 6, opts: [2, 0] });
      const { back } = roundTrip(p);
      expect(back.filters[0]?.id).toBe(6);
      expect(firstDifference(back.data, p.data)).toBe(-1);
    });
  }

  it('scaleoffset integer shrinks narrow-range int32 data', () => {
    const data = new Int32Array(256 * 256).map((_, i) => (i * 7919) % 200);
    const base = {
      data,
      dtype: 'i4' as const,
      shape: [256, 256],
      chunks: [16, 256],
      attrs: {},
      rootAttrs: {},
    };
    const plain = roundTrip(base).length;
    const packed = roundTrip({ ...base, filter: { id: 6, opts: [2, 0] } });
    expect(firstDifference(packed.back.data, data)).toBe(-1);
    expect(packed.length).toBeLessThan(plain / 3);
  });

  it('an unavailable filter fails the write loudly and leaves no file', () => {
    const path = scratchPath(env, 'nofilter');
    expect(() => writeHdf5File(path, plan('f4', [4, 4], [2, 4], { id: 32015, opts: [3] }))).toThrow(
      /Writing HDF5/,
    );
    expect(env.fs.analyzePath(path).exists).toBe(false);
  });
});

describe('attributes', () => {
  it('come back with their values; max_abs_error defaults to the NaN placeholder', () => {
    const { back, bytes } = roundTrip(plan('f4', [3, 4]));
    expect(back.attrs).toEqual({
      layout: 'upper-triangle-rowmajor',
      matrix_size: 141,
      original_shape: [1000, 141, 141],
      original_dtype: '<f8',
      strategy: '{"id":"hdf5-quantized","params":{"epsilon":0.0078}}',
      created_by: 'h5squeeze 0.1.0',
      max_abs_error: NaN,
    });
    expect(back.rootAttrs).toEqual({ restore_python: ROOT_ATTRS.restore_python!.value });
    const hits = bytes.findIndex((_, i) => MAX_ABS_ERROR_PLACEHOLDER.every((b, j) => bytes[i + j] === b));
    expect(hits).toBeGreaterThan(0);
  });

  it('an explicit NaN max_abs_error also becomes the placeholder; a number is written as is', () => {
    const nan = plan('f4', [3, 4]);
    nan.attrs = { ...nan.attrs, max_abs_error: { type: 'float64', value: NaN } };
    expect(roundTrip(nan).back.attrs.max_abs_error).toBeNaN();
    const set = plan('f4', [3, 4]);
    set.attrs = { ...set.attrs, max_abs_error: { type: 'float64', value: 0.25 } };
    expect(roundTrip(set).back.attrs.max_abs_error).toBe(0.25);
  });

  it('int64 scalars and arrays, float64, unicode strings, dense storage (> 8 attributes)', () => {
    const p = plan('u1', [2, 2]);
    p.attrs = contractAttrs({
      scale_factor: { type: 'float64', value: 1 / 3 },
      add_offset: { type: 'float64', value: -1e-300 },
      big: { type: 'int64', value: -(2 ** 53 - 1) },
      one: { type: 'int64[]', value: [7] },
      text: { type: 'string', value: 'µ≤ε — ünïcödé' },
    });
    const { back } = roundTrip(p);
    expect(back.attrs).toMatchObject({
      scale_factor: 1 / 3,
      add_offset: -1e-300,
      big: -(2 ** 53 - 1),
      one: [7],
      text: 'µ≤ε — ünïcödé',
      matrix_size: 141,
    });
  });

  it('rejects int64 values that are not safe integers', () => {
    const p = plan('u1', [2, 2]);
    p.attrs = { bad: { type: 'int64', value: 2 ** 60 } };
    expect(() => roundTrip(p)).toThrow(/safe integer/);
  });
});

describe('slab writes', () => {
  /** The same dataset written by h5wasm's high-level one-shot create_dataset. */
  function oneShotReference(p: DatasetPlan): Uint8Array {
    const path = scratchPath(env, 'oneshot');
    const dtypes: Record<string, string> = { f4: '<f', f8: '<d', i2: '<h', u1: '<B' };
    const f = new env.h5.File(path, 'w');
    try {
      f.create_dataset({
        name: 'data',
        data: p.data,
        shape: [...p.shape],
        dtype: dtypes[p.dtype]!,
        chunks: p.chunks ? [...p.chunks] : null,
        ...(p.filter ? { compression: p.filter.id, compression_opts: [...p.filter.opts] } : {}),
      });
      const ds = f.get('data') as InstanceType<H5Env['h5']['Dataset']>;
      ds.create_attribute(
        'max_abs_error',
        new Float64Array(MAX_ABS_ERROR_PLACEHOLDER.buffer.slice(0)),
        [],
        '<d',
      );
    } finally {
      f.close();
    }
    const bytes = readFileBytes(path);
    removeFile(path);
    return bytes;
  }

  const cases: [string, DatasetPlan][] = [
    ['contiguous f8', { ...plan('f8', [50, 20]), attrs: {}, rootAttrs: {} }],
    ['chunked f4', { ...plan('f4', [50, 20], [4, 20]), attrs: {}, rootAttrs: {} }],
    ['chunked gzip f8', { ...plan('f8', [50, 20], [3, 7], { id: 1, opts: [4] }), attrs: {}, rootAttrs: {} }],
    [
      'chunked shuffle i2',
      { ...plan('i2', [50, 20], [5, 20], { id: 2, opts: [] }), attrs: {}, rootAttrs: {} },
    ],
    [
      'scaleoffset f4',
      { ...plan('f4', [50, 20], [10, 20], { id: 6, opts: [0, 3] }), attrs: {}, rootAttrs: {} },
    ],
  ];

  for (const [name, p] of cases) {
    it(`${name}: many small slabs give the same bytes as h5wasm's one-shot write`, () => {
      const reference = oneShotReference(p);
      const progress: number[] = [];
      const path = scratchPath(env, 'slabs');
      const length = writeHdf5File(path, p, { slabBytes: 64, onProgress: (f) => progress.push(f) });
      const slabbed = readFileBytes(path);
      removeFile(path);
      expect(length).toBe(reference.length);
      expect(firstDifference(withoutTimestamps(slabbed), withoutTimestamps(reference))).toBe(-1);
      expect(progress.length).toBeGreaterThanOrEqual(5);
      expect(progress.at(-1)).toBe(1);
      expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    });
  }

  it('slab size does not change the file (float16 too)', () => {
    for (const p of [plan('f2', [33, 17], [4, 17], { id: 1, opts: [4] }), plan('f2', [33, 17])]) {
      const sizes = [1, 100, 1000, 1 << 20].map((slabBytes) => roundTrip(p, slabBytes));
      for (const s of sizes) {
        expect(firstDifference(withoutTimestamps(s.bytes), withoutTimestamps(sizes[0]!.bytes))).toBe(-1);
        expect(firstDifference(s.back.data, p.data)).toBe(-1);
      }
    }
  });

  it('a big contiguous dataset (> slab) is written through a small slab buffer', () => {
    const p = plan('f8', [300, 1000]); // 2.4 MB
    const { back, length } = roundTrip(p, 100_000);
    expect(length).toBeGreaterThan(2_400_000);
    expect(firstDifference(back.data, p.data)).toBe(-1);
  });
});

describe('reading row ranges', () => {
  it('returns exactly the requested rows, chunk-aligned or not', () => {
    const p = plan('f4', [23, 3, 4], [5, 3, 4], { id: 1, opts: [1] });
    const path = scratchPath(env, 'rows');
    writeHdf5File(path, p);
    try {
      const rowBytes = 3 * 4 * 4;
      for (const [a, b] of [
        [0, 23],
        [0, 5],
        [3, 17],
        [22, 23],
        [7, 7],
      ] as const) {
        for (const slabBytes of [1, 200, undefined]) {
          const back = readHdf5File(path, { rows: [a, b], slabBytes });
          expect(back.shape).toEqual([b - a, 3, 4]);
          expect(back.fullShape).toEqual([23, 3, 4]);
          expect(firstDifference(back.data, bytesOf(p.data).subarray(a * rowBytes, b * rowBytes))).toBe(-1);
        }
      }
      expect(() => readHdf5File(path, { rows: [5, 24] })).toThrow(/outside/);
    } finally {
      removeFile(path);
    }
  });

  it('wraps errors for missing files with a cause', () => {
    let err: unknown;
    try {
      readHdf5File(`${env.scratchDir}/missing.h5`);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/Reading HDF5 file .*missing\.h5/);
    expect((err as Error).cause).toBeDefined();
  });
});

describe('plan validation', () => {
  const bad: [string, DatasetPlan, RegExp][] = [
    ['length mismatch', { ...plan('f4', [3, 4]), shape: [3, 5] }, /needs 15/],
    ['wrong array type', { ...plan('f4', [3, 4]), dtype: 'f8' }, /needs a Float64Array/],
    ['f2 needs Uint16Array', { ...plan('f4', [3, 4]), dtype: 'f2' }, /Uint16Array/],
    ['filter without chunks', { ...plan('f4', [3, 4]), filter: { id: 1, opts: [4] } }, /chunked/],
    ['chunk larger than shape', plan('f4', [3, 4], [4, 4]), /does not fit/],
    ['chunk rank', plan('f4', [3, 4], [3]), /one entry per axis/],
    ['zero axis', { ...plan('f4', [3, 4]), shape: [0, 4], data: new Float32Array(0) }, /positive/],
    ['scaleoffset on float16', plan('f2', [3, 4], [3, 4], { id: 6, opts: [0, 2] }), /float16/],
  ];
  for (const [name, p, re] of bad) {
    it(`rejects ${name}`, () => {
      expect(() => writeHdf5File(scratchPath(env, 'bad'), p)).toThrow(re);
    });
  }
});

describe('an open reader: row ranges, copied or as views of the heap', () => {
  /**
   * Writes `p`, opens a reader on it for `check`, closes it, runs `afterClose` on the file, and removes
   * the file.
   */
  function withReader(
    p: DatasetPlan,
    stem: string,
    check: (reader: Hdf5Reader) => void,
    { write, afterClose }: { write?: WriteOptions; afterClose?: (path: string) => void } = {},
  ): void {
    const path = scratchPath(env, stem);
    try {
      writeHdf5File(path, p, write);
      const reader = openHdf5Reader(path);
      try {
        check(reader);
      } finally {
        reader.close();
      }
      afterClose?.(path);
    } finally {
      removeFile(path);
    }
  }

  it('gives the same rows either way, for every stored dtype, contiguous and chunked', () => {
    for (const dtype of STORED_DTYPES)
      for (const chunks of [undefined, [2, 3, 5]]) {
        const p = plan(dtype, [9, 4, 7], chunks);
        withReader(
          p,
          `view-${dtype}`,
          (reader) => {
            for (const rows of [
              [0, 9],
              [2, 5],
              [5, 9],
              [3, 3],
            ] as [number, number][]) {
              const copied = reader.read({ rows });
              const viewed = reader.readView(rows);
              expect(viewed.shape).toEqual(copied.shape);
              expect(viewed.attrs).toEqual(copied.attrs);
              expect(viewed.data.constructor).toBe(copied.data.constructor);
              expect(bytesOf(viewed.data)).toEqual(bytesOf(copied.data));
              expect(bytesOf(copied.data)).toEqual(bytesOf(p.data.subarray(rows[0] * 28, rows[1] * 28)));
              // A non-empty view lives in the wasm heap (an empty range is read the ordinary way).
              if (rows[1] > rows[0]) expect(viewed.data.buffer).toBe(env.module.HEAPU8.buffer);
            }
          },
          { write: { slabBytes: 4 * 7 * 8 } },
        );
      }
  });

  it('releasing a view leaves the heap alone: the module keeps working and the next read is right', () => {
    const p = plan('f8', [9, 4, 7]);
    withReader(
      p,
      'view-release',
      (reader) => {
        const view = reader.readView([0, 4]);
        const heapBefore = env.module.HEAPU8.byteLength;
        releaseBuffers([view.data], new Set());
        expect(env.module.HEAPU8.byteLength).toBe(heapBefore);
        expect(bytesOf(reader.readView([4, 9]).data)).toEqual(bytesOf(p.data.subarray(4 * 28, 9 * 28)));
      },
      { afterClose: (path) => expect(bytesOf(readHdf5File(path).data)).toEqual(bytesOf(p.data)) },
    );
  });

  it('a row range outside the dataset is refused with its bounds', () => {
    withReader(plan('f4', [3, 4, 7]), 'view-bad', (reader) => {
      expect(() => reader.readView([2, 5])).toThrow(/outside 0…3/);
    });
  });
});
