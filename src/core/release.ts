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
// Recycling: a slab buffer made by `recycledArray` is not freed but kept (up to RECYCLE_CAP_BYTES) for
// the next slab of the same size. A job's slabs repeat their sizes, and a fresh buffer costs twice:
// the kernel maps zero pages in on first touch and takes them back on release (in a Chromium sweep
// profile, releasing alone took 1.1 s of the workers' time). Its memory moves to a new ArrayBuffer
// object, so the released one is detached as before: a stale view is empty, a second release does
// nothing. Recycled arrays hold old values: only code that overwrites every element asks for one.
// `freeRecycled()` frees what is kept: every pipeline that releases recycled arrays calls it when it
// ends (a job, the entropy floor), so nothing stays resident between calls.
//
// Only the owner of a buffer may release it: every view of it becomes empty. Callers pass the buffers
// they must keep (the input, cached layouts, the file being returned) and everything else they made.
// Node before 22 has no `transfer`; there releasing does nothing, unless tests turn on poisoning,
// which fills released buffers with 0xFF bytes (NaN as floats) so a use after release shows up as a
// wrong result instead of passing unnoticed.

/** Buffers smaller than this are left to the garbage collector (not worth a call each). */
const MIN_RELEASE_BYTES = 256 << 10;

/** Buffers up to this size are recycled (a slab is ~8 MiB). */
const RECYCLE_MAX_BYTES = 32 << 20;
/** At most this many bytes wait for reuse (a job's slabs in flight: rows, codes, read back, decoded). */
const RECYCLE_CAP_BYTES = 64 << 20;

let poison = false;

/** Buffers made by recycledArray (only those are recycled: their owner asked for reusable memory). */
const recyclable = new WeakSet<ArrayBuffer>();
/** Released recyclable buffers, oldest first, and their total size. */
let spare: ArrayBuffer[] = [];
let spareBytes = 0;

/** Tests: fill released buffers with 0xFF so any later read of them gives NaN / wrong values. */
export function poisonReleasedBuffers(on: boolean): void {
  poison = on;
}

type Releasable = ArrayBufferView | ArrayBufferLike | null | undefined;

let protectedBuffer: (buf: ArrayBufferLike) => boolean = () => false;

/**
 * Marks buffers that are never released, whoever passes a view of them: the wasm heap, whose views
 * the HDF5 reader hands out (its memory cannot be detached, and poisoning it would corrupt the module).
 */
export function protectBuffers(isProtected: (buf: ArrayBufferLike) => boolean): void {
  const before = protectedBuffer;
  protectedBuffer = (buf) => before(buf) || isProtected(buf);
}

const detach = (ArrayBuffer.prototype as { transfer?: (this: ArrayBuffer, n?: number) => ArrayBuffer })
  .transfer;

/** The buffer's memory in a new ArrayBuffer object, the old one detached (no copy). */
function move(buf: ArrayBuffer): ArrayBuffer {
  return detach ? detach.call(buf) : structuredClone(buf, { transfer: [buf] });
}

function free(buf: ArrayBuffer): void {
  if (!detach) return;
  try {
    detach.call(buf, 0);
  } catch {
    // not detachable (a wasm memory's buffer, or one already handed on): the GC frees it
  }
}

export interface ArrayType<T> {
  new (length: number): T;
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
}

/**
 * A buffer of `bytes`: a recycled one of the same size when one is waiting (its contents are whatever
 * was there: the caller must write every byte), else a new one that releaseBuffers will recycle
 * (outside the recycled sizes, a plain new buffer).
 */
export function recycledBuffer(bytes: number): ArrayBuffer {
  if (bytes < MIN_RELEASE_BYTES || bytes > RECYCLE_MAX_BYTES) return new ArrayBuffer(bytes);
  let i = spare.length - 1;
  while (i >= 0 && spare[i]!.byteLength !== bytes) i--;
  const buf = i >= 0 ? spare.splice(i, 1)[0]! : new ArrayBuffer(bytes);
  if (i >= 0) spareBytes -= bytes;
  recyclable.add(buf);
  return buf;
}

/** A typed array of `length` elements on `recycledBuffer` memory (every element to be written). */
export function recycledArray<T>(type: ArrayType<T>, length: number): T {
  return new type(recycledBuffer(length * type.BYTES_PER_ELEMENT), 0, length);
}

/** Frees every buffer waiting for reuse (a job calls this when it ends). */
export function freeRecycled(): void {
  for (const buf of spare) free(buf);
  spare = [];
  spareBytes = 0;
}

/** Bytes waiting for reuse (tests). */
export function recycledBytes(): number {
  return spareBytes;
}

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
    if (protectedBuffer(buf)) continue;
    done.add(buf);
    if (recyclable.has(buf)) {
      const moved = move(buf);
      if (poison) new Uint8Array(moved).fill(0xff);
      spare.push(moved);
      spareBytes += moved.byteLength;
      while (spareBytes > RECYCLE_CAP_BYTES) {
        const oldest = spare.shift()!;
        spareBytes -= oldest.byteLength;
        free(oldest);
      }
      continue;
    }
    if (poison) new Uint8Array(buf).fill(0xff);
    else if (buf.byteLength < MIN_RELEASE_BYTES) continue;
    free(buf);
  }
}
