import type { StrategyDef } from './types';
import { numbersOf, storedDTypeFor, PARAMLESS } from './common';

type NativeParams = Record<string, never>;

export const hdf5NativeStrategy: StrategyDef<NativeParams> = {
  id: 'hdf5-native',
  label: 'HDF5, original dtype',
  kind: 'baseline',
  description:
    'An uncompressed HDF5 dataset in the array’s own dtype: lossless, the same size as .npy, readable by plain h5py.',
  ...PARAMLESS,
  readableBy: () => 'h5py',
  unsupported: () => null,
  errorBound: () => 0,
  warnings: (v) => (v.dtype === 'b1' ? ['booleans are stored as uint8 0/1'] : []),
  encode: (v) => ({
    container: 'hdf5',
    dtype: storedDTypeFor(v.dtype),
    shape: v.shape,
    data: v.raw,
    attrs: {},
  }),
  decode: (read) => numbersOf(read.data, read.dtype),
};
