import type { StrategyDef } from './types';
import { maxAbs, toFloat32, ulp32, PARAMLESS } from './common';

type Float32Params = Record<string, never>;

export const hdf5Float32Strategy: StrategyDef<Float32Params> = {
  id: 'hdf5-float32',
  label: 'HDF5, cast to float32',
  kind: 'cast',
  description:
    'Casts every value to float32, halving a float64 file. Not lossless (the notebook called it so): each value keeps about 7 significant digits. Plain h5py reads it.',
  ...PARAMLESS,
  readableBy: () => 'h5py',
  unsupported: () => null,
  // Round-to-nearest: at most half a float32 ulp at the largest magnitude.
  errorBound: (v) => (v.dtype === 'f4' || v.dtype === 'f2' ? 0 : ulp32(maxAbs(v)) / 2),
  warnings: (v) =>
    maxAbs(v) > 3.4028234663852886e38 ? ['values beyond ±3.4e38 become ±inf in float32'] : [],
  encode: (v) => ({ container: 'hdf5', dtype: 'f4', shape: v.shape, data: toFloat32(v.values), attrs: {} }),
  decode: (read) => read.data as Float32Array,
};
