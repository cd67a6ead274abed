import type { StrategyDef } from './types';
import { numbersOf, PARAMLESS } from './common';

type NpyParams = Record<string, never>;

export const npyStrategy: StrategyDef<NpyParams> = {
  id: 'npy',
  label: 'np.save (.npy)',
  kind: 'baseline',
  description:
    'The array exactly as numpy’s np.save writes it: lossless and readable by any numpy; pickle.dump of the array is the same size plus 20–40 B (its ~150 B of framing replaces the .npy 128 B header).',
  ...PARAMLESS,
  readableBy: () => 'numpy',
  unsupported: () => null,
  errorBound: () => 0,
  warnings: () => [],
  encode: (v) => ({ container: 'npy', dtype: v.dtype, shape: v.shape, data: v.raw }),
  decode: (read) => numbersOf(read.data, read.dtype),
};
