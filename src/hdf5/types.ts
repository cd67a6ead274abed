// Plain data that crosses the HDF5 adapter boundary: what to write, and what was read back.
// Attribute names and meanings are the file contract in docs/FILE-FORMAT.md.

import type { DTypeCode, RowSlabs, TypedArray } from '../core/ndarray';
import { DTYPE_CODES } from '../core/ndarray';

/** Element types a dataset can be stored as: every loaded dtype but bool (stored as uint8). */
export type StoredDType = Exclude<DTypeCode, 'b1'>;

export const STORED_DTYPES: readonly StoredDType[] = DTYPE_CODES.filter((d): d is StoredDType => d !== 'b1');

/**
 * An attribute value with its exact HDF5 type: strings are variable-length UTF-8 (h5py: `str`),
 * `float64` is `<f8`, `int64` is a scalar `<i8`, `int64[]` a 1-D `<i8` array.
 */
export type AttrValue =
  | { type: 'string'; value: string }
  | { type: 'float64'; value: number }
  | { type: 'int64'; value: number }
  | { type: 'int64[]'; value: readonly number[] };

/** A filter from HDF5's registry (1 deflate, 2 shuffle, 6 scaleoffset, 32015 zstd, ...) and its cd_values. */
export interface FilterSpec {
  id: number;
  opts: readonly number[];
}

export interface DatasetPlan {
  /**
   * C order, length = product(shape); for 'f2' a Uint16Array of IEEE half bit patterns. Ignored
   * when `rowSource` is given (then the rows are asked for slab by slab, in order).
   */
  data: TypedArray;
  rowSource?: RowSlabs;
  dtype: StoredDType;
  shape: readonly number[];
  /** Chunk shape; omitted → contiguous layout. */
  chunks?: readonly number[];
  /** At most one filter (h5wasm cannot stack filters); needs `chunks`. */
  filter?: FilterSpec;
  /**
   * Byte-shuffle before deflate: the file's pipeline becomes [shuffle, deflate], exactly as h5py's
   * `shuffle=True, compression='gzip'`. Only with `filter: { id: 1, opts: [level] }` and chunks
   * spanning every axis but the first (shuffle.ts explains how, despite the single filter).
   */
  shuffle?: boolean;
  /**
   * Attributes on `/data`. A `max_abs_error` that is absent or NaN ("not measured yet") is written
   * as a placeholder NaN that `setMaxAbsError` later replaces in place.
   */
  attrs: Record<string, AttrValue>;
  /** Attributes on the root group (e.g. `restore_python`). */
  rootAttrs: Record<string, AttrValue>;
  /** Small datasets written beside `/data`, contiguous and unfiltered (e.g. a layout's `/pairs`). */
  extraDatasets?: readonly ExtraDataset[];
}

/** A small dataset beside `/data`: int32 values in C order. */
export interface ExtraDataset {
  name: string;
  dtype: 'i4';
  shape: readonly number[];
  data: Int32Array;
}

export interface FilterInfo {
  id: number;
  name: string;
  cdValues: number[];
}

export interface ReadBack {
  /** C order; for 'f2' the stored IEEE half bit patterns in a Uint16Array. */
  data: TypedArray;
  dtype: StoredDType;
  /** Shape of `data` (the requested row range along axis 0, if any). */
  shape: number[];
  /** Shape of the whole stored dataset (set by readHdf5File). */
  fullShape?: number[];
  /** Strings as string, numeric scalars as number, numeric arrays as number[] (int64 via Number). */
  attrs: Record<string, unknown>;
  rootAttrs: Record<string, unknown>;
  filters: FilterInfo[];
  /** Chunk shape, or null for contiguous storage (set by readHdf5File). */
  chunks?: number[] | null;
}
