import { beforeAll, describe, expect, it } from 'vitest';
import { getH5, scratchPath } from '../../../src/hdf5/h5wasm-init';
import type { H5Env } from '../../../src/hdf5/h5wasm-init';
import { writeHdf5File } from '../../../src/hdf5/write';
import { readFileBytes, removeFile } from '../../../src/hdf5/files';
import {
  MSG_ATTRIBUTE,
  MSG_DATASPACE,
  MSG_DATATYPE,
  MSG_LAYOUT,
  allMessages,
  attributeHeapDirectBlocks,
  directBlockChecksumOk,
  locateDataset,
  lookup3,
  memorySink,
  readSuperblock,
  rewriteChecksum,
} from '../../../src/hdf5/object-header';
import { ROOT_ATTRS, contractAttrs } from './hdf5-test-helpers';

const text = (s: string) => new TextEncoder().encode(s);

describe('lookup3 (HDF5 metadata checksum)', () => {
  it('matches the reference vectors of lookup3.c', () => {
    expect(lookup3(new Uint8Array(0))).toBe(0xdeadbeef);
    expect(lookup3(text('Four score and seven years ago'), 0)).toBe(0x17770551);
    expect(lookup3(text('Four score and seven years ago'), 1)).toBe(0xcd628161);
  });

  it('handles every tail length 0…12 consistently (differs from its neighbours)', () => {
    const bytes = Uint8Array.from({ length: 40 }, (_, i) => (i * 37 + 11) & 0xff);
    const sums = new Set<number>();
    for (let n = 0; n <= 40; n++) sums.add(lookup3(bytes.subarray(0, n)));
    expect(sums.size).toBe(41);
  });
});

describe('object header walker on files h5wasm writes', () => {
  let env: H5Env;
  beforeAll(async () => {
    env = await getH5();
  });

  function write(attrCount: 'compact' | 'dense', chunked: boolean): Uint8Array {
    const path = scratchPath(env, 'walker');
    const extra =
      attrCount === 'dense'
        ? {
            scale_factor: { type: 'float64', value: 0.01 },
            add_offset: { type: 'float64', value: -3 },
            note: { type: 'string', value: 'ninth and tenth attributes force dense storage' },
          }
        : {};
    writeHdf5File(path, {
      data: new Float32Array(6 * 5).map((_, i) => i),
      dtype: 'f4',
      shape: [6, 5],
      chunks: chunked ? [2, 5] : undefined,
      attrs: contractAttrs(extra as never),
      rootAttrs: ROOT_ATTRS,
    });
    const bytes = readFileBytes(path);
    removeFile(path);
    return bytes;
  }

  it('reads the v2 superblock and finds /data through the root link', () => {
    const file = write('compact', false);
    const sink = memorySink(file);
    const sb = readSuperblock(sink);
    expect(sb.version).toBeGreaterThanOrEqual(2);
    expect(sb.sizeOfOffsets).toBe(8);
    const { dataset } = locateDataset(sink);
    const types = allMessages(dataset).map((m) => m.type);
    for (const t of [MSG_DATASPACE, MSG_DATATYPE, MSG_LAYOUT]) expect(types).toContain(t);
    // 7 attributes (6 + the max_abs_error placeholder) stay compact: messages in the header.
    expect(types.filter((t) => t === MSG_ATTRIBUTE)).toHaveLength(7);
    expect(attributeHeapDirectBlocks(sink, sb, dataset)).toEqual([]);
  });

  it('finds the fractal heap direct blocks of dense attributes, with valid checksums', () => {
    const file = write('dense', true);
    const sink = memorySink(file);
    const { superblock, dataset } = locateDataset(sink);
    expect(allMessages(dataset).filter((m) => m.type === MSG_ATTRIBUTE)).toHaveLength(0);
    const blocks = attributeHeapDirectBlocks(sink, superblock, dataset);
    expect(blocks.length).toBeGreaterThan(0);
    for (const b of blocks) expect(directBlockChecksumOk(sink, b)).toBe(true);
  });

  it('recomputing a checksum of an untouched chunk reproduces the stored bytes', () => {
    const file = write('compact', true);
    const copy = file.slice();
    const sink = memorySink(copy);
    const { root, dataset } = locateDataset(sink);
    for (const chunk of [...root.chunks, ...dataset.chunks]) rewriteChecksum(sink, chunk.start, chunk.length);
    expect(copy).toEqual(file);
  });

  it('rejects a corrupted object header', () => {
    const file = write('compact', false);
    const { dataset } = locateDataset(memorySink(file));
    const broken = file.slice();
    broken[dataset.chunks[0]!.messagesStart + 5]! ^= 0xff;
    expect(() => locateDataset(memorySink(broken))).toThrow(/checksum/);
  });

  it('rejects non-HDF5 bytes', () => {
    expect(() => readSuperblock(memorySink(new Uint8Array(64)))).toThrow(/Not an HDF5 file/);
  });
});
