// Zarr v2 metadata as plain JSON shapes (https://zarr-specs.readthedocs.io/en/latest/v2/v2.0.html):
// the `compressor` and `filters` entries of `.zarray`, exactly as numcodecs (Python) reads them.

/** numcodecs compressor configs the app writes; each is decoded by numcodecs.js and by Python's numcodecs. */
export type ZarrCompressor =
  | { id: 'blosc'; cname: 'zstd' | 'lz4'; clevel: number; shuffle: 0 | 1 | 2; blocksize: 0 }
  | { id: 'zstd'; level: number }
  | { id: 'gzip'; level: number }
  | { id: 'zlib'; level: number };

/** The zlib level CompressionStream('deflate') writes (zlib's default): zlib at this level goes native. */
export const NATIVE_ZLIB_LEVEL = 6;

/** numcodecs' Shuffle: the bytes of each element grouped by position (byte 0 of all, byte 1 …). */
export interface ShuffleFilter {
  id: 'shuffle';
  elementsize: number;
}

/**
 * numcodecs' FixedScaleOffset: encode round((x − offset) × scale) stored as `astype`, decode
 * `enc / scale + offset` in float64 (then cast to `dtype`).
 */
export interface FixedScaleOffsetFilter {
  id: 'fixedscaleoffset';
  offset: number;
  scale: number;
  dtype: '<f8';
  astype: '|i1' | '|u1' | '<i2' | '<u2' | '<i4' | '<u4';
}

export type ZarrFilter = FixedScaleOffsetFilter | ShuffleFilter;

/** The `.zarray` document (Zarr v2). */
export interface ZarrArrayMeta {
  zarr_format: 2;
  shape: number[];
  chunks: number[];
  dtype: string;
  compressor: ZarrCompressor | null;
  /** null, not 0: xarray would take a fill value as `_FillValue` and mask every exact 0 as missing. */
  fill_value: null;
  filters: ZarrFilter[] | null;
  order: 'C';
  dimension_separator: '.';
}
