// Hard constraint: the wasm heap is capped at 2 GiB and never shrinks, so big arrays are written in
// slabs along axis 0 through a small reusable heap buffer (docs/ARCHITECTURE.md, h5wasm facts), never copied whole.
//
// One dataset `/data` (+ attributes, docs/FILE-FORMAT.md) per file. Slabs use h5wasm's low-level calls:
// `create_dataset` (with an explicit heap pointer), `resize_dataset`, `set_dataset_data` (hyperslab).
// - chunked: created with 0 rows and a fixed maxshape (= the final shape, so h5py sees the same
//   maxshape as a one-shot write), resized to the full shape, then written in slabs whose row count
//   is a multiple of the chunk rows (every chunk is compressed exactly once).
// - contiguous: cannot be resized, and h5wasm's create always writes the whole dataset from a heap
//   pointer. Small ones are written one shot; big ones are created from an *uninitialised* heap
//   block of the full size (address space only: malloc does not touch the pages) and then every
//   byte is overwritten slab by slab. So the heap must have room for the whole contiguous dataset.
// - shuffle + deflate: complete chunks are byte-shuffled on their way into the heap slab, and the
//   metadata is patched after close (shuffle.ts), as float16's datatype is (float16-patch.ts).
// Filters can fail silently mid-write (the chunk stays empty, docs/ARCHITECTURE.md, h5wasm facts): callers always verify.

import { dtype_to_metadata } from 'h5wasm';
import { DTYPE_BYTES, ROW_SLAB_BYTES, sizeOf, slabRowsFor } from '../core/ndarray';
import { isTypeDependentFilter } from '../core/filters';
import { CoreError, errorCodeOf, wrapError } from '../core/errors';
import type { TypedArray } from '../core/ndarray';
import type { H5Env, H5Module } from './h5wasm-init';
import { requireH5 } from './h5wasm-init';
import { fileLength, openFsFile, removeFile, reserveFileCapacity } from './files';
import { FLOAT16_PLACEHOLDER_DTYPE, patchFloat16Datatype } from './float16-patch';
import { MAX_ABS_ERROR_ATTR, MAX_ABS_ERROR_PLACEHOLDER } from './max-abs-error';
import { FILTER_DEFLATE, patchShuffleDeflate, shuffleChunkRows } from './shuffle';
import type { AttrValue, DatasetPlan, StoredDType } from './types';

export interface WriteOptions {
  /** Called with the written fraction (0…1) after each slab. */
  onProgress?(fraction: number): void;
  /** Upper bound for one slab's bytes in the wasm heap (default 8 MiB; a chunk row block may exceed it). */
  slabBytes?: number;
}

/** h5wasm dtype strings; float16 goes through a 2-byte placeholder patched after close. */
const H5_DTYPE: Record<Exclude<StoredDType, 'f2'>, string> = {
  f4: '<f',
  f8: '<d',
  i1: '<b',
  u1: '<B',
  i2: '<h',
  u2: '<H',
  i4: '<i',
  u4: '<I',
  i8: '<q',
  u8: '<Q',
};

const ARRAY_TYPE: Record<StoredDType, string> = {
  f2: 'Uint16Array',
  f4: 'Float32Array',
  f8: 'Float64Array',
  i1: 'Int8Array',
  u1: 'Uint8Array',
  i2: 'Int16Array',
  u2: 'Uint16Array',
  i4: 'Int32Array',
  u4: 'Uint32Array',
  i8: 'BigInt64Array',
  u8: 'BigUint64Array',
};

type WriteMetadata = Parameters<H5Module['create_dataset']>[3];

function validatePlan(plan: DatasetPlan): void {
  const { data, dtype, shape, chunks, filter, rowSource } = plan;
  if (shape.length < 1) throw new CoreError('BAD_PARAMS', 'HDF5 plan: shape must have at least one axis');
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 1)) {
    throw new CoreError(
      'BAD_PARAMS',
      `HDF5 plan: every axis must be a positive integer, got [${shape.join(', ')}]`,
    );
  }
  if (!rowSource && data.length !== sizeOf(shape)) {
    throw new CoreError(
      'BAD_PARAMS',
      `HDF5 plan: data has ${data.length} values, shape [${shape.join(', ')}] needs ${sizeOf(shape)}`,
    );
  }
  // The built-in tag, not the constructor: a Node Buffer is a fine Uint8Array.
  const expected = ARRAY_TYPE[dtype];
  const actual = data[Symbol.toStringTag];
  if (actual !== expected)
    throw new CoreError('BAD_PARAMS', `HDF5 plan: dtype ${dtype} needs a ${expected}, got ${actual}`);
  if (chunks) {
    if (chunks.length !== shape.length)
      throw new CoreError('BAD_PARAMS', 'HDF5 plan: chunks must have one entry per axis');
    chunks.forEach((c, i) => {
      if (!Number.isSafeInteger(c) || c < 1 || c > shape[i]!) {
        throw new CoreError(
          'BAD_PARAMS',
          `HDF5 plan: chunk [${chunks.join(', ')}] does not fit shape [${shape.join(', ')}]`,
        );
      }
    });
  }
  if (filter) {
    if (!chunks) throw new CoreError('BAD_PARAMS', 'HDF5 plan: a filter needs a chunked layout');
    if (!Number.isInteger(filter.id) || filter.id < 1 || filter.id > 65535) {
      throw new CoreError('BAD_PARAMS', `HDF5 plan: bad filter id ${filter.id}`);
    }
    // Type-dependent filters (the registry's nbit, scaleoffset, zfp) can't run on the float16 placeholder.
    if (dtype === 'f2' && isTypeDependentFilter(filter.id)) {
      throw new CoreError(
        'BAD_PARAMS',
        `HDF5 plan: filter ${filter.id} depends on the datatype and cannot be used with float16`,
      );
    }
  }
  if (plan.shuffle) {
    if (filter?.id !== FILTER_DEFLATE) {
      throw new CoreError(
        'BAD_PARAMS',
        'HDF5 plan: shuffle is only supported together with the deflate filter (id 1)',
      );
    }
    const level = filter.opts[0];
    if (filter.opts.length !== 1 || !Number.isInteger(level) || level! < 0 || level! > 9) {
      throw new CoreError(
        'BAD_PARAMS',
        `HDF5 plan: deflate with shuffle needs one level 0…9, got [${filter.opts.join(', ')}]`,
      );
    }
    // Each complete chunk must be one contiguous byte range of the C-order data to be pre-shuffled.
    if (!chunks!.every((c, i) => i === 0 || c === shape[i])) {
      throw new CoreError(
        'BAD_PARAMS',
        `HDF5 plan: shuffle needs chunks spanning every axis but the first, got [${chunks!.join(', ')}] ` +
          `for shape [${shape.join(', ')}]`,
      );
    }
  }
}

function bytesOf(data: TypedArray): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function malloc(module: H5Module, nbytes: number): number {
  const ptr = nbytes > module.MAXIMUM_MEMORY ? 0 : module._malloc(Math.max(1, nbytes));
  if (ptr === 0) throw new CoreError('OUT_OF_MEMORY', `The wasm heap has no room for ${nbytes} bytes`);
  return ptr;
}

/**
 * Writes `plan` as `/data` (+ attributes) to a new HDF5 file at `path` in the in-memory FS and
 * returns the file's byte length. Throws (and removes the partial file) on any failure.
 */
export function writeHdf5File(path: string, plan: DatasetPlan, opts: WriteOptions = {}): number {
  validatePlan(plan);
  const env = requireH5();
  let file: InstanceType<H5Env['h5']['File']> | undefined;
  try {
    file = new env.h5.File(path, 'w');
    // Room for the data uncompressed plus metadata: no regrowth copies while HDF5 writes it.
    reserveFileCapacity(path, sizeOf(plan.shape) * DTYPE_BYTES[plan.dtype] + (1 << 20));
    try {
      writeDataset(env, file.file_id, plan, opts);
    } finally {
      plan.rowSource?.done?.(); // every path, the one-shot write of a small dataset included
    }
    writeAttributes(env, file.file_id, plan);
    // Small index datasets beside /data (contiguous, unfiltered: a few kB).
    for (const x of plan.extraDatasets ?? [])
      file.create_dataset({ name: x.name, data: x.data, shape: [...x.shape], dtype: '<i' });
    file.close();
    file = undefined;
    if (plan.dtype === 'f2' || plan.shuffle) {
      const access = openFsFile(env.fs, path, true);
      try {
        if (plan.dtype === 'f2') patchFloat16Datatype(access);
        if (plan.shuffle) patchShuffleDeflate(access);
      } finally {
        access.close();
      }
    }
    return fileLength(path);
  } catch (cause) {
    try {
      file?.close();
    } catch {
      // the original error matters more than a failed close
    }
    removeFile(path);
    const reason = cause instanceof Error ? cause.message : String(cause);
    const message = `Writing HDF5 file ${path} failed: ${reason}`;
    // h5wasm reports a refused chunk as a plain message; the code makes it recognisable anywhere.
    throw isFilterFailure(cause)
      ? new CoreError('FILTER_REFUSED', message, { cause })
      : wrapError('HDF5_WRITE', message, cause);
  }
}

/**
 * True when a write failed because a filter refused a chunk (HDF5: "filter returned failure"), e.g.
 * blosc on a chunk that doesn't shrink. h5wasm sets every filter as mandatory, so HDF5 can't store
 * that chunk unfiltered the way h5py's optional plugin filters would.
 */
export function isFilterFailure(e: unknown): boolean {
  for (let x: unknown = e, depth = 0; x instanceof Error && depth < 16; x = x.cause, depth++) {
    if (errorCodeOf(x) === 'FILTER_REFUSED' || x.message.includes('filter returned failure')) return true;
  }
  return false;
}

function writeDataset(env: H5Env, fileId: bigint, plan: DatasetPlan, opts: WriteOptions): void {
  const { module } = env;
  const { shape, chunks, filter } = plan;
  const metadata = dtype_to_metadata(plan.dtype === 'f2' ? FLOAT16_PLACEHOLDER_DTYPE : H5_DTYPE[plan.dtype]);
  const rows = shape[0]!;
  const rowBytes = sizeOf(shape.slice(1)) * metadata.size;
  const totalBytes = rows * rowBytes;
  const slabBytes = Math.max(1, opts.slabBytes ?? ROW_SLAB_BYTES);
  const rowAlign = chunks ? chunks[0]! : 1;
  const rowsPerSlab = Math.min(rows, slabRowsFor(rowBytes, plan.rowSource, rowAlign, slabBytes));
  const whole = plan.rowSource ? null : bytesOf(plan.data);
  const rowsOf = (r0: number, r1: number): Uint8Array => {
    if (whole) return whole.subarray(r0 * rowBytes, r1 * rowBytes);
    const slab = bytesOf(plan.rowSource!.rows(r0, r1));
    if (slab.byteLength !== (r1 - r0) * rowBytes)
      throw new CoreError(
        'BAD_PARAMS',
        `row source gave ${slab.byteLength} bytes for rows ${r0}…${r1}, expected ${(r1 - r0) * rowBytes}`,
      );
    return slab;
  };
  const big = (xs: readonly number[]): bigint[] => xs.map((x) => BigInt(x));

  const meta = (createShape: readonly number[]) => {
    const m = {
      ...metadata,
      shape: big(createShape),
      maxshape: big(shape),
      chunks: chunks ? big(chunks) : null,
      // A numeric id with undefined opts would mean gzip in h5wasm's high-level API; here the
      // id and the cd_values always travel together ([] for filters without options).
      compression: filter ? filter.id : 0,
      compression_opts: filter ? [...filter.opts] : [],
      track_order: false,
    };
    return m satisfies WriteMetadata;
  };

  const oneShot = !chunks && totalBytes <= slabBytes;
  if (oneShot) {
    const ptr = malloc(module, totalBytes);
    try {
      module.HEAPU8.set(rowsOf(0, rows), ptr);
      module.create_dataset(fileId, '/data', BigInt(ptr), meta(shape));
    } finally {
      module._free(ptr);
    }
    opts.onProgress?.(1);
    return;
  }

  if (!chunks) {
    // Contiguous: h5wasm creates it by writing all of it from the heap. The block is only read, never
    // written, so its pages stay unbacked (the kernel's zero page): copying the rows into it would
    // make the worker's heap resident at the dataset's size for good (a wasm heap never shrinks).
    // The slabs below then overwrite every byte.
    let ptr: number;
    try {
      ptr = malloc(module, totalBytes);
    } catch (cause) {
      throw new CoreError(
        'OUT_OF_MEMORY',
        `a contiguous dataset of ${totalBytes} bytes must fit the wasm heap once (h5wasm writes it whole ` +
          'on creation); use a chunked layout for arrays this big',
        { cause },
      );
    }
    try {
      module.create_dataset(fileId, '/data', BigInt(ptr), meta(shape));
    } finally {
      module._free(ptr);
    }
  } else {
    // Chunked: an empty dataset with the final (fixed) maxshape, then grow it to the full shape.
    const ptr = malloc(module, 1);
    try {
      module.create_dataset(fileId, '/data', BigInt(ptr), meta([0, ...shape.slice(1)]));
    } finally {
      module._free(ptr);
    }
    const status = module.resize_dataset(fileId, '/data', big(shape));
    if (status < 0)
      throw new CoreError('HDF5_WRITE', `resize to [${shape.join(', ')}] failed (status ${status})`);
  }

  const slabPtr = malloc(module, rowsPerSlab * rowBytes);
  try {
    const rest = shape.slice(1);
    const strides = shape.map(() => 1n);
    for (let r0 = 0; r0 < rows; r0 += rowsPerSlab) {
      const r1 = Math.min(rows, r0 + rowsPerSlab);
      // HEAPU8 is re-read every time: the heap may have grown (and its buffer been replaced).
      if (plan.shuffle) {
        const slab = rowsOf(r0, r1);
        const target = module.HEAPU8.subarray(slabPtr, slabPtr + slab.length);
        shuffleChunkRows(slab, target, r0, rows, rowAlign, rowBytes, metadata.size);
      } else {
        module.HEAPU8.set(rowsOf(r0, r1), slabPtr);
      }
      const status = module.set_dataset_data(
        fileId,
        '/data',
        big([r1 - r0, ...rest]),
        big([r0, ...rest.map(() => 0)]),
        strides,
        BigInt(slabPtr),
      );
      if (status < 0) throw new CoreError('HDF5_WRITE', `writing rows ${r0}…${r1} failed (status ${status})`);
      opts.onProgress?.(r1 / rows);
    }
  } finally {
    module._free(slabPtr);
  }
}

function writeAttributes(env: H5Env, fileId: bigint, plan: DatasetPlan): void {
  const dataset = new env.h5.Dataset(fileId, '/data');
  for (const [name, value] of Object.entries(plan.attrs)) {
    if (name !== MAX_ABS_ERROR_ATTR) writeAttribute(dataset, name, value);
  }
  const maxAbsError = plan.attrs[MAX_ABS_ERROR_ATTR];
  if (!maxAbsError || (maxAbsError.type === 'float64' && Number.isNaN(maxAbsError.value))) {
    // Not measured yet (absent or NaN): a tagged NaN that setMaxAbsError replaces in place.
    const placeholder = new Float64Array(MAX_ABS_ERROR_PLACEHOLDER.buffer.slice(0));
    dataset.create_attribute(MAX_ABS_ERROR_ATTR, placeholder, [], '<d');
  } else {
    writeAttribute(dataset, MAX_ABS_ERROR_ATTR, maxAbsError);
  }
  const root = new env.h5.Group(fileId, '/');
  for (const [name, value] of Object.entries(plan.rootAttrs)) writeAttribute(root, name, value);
}

type HasAttrs = InstanceType<H5Env['h5']['Group']> | InstanceType<H5Env['h5']['Dataset']>;

function toInt64(name: string, v: number): bigint {
  if (!Number.isSafeInteger(v))
    throw new CoreError('BAD_PARAMS', `attribute ${name}: ${v} is not a safe integer`);
  return BigInt(v);
}

function writeAttribute(target: HasAttrs, name: string, attr: AttrValue): void {
  switch (attr.type) {
    case 'string':
      // A JS string becomes a scalar variable-length UTF-8 string: h5py reads it as `str`.
      target.create_attribute(name, attr.value);
      return;
    case 'float64':
      target.create_attribute(name, Float64Array.of(attr.value), [], '<d');
      return;
    case 'int64':
      target.create_attribute(name, BigInt64Array.of(toInt64(name, attr.value)), [], '<q');
      return;
    case 'int64[]':
      target.create_attribute(
        name,
        BigInt64Array.from(attr.value, (v) => toInt64(name, v)),
        [attr.value.length],
        '<q',
      );
      return;
  }
}
