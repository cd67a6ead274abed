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

/** ε of the strategies that store quantized integers. */
export const EPS_PARAM: ParamSpec = {
  key: 'eps',
  label: 'error bound ε',
  kind: 'number',
  min: 1e-12,
  max: 1e6,
};

/** The byte/bit shuffle of the codec strategies (blosc's own, or numcodecs' Shuffle filter in Zarr). */
export const SHUFFLE_PARAM: ParamSpec = {
  key: 'shuffle',
  label: 'blosc shuffle',
  kind: 'select',
  options: [
    { value: 'none', label: 'none' },
    { value: 'byte', label: 'byte shuffle' },
    { value: 'bit', label: 'bit shuffle' },
  ],
};

/** A codec's compression level (each codec clamps it to its own range). */
export const CODEC_LEVEL_PARAM: ParamSpec = {
  key: 'level',
  label: 'compression level',
  kind: 'int',
  min: 1,
  max: 22,
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
