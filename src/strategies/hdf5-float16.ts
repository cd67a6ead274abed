import type { StrategyDef } from './types';
import { maxAbs, ulp16, PARAMLESS } from './common';
import { float16BitsToFloat64, float64ToFloat16Bits } from '../core/float16';

type Float16Params = Record<string, never>;

const FLOAT16_MAX = 65504;

export const hdf5Float16Strategy: StrategyDef<Float16Params> = {
  id: 'hdf5-float16',
  label: 'HDF5, cast to float16',
  kind: 'cast',
  description:
    'Casts every value to IEEE half precision (about 3 significant digits, range ±65504): a quarter of float64, and h5py reads it as numpy float16.',
  ...PARAMLESS,
  readableBy: () => 'h5py',
  unsupported: () => null,
  errorBound: (v) => {
    if (v.dtype === 'f2') return 0;
    const m = maxAbs(v);
    return m > FLOAT16_MAX ? Infinity : ulp16(m) / 2;
  },
  warnings: (v) => {
    const out: string[] = [];
    if (v.facts.overFloat16Count > 0)
      out.push(`${v.facts.overFloat16Count.toLocaleString()} values exceed ±65504 and become ±inf`);
    if (v.facts.float16SubnormalCount > 0)
      out.push(
        `${v.facts.float16SubnormalCount.toLocaleString()} values fall below 6.1e-5 into float16 subnormals (fewer digits)`,
      );
    return out;
  },
  encode: (v) => ({
    container: 'hdf5',
    dtype: 'f2',
    shape: v.shape,
    data: v.dtype === 'f2' ? v.raw : float64ToFloat16Bits(v.values),
    attrs: {},
  }),
  decode: (read) => float16BitsToFloat64(read.data as Uint16Array),
};
