// The strategy contract (docs/ARCHITECTURE.md): plain data plus pure functions.
// A strategy turns values in the chosen layout into a file plan, and turns what was read back from
// the real file into values again. It never measures error itself (core/metrics does).
import type { DTypeCode, NumberArray, TypedArray } from '../core/ndarray';
import type { AttrValue, ReadBack, StoredDType } from '../hdf5/types';
import type { ZarrCompressor, ZarrFilter } from '../zarr/types';

export type StrategyId =
  | 'npy'
  | 'hdf5-native'
  | 'hdf5-float32'
  | 'hdf5-float16'
  | 'hdf5-gzip'
  | 'hdf5-scaleoffset'
  | 'hdf5-quantized'
  | 'hdf5-codec'
  | 'zarr';

export type { LayoutId as Layout } from '../layouts/types';
import type { LayoutId as Layout } from '../layouts/types';

export type ReadableBy = 'numpy' | 'h5py' | 'h5py+hdf5plugin' | 'zarr';

/** Colour family in the chart; one per strategy kind. */
export type StrategyKind = 'baseline' | 'cast' | 'lossless' | 'scaleoffset' | 'quantized' | 'plugin';

export type ParamValue = number | string;
export type Params = Record<string, ParamValue>;

export type ParamSpec =
  | { key: string; label: string; kind: 'int' | 'number'; min: number; max: number; step?: number }
  | { key: string; label: string; kind: 'select'; options: readonly { value: string; label: string }[] };

/** What a strategy knows about the input (small facts; the array itself travels separately). */
export interface InputFacts {
  dtype: DTypeCode;
  shape: readonly number[];
  min: number;
  max: number;
  nanCount: number;
  infCount: number;
  maxAsymmetry: number;
  overFloat16Count: number;
  float16SubnormalCount: number;
  /** Upper-triangle pairs non-zero in some matrix (np.triu_indices positions); null if not a square stack. */
  usedPairs: readonly number[] | null;
  /** A sorted sample of the finite values (core/quantize valueSampleOf); steers the quantization offset. */
  valueSample?: Float64Array | null;
}

/** The values to store, already in the chosen layout, plus what the layout itself cost. */
export interface LayoutValues {
  layout: Layout;
  /** Values in stored layout (C order) as numbers. For `full` float32/float64 input, the input's own
   * typed array (no copy); float16 bits are widened, int64 converted to float64. */
  values: NumberArray;
  /** The same values in the loaded dtype's own representation (f2 bits, BigInt64…), for lossless
   * strategies that store the original dtype. For `full`, the input's own typed array. */
  raw: TypedArray;
  /** Shape of `values` (for the triangle layout the last two axes become M(M+1)/2). */
  shape: readonly number[];
  /** The original dtype of the loaded array. */
  dtype: DTypeCode;
  /** Largest error the layout alone introduces: 0 for `full`, max|A−Aᵀ|/2 for the triangle. */
  layoutError: number;
  facts: InputFacts;
}

export type FilePlan =
  | { container: 'npy'; dtype: DTypeCode; shape: readonly number[]; data: TypedArray }
  | {
      container: 'hdf5';
      dtype: StoredDType;
      shape: readonly number[];
      data: TypedArray;
      chunks?: readonly number[];
      filter?: { id: number; opts: readonly number[] };
      /** Byte-shuffle before a deflate filter (the file's pipeline is [shuffle, deflate]). */
      shuffle?: boolean;
      /** Strategy-specific attributes; the runner adds the common ones of docs/FILE-FORMAT.md. */
      attrs: Record<string, AttrValue>;
    }
  | {
      /** A zipped Zarr v2 group (src/zarr/store.ts): `data`, plus the layout's `pairs`. */
      container: 'zarr';
      /** numpy dtype string of `data` as read (after the filters decode), e.g. `<f8`. */
      dtype: string;
      shape: readonly number[];
      /** The encoded elements (the filters' `astype` when there are filters). */
      data: TypedArray;
      chunks: readonly number[];
      compressor: ZarrCompressor | null;
      filters: ZarrFilter[] | null;
      attrs: Record<string, AttrValue>;
    };

export interface StrategyDef<P extends Params = Params> {
  id: StrategyId;
  label: string;
  kind: StrategyKind;
  /** One plain sentence: what it does, what it costs, who can read the file. */
  description: string;
  defaults: P;
  paramSpec: readonly ParamSpec[];
  /**
   * The params this configuration actually uses (keys the strategy ignores for it are dropped), so
   * a cache key, the file's `strategy` attribute and a re-run decision all agree. Identity if absent.
   */
  canonical?(params: P): Partial<P>;
  /** Distinguishes variants of one strategy in a result id (e.g. `float32`); '' when none. */
  variantKey(params: P): string;
  /** A short human label for the params, e.g. "D = 4, float32". */
  describeParams(params: P): string;
  readableBy(params: P): ReadableBy;
  /** A reason the strategy cannot honour its contract on this input, or null. */
  unsupported(values: LayoutValues, params: P): string | null;
  /** Largest error the encoding promises against the layout's values (0 = lossless); the total
   * promise against the loaded array adds `layoutError`. */
  errorBound(values: LayoutValues, params: P): number;
  /** Warnings worth showing with the result (e.g. float16 overflow), computed from facts only. */
  warnings(values: LayoutValues, params: P): string[];
  encode(values: LayoutValues, params: P): FilePlan;
  /** Values in stored layout (float64 or the stored float type) from what was read back. */
  decode(read: ReadBack, values: LayoutValues, params: P): NumberArray;
}

/** One entry of a sweep: which strategy, which layout, which params. */
export interface StrategySpec {
  strategyId: StrategyId;
  layout: Layout;
  params: Params;
}
