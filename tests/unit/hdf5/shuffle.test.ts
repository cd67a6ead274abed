// Shuffle + deflate datasets: complete chunks are pre-shuffled in JS, h5wasm deflates them, and the
// metadata is patched to the pipeline [shuffle, deflate] afterwards (src/hdf5/shuffle.ts). Real
// files throughout: written with h5wasm, read back through HDF5 (h5wasm) itself.

import { beforeAll, describe, expect, it } from 'vitest';
import { getH5, scratchPath } from '../../../src/hdf5/h5wasm-init';
import type { H5Env } from '../../../src/hdf5/h5wasm-init';
import { writeHdf5File } from '../../../src/hdf5/write';
import { readHdf5File } from '../../../src/hdf5/read';
import { fileLength, openFsFile, readFileBytes, removeFile } from '../../../src/hdf5/files';
import { setMaxAbsError } from '../../../src/hdf5/max-abs-error';
import type { ByteSource } from '../../../src/hdf5/object-header';
import {
  MSG_ATTRIBUTE,
  MSG_FILTER_PIPELINE,
  MSG_LAYOUT,
  MSG_NIL,
  allMessages,
  chunkContaining,
  freeBytesOf,
  locateDataset,
  memorySink,
  replaceMessageBody,
  rewriteChecksum,
} from '../../../src/hdf5/object-header';
import {
  patchShuffleDeflate,
  readChunkBtreeKeys,
  shuffleDeflatePipelineBody,
} from '../../../src/hdf5/shuffle';
import { shuffleBytes, unshuffleBytes } from '../../../src/core/byte-shuffle';
import { STORED_DTYPES } from '../../../src/hdf5/types';
import type { AttrValue, DatasetPlan, StoredDType } from '../../../src/hdf5/types';
import {
  ROOT_ATTRS,
  bytesOf,
  contractAttrs,
  firstDifference,
  rng,
  sampleData,
  withoutTimestamps,
} from './hdf5-test-helpers';

let env: H5Env;
beforeAll(async () => {
  env = await getH5();
});

const ELEMENT_SIZE: Record<StoredDType, number> = {
  f2: 2,
  f4: 4,
  f8: 8,
  i1: 1,
  u1: 1,
  i2: 2,
  u2: 2,
  i4: 4,
  u4: 4,
  i8: 8,
  u8: 8,
};

function shufflePlan(
  dtype: StoredDType,
  shape: number[],
  chunkRows: number,
  level = 4,
  attrs: Record<string, AttrValue> = contractAttrs(),
): DatasetPlan {
  const n = shape.reduce((a, b) => a * b, 1);
  return {
    data: sampleData(dtype, n, n),
    dtype,
    shape,
    chunks: [chunkRows, ...shape.slice(1)],
    filter: { id: 1, opts: [level] },
    shuffle: true,
    attrs,
    rootAttrs: ROOT_ATTRS,
  };
}

/** Writes, reads back, removes; returns the read-back, the file bytes and the written length. */
function roundTrip(p: DatasetPlan, slabBytes?: number) {
  const path = scratchPath(env, `shuffle-${p.dtype}`);
  try {
    const length = writeHdf5File(path, p, { slabBytes });
    expect(length).toBe(fileLength(path));
    return { length, back: readHdf5File(path), bytes: readFileBytes(path) };
  } finally {
    removeFile(path);
  }
}

function chunkKeys(src: ByteSource) {
  const { superblock, dataset } = locateDataset(src);
  const layout = allMessages(dataset).find((m) => m.type === MSG_LAYOUT)!;
  const body = src.read(layout.dataOffset, layout.size);
  const btree = Number(new DataView(body.buffer, body.byteOffset + 3, 8).getBigUint64(0, true));
  return readChunkBtreeKeys(src, superblock, btree, body[2]!);
}

function leafKeys(src: ByteSource) {
  return chunkKeys(src).filter((k) => k.level === 0 && k.isChildKey);
}

/**
 * A quantized banded matrix: values decaying away from a diagonal, ±1 % noise, zero past ~130
 * columns from it (over half the entries), the kind of int16 data a quantized file holds.
 */
function bandedInt16(rows: number, cols: number): { data: Int16Array; shape: number[] } {
  const r = rng(5);
  const data = Int16Array.from({ length: rows * cols }, (_, k) => {
    const d = Math.abs(2.5 * Math.floor(k / cols) - (k % cols));
    return Math.round(3000 * Math.exp(-d / 15) * (1 + (r() - 0.5) * 0.02));
  });
  return { data, shape: [rows, cols] };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('shuffleBytes (HDF5 filter 2: byte transpose)', () => {
  it('moves byte b of element j to b * n + j, and unshuffleBytes inverts it', () => {
    const src = Uint8Array.of(0xa0, 0xa1, 0xb0, 0xb1, 0xc0, 0xc1);
    const dst = new Uint8Array(6);
    shuffleBytes(src, dst, 2);
    expect([...dst]).toEqual([0xa0, 0xb0, 0xc0, 0xa1, 0xb1, 0xc1]);
    const back = new Uint8Array(6);
    unshuffleBytes(dst, back, 2);
    expect(back).toEqual(src);
  });

  it('round-trips random bytes for element sizes 1, 2, 4, 8 (identity for 1)', () => {
    const r = rng(3);
    const src = Uint8Array.from({ length: 8 * 37 }, () => Math.floor(r() * 256));
    for (const e of [1, 2, 4, 8]) {
      const mid = new Uint8Array(src.length);
      const back = new Uint8Array(src.length);
      shuffleBytes(src, mid, e);
      if (e === 1) expect(mid).toEqual(src);
      else expect(firstDifference(mid, src)).not.toBe(-1);
      unshuffleBytes(mid, back, e);
      expect(back).toEqual(src);
    }
  });

  it('refuses lengths that are not whole elements', () => {
    expect(() => shuffleBytes(new Uint8Array(6), new Uint8Array(6), 4)).toThrow(/4-byte elements/);
    expect(() => shuffleBytes(new Uint8Array(8), new Uint8Array(4), 4)).toThrow(/Cannot shuffle/);
  });

  for (const dtype of ['i2', 'f2', 'f4', 'u8'] as const) {
    it(`equals the bytes HDF5's own shuffle filter stores (${dtype} chunks, shuffle alone)`, () => {
      const shape = [9, 13];
      const n = 9 * 13;
      const data = sampleData(dtype, n, 11);
      const path = scratchPath(env, 'hdf5-shuffle');
      writeHdf5File(path, {
        data,
        dtype,
        shape,
        chunks: [3, 13],
        filter: { id: 2, opts: [] },
        attrs: {},
        rootAttrs: {},
      });
      const file = memorySink(readFileBytes(path));
      removeFile(path);
      const keys = leafKeys(file);
      expect(keys).toHaveLength(3);
      const e = ELEMENT_SIZE[dtype];
      const rowBytes = 13 * e;
      for (const k of keys) {
        const from = k.offset[0]! * rowBytes;
        const expected = new Uint8Array(3 * rowBytes);
        shuffleBytes(bytesOf(data).subarray(from, from + 3 * rowBytes), expected, e);
        expect(k.nbytes).toBe(expected.length);
        expect(hex(file.read(k.childAddress!, k.nbytes))).toBe(hex(expected));
      }
    });
  }
});

describe('shuffle + deflate datasets written by h5wasm', () => {
  // [shape, chunk rows]: single chunk, exact multiples, partial last chunk, ranks 1-4.
  const SHAPES: [number[], number][] = [
    [[50], 50],
    [[49], 7],
    [[50], 7],
    [[4, 6], 4],
    [[9, 6], 3],
    [[10, 6], 3],
    [[5, 4, 3], 2],
    [[7, 2, 3, 2], 3],
  ];
  for (const dtype of STORED_DTYPES) {
    it(`${dtype}: every shape reads back identical, pipeline [shuffle(${ELEMENT_SIZE[dtype]}), deflate]`, () => {
      for (const [shape, rows] of SHAPES) {
        const p = shufflePlan(dtype, shape, rows, 6);
        const { back, bytes } = roundTrip(p, 7);
        expect(back.dtype).toBe(dtype);
        expect(back.shape).toEqual(shape);
        expect(back.chunks).toEqual(p.chunks);
        expect(firstDifference(back.data, p.data), `shape [${shape}]`).toBe(-1);
        expect(back.filters).toEqual([
          { id: 2, name: expect.stringMatching(/shuffle/), cdValues: [ELEMENT_SIZE[dtype]] },
          { id: 1, name: expect.stringMatching(/deflate/), cdValues: [6] },
        ]);
        // Only the chunk cut short by the end of axis 0 skips the shuffle (filter mask bit 0).
        const keys = leafKeys(memorySink(bytes));
        expect(keys).toHaveLength(Math.ceil(shape[0]! / rows));
        for (const k of keys) {
          const partial = k.offset[0]! + rows > shape[0]!;
          expect(k.filterMask, `chunk at row ${k.offset[0]}`).toBe(partial ? 1 : 0);
        }
      }
    });
  }

  it('the pipeline message is byte for byte the one h5py writes for shuffle=True, gzip 4 on int16', () => {
    // From `h5py.File(..., libver=("v108", "latest")).create_dataset(..., shuffle=True,
    // compression="gzip", compression_opts=4)` (h5py 3.7, HDF5 1.10.8); tests/interop compares live.
    const h5py = '02020200010001000200000001000100010004000000';
    expect(hex(shuffleDeflatePipelineBody(2, 4))).toBe(h5py);
    const { bytes } = roundTrip(shufflePlan('i2', [10, 6], 3, 4, {}));
    const sink = memorySink(bytes);
    const pipeline = allMessages(locateDataset(sink).dataset).filter((m) => m.type === MSG_FILTER_PIPELINE);
    expect(pipeline).toHaveLength(1);
    expect(hex(sink.read(pipeline[0]!.dataOffset, pipeline[0]!.size))).toBe(h5py);
  });

  it('streams from a rowSource in slabs of whole chunk rows (also chunks bigger than a slab)', () => {
    for (const [shape, rows, slabBytes] of [
      [[100, 30], 7, 2000],
      [[100, 30], 40, 100],
      [[37, 3, 5], 4, 1],
    ] as const) {
      const full = shufflePlan('u4', [...shape], rows);
      const rowElems = full.data.length / shape[0];
      const asked: [number, number][] = [];
      const p: DatasetPlan = {
        ...full,
        data: new Uint32Array(0),
        rowSource: {
          rows: (r0, r1) => {
            asked.push([r0, r1]);
            return (full.data as Uint32Array).slice(r0 * rowElems, r1 * rowElems);
          },
        },
      };
      const { back } = roundTrip(p, slabBytes);
      expect(asked.length).toBeGreaterThan(1);
      for (const [r0] of asked) expect(r0 % rows).toBe(0);
      expect(firstDifference(back.data, full.data)).toBe(-1);
    }
  });

  it('sizes slabs by what a row costs its source when that is more than it stores', () => {
    // u1 codes of rows laid out as float64: 8 bytes a value to produce, 1 stored.
    const shape = [64, 50];
    const full = shufflePlan('u1', shape, 4);
    const asked: number[] = [];
    const p: DatasetPlan = {
      ...full,
      data: new Uint8Array(0),
      rowSource: {
        rows: (r0, r1) => {
          asked.push(r1 - r0);
          return (full.data as Uint8Array).slice(r0 * 50, r1 * 50);
        },
        rowBytes: 8 * 50,
      },
    };
    const { back } = roundTrip(p, 3200); // 64 stored rows, 8 rows of the source's cost
    expect(firstDifference(back.data, full.data)).toBe(-1);
    expect(Math.max(...asked)).toBe(8);
    expect(asked.reduce((a, b) => a + b, 0)).toBe(64);
  });

  it('tells the row source once that the writer is done, on the slab path and the one-shot one', () => {
    // Chunked (slabs), and contiguous small enough to be written in one shot.
    for (const chunked of [true, false]) {
      const full = shufflePlan('u4', [20, 6], 5);
      let done = 0;
      const p: DatasetPlan = {
        ...full,
        ...(chunked ? {} : { chunks: undefined, filter: undefined, shuffle: false }),
        data: new Uint32Array(0),
        rowSource: {
          rows: (r0, r1) => (full.data as Uint32Array).slice(r0 * 6, r1 * 6),
          done: () => done++,
        },
      };
      const { back } = roundTrip(p, chunked ? 100 : undefined);
      expect(firstDifference(back.data, full.data)).toBe(-1);
      expect(done).toBe(1);
    }
  });

  it('does not modify the caller data (the shuffle happens in the heap slab)', () => {
    const p = shufflePlan('f8', [10, 6], 3);
    const before = bytesOf(p.data).slice();
    roundTrip(p);
    expect(firstDifference(bytesOf(p.data), before)).toBe(-1);
  });

  it('many chunks (a two-level chunk B-tree): the partial chunk is marked in every copy of its key', () => {
    const p = shufflePlan('i2', [601, 5], 3);
    const { back, bytes } = roundTrip(p, 1000);
    expect(firstDifference(back.data, p.data)).toBe(-1);
    const keys = chunkKeys(memorySink(bytes));
    expect(Math.max(...keys.map((k) => k.level))).toBeGreaterThan(0);
    const leaves = keys.filter((k) => k.level === 0 && k.isChildKey);
    expect(leaves).toHaveLength(201);
    expect(leaves.filter((k) => k.filterMask !== 0).map((k) => k.offset[0])).toEqual([600]);
    for (const k of keys) if (k.offset[0] === 600 && k.offset[2] === 0) expect(k.filterMask).toBe(1);
  });

  it('float16 (placeholder datatype, element size 2) with a partial chunk and gzip 9', () => {
    const p = shufflePlan('f2', [11, 141], 4, 9);
    const { back } = roundTrip(p, 500);
    expect(back.dtype).toBe('f2');
    expect(firstDifference(back.data, p.data)).toBe(-1);
    expect(back.filters.map((f) => [f.id, f.cdValues])).toEqual([
      [2, [2]],
      [1, [9]],
    ]);
  });

  it('shuffle makes typical int16 data with many zeros smaller than deflate alone', () => {
    const { data, shape } = bandedInt16(200, 500);
    expect(data.filter((x) => x === 0).length / data.length).toBeGreaterThan(0.5);
    const base: DatasetPlan = {
      data,
      dtype: 'i2',
      shape,
      chunks: [16, 500],
      filter: { id: 1, opts: [4] },
      attrs: contractAttrs(),
      rootAttrs: ROOT_ATTRS,
    };
    const plain = roundTrip(base);
    const shuffled = roundTrip({ ...base, shuffle: true });
    expect(firstDifference(shuffled.back.data, data)).toBe(-1);
    expect(shuffled.length).toBeLessThan(plain.length * 0.9); // measured: 40298 vs 51341 bytes
  });

  it('extra datasets beside /data are left intact', () => {
    const pairs = Int32Array.from({ length: 12 }, (_, i) => i * 3 - 5);
    const p: DatasetPlan = {
      ...shufflePlan('f4', [10, 6], 3),
      extraDatasets: [{ name: 'pairs', dtype: 'i4', shape: [6, 2], data: pairs }],
    };
    const path = scratchPath(env, 'extra');
    try {
      writeHdf5File(path, p);
      const back = readHdf5File(path);
      expect(firstDifference(back.data, p.data)).toBe(-1);
      expect(back.filters.map((f) => f.id)).toEqual([2, 1]);
      const file = new env.h5.File(path, 'r');
      try {
        const extra = file.get('pairs') as InstanceType<H5Env['h5']['Dataset']>;
        expect(Array.from(extra.value as Int32Array)).toEqual(Array.from(pairs));
      } finally {
        file.close();
      }
    } finally {
      removeFile(path);
    }
  });

  it('without shuffle (absent or false) the file is byte-identical to before', () => {
    const p = shufflePlan('i4', [10, 6], 3);
    delete p.shuffle;
    const absent = roundTrip(p).bytes;
    const off = roundTrip({ ...p, shuffle: false }).bytes;
    expect(firstDifference(withoutTimestamps(off), withoutTimestamps(absent))).toBe(-1);
  });
});

describe('room for the longer pipeline message in the object header', () => {
  it('with free space in its chunk: repacked in place, the file does not grow', () => {
    const p = shufflePlan('i2', [10, 6], 3, 4, {});
    const { bytes, length } = roundTrip(p);
    const sink = memorySink(bytes);
    const { superblock, dataset } = locateDataset(sink);
    expect(dataset.chunks).toHaveLength(1);
    expect(superblock.endOfFileAddress).toBe(length);
    // Free space is one NIL message at the end of the chunk.
    const messages = dataset.chunks[0]!.messages;
    expect(messages.filter((m) => m.type === MSG_NIL)).toHaveLength(1);
    expect(messages[messages.length - 1]!.type).toBe(MSG_NIL);
  });

  it('with a full header (the contract attributes): a new continuation chunk at the end of the file', () => {
    const p = shufflePlan('i2', [10, 6], 3);
    const plain = roundTrip({ ...p, shuffle: false });
    const before = locateDataset(memorySink(plain.bytes)).dataset;
    expect(before.chunks.every((c) => freeBytesOf(before, c) < 10)).toBe(true);

    const { bytes, length, back } = roundTrip(p);
    expect(firstDifference(back.data, p.data)).toBe(-1);
    const sink = memorySink(bytes);
    const { superblock, dataset } = locateDataset(sink); // verifies every checksum
    expect(superblock.endOfFileAddress).toBe(length);
    expect(dataset.chunks).toHaveLength(before.chunks.length + 1);
    const added = dataset.chunks[dataset.chunks.length - 1]!;
    expect(added.start + added.length).toBe(length);
    const pipeline = allMessages(dataset).find((m) => m.type === MSG_FILTER_PIPELINE)!;
    expect(chunkContaining(dataset, pipeline.headerOffset)).toBe(added);
    // Every message survives (NILs aside) and the attributes are all still there.
    const kinds = (h: typeof dataset) =>
      allMessages(h)
        .filter((m) => m.type !== MSG_NIL)
        .map((m) => m.type)
        .sort();
    expect(kinds(dataset)).toEqual([...kinds(before), 0x10].sort());
    expect(Object.keys(back.attrs).sort()).toEqual([...Object.keys(p.attrs), 'max_abs_error'].sort());
  });

  it('with room only in another chunk: the message moves there', () => {
    // A deflate-only file with the contract attributes has no room anywhere; deleting one attribute
    // message of the continuation chunk (NIL) makes room there but not in the pipeline's chunk.
    const p = shufflePlan('i2', [10, 6], 3);
    const path = scratchPath(env, 'move');
    try {
      writeHdf5File(path, { ...p, shuffle: false });
      let shuffled = readFileBytes(path);
      const access = openFsFile(env.fs, path, true);
      try {
        const { superblock, dataset } = locateDataset(access);
        const pipeline = allMessages(dataset).find((m) => m.type === MSG_FILTER_PIPELINE)!;
        const home = chunkContaining(dataset, pipeline.headerOffset)!;
        expect(freeBytesOf(dataset, home)).toBeLessThan(10);
        const other = dataset.chunks.find((c) => c !== home)!;
        const attr = other.messages.find((m) => m.type === MSG_ATTRIBUTE && m.size >= 22)!;
        access.write(attr.headerOffset, Uint8Array.of(MSG_NIL));
        rewriteChecksum(access, other.start, other.length);
        const relocated = locateDataset(access).dataset;
        const sizeBefore = access.size;
        replaceMessageBody(access, superblock, relocated, pipeline, shuffleDeflatePipelineBody(2, 4));
        expect(access.size).toBe(sizeBefore);
        const after = locateDataset(access).dataset;
        const moved = allMessages(after).find((m) => m.type === MSG_FILTER_PIPELINE)!;
        expect(chunkContaining(after, moved.headerOffset)!.start).toBe(other.start);
        shuffled = access.read(0, access.size);
      } finally {
        access.close();
      }
      // HDF5 opens it and reports the new pipeline (the data was not pre-shuffled here: not read).
      const check = scratchPath(env, 'move-check');
      env.fs.writeFile(check, shuffled);
      const file = new env.h5.File(check, 'r');
      try {
        expect(env.module.get_dataset_filters(file.file_id, '/data').map((f) => f.id)).toEqual([2, 1]);
      } finally {
        file.close();
        removeFile(check);
      }
    } finally {
      removeFile(path);
    }
  });
});

describe('patchShuffleDeflate', () => {
  it('is idempotent', () => {
    for (const attrs of [{}, contractAttrs()]) {
      const path = scratchPath(env, 'idem');
      try {
        writeHdf5File(path, shufflePlan('u2', [10, 6], 3, 4, attrs));
        const once = readFileBytes(path);
        const access = openFsFile(env.fs, path, true);
        try {
          patchShuffleDeflate(access);
        } finally {
          access.close();
        }
        expect(firstDifference(readFileBytes(path), once)).toBe(-1);
      } finally {
        removeFile(path);
      }
    }
  });

  it('refuses, without writing, files that are not chunked deflate-only datasets', () => {
    const cases: [Partial<DatasetPlan>, RegExp][] = [
      [{ filter: { id: 2, opts: [] } }, /filter pipeline is \[2\]/],
      [{ filter: { id: 3, opts: [] } }, /filter pipeline is \[3\]/],
      [{ filter: undefined }, /one filter pipeline message/],
      [{ filter: undefined, chunks: undefined }, /layout message is version 3 class 1/],
    ];
    for (const [change, error] of cases) {
      const path = scratchPath(env, 'refuse');
      try {
        writeHdf5File(path, { ...shufflePlan('i4', [10, 6], 3), shuffle: false, ...change });
        const before = readFileBytes(path);
        const access = openFsFile(env.fs, path, true);
        try {
          expect(() => patchShuffleDeflate(access)).toThrow(error);
        } finally {
          access.close();
        }
        expect(firstDifference(readFileBytes(path), before)).toBe(-1);
      } finally {
        removeFile(path);
      }
    }
  });
});

describe('plan validation', () => {
  const base = shufflePlan('i2', [10, 6], 3);
  const cases: [string, Partial<DatasetPlan>, RegExp][] = [
    ['no filter', { filter: undefined }, /only supported together with the deflate filter/],
    ['shuffle as the filter', { filter: { id: 2, opts: [] } }, /only supported together with the deflate/],
    ['zstd', { filter: { id: 32015, opts: [3] } }, /only supported together with the deflate filter/],
    ['deflate without a level', { filter: { id: 1, opts: [] } }, /one level 0…9/],
    ['deflate level 10', { filter: { id: 1, opts: [10] } }, /one level 0…9/],
    ['chunks not spanning the trailing axes', { chunks: [3, 3] }, /spanning every axis but the first/],
  ];
  for (const [name, change, error] of cases) {
    it(`rejects ${name}`, () => {
      const path = scratchPath(env, 'invalid');
      expect(() => writeHdf5File(path, { ...base, ...change })).toThrow(error);
      expect(env.fs.analyzePath(path).exists).toBe(false);
    });
  }
});

describe('max_abs_error after the shuffle patch', () => {
  const DENSE: Record<string, AttrValue> = {
    scale_factor: { type: 'float64', value: 0.5 },
    add_offset: { type: 'float64', value: -1 },
  };
  for (const dtype of ['f2', 'i2', 'f8'] as const) {
    for (const dense of [false, true]) {
      it(`${dtype}, ${dense ? 'dense' : 'compact'} attributes: set in place, file length unchanged`, () => {
        const p = shufflePlan(dtype, [10, 7], 3, 4, contractAttrs(dense ? DENSE : {}));
        const path = scratchPath(env, 'mae');
        try {
          const length = writeHdf5File(path, p);
          expect(setMaxAbsError(path, 0.125)).toBe(length);
          const back = readHdf5File(path);
          expect(back.attrs.max_abs_error).toBe(0.125);
          expect(firstDifference(back.data, p.data)).toBe(-1);
          expect(back.filters.map((f) => f.id)).toEqual([2, 1]);
          locateDataset(memorySink(readFileBytes(path))); // every checksum still valid
        } finally {
          removeFile(path);
        }
      });
    }
  }
});
