import type { LayoutValues, StrategyDef } from './types';
import { chunkingProblem, numberAttr, rowChunks } from './common';
import { dequantize, planQuantization, quantize } from '../core/quantize';
import type { QuantizationPlan } from '../core/quantize';
import { HDF5_FILTER_DEFLATE } from './hdf5-gzip';
import { HDF5_FILTER_SCALEOFFSET } from './hdf5-scaleoffset';

type QuantizedParams = { eps: number; codec: 'scaleoffset' | 'gzip'; level: number };

/** H5Z_SO_INT with minbits 0: lossless bit-packing of each chunk's integer range. */
const SO_INT = 2;

/** The encoding's own ε: the triangle layout's half-asymmetry is paid out of the user's ε. */
function effectiveEps(v: LayoutValues, eps: number): number {
  return eps - v.layoutError;
}

function plan(v: LayoutValues, p: QuantizedParams): QuantizationPlan {
  return planQuantization(v.facts.min, v.facts.max, effectiveEps(v, p.eps));
}

export const hdf5QuantizedStrategy: StrategyDef<QuantizedParams> = {
  id: 'hdf5-quantized',
  label: 'HDF5 quantized integers',
  kind: 'quantized',
  description:
    'Rounds every value to a grid of step 2ε and stores small integers with CF scale_factor/add_offset, so the error never exceeds ε; xarray decodes it automatically and plain h5py reads it.',
  defaults: { eps: 1e-4, codec: 'scaleoffset', level: 4 },
  paramSpec: [
    { key: 'eps', label: 'error bound ε', kind: 'number', min: 1e-12, max: 1e6 },
    {
      key: 'codec',
      label: 'integer compression',
      kind: 'select',
      options: [
        { value: 'scaleoffset', label: 'scaleoffset bit-packing' },
        { value: 'gzip', label: 'gzip' },
      ],
    },
    { key: 'level', label: 'gzip level', kind: 'int', min: 1, max: 9 },
  ],
  variantKey: (p) => p.codec,
  describeParams: (p) =>
    `ε = ${p.eps.toExponential(1)}, ${p.codec === 'gzip' ? `gzip ${p.level}` : 'scaleoffset-int'}`,
  readableBy: () => 'h5py',
  unsupported: (v, p) => {
    const chunking = chunkingProblem(v.shape);
    if (chunking) return chunking;
    if (v.facts.nanCount + v.facts.infCount > 0)
      return 'integers cannot represent NaN or ±Inf, so quantization is off for this array';
    if (!(p.eps > 0)) return 'ε must be a positive number';
    if (effectiveEps(v, p.eps) <= 0)
      return `the triangle layout alone costs up to ${v.layoutError.toExponential(2)} (half of max|A−Aᵀ|), more than ε`;
    try {
      plan(v, p);
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
    return null;
  },
  errorBound: (v, p) => effectiveEps(v, p.eps),
  warnings: () => [],
  encode: (v, p) => {
    const q = plan(v, p);
    const ints = quantize(v.values, q);
    return {
      container: 'hdf5',
      dtype: q.dtype,
      shape: v.shape,
      data: ints,
      chunks: rowChunks(v.shape, ints.BYTES_PER_ELEMENT),
      filter:
        p.codec === 'gzip'
          ? { id: HDF5_FILTER_DEFLATE, opts: [p.level] }
          : { id: HDF5_FILTER_SCALEOFFSET, opts: [SO_INT, 0] },
      attrs: {
        scale_factor: { type: 'float64', value: q.scaleFactor },
        add_offset: { type: 'float64', value: q.addOffset },
      },
    };
  },
  // Decode with the attributes read back from the file, as any CF reader would.
  decode: (read) =>
    dequantize(read.data as Parameters<typeof dequantize>[0], {
      scaleFactor: numberAttr(read.attrs, 'scale_factor'),
      addOffset: numberAttr(read.attrs, 'add_offset'),
      dtype: read.dtype as QuantizationPlan['dtype'],
    }),
};
