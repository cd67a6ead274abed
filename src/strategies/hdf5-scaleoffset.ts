import { FILTERS } from '../core/filters';
import type { StrategyDef } from './types';
import { chunkingProblem, maxAbs, rowChunks, toFloat32, ulp32, ulp64 } from './common';

type ScaleOffsetParams = { decimals: number; base: 'float32' | 'float64' };

export const HDF5_FILTER_SCALEOFFSET = FILTERS.scaleoffset.id;
/** H5Z_SO_FLOAT_DSCALE: keep D decimal digits (HDF5 User Guide, "Scale-Offset Filter"). */
const SO_FLOAT_DSCALE = 0;

export const hdf5ScaleOffsetStrategy: StrategyDef<ScaleOffsetParams> = {
  id: 'hdf5-scaleoffset',
  label: 'HDF5 scaleoffset',
  kind: 'scaleoffset',
  description:
    'HDF5’s built-in scaleoffset filter keeps D decimal places and bit-packs the rest; the error is up to 10⁻ᴰ (not half of it), it cannot store NaN/Inf, and plain h5py reads it.',
  defaults: { decimals: 4, base: 'float32' },
  paramSpec: [
    { key: 'decimals', label: 'decimal places D', kind: 'int', min: 0, max: 10 },
    {
      key: 'base',
      label: 'stored float type',
      kind: 'select',
      options: [
        { value: 'float32', label: 'float32' },
        { value: 'float64', label: 'float64' },
      ],
    },
  ],
  variantKey: (p) => p.base,
  describeParams: (p) => `D = ${p.decimals}, ${p.base}`,
  readableBy: () => 'h5py',
  unsupported: (v, p) => {
    const chunking = chunkingProblem(v.shape);
    if (chunking) return chunking;
    if (v.facts.nanCount + v.facts.infCount > 0)
      return 'the scaleoffset filter cannot store NaN or ±Inf (they would be silently replaced)';
    // The filter maps (x − min)·10ᴰ to an unsigned integer of the float's width.
    const span = (v.facts.max - v.facts.min) * 10 ** p.decimals;
    const limit = p.base === 'float32' ? 2 ** 32 - 1 : 2 ** 53;
    if (span >= limit)
      return `range × 10^${p.decimals} = ${span.toExponential(2)} does not fit the ${p.base === 'float32' ? '32' : '53'}-bit integers the filter uses`;
    return null;
  },
  // The filter's own rounding reaches 10⁻ᴰ (measured, docs/ARCHITECTURE.md, h5wasm facts); the float type adds its
  // rounding on the way in (float32 cast) and on the way out (decoding in float arithmetic).
  errorBound: (v, p) =>
    10 ** -p.decimals + (p.base === 'float32' ? 2 * ulp32(maxAbs(v)) : 4 * ulp64(maxAbs(v))),
  warnings: () => [],
  encode: (v, p) => {
    // Float64 values go in as they are (the input's own array or the layout's): no copy.
    const data =
      p.base === 'float32'
        ? toFloat32(v.values)
        : v.values instanceof Float64Array
          ? v.values
          : Float64Array.from(v.values);
    return {
      container: 'hdf5',
      dtype: p.base === 'float32' ? 'f4' : 'f8',
      shape: v.shape,
      data,
      chunks: rowChunks(v.shape, data.BYTES_PER_ELEMENT),
      filter: { id: HDF5_FILTER_SCALEOFFSET, opts: [SO_FLOAT_DSCALE, p.decimals] },
      attrs: {},
    };
  },
  decode: (read) => read.data as Float32Array | Float64Array,
};
