// The one list of strategies. Adding a strategy = one file + one line here.
import type { Params, StrategyDef, StrategyId } from './types';
import { npyStrategy } from './npy';
import { hdf5NativeStrategy } from './hdf5-native';
import { hdf5Float32Strategy } from './hdf5-float32';
import { hdf5Float16Strategy } from './hdf5-float16';
import { hdf5GzipStrategy } from './hdf5-gzip';
import { hdf5ScaleOffsetStrategy } from './hdf5-scaleoffset';
import { hdf5QuantizedStrategy } from './hdf5-quantized';
import { hdf5CodecStrategy } from './hdf5-codec';
import { zarrCodecStrategy } from './zarr-codec';

export const STRATEGIES = {
  npy: npyStrategy,
  'hdf5-native': hdf5NativeStrategy,
  'hdf5-float32': hdf5Float32Strategy,
  'hdf5-float16': hdf5Float16Strategy,
  'hdf5-gzip': hdf5GzipStrategy,
  'hdf5-scaleoffset': hdf5ScaleOffsetStrategy,
  'hdf5-quantized': hdf5QuantizedStrategy,
  'hdf5-codec': hdf5CodecStrategy,
  zarr: zarrCodecStrategy,
} satisfies Record<StrategyId, StrategyDef<Params>>;

/** The registry entry with its params widened, for code that handles any strategy. */
export function strategyOf(id: StrategyId): StrategyDef<Params> {
  return STRATEGIES[id] as StrategyDef<Params>;
}
