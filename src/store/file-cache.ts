// Non-reactive caches (docs/ARCHITECTURE.md: no typed arrays or file bytes in the store).
// Result summaries are all kept (moving a slider back is instant); file bytes only up to a budget,
// since a sweep writes ~1.5 GB of files for a 159 MB input. A file that is not kept is written again
// by a worker when the user downloads it (the bytes are deterministic).
import type { StrategyResult } from '../workers/job';
import { releaseBuffers } from '../core/release';

// Transferred bytes are kept as they arrived: wrapping them in a Blob copies synchronously on the
// main thread (hundreds of ms for big files), so a Blob is made only when the user downloads.
const files = new Map<string, Uint8Array>();
let keptBytes = 0;

/** The main thread holds at most this many bytes of result files (the rest are rebuilt on download). */
export const KEPT_FILES_BUDGET_BYTES = 64 * 2 ** 20;
const results = new Map<string, StrategyResult>();

/** Chromium refuses one Blob part over 2 GiB; parts of ≤ 512 MiB are safe (docs/ARCHITECTURE.md, h5wasm facts). */
const BLOB_PART_BYTES = 512 << 20;

export function blobOf(bytes: Uint8Array, type = 'application/octet-stream'): Blob {
  const parts: BlobPart[] = [];
  for (let off = 0; off < bytes.byteLength; off += BLOB_PART_BYTES)
    parts.push(
      bytes.subarray(off, Math.min(bytes.byteLength, off + BLOB_PART_BYTES)) as Uint8Array<ArrayBuffer>,
    );
  return new Blob(parts, { type });
}

/** Frees dropped bytes at once (the cache owns them; downloads got Blob copies), not at the next GC. */
const drop = (bytes: Uint8Array) => releaseBuffers([bytes], new Set());

/**
 * Keeps the summary, and the file when it came back (big files are rebuilt on download). Over the
 * budget the smallest files win: bigger kept files are dropped to make room for a smaller one, since
 * the file a user downloads is usually the smallest within their tolerance. The cache owns `bytes`
 * from here on: bytes it does not keep are freed.
 */
export function cacheResult(specKey: string, result: StrategyResult, bytes: Uint8Array | null): void {
  results.set(specKey, result);
  if (!bytes) return;
  // Not kept when even evicting every bigger file leaves no room (then nothing is evicted either).
  if (files.has(specKey) || bytes.byteLength > largestAcceptedFileBytes()) return drop(bytes);
  while (keptBytes + bytes.byteLength > KEPT_FILES_BUDGET_BYTES) {
    let largest: string | null = null;
    for (const [key, b] of files)
      if (b.byteLength > bytes.byteLength && (!largest || b.byteLength > files.get(largest)!.byteLength))
        largest = key;
    if (!largest) return drop(bytes);
    const evicted = files.get(largest)!;
    keptBytes -= evicted.byteLength;
    files.delete(largest);
    drop(evicted);
  }
  files.set(specKey, bytes);
  keptBytes += bytes.byteLength;
}

/**
 * The biggest file the cache would keep if it arrived now (evicting bigger ones as cacheResult does),
 * 0 when none. Workers are told it, so they don't send files the page would drop at once: a file
 * transferred from a worker stays resident until the page's next garbage collection even when its
 * buffer is released (measured in Chromium), so one that is not kept should not be sent.
 */
export function largestAcceptedFileBytes(): number {
  const sizes = [...files.values()].map((b) => b.byteLength).sort((a, b) => a - b);
  // With the j smallest files kept (all bigger ones evicted), x fits when prefix_j + x ≤ budget
  // and x < the (j+1)-th size (x ≥ the j-th: otherwise fewer files stay).
  let best = 0;
  let prefix = 0;
  for (let j = 0; j <= sizes.length; j++) {
    if (j > 0) prefix += sizes[j - 1]!;
    const lo = j > 0 ? sizes[j - 1]! : 0;
    const hi = j < sizes.length ? sizes[j]! - 1 : Infinity;
    const x = Math.min(hi, KEPT_FILES_BUDGET_BYTES - prefix);
    if (x >= lo) best = Math.max(best, x);
  }
  return best;
}

/** Bytes of result files held now (never above KEPT_FILES_BUDGET_BYTES). */
export function keptFileBytes(): number {
  return keptBytes;
}

export function cachedResult(specKey: string): StrategyResult | undefined {
  return results.get(specKey);
}

export function hasCachedFile(specKey: string): boolean {
  return files.has(specKey);
}

export function cachedFile(specKey: string): Blob | undefined {
  const bytes = files.get(specKey);
  return bytes ? blobOf(bytes) : undefined;
}

export function clearCaches(): void {
  for (const bytes of files.values()) drop(bytes);
  files.clear();
  keptBytes = 0;
  results.clear();
}
