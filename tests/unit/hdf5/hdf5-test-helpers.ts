// Shared helpers for the HDF5 adapter tests: deterministic data per stored dtype, the contract
// attributes (docs/FILE-FORMAT.md), and byte normalisation (object header timestamps differ between writes).

import type { TypedArray } from '../../../src/core/ndarray';
import { locateDataset, memorySink, rewriteChecksum } from '../../../src/hdf5/object-header';
import type { AttrValue, StoredDType } from '../../../src/hdf5/types';

/** mulberry32: a tiny seeded PRNG, uniform in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random finite half-float bit patterns (exponent field never 31). */
export function halfBits(n: number, seed = 1): Uint16Array {
  const r = rng(seed);
  return Uint16Array.from({ length: n }, () => {
    const sign = r() < 0.5 ? 0x8000 : 0;
    const exponent = Math.floor(r() * 31) << 10;
    return sign | exponent | Math.floor(r() * 1024);
  });
}

/** Deterministic values covering each dtype's range (incl. its extremes). */
export function sampleData(dtype: StoredDType, n: number, seed = 7): TypedArray {
  const r = rng(seed);
  const ints = (lo: number, hi: number) =>
    Array.from({ length: n }, (_, i) => (i === 0 ? lo : i === 1 ? hi : Math.floor(lo + r() * (hi - lo + 1))));
  switch (dtype) {
    case 'f2':
      return halfBits(n, seed);
    case 'f4':
      return Float32Array.from({ length: n }, () => (r() - 0.5) * 20);
    case 'f8':
      return Float64Array.from({ length: n }, () => (r() - 0.5) * 20);
    case 'i1':
      return Int8Array.from(ints(-128, 127));
    case 'u1':
      return Uint8Array.from(ints(0, 255));
    case 'i2':
      return Int16Array.from(ints(-32768, 32767));
    case 'u2':
      return Uint16Array.from(ints(0, 65535));
    case 'i4':
      return Int32Array.from(ints(-(2 ** 31), 2 ** 31 - 1));
    case 'u4':
      return Uint32Array.from(ints(0, 2 ** 32 - 1));
    case 'i8':
      return BigInt64Array.from(ints(-(2 ** 40), 2 ** 40), (x, i) =>
        i === 0 ? -(2n ** 63n) : i === 1 ? 2n ** 63n - 1n : BigInt(x),
      );
    case 'u8':
      return BigUint64Array.from(ints(0, 2 ** 40), (x, i) => (i === 1 ? 2n ** 64n - 1n : BigInt(x)));
  }
}

/** The /data attributes of docs/FILE-FORMAT.md for a triangle-layout quantized file. */
export function contractAttrs(extra: Record<string, AttrValue> = {}): Record<string, AttrValue> {
  return {
    layout: { type: 'string', value: 'upper-triangle-rowmajor' },
    matrix_size: { type: 'int64', value: 141 },
    original_shape: { type: 'int64[]', value: [1000, 141, 141] },
    original_dtype: { type: 'string', value: '<f8' },
    strategy: { type: 'string', value: '{"id":"hdf5-quantized","params":{"epsilon":0.0078}}' },
    created_by: { type: 'string', value: 'h5squeeze 0.1.0' },
    ...extra,
  };
}

export const ROOT_ATTRS: Record<string, AttrValue> = {
  restore_python: {
    type: 'string',
    value: 'import h5py, numpy as np\nwith h5py.File("x.h5") as f:\n    a = f["data"][...]\n',
  },
};

export function bytesOf(data: TypedArray): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** A copy of an HDF5 file with the root's and /data's object header times zeroed (checksums redone). */
export function withoutTimestamps(file: Uint8Array): Uint8Array {
  const copy = file.slice();
  const sink = memorySink(copy);
  const { root, dataset } = locateDataset(sink);
  const headers = [root, dataset];
  // A layout's small index dataset (used-pairs' /pairs) has a header of its own.
  try {
    headers.push(locateDataset(sink, 'pairs').dataset);
  } catch {
    // no /pairs in this file
  }
  for (const header of headers) {
    for (const chunk of header.chunks) {
      if (chunk.timesOffset !== null) {
        copy.fill(0, chunk.timesOffset, chunk.timesOffset + 16);
        rewriteChecksum(sink, chunk.start, chunk.length);
      }
    }
  }
  return copy;
}

/** Index of the first differing byte (or length difference), -1 when identical; fast on big arrays. */
export function firstDifference(a: Uint8Array | TypedArray, b: Uint8Array | TypedArray): number {
  const x = a instanceof Uint8Array ? a : bytesOf(a);
  const y = b instanceof Uint8Array ? b : bytesOf(b);
  if (Buffer.compare(x, y) === 0) return -1;
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return i;
  return n;
}
