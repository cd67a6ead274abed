// Zarr v2 output: the layout's values in one chunked array `data` of a zipped Zarr group (zarr.ZipStore
// opens it), compressed with a numcodecs codec. Quantized values carry numcodecs' FixedScaleOffset
// filter on the app's ε grid, so `zarr.open(...)[:]` and xarray return floats within ε by themselves.
// The store is built and read back by src/zarr/ (the job runner's zarr branch).
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
import { chunkingProblem, numbersOf, rowChunks, toFloat32 } from './common';
import { quantizationPlanFor, quantizationProblem } from './quantized-values';
import { float16BitsToFloat64, float64ToFloat16Bits } from '../core/float16';
import { numpyDescr } from '../core/ndarray';
import { encodeFixedScaleOffset, fixedScaleOffsetFor } from '../zarr/fixed-scale-offset';
import type { ZarrCompressor, ZarrFilter } from '../zarr/types';

export type ZarrCodec = 'blosc-zstd' | 'blosc-lz4' | 'zstd' | 'gzip' | 'zlib';
export type ZarrShuffle = 'none' | 'byte' | 'bit';
export type ZarrValues = StoredValues;

export type ZarrParams = {
  codec: ZarrCodec;
  /** Blosc's pre-filter, or numcodecs' Shuffle filter before zlib ('byte'); ignored by the others. */
  shuffle: ZarrShuffle;
  values: ZarrValues;
  /** blosc 1–9, zstd 1–22, gzip 1–9. */
  level: number;
  /** Error bound for `values: 'quantized'`. */
  eps: number;
};

const CODECS: readonly ZarrCodec[] = ['zlib', 'blosc-zstd', 'blosc-lz4', 'zstd', 'gzip'];
const LEVELS: Record<ZarrCodec, readonly [number, number]> = {
  'blosc-zstd': [1, 9],
  'blosc-lz4': [1, 9],
  zstd: [1, 22],
  gzip: [1, 9],
  zlib: [1, 9],
};
const CODEC_LABEL: Record<ZarrCodec, string> = {
  'blosc-zstd': 'blosc zstd',
  'blosc-lz4': 'blosc lz4',
  zstd: 'zstd',
  gzip: 'gzip',
  zlib: 'zlib',
};
const SHUFFLE_CODE = { none: 0, byte: 1, bit: 2 } as const;

const isBlosc = (c: ZarrCodec) => c === 'blosc-zstd' || c === 'blosc-lz4';

/** The numcodecs compressor config of `.zarray` for these params. */
export function zarrCompressor(p: ZarrParams): ZarrCompressor {
  switch (p.codec) {
    case 'blosc-zstd':
    case 'blosc-lz4':
      return {
        id: 'blosc',
        cname: p.codec === 'blosc-zstd' ? 'zstd' : 'lz4',
        clevel: p.level,
        shuffle: SHUFFLE_CODE[p.shuffle],
        blocksize: 0,
      };
    case 'zstd':
      return { id: 'zstd', level: p.level };
    case 'gzip':
      return { id: 'gzip', level: p.level };
    case 'zlib':
      return { id: 'zlib', level: p.level };
  }
}

/** Whether the shuffle param applies: blosc's own, or numcodecs' Shuffle filter before zlib. */
const usesShuffle = (c: ZarrCodec) => isBlosc(c) || c === 'zlib';

/** numcodecs' Shuffle filter after the values' own filter, for zlib with byte shuffle. */
function shuffleFilters(p: ZarrParams, elementSize: number): ZarrFilter[] {
  return p.codec === 'zlib' && p.shuffle === 'byte' && elementSize > 1
    ? [{ id: 'shuffle', elementsize: elementSize }]
    : [];
}

function valuesProblem(v: LayoutValues, p: ZarrParams): string | null {
  switch (p.values) {
    case 'quantized':
      return quantizationProblem(v, p.eps);
    case 'float32':
      return v.dtype === 'f4' || v.dtype === 'f2'
        ? 'the array is already float32 or narrower: the lossless Zarr row stores these values'
        : null;
    default:
      return null;
  }
}

export const zarrCodecStrategy: StrategyDef<ZarrParams> = {
  id: 'zarr',
  label: 'Zarr (zipped store)',
  kind: 'plugin',
  description:
    'A Zarr v2 store in one .zip (zarr.ZipStore), compressed with numcodecs blosc/zstd/gzip after an optional float16/float32 cast or ε-bounded quantization that the fixedscaleoffset filter decodes itself; zarr, xarray and dask read it.',
  defaults: { codec: 'zlib', shuffle: 'byte', values: 'quantized', level: 9, eps: 1e-4 },
  paramSpec: [
    {
      key: 'codec',
      label: 'codec',
      kind: 'select',
      options: CODECS.map((c) => ({ value: c, label: CODEC_LABEL[c] })),
    },
    SHUFFLE_PARAM,
    STORED_VALUES_PARAM,
    CODEC_LEVEL_PARAM,
    EPS_PARAM,
  ],
  canonical: (p) => ({
    codec: p.codec,
    values: p.values,
    ...(usesShuffle(p.codec) ? { shuffle: p.shuffle } : {}),
    level: p.level,
    ...(p.values === 'quantized' ? { eps: p.eps } : {}),
  }),
  variantKey: (p) =>
    [p.codec, usesShuffle(p.codec) ? p.shuffle : '', p.values].filter((s) => s !== '').join('-'),
  describeParams: (p) => {
    const codec = [
      CODEC_LABEL[p.codec],
      usesShuffle(p.codec) && p.shuffle !== 'none' ? `${p.shuffle} shuffle` : '',
      `level ${p.level}`,
    ]
      .filter((s) => s !== '')
      .join(' ');
    const values = p.values === 'quantized' ? `quantized ε = ${p.eps.toExponential(1)}` : p.values;
    return `${codec}, ${values}`;
  },
  readableBy: () => 'zarr',
  unsupported: (v, p) => {
    const chunking = chunkingProblem(v.shape);
    if (chunking) return chunking.replace('HDF5 filters', 'Zarr codecs');
    if (!CODECS.includes(p.codec)) return `unknown Zarr codec ${String(p.codec)}`;
    const [lo, hi] = LEVELS[p.codec];
    if (!(Number.isInteger(p.level) && p.level >= lo && p.level <= hi))
      return `${CODEC_LABEL[p.codec]} levels run from ${lo} to ${hi}`;
    return valuesProblem(v, p);
  },
  errorBound: (v, p) => storedValuesBound(v, p.values, p.eps),
  warnings: (v, p) => storedValuesWarnings(v, p.values),
  encode: (v, p) => {
    const base = { container: 'zarr' as const, shape: v.shape, compressor: zarrCompressor(p), attrs: {} };
    const chunked = <T extends { data: { BYTES_PER_ELEMENT: number } }>(x: T) => ({
      ...x,
      chunks: rowChunks(v.shape, x.data.BYTES_PER_ELEMENT) ?? [...v.shape],
    });
    switch (p.values) {
      case 'native': {
        const f = shuffleFilters(p, v.raw.BYTES_PER_ELEMENT);
        return chunked({ ...base, dtype: numpyDescr(v.dtype), data: v.raw, filters: f.length ? f : null });
      }
      case 'float32': {
        const f = shuffleFilters(p, 4);
        return chunked({ ...base, dtype: '<f4', data: toFloat32(v.values), filters: f.length ? f : null });
      }
      case 'float16': {
        const f = shuffleFilters(p, 2);
        return chunked({
          ...base,
          dtype: '<f2',
          data: v.dtype === 'f2' ? v.raw : float64ToFloat16Bits(v.values),
          filters: f.length ? f : null,
        });
      }
      case 'quantized': {
        const plan = quantizationPlanFor(v, p.eps);
        const filter = fixedScaleOffsetFor(plan);
        const codes = encodeFixedScaleOffset(v.values, filter, plan.dtype, plan.eps!);
        const f = shuffleFilters(p, codes.BYTES_PER_ELEMENT);
        return chunked({ ...base, dtype: '<f8', data: codes, filters: [filter, ...f] });
      }
    }
  },
  decode: (read, _v, p) => {
    switch (p.values) {
      case 'quantized': // already decoded by the fixedscaleoffset filter
        return read.data as Float64Array;
      case 'float32':
        return read.data as Float32Array;
      case 'float16':
        return float16BitsToFloat64(read.data as Uint16Array);
      case 'native':
        return numbersOf(read.data, read.dtype);
    }
  },
};
