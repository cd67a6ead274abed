// How MEMFS stores a file's bytes, adjusted for files the size of a user's array.
//
// MEMFS keeps a file as one typed array with room to spare (`contents`, of which `usedBytes` are the
// file). Two of its habits cost memory here:
// - resizing (HDF5 truncates every file to its end-of-allocation when it closes it) copies the file
//   into a new array of the exact size, even when the old one has room: the 39 MiB reservation of a
//   17 MB file became garbage beside a 17 MiB copy, on every job;
// - growing copies the file into a bigger array and drops the old one.
// A dropped array stays resident until the worker's next garbage collection, which an idle or
// wasm-busy worker may not run for a long time. Here a resize within the room only moves
// `usedBytes` (zeroing bytes it brings back into the file), and an array MEMFS replaces is freed
// at once (core/release.ts). Measured in Node by tracking every big allocation across a sweep.
import { releaseBuffers } from '../core/release';

interface MemfsNode {
  contents: unknown;
  usedBytes: number;
}

interface Memfs {
  resizeFileStorage(node: MemfsNode, newSize: number): void;
  expandFileStorage(node: MemfsNode, newCapacity: number): void;
  __h5squeezeStorage?: true;
}

/** Applies the two changes to the module's MEMFS (once; a no-op if MEMFS isn't there). */
export function adjustMemfsStorage(fs: unknown, heap: () => Uint8Array): void {
  const memfs = (fs as { filesystems?: { MEMFS?: Memfs } }).filesystems?.MEMFS;
  if (!memfs || memfs.__h5squeezeStorage) return;
  memfs.__h5squeezeStorage = true;
  const resize = memfs.resizeFileStorage.bind(memfs);
  const expand = memfs.expandFileStorage.bind(memfs);
  // A file held in the wasm heap itself (MEMFS may own a slice of it) is never freed here.
  const free = (old: unknown, node: MemfsNode) => {
    if (ArrayBuffer.isView(old) && old !== node.contents && old.buffer !== heap().buffer)
      releaseBuffers([old], new Set());
  };
  memfs.resizeFileStorage = (node, newSize) => {
    const old = node.contents;
    if (newSize > 0 && old instanceof Uint8Array && old.buffer !== heap().buffer && newSize <= old.length) {
      if (newSize > node.usedBytes) old.fill(0, node.usedBytes, newSize);
      node.usedBytes = newSize;
      return;
    }
    resize(node, newSize);
    free(old, node);
  };
  memfs.expandFileStorage = (node, newCapacity) => {
    const old = node.contents;
    expand(node, newCapacity);
    free(old, node);
  };
}
