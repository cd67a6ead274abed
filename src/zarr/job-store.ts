// The job runner's side of a Zarr row: the file contract (docs/FILE-FORMAT.md attributes, the layout's
// `pairs` index) as a Zarr store plan, the read-back in the ReadBack shape strategies decode, and the
// measured max_abs_error written into `data/.zattrs` once it is known.
import { CoreError } from '../core/errors';
import type { AttrValue, ExtraDataset, ReadBack, StoredDType } from '../hdf5/types';
import type { FilePlan } from '../strategies/types';
import { openZarrZip, PyFloat, pythonJson } from './store';
import type { JsonValue, ZarrEntries, ZarrStorePlan } from './store';

function jsonOf(attrs: Record<string, AttrValue>): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [k, a] of Object.entries(attrs))
    out[k] = a.type === 'int64[]' ? [...a.value] : a.type === 'float64' ? new PyFloat(a.value) : a.value;
  return out;
}

/** xarray's dimension names: `pair` for the axis that indexes the used pairs (shared with `pairs`). */
function dimsOf(shape: readonly number[], attrs: Record<string, AttrValue>): string[] {
  const pairsAxis = attrs.pairs_axis?.type === 'int64' ? attrs.pairs_axis.value : -1;
  return shape.map((_, i) => (i === pairsAxis ? 'pair' : `dim_${i}`));
}

export function zarrStorePlan(
  plan: Extract<FilePlan, { container: 'zarr' }>,
  contract: {
    attrs: Record<string, AttrValue>;
    rootAttrs: Record<string, AttrValue>;
    extraDatasets: readonly ExtraDataset[];
  },
): ZarrStorePlan {
  return {
    rootAttrs: jsonOf(contract.rootAttrs),
    arrays: [
      {
        name: 'data',
        dtype: plan.dtype,
        shape: plan.shape,
        chunks: plan.chunks,
        data: plan.data,
        compressor: plan.compressor,
        filters: plan.filters,
        attrs: jsonOf(contract.attrs),
        dims: dimsOf(plan.shape, contract.attrs),
      },
      ...contract.extraDatasets.map((x) => ({
        name: x.name,
        dtype: '<i4',
        shape: x.shape,
        chunks: x.shape,
        data: x.data,
        compressor: null,
        filters: null,
        attrs: {},
        dims: x.name === 'pairs' ? ['pair', 'pair_ij'] : x.shape.map((_, i) => `${x.name}_${i}`),
      })),
    ],
  };
}

const STORED: Record<string, StoredDType> = {
  '|b1': 'u1',
  '|u1': 'u1',
  '|i1': 'i1',
  '<u2': 'u2',
  '<i2': 'i2',
  '<f2': 'f2',
  '<u4': 'u4',
  '<i4': 'i4',
  '<f4': 'f4',
  '<u8': 'u8',
  '<i8': 'i8',
  '<f8': 'f8',
};

/**
 * `data` of a zipped store, decoded by its compressor and filters, as strategies' decode expects it:
 * `read()` gives all of it, `read([r0, r1])` rows [r0, r1) along axis 0 (only their chunks decoded).
 */
export function openZarrData(zip: Uint8Array): {
  rows: number;
  read(rows?: readonly [number, number]): Promise<ReadBack>;
  /** The store's unzipped entries (the verified bytes), until `close`. */
  entries(): ZarrEntries;
  close(): void;
} {
  const group = openZarrZip(zip);
  const data = group.arrays.get('data');
  if (!data) throw new CoreError('ZARR_READ', 'the Zarr store has no `data` array');
  const scaled = data.meta.filters?.find((f) => f.id === 'fixedscaleoffset');
  const dtype = scaled?.dtype ?? data.meta.dtype;
  const fullShape = [...data.meta.shape];
  return {
    rows: fullShape[0] ?? 1,
    read: async (rows) => ({
      data: await group.read('data', rows),
      dtype: STORED[dtype]!,
      shape: rows ? [rows[1] - rows[0], ...fullShape.slice(1)] : fullShape,
      fullShape,
      attrs: data.attrs,
      rootAttrs: group.rootAttrs,
      filters: [],
      chunks: [...data.meta.chunks],
    }),
    entries: () => group.entries(),
    close: () => group.close(),
  };
}

/** The same entries with the measured error in `data/.zattrs` (the rest of the plan's attributes as they were). */
export function withMaxAbsError(entries: ZarrEntries, plan: ZarrStorePlan, maxAbsError: number): ZarrEntries {
  const data = plan.arrays.find((a) => a.name === 'data')!;
  const attrs = { ...data.attrs, max_abs_error: new PyFloat(maxAbsError), _ARRAY_DIMENSIONS: [...data.dims] };
  const out: ZarrEntries = new Map(entries);
  out.set('data/.zattrs', new TextEncoder().encode(pythonJson(attrs)));
  return out;
}
