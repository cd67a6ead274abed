// Reads `/data` back through HDF5 itself (filters, chunk index and all), in slabs of whole chunk
// rows through a small reusable heap buffer, so verifying a big file never needs a big heap.
//
// float16: h5wasm's JS layer refuses 2-byte floats ("Float16 not supported"), but its C reader
// (`get_dataset_data`) reads with a copy of the file's own datatype as the memory type, i.e. with
// no conversion. Calling it directly returns the stored half bit patterns as they are decoded from
// the real file (for h5py the same bytes are '<f2'), which we view as a Uint16Array.

import { CoreError, wrapError } from '../core/errors';
import { DTYPE_BYTES, sizeOf, typedArrayFor } from '../core/ndarray';
import type { TypedArray } from '../core/ndarray';
import { recycledBuffer } from '../core/release';
import type { H5Env } from './h5wasm-init';
import { requireH5 } from './h5wasm-init';
import type { FilterInfo, ReadBack, StoredDType } from './types';

export const DEFAULT_READ_SLAB_BYTES = 8 * 2 ** 20;

export interface ReadOptions {
  /** Half-open row range [start, end) along axis 0; default all rows. */
  rows?: [number, number];
  /** Upper bound for one slab's bytes in the wasm heap (a chunk row block may exceed it). */
  slabBytes?: number;
}

/** Rows read as a view of the wasm heap are at most this big (a verify slab is ~8 MiB). */
const VIEW_MAX_BYTES = 64 * 2 ** 20;

const H5T_INTEGER = 0;
const H5T_FLOAT = 1;

function storedDType(type: number, size: number, signed: boolean): StoredDType {
  if (type === H5T_FLOAT && (size === 2 || size === 4 || size === 8)) return `f${size}`;
  if (type === H5T_INTEGER && (size === 1 || size === 2 || size === 4 || size === 8)) {
    return `${signed ? 'i' : 'u'}${size}`;
  }
  throw new CoreError('HDF5_READ', `/data has an unsupported datatype (class ${type}, ${size} bytes)`);
}

/** The rows' array (recycled memory: the read fills every element). */
function allocate(dtype: StoredDType, n: number): TypedArray {
  return typedArrayFor(dtype, recycledBuffer(n * DTYPE_BYTES[dtype]), n);
}

/** Attribute values as plain JS: string, number, or number[] (int64 via Number, exact below 2^53). */
function plainValue(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof BigInt64Array || value instanceof BigUint64Array) return Array.from(value, Number);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView))
    return Array.from(value as unknown as ArrayLike<number>);
  if (Array.isArray(value)) return value.map(plainValue);
  return value;
}

function readAttributes(env: H5Env, fileId: bigint, path: string): Record<string, unknown> {
  const target = path === '/' ? new env.h5.Group(fileId, '/') : new env.h5.Dataset(fileId, path);
  const out: Record<string, unknown> = {};
  for (const name of env.module.get_attribute_names(fileId, path)) {
    out[name] = plainValue(target.get_attribute(name, false));
  }
  return out;
}

/** An open file's `/data`, read a row range at a time; its attributes and filters are read once. */
export interface Hdf5Reader {
  /** Reads `/data` (or a row range of it), with the attributes of `/data` and of the root group. */
  read(opts?: ReadOptions): ReadBack;
  /**
   * The same, the rows (up to 64 MiB; a copy beyond) read straight into a wasm heap block and returned
   * as a view of it, not copied out: valid until the next read or close, or until the heap grows (so
   * only for code that makes no wasm call meanwhile). Releasing it does nothing (the heap is
   * protected, core/release.ts).
   */
  readView(rows: [number, number]): ReadBack;
  close(): void;
}

/**
 * Opens the file at `path` for reading `/data` in row ranges (a verify pass reads a file slab by slab:
 * opening it and reading its attributes once, not per slab, saved ~0.9 ms per slab in Node).
 */
export function openHdf5Reader(path: string): Hdf5Reader {
  const env = requireH5();
  const { module } = env;
  const fail = (cause: unknown): never => {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw wrapError('HDF5_READ', `Reading HDF5 file ${path} failed: ${reason}`, cause);
  };
  let file: InstanceType<H5Env['h5']['File']> | undefined;
  try {
    file = new env.h5.File(path, 'r');
    const fileId = file.file_id;
    const meta = module.get_dataset_metadata(fileId, '/data');
    const fullShape = meta.shape ?? [];
    if (fullShape.length < 1) throw new CoreError('HDF5_READ', '/data is scalar or has no dataspace');
    const dtype = storedDType(meta.type, meta.size, meta.signed);
    const filters: FilterInfo[] = module
      .get_dataset_filters(fileId, '/data')
      .map((f) => ({ id: f.id, name: f.name, cdValues: [...f.cd_values] }));
    const attrs = readAttributes(env, fileId, '/data');
    const rootAttrs = readAttributes(env, fileId, '/');
    const open = file;
    const rowBytes = sizeOf(fullShape.slice(1)) * meta.size;
    // The heap block readView reads into, kept (and grown) for the next slab until close.
    let view = { ptr: 0, bytes: 0 };
    const backOf = (rows: [number, number], data: TypedArray): ReadBack => ({
      data,
      dtype,
      shape: [rows[1] - rows[0], ...fullShape.slice(1)],
      fullShape: [...fullShape],
      attrs,
      rootAttrs,
      filters,
      chunks: meta.chunks ? [...meta.chunks] : null,
    });
    const read = (opts: ReadOptions = {}): ReadBack => {
      try {
        const rows: [number, number] = opts.rows ?? [0, fullShape[0]!];
        return backOf(rows, readRows(module, fileId, meta, fullShape, dtype, { ...opts, rows }));
      } catch (cause) {
        return fail(cause);
      }
    };
    return {
      read,
      readView(rows) {
        const [r0, r1] = rows;
        const bytes = (r1 - r0) * rowBytes;
        if (!(bytes > 0 && bytes <= VIEW_MAX_BYTES) || !(0 <= r0 && r1 <= fullShape[0]!))
          return read({ rows });
        try {
          if (bytes > view.bytes) {
            if (view.ptr) module._free(view.ptr);
            view = { ptr: 0, bytes: 0 };
            const ptr = module._malloc(bytes);
            if (ptr === 0) throw new CoreError('OUT_OF_MEMORY', 'The wasm heap has no room for a read slab');
            view = { ptr, bytes };
          }
          readRowsInto(module, fileId, fullShape, r0, r1, view.ptr);
          // After the call: the heap may have grown during it (and its buffer been replaced).
          const data = typedArrayFor(dtype, module.HEAPU8.buffer, bytes / meta.size, view.ptr);
          return backOf(rows, data);
        } catch (cause) {
          return fail(cause);
        }
      },
      close() {
        if (view.ptr) module._free(view.ptr);
        view = { ptr: 0, bytes: 0 };
        try {
          open.close();
        } catch {
          // a failed close must not hide the reads' results or errors
        }
      },
    };
  } catch (cause) {
    try {
      file?.close();
    } catch {
      // as above
    }
    return fail(cause);
  }
}

type DatasetMetadata = ReturnType<H5Env['module']['get_dataset_metadata']>;

/** HDF5 reads rows [r0, r1) of `/data` (whole rows, C order) into the heap at `ptr`. */
function readRowsInto(
  module: H5Env['module'],
  fileId: bigint,
  fullShape: readonly number[],
  r0: number,
  r1: number,
  ptr: number,
): void {
  const rest = fullShape.slice(1);
  const status = module.get_dataset_data(
    fileId,
    '/data',
    [BigInt(r1 - r0), ...rest.map((x) => BigInt(x))],
    [BigInt(r0), ...rest.map(() => 0n)],
    fullShape.map(() => 1n),
    BigInt(ptr),
  );
  if (status < 0) throw new CoreError('HDF5_READ', `reading rows ${r0}…${r1} failed (status ${status})`);
}

function readRows(
  module: H5Env['module'],
  fileId: bigint,
  meta: DatasetMetadata,
  fullShape: number[],
  dtype: StoredDType,
  opts: ReadOptions,
): TypedArray {
  const [r0, r1] = opts.rows ?? [0, fullShape[0]!];
  if (!(Number.isInteger(r0) && Number.isInteger(r1) && 0 <= r0 && r0 <= r1 && r1 <= fullShape[0]!)) {
    throw new CoreError('BAD_PARAMS', `Row range [${r0}, ${r1}) is outside 0…${fullShape[0]}`);
  }
  const rest = fullShape.slice(1);
  const rowElems = sizeOf(rest);
  const rowBytes = rowElems * meta.size;
  const data = allocate(dtype, (r1 - r0) * rowElems);
  const target = new Uint8Array(data.buffer);

  const chunkRows = meta.chunks ? meta.chunks[0]! : 1;
  const slabBytes = Math.max(1, opts.slabBytes ?? DEFAULT_READ_SLAB_BYTES);
  const rowsPerSlab = chunkRows * Math.max(1, Math.floor(slabBytes / Math.max(1, rowBytes * chunkRows)));
  const bufferRows = Math.min(rowsPerSlab, r1 - r0);
  const ptr = bufferRows * rowBytes > 0 ? module._malloc(bufferRows * rowBytes) : 0;
  if (bufferRows * rowBytes > 0 && ptr === 0)
    throw new CoreError('OUT_OF_MEMORY', 'The wasm heap has no room for a read slab');
  try {
    // Slab boundaries sit on chunk-row boundaries so each chunk is decoded once.
    let a = r0;
    while (a < r1) {
      const b = Math.min(r1, (Math.floor(a / chunkRows) + rowsPerSlab / chunkRows) * chunkRows);
      readRowsInto(module, fileId, fullShape, a, b, ptr);
      const n = (b - a) * rowBytes;
      target.set(module.HEAPU8.subarray(ptr, ptr + n), (a - r0) * rowBytes);
      a = b;
    }
  } finally {
    if (ptr) module._free(ptr);
  }
  return data;
}

/** Reads `/data` (or a row range of it) and every attribute of `/data` and of the root group. */
export function readHdf5File(path: string, opts: ReadOptions = {}): ReadBack {
  const reader = openHdf5Reader(path);
  try {
    return reader.read(opts);
  } finally {
    reader.close();
  }
}
