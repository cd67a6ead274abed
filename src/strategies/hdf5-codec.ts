// Hard constraint: some plugin configurations ABORT the whole wasm module (blosc's zlib codec, zfp's
// accuracy and reversible modes; docs/ARCHITECTURE.md, h5wasm facts), so this file only ever builds the cd_values below.
// zfp is offered on float32 only: on float64 the h5wasm-plugins 0.2.1 build calls a symbol h5wasm
// 0.10.3 doesn't provide ("resolved is not a function" thrown from zfp_encode_block_double_*).
import type { LayoutValues, StrategyDef } from './types';
import { STORED_VALUES_PARAM, storedValuesBound, storedValuesWarnings } from './stored-values';
import type { StoredValues } from './stored-values';
import type { FilePlan } from './types';
import { chunkingProblem, numbersOf, rowChunks, storedDTypeFor, toFloat32 } from './common';
import { dequantizeRead, quantizationProblem, quantizeValues } from './quantized-values';
import { float16BitsToFloat64, float64ToFloat16Bits } from '../core/float16';

export type Codec =
  'blosc-lz4' | 'blosc-zstd' | 'zstd' | 'bitshuffle-lz4' | 'bitshuffle-zstd' | 'lz4' | 'bzip2' | 'zfp-rate';
export type BloscShuffle = 'none' | 'byte' | 'bit';
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

// Registered filter ids (HDF Group's RegisteredFilterPlugins list); the same as hdf5/plugins.ts.
const BZIP2 = 307;
const BLOSC = 32001;
const LZ4 = 32004;
const BITSHUFFLE = 32008;
const ZFP = 32013;
const ZSTD = 32015;

/** Blosc compressor codes (blosc.h). 4 = zlib is never used: it aborts the wasm module. */
const BLOSC_LZ4 = 1;
const BLOSC_ZSTD = 5;
const BLOSC_SHUFFLE: Record<BloscShuffle, number> = { none: 0, byte: 1, bit: 2 };
/** bitshuffle's compression codes (bshuf_h5filter.h). */
const BSHUF_LZ4 = 2;
const BSHUF_ZSTD = 3;
/** H5Z-ZFP generic interface: mode 1 = fixed rate, followed by the rate as a little-endian double. */
const ZFP_MODE_RATE = 1;

export const CODECS: readonly Codec[] = [
  'blosc-lz4',
  'blosc-zstd',
  'zstd',
  'bitshuffle-lz4',
  'bitshuffle-zstd',
  'lz4',
  'bzip2',
  'zfp-rate',
];

const CODEC_LABEL: Record<Codec, string> = {
  'blosc-lz4': 'blosc lz4',
  'blosc-zstd': 'blosc zstd',
  zstd: 'zstd',
  'bitshuffle-lz4': 'bitshuffle + lz4',
  'bitshuffle-zstd': 'bitshuffle + zstd',
  lz4: 'lz4',
  bzip2: 'bzip2',
  'zfp-rate': 'zfp fixed rate',
};

const LEVEL_RANGE: Partial<Record<Codec, readonly [number, number]>> = {
  'blosc-lz4': [1, 9],
  'blosc-zstd': [1, 9],
  zstd: [1, 22],
  'bitshuffle-zstd': [1, 22],
  bzip2: [1, 9],
};

export function isBlosc(codec: Codec): boolean {
  return codec === 'blosc-lz4' || codec === 'blosc-zstd';
}

/**
 * The value encodings a codec can take: zfp compresses float32 as floats (not half, not integers,
 * and not float64: see the file comment). `native` then needs a float32 input.
 */
export function valuesFor(codec: Codec): readonly ValueEncoding[] {
  return codec === 'zfp-rate' ? ['native', 'float32'] : ['native', 'float32', 'float16', 'quantized'];
}

/**
 * What Debian's h5py + python3-hdf5plugin 4.0 (bookworm) cannot read, and why — recorded by
 * tests/interop/plugins-h5py.test.ts. pip/conda hdf5plugin wheels bundle these filters (zstd since
 * 3.0, bitshuffle 0.4.2 with zstd since 4.0, per its changelog); Debian's package bundles none and
 * relies on Debian's filter packages, which have no zstd filter and bitshuffle 0.3.5 (lz4 only).
 * Debian's bitshuffle 0.3.5 treats zstd chunks as uncompressed: a read error, or silently wrong
 * values when the compressed length happens to divide evenly (measured on float16 and int16 data).
 */
const DEBIAN_READER_GAP: Partial<Record<Codec, string>> = {
  zstd: 'Debian’s hdf5plugin 4.0 cannot open this (Debian ships no zstd HDF5 filter); needs hdf5plugin ≥ 3.0 from pip/conda',
  'bitshuffle-zstd':
    'Debian’s hdf5plugin 4.0 cannot read this: with Debian’s bitshuffle 0.3.5 h5py fails or returns WRONG values without an error; needs hdf5plugin ≥ 4.0 from pip/conda',
  'bitshuffle-lz4':
    'with Debian’s hdf5plugin 4.0, h5py also needs Debian’s bitshuffle package (the filter is not part of it)',
};

function zfpRateOpts(rate: number): number[] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, rate, true);
  return [ZFP_MODE_RATE, 0, view.getUint32(0, true), view.getUint32(4, true)];
}

/** The single HDF5 filter (h5wasm can't stack filters) with its cd_values. */
export function codecFilter(p: CodecParams): { id: number; opts: number[] } {
  switch (p.codec) {
    case 'blosc-lz4':
      return { id: BLOSC, opts: [0, 0, 0, 0, p.level, BLOSC_SHUFFLE[p.shuffle], BLOSC_LZ4] };
    case 'blosc-zstd':
      return { id: BLOSC, opts: [0, 0, 0, 0, p.level, BLOSC_SHUFFLE[p.shuffle], BLOSC_ZSTD] };
    case 'zstd':
      return { id: ZSTD, opts: [p.level] };
    case 'bitshuffle-lz4':
      return { id: BITSHUFFLE, opts: [0, BSHUF_LZ4] };
    case 'bitshuffle-zstd':
      return { id: BITSHUFFLE, opts: [0, BSHUF_ZSTD, p.level] };
    case 'lz4':
      return { id: LZ4, opts: [0] };
    case 'bzip2':
      return { id: BZIP2, opts: [p.level] };
    case 'zfp-rate':
      return { id: ZFP, opts: zfpRateOpts(p.rate) };
  }
}

/** True when zfp would get float32 values. */
function zfpGetsFloat32(v: LayoutValues, p: CodecParams): boolean {
  return p.values === 'float32' || (p.values === 'native' && v.dtype === 'f4');
}

function valuesProblem(v: LayoutValues, p: CodecParams): string | null {
  if (!valuesFor(p.codec).includes(p.values))
    return `${CODEC_LABEL[p.codec]} cannot store ${p.values} values`;
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
      options: CODECS.map((c) => ({ value: c, label: CODEC_LABEL[c] })),
    },
    {
      key: 'shuffle',
      label: 'blosc shuffle',
      kind: 'select',
      options: [
        { value: 'none', label: 'none' },
        { value: 'byte', label: 'byte shuffle' },
        { value: 'bit', label: 'bit shuffle' },
      ],
    },
    STORED_VALUES_PARAM,
    { key: 'level', label: 'compression level', kind: 'int', min: 1, max: 22 },
    { key: 'eps', label: 'error bound ε', kind: 'number', min: 1e-12, max: 1e6 },
    { key: 'rate', label: 'zfp bits per value', kind: 'number', min: 1, max: 32 },
  ],
  canonical: (p) => ({
    codec: p.codec,
    values: p.values,
    ...(isBlosc(p.codec) ? { shuffle: p.shuffle } : {}),
    ...(LEVEL_RANGE[p.codec] ? { level: p.level } : {}),
    ...(p.values === 'quantized' ? { eps: p.eps } : {}),
    ...(p.codec === 'zfp-rate' ? { rate: p.rate } : {}),
  }),
  variantKey: (p) =>
    [p.codec, isBlosc(p.codec) ? p.shuffle : '', p.codec === 'zfp-rate' ? `r${p.rate}` : '', p.values]
      .filter((s) => s !== '')
      .join('-'),
  describeParams: (p) => {
    const codec = [
      CODEC_LABEL[p.codec],
      isBlosc(p.codec) && p.shuffle !== 'none' ? `${p.shuffle} shuffle` : '',
      LEVEL_RANGE[p.codec] ? `level ${p.level}` : '',
      p.codec === 'zfp-rate' ? `${p.rate} bits/value` : '',
    ]
      .filter((s) => s !== '')
      .join(' ');
    const values = p.values === 'quantized' ? `quantized ε = ${p.eps.toExponential(1)}` : p.values;
    return `${codec}, ${values}`;
  },
  readableBy: () => 'h5py+hdf5plugin',
  unsupported: (v, p) => {
    const chunking = chunkingProblem(v.shape);
    if (chunking) return chunking;
    if (!CODECS.includes(p.codec)) return `unknown codec ${String(p.codec)}`;
    const range = LEVEL_RANGE[p.codec];
    if (range && !(Number.isInteger(p.level) && p.level >= range[0] && p.level <= range[1]))
      return `${CODEC_LABEL[p.codec]} levels run from ${range[0]} to ${range[1]}`;
    if (p.codec === 'zfp-rate') return zfpProblem(v, p);
    return valuesProblem(v, p);
  },
  errorBound: (v, p) => {
    if (p.codec === 'zfp-rate') return Infinity; // fixed rate: error measured, not bounded
    return storedValuesBound(v, p.values, p.eps);
  },
  warnings: (v, p) => {
    const out: string[] = [];
    const gap = DEBIAN_READER_GAP[p.codec];
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
