// Hard constraint: some plugin configurations ABORT the whole wasm module (blosc's zlib codec, zfp's
// accuracy and reversible modes; docs/ARCHITECTURE.md, h5wasm facts), so this file only ever writes the
// cd_values of the filter registry (core/filters.ts PLUGIN_CODECS).
// zfp is offered on float32 only: on float64 the h5wasm-plugins 0.2.1 build calls a symbol h5wasm
// 0.10.3 doesn't provide ("resolved is not a function" thrown from zfp_encode_block_double_*).
import type { LayoutValues, StrategyDef } from './types';
import {
  CODEC_LEVEL_PARAM,
  EPS_PARAM,
  SHUFFLE_PARAM,
  STORED_VALUES_PARAM,
  storedValuesBound,
  storedValuesWarnings,
} from './stored-values';
import type { StoredValues } from './stored-values';
import type { FilePlan } from './types';
import { chunkingProblem, numbersOf, rowChunks, storedDTypeFor, toFloat32 } from './common';
import { dequantizeRead, quantizationProblem, quantizeValues } from './quantized-values';
import { float16BitsToFloat64, float64ToFloat16Bits } from '../core/float16';
import { FILTERS, isPluginCodec, PLUGIN_CODEC_IDS, pluginCodecFilter, pluginCodecOf } from '../core/filters';
import type { BloscShuffle, PluginCodec } from '../core/filters';

/** A plugin codec: one entry of the filter registry (core/filters.ts PLUGIN_CODECS). */
export type Codec = PluginCodec;
export type { BloscShuffle };
export type ValueEncoding = StoredValues;

export type CodecParams = {
  codec: Codec;
  /** Blosc's own pre-filter; ignored by the other codecs. */
  shuffle: BloscShuffle;
  values: ValueEncoding;
  /** Compression level: blosc 1–9, zstd and bitshuffle-zstd 1–22, bzip2 1–9; lz4 has none. */
  level: number;
  /** Error bound for `values: 'quantized'`. */
  eps: number;
  /** ZFP fixed rate in bits per value. */
  rate: number;
};

export const CODECS: readonly Codec[] = PLUGIN_CODEC_IDS;

const label = (codec: Codec): string => pluginCodecOf(codec)?.label ?? String(codec);
const levelRange = (codec: Codec): readonly [number, number] | undefined => pluginCodecOf(codec)?.levels;

export function isBlosc(codec: Codec): boolean {
  return pluginCodecOf(codec)?.bloscShuffle === true;
}

function usesRate(codec: Codec): boolean {
  return pluginCodecOf(codec)?.rate === true;
}

/**
 * The value encodings a codec can take: zfp compresses float32 as floats (not half, not integers,
 * and not float64: see the file comment). `native` then needs a float32 input.
 */
export function valuesFor(codec: Codec): readonly ValueEncoding[] {
  return codec === 'zfp-rate' ? ['native', 'float32'] : ['native', 'float32', 'float16', 'quantized'];
}

/** The single HDF5 filter (h5wasm can't stack filters) with its cd_values, from the filter registry. */
export function codecFilter(p: CodecParams): { id: number; opts: number[] } {
  return pluginCodecFilter(p.codec, p);
}

/** True when zfp would get float32 values. */
function zfpGetsFloat32(v: LayoutValues, p: CodecParams): boolean {
  return p.values === 'float32' || (p.values === 'native' && v.dtype === 'f4');
}

function valuesProblem(v: LayoutValues, p: CodecParams): string | null {
  if (!valuesFor(p.codec).includes(p.values)) return `${label(p.codec)} cannot store ${p.values} values`;
  return p.values === 'quantized' ? quantizationProblem(v, p.eps) : null;
}

function zfpProblem(v: LayoutValues, p: CodecParams): string | null {
  if (!zfpGetsFloat32(v, p))
    return 'zfp is offered on float32 values only here (its float64 path crashes in this wasm build)';
  if (v.facts.nanCount + v.facts.infCount > 0) return 'zfp cannot store NaN or ±Inf';
  if (!(p.rate >= 1 && p.rate <= 32)) return 'a zfp rate must lie between 1 and 32 bits per float32 value';
  // H5Z-ZFP handles chunks with at most 3 dimensions larger than 1 here.
  const chunks = rowChunks(v.shape, 4) ?? [];
  if (chunks.filter((c) => c > 1).length > 3)
    return 'zfp handles chunks with at most three dimensions larger than 1';
  return null;
}

function encodeValues(v: LayoutValues, p: CodecParams): Extract<FilePlan, { container: 'hdf5' }> {
  const base = { container: 'hdf5' as const, shape: v.shape };
  switch (p.values) {
    case 'native':
      return { ...base, dtype: storedDTypeFor(v.dtype), data: v.raw, attrs: {} };
    case 'float32':
      return { ...base, dtype: 'f4', data: toFloat32(v.values), attrs: {} };
    case 'float16':
      return {
        ...base,
        dtype: 'f2',
        data: v.dtype === 'f2' ? v.raw : float64ToFloat16Bits(v.values),
        attrs: {},
      };
    case 'quantized': {
      const q = quantizeValues(v, p.eps);
      return { ...base, dtype: q.plan.dtype, data: q.ints, attrs: q.attrs };
    }
  }
}

export const hdf5CodecStrategy: StrategyDef<CodecParams> = {
  id: 'hdf5-codec',
  label: 'HDF5 + plugin codec',
  kind: 'plugin',
  description:
    'Compresses with an HDF5 plugin filter (blosc, zstd, bitshuffle, lz4, bzip2 or zfp) after an optional float32/float16 cast or ε-bounded quantization; readers need h5py plus the hdf5plugin package.',
  defaults: { codec: 'blosc-zstd', shuffle: 'bit', values: 'quantized', level: 5, eps: 1e-4, rate: 16 },
  paramSpec: [
    {
      key: 'codec',
      label: 'codec',
      kind: 'select',
      options: CODECS.map((c) => ({ value: c, label: label(c) })),
    },
    SHUFFLE_PARAM,
    STORED_VALUES_PARAM,
    CODEC_LEVEL_PARAM,
    EPS_PARAM,
    { key: 'rate', label: 'zfp bits per value', kind: 'number', min: 1, max: 32 },
  ],
  canonical: (p) => ({
    codec: p.codec,
    values: p.values,
    ...(isBlosc(p.codec) ? { shuffle: p.shuffle } : {}),
    ...(levelRange(p.codec) ? { level: p.level } : {}),
    ...(p.values === 'quantized' ? { eps: p.eps } : {}),
    ...(usesRate(p.codec) ? { rate: p.rate } : {}),
  }),
  variantKey: (p) =>
    [p.codec, isBlosc(p.codec) ? p.shuffle : '', usesRate(p.codec) ? `r${p.rate}` : '', p.values]
      .filter((s) => s !== '')
      .join('-'),
  describeParams: (p) => {
    const codec = [
      label(p.codec),
      isBlosc(p.codec) && p.shuffle !== 'none' ? `${p.shuffle} shuffle` : '',
      levelRange(p.codec) ? `level ${p.level}` : '',
      usesRate(p.codec) ? `${p.rate} bits/value` : '',
    ]
      .filter((s) => s !== '')
      .join(' ');
    const values = p.values === 'quantized' ? `quantized ε = ${p.eps.toExponential(1)}` : p.values;
    return `${codec}, ${values}`;
  },
  readableBy: (p) => {
    const def = pluginCodecOf(p.codec);
    return def ? FILTERS[def.filter].readableBy : 'h5py+hdf5plugin';
  },
  unsupported: (v, p) => {
    const chunking = chunkingProblem(v.shape);
    if (chunking) return chunking;
    if (!isPluginCodec(p.codec)) return `unknown codec ${String(p.codec)}`;
    const range = levelRange(p.codec);
    if (range && !(Number.isInteger(p.level) && p.level >= range[0] && p.level <= range[1]))
      return `${label(p.codec)} levels run from ${range[0]} to ${range[1]}`;
    if (p.codec === 'zfp-rate') return zfpProblem(v, p);
    return valuesProblem(v, p);
  },
  errorBound: (v, p) => {
    if (p.codec === 'zfp-rate') return Infinity; // fixed rate: error measured, not bounded
    return storedValuesBound(v, p.values, p.eps);
  },
  warnings: (v, p) => {
    const out: string[] = [];
    const gap = pluginCodecOf(p.codec)?.debianReaderGap;
    if (gap) out.push(gap);
    if (p.codec === 'zfp-rate')
      out.push(`lossy at ${p.rate} bits/value: error measured, not bounded (zfp's fixed rate)`);
    out.push(...storedValuesWarnings(v, p.values));
    return out;
  },
  encode: (v, p) => {
    const plan = encodeValues(v, p);
    return {
      ...plan,
      chunks: rowChunks(v.shape, plan.data.BYTES_PER_ELEMENT),
      filter: codecFilter(p),
    };
  },
  decode: (read, _v, p) => {
    switch (p.values) {
      case 'native':
        return numbersOf(read.data, read.dtype);
      case 'float32':
        return read.data as Float32Array;
      case 'float16':
        return float16BitsToFloat64(read.data as Uint16Array);
      case 'quantized':
        return dequantizeRead(read);
    }
  },
};
