// Plugin filters through the real adapter: h5wasm 0.10.3 + the h5wasm-plugins binaries, loaded from
// node_modules exactly as ensurePlugins() does in Node. Every codec configuration the strategy can
// build (src/strategies/hdf5-codec.ts codecFilter) must write and read back; lossless ones bit for
// bit. Also records what the plugins do with incompressible chunks (blosc refuses them).
import { describe, expect, it } from 'vitest';
import { getH5, scratchPath } from '../../../src/hdf5/h5wasm-init';
import { writeHdf5File } from '../../../src/hdf5/write';
import { readHdf5File } from '../../../src/hdf5/read';
import { readFileBytes, removeFile } from '../../../src/hdf5/files';
import { MSG_NIL, locateDataset, memorySink } from '../../../src/hdf5/object-header';
import {
  PLUGIN_FILE_NAMES,
  PLUGIN_FILTER,
  assertWasmModule,
  ensurePlugins,
  isPluginFilter,
  nodePluginLoader,
} from '../../../src/hdf5/plugins';
import type { TypedArray } from '../../../src/core/ndarray';
import type { StoredDType } from '../../../src/hdf5/types';
import { isFilterFailure } from '../../../src/hdf5/write';
import type { BloscShuffle, Codec, CodecParams } from '../../../src/strategies/hdf5-codec';
import { CODECS, codecFilter, isBlosc } from '../../../src/strategies/hdf5-codec';
import { ROOT_ATTRS, bytesOf, contractAttrs, firstDifference, sampleData } from './hdf5-test-helpers';

describe('ensurePlugins', () => {
  it('installs every plugin binary once into h5wasm’s first plugin search path', async () => {
    const first = ensurePlugins();
    expect(ensurePlugins()).toBe(first); // memoised
    const dir = await first;
    const env = await getH5();
    expect(dir).toBe(env.module.get_plugin_search_paths()[0]);
    const listed = env.fs.readdir(dir).filter((n: string) => n.endsWith('.so'));
    expect(listed.sort()).toEqual([...PLUGIN_FILE_NAMES].sort());
    for (const name of PLUGIN_FILE_NAMES) {
      assertWasmModule(name, env.fs.readFile(`${dir}/${name}`, { encoding: 'binary' }));
    }
  });

  it('refuses bytes that are not a wasm module (what a dev server answers for a missing asset)', () => {
    const html = new TextEncoder().encode('<!doctype html>\n<html><head>');
    expect(() => assertWasmModule('libH5Zzstd.so', html)).toThrow(/not a wasm module.*<!doctype html>/);
  });

  it('reads the binaries from node_modules in Node', async () => {
    const load = nodePluginLoader();
    expect(load).toBeDefined();
    const bytes = await load!('libH5Zzstd.so');
    expect(bytes.length).toBeGreaterThan(10_000);
    expect(() => assertWasmModule('libH5Zzstd.so', bytes)).not.toThrow();
  });

  it('knows which filter ids need a plugin', () => {
    for (const id of Object.values(PLUGIN_FILTER)) expect(isPluginFilter(id)).toBe(true);
    for (const id of [1, 2, 3, 4, 5, 6, 32000, 32026]) expect(isPluginFilter(id)).toBe(false);
  });
});

/**
 * Compressible values of each stored type: a sampled sine of period 50, so every codec finds
 * repeats (random bits over a type's whole range would not compress, and blosc refuses such
 * chunks: see below).
 */
function smoothData(dtype: StoredDType, n: number): TypedArray {
  const x = Float64Array.from({ length: n }, (_, i) =>
    Math.round(100 * Math.sin((2 * Math.PI * (i % 50)) / 50)),
  );
  const halfOf = (v: number) => {
    const f = Math.fround(v / 64); // exactly representable in half for |v| ≤ 110
    const bits = new Uint32Array(Float32Array.of(f).buffer)[0]!;
    const sign = (bits >>> 16) & 0x8000;
    const exp = ((bits >>> 23) & 0xff) - 127 + 15;
    return f === 0 ? 0 : sign | (exp << 10) | ((bits >>> 13) & 0x3ff);
  };
  switch (dtype) {
    case 'f8':
      return Float64Array.from(x, (v) => v / 64);
    case 'f4':
      return Float32Array.from(x, (v) => v / 64);
    case 'f2':
      return Uint16Array.from(x, halfOf);
    case 'i1':
      return Int8Array.from(x);
    case 'u1':
      return Uint8Array.from(x, (v) => v + 120);
    case 'i2':
      return Int16Array.from(x);
    case 'u2':
      return Uint16Array.from(x, (v) => v + 120);
    case 'i4':
      return Int32Array.from(x);
    case 'u4':
      return Uint32Array.from(x, (v) => v + 120);
    case 'i8':
      return BigInt64Array.from(x, (v) => BigInt(v));
    case 'u8':
      return BigUint64Array.from(x, (v) => BigInt(v + 120));
  }
}

interface Config {
  params: CodecParams;
  dtypes: StoredDType[];
}

const BASE: CodecParams = {
  codec: 'zstd',
  shuffle: 'none',
  values: 'native',
  level: 5,
  eps: 1e-4,
  rate: 16,
};

/** Every codec (blosc with each shuffle) on the stored types its value encodings produce. */
const CONFIGS: Config[] = CODECS.flatMap((codec: Codec) => {
  const shuffles: BloscShuffle[] = isBlosc(codec) ? ['none', 'byte', 'bit'] : ['none'];
  const dtypes: StoredDType[] =
    codec === 'zfp-rate' ? ['f4'] : ['f8', 'f4', 'f2', 'i1', 'i2', 'u2', 'i4', 'u4', 'u1', 'i8'];
  return shuffles.map((shuffle) => ({ params: { ...BASE, codec, shuffle }, dtypes }));
});

describe.each(CONFIGS)('$params.codec (shuffle $params.shuffle)', ({ params, dtypes }) => {
  it.each(dtypes)('writes %s, reads back through the plugin', async (dtype) => {
    await ensurePlugins();
    const env = await getH5();
    const filter = codecFilter(params);
    const shape = [9, 151]; // odd row length, last chunk partial
    const chunks = [4, 151];
    // zfp gets random floats: on the sine's few exact values it would be lossless.
    const n = shape[0]! * shape[1]!;
    const data = params.codec === 'zfp-rate' ? sampleData(dtype, n, 11) : smoothData(dtype, n);
    const path = scratchPath(env, `plugin-${params.codec}-${dtype}`);
    try {
      const length = writeHdf5File(path, {
        data,
        dtype,
        shape,
        chunks,
        filter,
        attrs: contractAttrs(),
        rootAttrs: ROOT_ATTRS,
      });
      expect(length).toBeGreaterThan(0);
      const back = readHdf5File(path);
      expect(back.dtype).toBe(dtype);
      expect(back.shape).toEqual(shape);
      expect(back.filters.map((f) => f.id)).toEqual([filter.id]);
      if (params.codec === 'zfp-rate') {
        // Lossy at 16 bits/value: close to, not equal to, the input (values span ±10).
        const a = data as Float32Array | Float64Array;
        const b = back.data as Float32Array | Float64Array;
        let worst = 0;
        for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
        expect(worst).toBeGreaterThan(0);
        expect(worst).toBeLessThan(0.05);
      } else {
        expect(firstDifference(bytesOf(back.data), bytesOf(data))).toBe(-1);
      }
    } finally {
      removeFile(path);
    }
  });
});

describe('incompressible chunks (random bits over a type’s whole range)', () => {
  /** Which codecs store a chunk that doesn't shrink; blosc returns failure, and h5wasm's filters are mandatory. */
  const STORES_INCOMPRESSIBLE: Record<Codec, boolean> = {
    'blosc-lz4': false,
    'blosc-zstd': false,
    zstd: true,
    'bitshuffle-lz4': true,
    'bitshuffle-zstd': true,
    lz4: true,
    bzip2: true,
    'zfp-rate': true,
  };
  it.each(CODECS)('%s', async (codec) => {
    await ensurePlugins();
    const env = await getH5();
    const dtype: StoredDType = codec === 'zfp-rate' ? 'f4' : 'u1';
    const params: CodecParams = { ...BASE, codec, shuffle: isBlosc(codec) ? 'byte' : 'none' };
    const path = scratchPath(env, `incompressible-${codec}`);
    let error: unknown = null;
    try {
      writeHdf5File(path, {
        data: sampleData(dtype, 4000, 9),
        dtype,
        shape: [4, 1000],
        chunks: [2, 1000],
        filter: codecFilter(params),
        attrs: {},
        rootAttrs: {},
      });
      readHdf5File(path);
    } catch (e) {
      error = e;
    } finally {
      removeFile(path);
    }
    if (STORES_INCOMPRESSIBLE[codec]) expect(error).toBeNull();
    else expect(isFilterFailure(error), String(error)).toBe(true);
  });
});

describe('cd_values as the plugins record them', () => {
  it('blosc, bitshuffle, zstd, bzip2, lz4 and zfp keep what we asked for', async () => {
    await ensurePlugins();
    const env = await getH5();
    const seen: Record<string, number[]> = {};
    const cases: CodecParams[] = [
      { ...BASE, codec: 'blosc-zstd', shuffle: 'bit', level: 5 },
      { ...BASE, codec: 'blosc-lz4', shuffle: 'byte', level: 7 },
      { ...BASE, codec: 'bitshuffle-zstd', level: 3 },
      { ...BASE, codec: 'bitshuffle-lz4' },
      { ...BASE, codec: 'zstd', level: 9 },
      { ...BASE, codec: 'bzip2', level: 9 },
      { ...BASE, codec: 'lz4' },
      { ...BASE, codec: 'zfp-rate', rate: 16 },
    ];
    for (const p of cases) {
      const path = scratchPath(env, `cd-${p.codec}`);
      try {
        writeHdf5File(path, {
          data: smoothData('f4', 400),
          dtype: 'f4',
          shape: [4, 100],
          chunks: [2, 100],
          filter: codecFilter(p),
          attrs: {},
          rootAttrs: {},
        });
        seen[`${p.codec}-${p.shuffle}`] = readHdf5File(path).filters[0]!.cdValues;
      } finally {
        removeFile(path);
      }
    }
    // set_local fills in versions, type size (4) and block size; our choices stay in place.
    expect(seen['blosc-zstd-bit']!.slice(2)).toEqual([4, 800, 5, 2, 5]);
    expect(seen['blosc-lz4-byte']!.slice(2)).toEqual([4, 800, 7, 1, 1]);
    expect(seen['bitshuffle-zstd-none']!.slice(2)).toEqual([4, 0, 3, 3]);
    expect(seen['bitshuffle-lz4-none']!.slice(2)).toEqual([4, 0, 2]);
    expect(seen['zstd-none']).toEqual([9]);
    expect(seen['bzip2-none']).toEqual([9]);
    expect(seen['lz4-none']).toEqual([0]);
    expect(seen['zfp-rate-none']!.length).toBeGreaterThan(0);
  });

  it('zfp refuses the float16 placeholder before h5wasm sees it', async () => {
    const env = await getH5();
    const path = scratchPath(env, 'zfp-f2');
    expect(() =>
      writeHdf5File(path, {
        data: sampleData('f2', 40, 3),
        dtype: 'f2',
        shape: [4, 10],
        chunks: [2, 10],
        filter: codecFilter({ ...BASE, codec: 'zfp-rate' }),
        attrs: {},
        rootAttrs: {},
      }),
    ).toThrow(/32013 depends on the datatype/);
  });
});

describe('float16 placeholder patch next to a plugin filter', () => {
  it('absorbs the gap HDF5 leaves after lz4’s odd-length filter name (no "gap in chunk with null messages")', async () => {
    await ensurePlugins();
    const env = await getH5();
    const path = scratchPath(env, 'f2-lz4');
    try {
      writeHdf5File(path, {
        data: smoothData('f2', 40),
        dtype: 'f2',
        shape: [4, 10],
        chunks: [2, 10],
        filter: codecFilter({ ...BASE, codec: 'lz4' }),
        attrs: {},
        rootAttrs: {},
      });
      const sink = memorySink(readFileBytes(path));
      const { dataset } = locateDataset(sink);
      for (const chunk of dataset.chunks) {
        const last = chunk.messages[chunk.messages.length - 1]!;
        const hasNil = chunk.messages.some((m) => m.type === MSG_NIL);
        const gap = chunk.start + chunk.length - 4 - (last.dataOffset + last.size);
        expect(hasNil && gap > 0, `chunk at ${chunk.start}: NIL and a ${gap}-byte gap`).toBe(false);
      }
      expect(firstDifference(bytesOf(readHdf5File(path).data), bytesOf(smoothData('f2', 40)))).toBe(-1);
    } finally {
      removeFile(path);
    }
  });
});
