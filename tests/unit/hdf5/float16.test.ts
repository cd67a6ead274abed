import { beforeAll, describe, expect, it } from 'vitest';
import { getH5, scratchPath } from '../../../src/hdf5/h5wasm-init';
import type { H5Env } from '../../../src/hdf5/h5wasm-init';
import { writeHdf5File } from '../../../src/hdf5/write';
import { readHdf5File } from '../../../src/hdf5/read';
import { readFileBytes, removeFile } from '../../../src/hdf5/files';
import { FLOAT16_DATATYPE_BODY, patchFloat16Datatype } from '../../../src/hdf5/float16-patch';
import {
  MSG_DATATYPE,
  MSG_NIL,
  allMessages,
  locateDataset,
  memorySink,
} from '../../../src/hdf5/object-header';
import type { DatasetPlan, FilterSpec } from '../../../src/hdf5/types';
import { ROOT_ATTRS, contractAttrs, firstDifference, halfBits } from './hdf5-test-helpers';

let env: H5Env;
beforeAll(async () => {
  env = await getH5();
});

function f16Plan(shape: number[], chunks?: number[], filter?: FilterSpec, data?: Uint16Array): DatasetPlan {
  const n = shape.reduce((a, b) => a * b, 1);
  return {
    data: data ?? halfBits(n, n),
    dtype: 'f2',
    shape,
    chunks,
    filter,
    attrs: contractAttrs(),
    rootAttrs: ROOT_ATTRS,
  };
}

function writeAndRead(p: DatasetPlan, slabBytes?: number) {
  const path = scratchPath(env, 'f16');
  try {
    const length = writeHdf5File(path, p, { slabBytes });
    return { length, back: readHdf5File(path), bytes: readFileBytes(path) };
  } finally {
    removeFile(path);
  }
}

describe('float16 datasets', () => {
  const M = 141;
  const tri = (M * (M + 1)) / 2; // 10011: odd
  const cases: [string, number[], number[] | undefined, FilterSpec | undefined][] = [
    ['even last dim, contiguous', [6, 8], undefined, undefined],
    ['odd last dim, contiguous', [5, 7], undefined, undefined],
    ['1-D odd length, contiguous', [10011], undefined, undefined],
    ['even last dim, chunked', [6, 8], [4, 8], undefined],
    ['odd last dim, chunked with partial chunks', [7, 9], [3, 5], undefined],
    ['triangle M=141 (odd 10011), chunk per row, gzip', [3, tri], [1, tri], { id: 1, opts: [4] }],
    ['odd last dim, shuffle', [9, 11], [2, 11], { id: 2, opts: [] }],
    ['3-D odd, gzip', [4, 3, 5], [2, 3, 5], { id: 1, opts: [6] }],
    ['fletcher32', [4, 5], [2, 5], { id: 3, opts: [] }],
  ];
  for (const [name, shape, chunks, filter] of cases) {
    it(`${name}: dtype f2, true shape, bits identical`, () => {
      const p = f16Plan(shape, chunks, filter);
      const { back } = writeAndRead(p, 50);
      expect(back.dtype).toBe('f2');
      expect(back.data).toBeInstanceOf(Uint16Array);
      expect(back.shape).toEqual(shape);
      expect(back.chunks).toEqual(chunks ?? null);
      expect(firstDifference(back.data, p.data)).toBe(-1);
      if (filter) expect(back.filters.map((f) => f.id)).toEqual([filter.id]);
    });
  }

  it('keeps NaN, ±Inf, ±0 and subnormal bit patterns', () => {
    const special = Uint16Array.of(
      0x7e00,
      0x7c01,
      0xfe00,
      0x7c00,
      0xfc00,
      0x0000,
      0x8000,
      0x0001,
      0x83ff,
      0x7bff,
    );
    const p = f16Plan([2, 5], [1, 5], { id: 1, opts: [9] }, special);
    expect(firstDifference(writeAndRead(p).back.data, special)).toBe(-1);
  });

  it('shuffle records element size 2 (it shuffles real halves)', () => {
    const { back } = writeAndRead(f16Plan([8, 16], [4, 16], { id: 2, opts: [] }));
    expect(back.filters).toEqual([{ id: 2, name: expect.stringMatching(/shuffle/), cdValues: [2] }]);
  });

  it('stores 2 bytes per value: the contiguous file is ~half of the float32 one', () => {
    const shape = [50, 201];
    const half = writeAndRead(f16Plan(shape)).length;
    const single = (() => {
      const path = scratchPath(env, 'f32');
      const n = 50 * 201;
      const len = writeHdf5File(path, { ...f16Plan(shape), dtype: 'f4', data: new Float32Array(n) });
      removeFile(path);
      return len;
    })();
    expect(single - half).toBe(50 * 201 * 2);
  });

  it('the datatype message holds the exact float16 bytes, followed by a NIL message', () => {
    const { bytes } = writeAndRead(f16Plan([3, 5], [3, 5], { id: 2, opts: [] }));
    const sink = memorySink(bytes);
    const { dataset } = locateDataset(sink); // verifies every checksum
    const messages = allMessages(dataset);
    const i = messages.findIndex((m) => m.type === MSG_DATATYPE);
    const dt = messages[i]!;
    expect([...sink.read(dt.dataOffset, dt.size)]).toEqual([...FLOAT16_DATATYPE_BODY]);
    expect(messages[i + 1]?.type).toBe(MSG_NIL);
    expect(messages[i + 1]!.headerOffset).toBe(dt.dataOffset + dt.size);
  });

  it('patching is idempotent and refuses files without the placeholder', () => {
    const { bytes } = writeAndRead(f16Plan([3, 5]));
    const again = bytes.slice();
    patchFloat16Datatype(memorySink(again));
    expect(firstDifference(again, bytes)).toBe(-1);

    const path = scratchPath(env, 'f4');
    writeHdf5File(path, { ...f16Plan([3, 5]), dtype: 'f4', data: new Float32Array(15) });
    const f4 = readFileBytes(path);
    removeFile(path);
    const untouched = f4.slice();
    expect(() => patchFloat16Datatype(memorySink(untouched))).toThrow(/placeholder/);
    expect(firstDifference(untouched, f4)).toBe(-1);
  });

  it('multi-slab writes of a larger float16 array read back in row ranges', () => {
    const p = f16Plan([64, 999], [4, 999], { id: 1, opts: [1] });
    const path = scratchPath(env, 'f16big');
    try {
      writeHdf5File(path, p, { slabBytes: 10_000 });
      const back = readHdf5File(path, { rows: [13, 41], slabBytes: 5_000 });
      expect(back.shape).toEqual([28, 999]);
      expect(firstDifference(back.data, (p.data as Uint16Array).subarray(13 * 999, 41 * 999))).toBe(-1);
    } finally {
      removeFile(path);
    }
  });
});
