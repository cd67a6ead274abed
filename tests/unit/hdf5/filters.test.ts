// The filter registry (src/core/filters.ts) walked entry by entry: every plugin binary it names ships
// in h5wasm-plugins and is a wasm module, ids are unique, and the cd_values builders and hdf5plugin
// constructors give exactly what the per-codec tables gave before the registry existed (the literal
// arrays below were recorded from that code for every codec preset).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  FILTERS,
  FILTER_LIST,
  PLUGIN_CODECS,
  PLUGIN_CODEC_IDS,
  PLUGIN_FILE_NAMES,
  filterById,
  isPluginFilter,
  isTypeDependentFilter,
  pluginCodecFilter,
  pluginCodecOf,
} from '../../../src/core/filters';
import type { CodecOptions } from '../../../src/core/filters';
import { CoreError } from '../../../src/core/errors';
import { assertWasmModule } from '../../../src/hdf5/plugins';
import { codecFilter } from '../../../src/strategies/hdf5-codec';
import { CODEC_PRESETS } from '../../../src/strategies/sweep';

const require = createRequire(import.meta.url);
const pluginsDir = require.resolve('h5wasm-plugins/plugins/libH5Zzstd.so').replace(/libH5Zzstd\.so$/, '');

describe('the filter registry', () => {
  it('has unique ids and names, each a valid HDF5 filter id', () => {
    const ids = FILTER_LIST.map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(FILTER_LIST.map((f) => f.name)).size).toBe(FILTER_LIST.length);
    for (const [key, f] of Object.entries(FILTERS)) {
      expect(f.name).toBe(key);
      expect(Number.isInteger(f.id) && f.id >= 1 && f.id <= 65535).toBe(true);
      expect(filterById(f.id)).toBe(f);
    }
  });

  it('names a plugin binary exactly for the filters h5py needs hdf5plugin for', () => {
    for (const f of FILTER_LIST) {
      // HDF5's own filters have ids below 256; registered plugin filters 256 and up.
      expect(f.pluginFile !== null).toBe(f.id >= 256);
      expect(f.readableBy).toBe(f.pluginFile ? 'h5py+hdf5plugin' : 'h5py');
      expect(isPluginFilter(f.id)).toBe(f.pluginFile !== null);
    }
    expect(isPluginFilter(32000)).toBe(false);
  });

  it('names only plugin binaries that ship in node_modules/h5wasm-plugins as wasm modules', () => {
    expect(PLUGIN_FILE_NAMES.length).toBe(FILTER_LIST.filter((f) => f.pluginFile).length);
    for (const name of PLUGIN_FILE_NAMES) {
      const path = `${pluginsDir}${name}`;
      expect(existsSync(path), path).toBe(true);
      expect(() => assertWasmModule(name, new Uint8Array(readFileSync(path)))).not.toThrow();
    }
  });

  it('marks nbit, scaleoffset and zfp as type-dependent (not for float16’s placeholder)', () => {
    expect(FILTER_LIST.filter((f) => f.typeDependent).map((f) => f.id)).toEqual([5, 6, 32013]);
    expect(isTypeDependentFilter(6)).toBe(true);
    expect(isTypeDependentFilter(1)).toBe(false);
    expect(isTypeDependentFilter(12345)).toBe(false);
  });

  it('gives every codec a known filter and, when it has levels, a sane range', () => {
    for (const codec of PLUGIN_CODEC_IDS) {
      const def = pluginCodecOf(codec)!;
      expect(Object.hasOwn(FILTERS, def.filter)).toBe(true);
      expect(FILTERS[def.filter].pluginFile).not.toBeNull();
      if (def.levels) expect(def.levels[0]).toBeLessThanOrEqual(def.levels[1]);
      expect(def.python({ level: 5, shuffle: 'byte', rate: 16 })).toMatch(/^hdf5plugin\.[A-Z]\w*\(.*\)$/);
    }
    expect(pluginCodecOf('lzf')).toBeUndefined();
    expect(() => pluginCodecFilter('lzf', { level: 1, shuffle: 'none', rate: 1 })).toThrow(CoreError);
  });
});

describe('cd_values of the codec presets (recorded from the code before the registry)', () => {
  const EXPECTED: Record<string, { id: number; opts: number[]; python: string }> = {
    'bitshuffle-zstd-quantized': {
      id: 32008,
      opts: [0, 3, 9],
      python: 'hdf5plugin.Bitshuffle(nelems=0, cname="zstd", clevel=9)',
    },
    'blosc-zstd-byte-quantized': {
      id: 32001,
      opts: [0, 0, 0, 0, 9, 1, 5],
      python: 'hdf5plugin.Blosc(cname="zstd", clevel=9, shuffle=hdf5plugin.Blosc.SHUFFLE)',
    },
    'blosc-zstd-bit-quantized': {
      id: 32001,
      opts: [0, 0, 0, 0, 5, 2, 5],
      python: 'hdf5plugin.Blosc(cname="zstd", clevel=5, shuffle=hdf5plugin.Blosc.BITSHUFFLE)',
    },
    'bitshuffle-lz4-quantized': {
      id: 32008,
      opts: [0, 2],
      python: 'hdf5plugin.Bitshuffle(nelems=0, cname="lz4")',
    },
    'blosc-zstd-byte-float16': {
      id: 32001,
      opts: [0, 0, 0, 0, 5, 1, 5],
      python: 'hdf5plugin.Blosc(cname="zstd", clevel=5, shuffle=hdf5plugin.Blosc.SHUFFLE)',
    },
    'blosc-zstd-byte-native': {
      id: 32001,
      opts: [0, 0, 0, 0, 5, 1, 5],
      python: 'hdf5plugin.Blosc(cname="zstd", clevel=5, shuffle=hdf5plugin.Blosc.SHUFFLE)',
    },
    'zstd-quantized': { id: 32015, opts: [9], python: 'hdf5plugin.Zstd(clevel=9)' },
    'lz4-quantized': { id: 32004, opts: [0], python: 'hdf5plugin.LZ4(nbytes=0)' },
    'bzip2-quantized': { id: 307, opts: [9], python: 'hdf5plugin.BZip2(blocksize=9)' },
    'blosc-lz4-byte-quantized': {
      id: 32001,
      opts: [0, 0, 0, 0, 5, 1, 1],
      python: 'hdf5plugin.Blosc(cname="lz4", clevel=5, shuffle=hdf5plugin.Blosc.SHUFFLE)',
    },
    'bitshuffle-lz4-float16': {
      id: 32008,
      opts: [0, 2],
      python: 'hdf5plugin.Bitshuffle(nelems=0, cname="lz4")',
    },
    'blosc-lz4-byte-float16': {
      id: 32001,
      opts: [0, 0, 0, 0, 5, 1, 1],
      python: 'hdf5plugin.Blosc(cname="lz4", clevel=5, shuffle=hdf5plugin.Blosc.SHUFFLE)',
    },
    'zfp-rate-r16-float32': { id: 32013, opts: [1, 0, 0, 1076887552], python: 'hdf5plugin.Zfp(rate=16.0)' },
    'bzip2-native': { id: 307, opts: [9], python: 'hdf5plugin.BZip2(blocksize=9)' },
  };

  it('covers every preset', () => {
    expect(CODEC_PRESETS.map((p) => p.key).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [key, want] of Object.entries(EXPECTED)) {
    it(key, () => {
      const preset = CODEC_PRESETS.find((p) => p.key === key)!;
      expect(codecFilter(preset.params)).toEqual({ id: want.id, opts: want.opts });
      expect(pluginCodecFilter(preset.params.codec, preset.params)).toEqual({ id: want.id, opts: want.opts });
      expect(PLUGIN_CODECS[preset.params.codec].python(preset.params)).toBe(want.python);
    });
  }

  it('builds the other options the strategy accepts as before', () => {
    const o = (x: Partial<CodecOptions>): CodecOptions => ({ level: 5, shuffle: 'none', rate: 16, ...x });
    expect(pluginCodecFilter('blosc-lz4', o({ level: 1, shuffle: 'none' }))).toEqual({
      id: 32001,
      opts: [0, 0, 0, 0, 1, 0, 1],
    });
    expect(pluginCodecFilter('blosc-zstd', o({ level: 9, shuffle: 'bit' }))).toEqual({
      id: 32001,
      opts: [0, 0, 0, 0, 9, 2, 5],
    });
    expect(pluginCodecFilter('zstd', o({ level: 22 }))).toEqual({ id: 32015, opts: [22] });
    expect(pluginCodecFilter('bitshuffle-zstd', o({ level: 3 }))).toEqual({ id: 32008, opts: [0, 3, 3] });
    expect(pluginCodecFilter('bzip2', o({ level: 1 }))).toEqual({ id: 307, opts: [1] });
    // zfp's rate travels as a little-endian double split into two uint32 cd_values.
    expect(pluginCodecFilter('zfp-rate', o({ rate: 8 }))).toEqual({ id: 32013, opts: [1, 0, 0, 1075838976] });
    expect(pluginCodecFilter('zfp-rate', o({ rate: 12.5 }))).toEqual({
      id: 32013,
      opts: [1, 0, 0, 1076428800],
    });
  });

  it('records the reader caveats the codec strategy warns about', () => {
    expect(PLUGIN_CODECS['bitshuffle-zstd'].debianReaderGap).toMatch(/WRONG values/);
    expect(PLUGIN_CODECS['bitshuffle-zstd'].minFilterVersion).toEqual([0, 4]);
    expect(PLUGIN_CODECS.zstd.debianReaderGap).toMatch(/no zstd HDF5 filter/);
    expect(pluginCodecOf('blosc-zstd')!.debianReaderGap).toBeUndefined();
  });
});
