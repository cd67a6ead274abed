// What the codec strategies (HDF5 plugin codecs, Zarr) store before their compressor: the values in the
// loaded dtype, a float32 or float16 cast, or ε-bounded quantized integers. Their param spec, error
// bound and warnings, shared so each codec strategy only adds its own container and compressor.
import type { LayoutValues, ParamSpec } from './types';
import { hdf5Float16Strategy } from './hdf5-float16';
import { hdf5Float32Strategy } from './hdf5-float32';

export type StoredValues = 'native' | 'float32' | 'float16' | 'quantized';

export const STORED_VALUES_PARAM: ParamSpec = {
  key: 'values',
  label: 'stored values',
  kind: 'select',
  options: [
    { value: 'native', label: 'original dtype' },
    { value: 'float32', label: 'float32' },
    { value: 'float16', label: 'float16' },
    { value: 'quantized', label: 'quantized integers (≤ ε)' },
  ],
};

/** The largest error these stored values promise against the layout's values (0 = lossless). */
export function storedValuesBound(v: LayoutValues, values: StoredValues, eps: number): number {
  switch (values) {
    case 'native':
      return 0;
    case 'float32':
      return hdf5Float32Strategy.errorBound(v, {});
    case 'float16':
      return hdf5Float16Strategy.errorBound(v, {});
    case 'quantized':
      return eps - v.layoutError;
  }
}

/** The cast's warnings (float16 overflow and subnormals, float32 rounding), none otherwise. */
export function storedValuesWarnings(v: LayoutValues, values: StoredValues): string[] {
  if (values === 'float16') return hdf5Float16Strategy.warnings(v, {});
  if (values === 'float32') return hdf5Float32Strategy.warnings(v, {});
  return [];
}
