// Frees a buffer's memory now instead of at the worker's next garbage collection.
//
// A job allocates fresh buffers per slab (laid-out rows, encoded rows, rows read back, decoded rows)
// and a file per job in the in-memory FS, up to the input's size. Dropping the last reference leaves
// the memory resident until V8 next collects, which in an idle or wasm-busy worker can be many jobs
// later: after a sweep of the 159 MB example, a forced GC freed ~180 MiB in the renderer (dead slabs,
// and a dead 130 MiB file while the sweep ran).
// `ArrayBuffer.prototype.transfer(0)` detaches the buffer and frees its memory at once (measured in
// Chromium: a 300 MB buffer's pages leave the renderer immediately, while a dropped one stays until GC).
//
// It does not help for a buffer that arrived by postMessage transfer: the message keeps its memory
// until the receiver's next GC (measured), which is why result files stay in the worker that made
// them (core/kept-files.ts).
//
// Only the owner of a buffer may release it: every view of it becomes empty. Callers pass the buffers
// they must keep (the input, cached layouts, the file being returned) and everything else they made.
// Node before 22 has no `transfer`; there releasing does nothing, unless tests turn on poisoning,
// which fills released buffers with 0xFF bytes (NaN as floats) so a use after release shows up as a
// wrong result instead of passing unnoticed.

/** Buffers smaller than this are left to the garbage collector (not worth a call each). */
const MIN_RELEASE_BYTES = 256 << 10;

let poison = false;

/** Tests: fill released buffers with 0xFF so any later read of them gives NaN / wrong values. */
export function poisonReleasedBuffers(on: boolean): void {
  poison = on;
}

type Releasable = ArrayBufferView | ArrayBufferLike | null | undefined;

const detach = (ArrayBuffer.prototype as { transfer?: (this: ArrayBuffer, n: number) => ArrayBuffer })
  .transfer;

/** The ArrayBuffers (not SharedArrayBuffers) behind these arrays, for a `keep` set. */
export function buffersOf(...items: Releasable[]): Set<ArrayBufferLike> {
  const out = new Set<ArrayBufferLike>();
  for (const x of items) if (x) out.add(ArrayBuffer.isView(x) ? x.buffer : x);
  return out;
}

/**
 * Releases the ArrayBuffers behind `items` except those in `keep`. Shared buffers and a wasm heap
 * can't be detached and are skipped; each buffer is released once.
 */
export function releaseBuffers(items: Iterable<Releasable>, keep: ReadonlySet<ArrayBufferLike>): void {
  const done = new Set<ArrayBufferLike>();
  for (const x of items) {
    if (!x) continue;
    const buf = ArrayBuffer.isView(x) ? x.buffer : x;
    if (!(buf instanceof ArrayBuffer) || keep.has(buf) || done.has(buf) || buf.byteLength === 0) continue;
    done.add(buf);
    if (poison) new Uint8Array(buf).fill(0xff);
    else if (buf.byteLength < MIN_RELEASE_BYTES) continue;
    if (detach) {
      try {
        detach.call(buf, 0);
      } catch {
        // not detachable (a wasm memory's buffer, or one already handed on): the GC frees it
      }
    }
  }
}
