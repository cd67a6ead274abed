// Non-reactive caches (docs/ARCHITECTURE.md: no typed arrays or file bytes in the store).
// Result summaries are all kept (moving a slider back is instant). Result files are not kept on the
// page: the sweep workers keep the small ones (core/kept-files.ts says why) and hand a copy over
// when the user downloads; the rest are written again then (the bytes are deterministic).
import type { StrategyResult } from '../workers/job';

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

/** Keeps the summary of a finished row, by spec key. */
export function cacheResult(specKey: string, result: StrategyResult): void {
  results.set(specKey, result);
}

export function cachedResult(specKey: string): StrategyResult | undefined {
  return results.get(specKey);
}

export function clearCaches(): void {
  results.clear();
}
