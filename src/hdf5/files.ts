// Files in h5wasm's in-memory FS: copy out for download/transfer, delete, and ranged in-place access
// for the metadata patches (so patching a 2 GB file never copies it).

import { CoreError } from '../core/errors';
import { buffersOf, releaseBuffers } from '../core/release';
import type { H5FS } from './h5wasm-init';
import { requireH5 } from './h5wasm-init';
import type { ByteSink } from './object-header';

/** A copy of the file's bytes (FS.readFile copies), ready to be transferred or wrapped in a Blob. */
export function readFileBytes(path: string): Uint8Array {
  const { fs } = requireH5();
  try {
    return fs.readFile(path, { encoding: 'binary' });
  } catch (cause) {
    throw new CoreError('HDF5_READ', `Could not read ${path} from the in-memory file system`, { cause });
  }
}

/**
 * The file's bytes in parts of at most `partBytes` (Chromium refuses one Blob part over 2 GiB, and
 * one huge copy doubles peak memory): each part can be transferred and dropped on its own.
 */
export function readFileParts(path: string, partBytes = 512 * 2 ** 20): Uint8Array[] {
  const { fs } = requireH5();
  const access = openFsFile(fs, path, false);
  try {
    const parts: Uint8Array[] = [];
    for (let off = 0; off < access.size; off += partBytes)
      parts.push(access.read(off, Math.min(partBytes, access.size - off)));
    return parts;
  } finally {
    access.close();
  }
}

/** Reservations stop here: a bigger file grows the usual way. */
const MAX_RESERVE_BYTES = 2 ** 30;

/**
 * Gives a file in the in-memory FS room for `bytes` up front. MEMFS grows a file by 12.5 % at a time,
 * copying it each time: about 8 copies of a 100 MB file while HDF5 writes it. A fresh zero-filled
 * buffer costs no resident memory until written, so reserving the uncompressed size is cheap even
 * when the file ends up much smaller. Best effort: a failed reservation leaves the file as it was.
 * Call it once the file has bytes (HDF5 writes 48 on create): MEMFS replaces an empty file's room by
 * a copy of its first write.
 */
export function reserveFileCapacity(path: string, bytes: number): void {
  const { fs } = requireH5();
  const want = Math.min(Math.ceil(bytes), MAX_RESERVE_BYTES);
  try {
    const node = fs.lookupPath(path, {}).node as unknown as { contents?: unknown; usedBytes?: number };
    const contents = node.contents;
    // MEMFS holds a file as a typed array (an Int8Array after its first write: a slice of the heap).
    const held = contents === null ? null : ArrayBuffer.isView(contents) ? contents : undefined;
    if (held === undefined || typeof node.usedBytes !== 'number') return;
    if ((held?.byteLength ?? 0) >= want) return;
    const grown = new Uint8Array(want);
    if (held && node.usedBytes > 0) grown.set(new Uint8Array(held.buffer, held.byteOffset, node.usedBytes));
    node.contents = grown;
  } catch {
    // no room for the reservation: MEMFS grows the file as it goes
  }
}

/**
 * Deletes the file and frees its bytes at once (its buffer is detached, see core/release.ts): a
 * deleted 150 MB file would otherwise stay resident until the worker's next garbage collection.
 * A missing file is not an error. Only for files nobody holds a view of (copies were taken).
 */
export function removeFile(path: string): void {
  const { fs, module } = requireH5();
  if (!fs.analyzePath(path).exists) return;
  let contents: unknown;
  try {
    contents = (fs.lookupPath(path, {}).node as unknown as { contents?: unknown }).contents;
    fs.unlink(path);
  } catch (cause) {
    throw new CoreError('HDF5_WRITE', `Could not remove ${path}`, { cause });
  }
  // MEMFS may keep a small file as a view of the wasm heap, which must never be detached.
  if (ArrayBuffer.isView(contents)) releaseBuffers([contents], buffersOf(module.HEAPU8));
}

/** Byte length of a file in the in-memory FS. */
export function fileLength(path: string): number {
  const { fs } = requireH5();
  return (fs.stat(path) as { size: number }).size;
}

export interface FsFileAccess extends ByteSink {
  append(bytes: Uint8Array): number;
  close(): void;
}

/**
 * Ranged read (and, when `writable`, in-place write and append) access to a file in the in-memory
 * FS. `size` follows appends.
 */
export function openFsFile(fs: H5FS, path: string, writable: boolean): FsFileAccess {
  let size = (fs.stat(path) as { size: number }).size;
  const stream = fs.open(path, writable ? 'r+' : 'r');
  return {
    get size() {
      return size;
    },
    read(position, length) {
      if (position < 0 || position + length > size) {
        throw new CoreError(
          'HDF5_READ',
          `Read past the end of ${path} (offset ${position}, length ${length}, file ${size})`,
        );
      }
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const n = fs.read(stream, out, done, length - done, position + done);
        if (n <= 0) throw new CoreError('HDF5_READ', `Short read from ${path} at offset ${position + done}`);
        done += n;
      }
      return out;
    },
    write(position, bytes) {
      if (!writable) throw new CoreError('INTERNAL', `${path} was opened read-only`);
      if (position < 0 || position + bytes.length > size) {
        throw new CoreError('HDF5_WRITE', `In-place write would change the length of ${path}`);
      }
      fs.write(stream, bytes, 0, bytes.length, position);
    },
    append(bytes) {
      if (!writable) throw new CoreError('INTERNAL', `${path} was opened read-only`);
      const at = size;
      fs.write(stream, bytes, 0, bytes.length, at);
      size += bytes.length;
      return at;
    },
    close() {
      fs.close(stream);
    },
  };
}
