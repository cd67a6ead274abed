import { FILTERS } from '../core/filters';
import type { ParamSpec, StrategyDef } from './types';
import { chunkingProblem, dtypeBytes, numbersOf, rowChunks, storedDTypeFor } from './common';

type GzipParams = { level: number };

export const HDF5_FILTER_DEFLATE = FILTERS.deflate.id;

/** The deflate level (1…9) of the strategies that gzip. */
export const GZIP_LEVEL_PARAM: ParamSpec = { key: 'level', label: 'gzip level', kind: 'int', min: 1, max: 9 };

export const hdf5GzipStrategy: StrategyDef<GzipParams> = {
  id: 'hdf5-gzip',
  label: 'HDF5 + gzip',
  kind: 'lossless',
  description:
    'Lossless deflate compression of the original dtype, chunked by matrix; random float bits compress little, data with zeros or repeats compress well. Plain h5py reads it.',
  defaults: { level: 4 },
  paramSpec: [GZIP_LEVEL_PARAM],
  variantKey: () => '',
  describeParams: (p) => `level ${p.level}`,
  readableBy: () => 'h5py',
  unsupported: (v) => chunkingProblem(v.shape),
  errorBound: () => 0,
  warnings: () => [],
  encode: (v, p) => ({
    container: 'hdf5',
    dtype: storedDTypeFor(v.dtype),
    shape: v.shape,
    data: v.raw,
    chunks: rowChunks(v.shape, dtypeBytes(v.dtype)),
    filter: { id: HDF5_FILTER_DEFLATE, opts: [p.level] },
    attrs: {},
  }),
  decode: (read) => numbersOf(read.data, read.dtype),
};
