// Where a job's input rows come from: rows [r0, r1) along axis 0, C order. The sweep reads views of
// the array every worker shares; the full-file run reads slabs of the user's .npy file from disk.
import type { DTypeCode, NdArray } from '../core/ndarray';
import { DTYPE_BYTES, sizeOf } from '../core/ndarray';
import type { NpyHeader } from '../core/npy';
import { decodeNpyData } from '../core/npy';

export interface RowReader {
  shape: readonly number[];
  dtype: DTypeCode;
  /**
   * True when the whole array is in memory, so `read(0, rows)` costs nothing (a view). Only such
   * readers can run the layouts and containers that need every row at once.
   */
  inMemory: boolean;
  /**
   * True when each `read` returns new buffers the caller owns and may free (detach) once used. False
   * for views of memory someone else holds, and for buffers the browser made (FileReaderSync): a
   * detached one is not freed, and no longer counts toward the next GC either (measured: the full
   * run of a 2.5 GB file then held every slab it read, +5.4 GB).
   */
  freshRows: boolean;
  read(r0: number, r1: number): NdArray;
}

/** Rows of an array already in memory (views, no copies). */
export function memoryRowReader(array: NdArray): RowReader {
  const rowElems = sizeOf(array.shape.slice(1));
  return {
    shape: array.shape,
    dtype: array.dtype,
    inMemory: true,
    freshRows: false,
    read: (r0, r1) =>
      array.shape.length === 0
        ? array
        : {
            dtype: array.dtype,
            shape: [r1 - r0, ...array.shape.slice(1)],
            data: array.data.subarray(r0 * rowElems, r1 * rowElems),
          },
  };
}

/** Reads rows of a C-order `.npy` Blob synchronously (FileReaderSync: workers only). */
export function npyBlobRowReader(blob: Blob, header: NpyHeader): RowReader {
  const rowShape = header.shape.slice(1);
  const rowBytes = sizeOf(rowShape) * DTYPE_BYTES[header.dtype];
  const reader = new FileReaderSync();
  return {
    shape: header.shape,
    dtype: header.dtype,
    inMemory: false,
    freshRows: false,
    read(r0, r1) {
      const start = header.dataOffset + r0 * rowBytes;
      const bytes = new Uint8Array(reader.readAsArrayBuffer(blob.slice(start, start + (r1 - r0) * rowBytes)));
      return decodeNpyData({ ...header, shape: [r1 - r0, ...rowShape], dataBytes: bytes.byteLength }, bytes);
    },
  };
}
