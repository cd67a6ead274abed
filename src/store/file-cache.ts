// Non-reactive caches (STYLE.md convention 8: no typed arrays or file bytes in the store).
// Files become Blobs at once, so the browser may page them out of the JS heap.
import type { StrategyResult } from '../workers/job';

// Transferred bytes are kept as they arrived: wrapping them in a Blob copies synchronously on the
// main thread (hundreds of ms for big files), so a Blob is made only when the user downloads.
const files = new Map<string, Uint8Array>();
const results = new Map<string, StrategyResult>();

/** Chromium refuses one Blob part over 2 GiB; parts of ≤ 512 MiB are safe (DESIGN.md §5). */
const BLOB_PART_BYTES = 512 << 20;

export function blobOf(bytes: Uint8Array, type = 'application/octet-stream'): Blob {
  const parts: BlobPart[] = [];
  for (let off = 0; off < bytes.byteLength; off += BLOB_PART_BYTES)
    parts.push(
      bytes.subarray(off, Math.min(bytes.byteLength, off + BLOB_PART_BYTES)) as Uint8Array<ArrayBuffer>,
    );
  return new Blob(parts, { type });
}

/** Keeps the summary, and the file when it came back (big files are rebuilt on download). */
export function cacheResult(specKey: string, result: StrategyResult, bytes: Uint8Array | null): void {
  results.set(specKey, result);
  if (bytes) files.set(specKey, bytes);
}

export function cachedResult(specKey: string): StrategyResult | undefined {
  return results.get(specKey);
}

export function cachedFile(specKey: string): Blob | undefined {
  const bytes = files.get(specKey);
  return bytes ? blobOf(bytes) : undefined;
}

export function clearCaches(): void {
  files.clear();
  results.clear();
}
