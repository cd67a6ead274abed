import type { StrategyDef } from './types';
import {
  BITPACK_CHUNK_TARGET_BYTES,
  CHUNK_TARGET_BYTES,
  chunkingProblem,
  rowChunks,
  shuffleRowChunks,
} from './common';
import { dequantizeRead, quantizationProblem, quantizeValues } from './quantized-values';
import { GZIP_LEVEL_PARAM, HDF5_FILTER_DEFLATE } from './hdf5-gzip';
import { EPS_PARAM } from './stored-values';
import { HDF5_FILTER_SCALEOFFSET } from './hdf5-scaleoffset';

type QuantizedParams = { eps: number; codec: 'scaleoffset' | 'gzip' | 'shuffle-gzip'; level: number };

/** H5Z_SO_INT with minbits 0: lossless bit-packing of each chunk's integer range. */
const SO_INT = 2;

export const hdf5QuantizedStrategy: StrategyDef<QuantizedParams> = {
  id: 'hdf5-quantized',
  label: 'HDF5 quantized integers',
  kind: 'quantized',
  description:
    'Rounds every value to a grid of step 2ε and stores small integers with CF scale_factor/add_offset, so the error never exceeds ε; xarray decodes it automatically and plain h5py reads it.',
  defaults: { eps: 1e-4, codec: 'scaleoffset', level: 4 },
  paramSpec: [
    EPS_PARAM,
    {
      key: 'codec',
      label: 'integer compression',
      kind: 'select',
      options: [
        { value: 'scaleoffset', label: 'scaleoffset bit-packing' },
        { value: 'gzip', label: 'gzip' },
        { value: 'shuffle-gzip', label: 'byte shuffle + gzip' },
      ],
    },
    GZIP_LEVEL_PARAM,
  ],
  canonical: (p) => (p.codec === 'scaleoffset' ? { eps: p.eps, codec: p.codec } : p),
  variantKey: (p) => p.codec,
  describeParams: (p) =>
    `ε = ${p.eps.toExponential(1)}, ${
      p.codec === 'gzip'
        ? `gzip ${p.level}`
        : p.codec === 'shuffle-gzip'
          ? `shuffle + gzip ${p.level}`
          : 'scaleoffset-int'
    }`,
  readableBy: () => 'h5py',
  unsupported: (v, p) => {
    const chunking = chunkingProblem(v.shape);
    if (chunking) return chunking;
    return quantizationProblem(v, p.eps);
  },
  errorBound: (v, p) => p.eps - v.layoutError,
  warnings: () => [],
  encode: (v, p) => {
    const q = quantizeValues(v, p.eps);
    return {
      container: 'hdf5',
      dtype: q.plan.dtype,
      shape: v.shape,
      data: q.ints,
      chunks: (p.codec === 'shuffle-gzip' ? shuffleRowChunks : rowChunks)(
        v.shape,
        q.ints.BYTES_PER_ELEMENT,
        quantizedChunkTarget(p.codec),
      ),
      filter:
        p.codec === 'scaleoffset'
          ? { id: HDF5_FILTER_SCALEOFFSET, opts: [SO_INT, 0] }
          : { id: HDF5_FILTER_DEFLATE, opts: [p.level] },
      // Byte shuffle groups the high bytes of small integers (mostly 0 or 0xff) before deflate.
      ...(p.codec === 'shuffle-gzip' && q.ints.BYTES_PER_ELEMENT > 1 ? { shuffle: true } : {}),
      attrs: q.attrs,
    };
  },
  decode: (read) => dequantizeRead(read),
};

/** The chunk size (bytes) the strategy aims for: recipes mirror it. */
export function quantizedChunkTarget(codec: string): number {
  return codec === 'scaleoffset' ? BITPACK_CHUNK_TARGET_BYTES : CHUNK_TARGET_BYTES;
}
