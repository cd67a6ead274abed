// `max_abs_error` (docs/FILE-FORMAT.md) is only known after the file has been read back, and reopening the
// file with HDF5 to rewrite an attribute could move things and change the file length. So the
// writer stores a placeholder float64 (a NaN with a distinctive payload: "not measured yet"), and
// setMaxAbsError replaces exactly those 8 bytes in place, then recomputes the checksum of the
// structure holding them: an object header chunk (compact attributes) or a fractal heap direct
// block (dense attributes, used once an object has more than 8 attributes). Works the same for
// float16 files, which h5wasm could not reopen for writing values anyway.

import { CoreError, wrapError } from '../core/errors';
import { requireH5 } from './h5wasm-init';
import { openFsFile } from './files';
import type { ByteSink } from './object-header';
import {
  attributeHeapDirectBlocks,
  directBlockChecksumOk,
  locateDataset,
  rewriteChecksum,
  rewriteDirectBlockChecksum,
} from './object-header';

export const MAX_ABS_ERROR_ATTR = 'max_abs_error';

/** Little-endian bytes of the placeholder: quiet NaN 0x7FF8_F16E_5A5A_C0DE (h5py reads `nan`). */
export const MAX_ABS_ERROR_PLACEHOLDER: Uint8Array = Uint8Array.of(
  0xde,
  0xc0,
  0x5a,
  0x5a,
  0x6e,
  0xf1,
  0xf8,
  0x7f,
);

function indexesOf(haystack: Uint8Array, needle: Uint8Array): number[] {
  const found: number[] = [];
  const first = needle[0]!;
  for (let i = haystack.indexOf(first); i >= 0 && i <= haystack.length - needle.length;) {
    let match = true;
    for (let j = 1; j < needle.length; j++) {
      if (haystack[i + j] !== needle[j]) {
        match = false;
        break;
      }
    }
    if (match) found.push(i);
    i = haystack.indexOf(first, i + 1);
  }
  return found;
}

/** Replaces the placeholder of `/data`'s max_abs_error in `sink` by `value`; see the file comment. */
export function patchMaxAbsError(sink: ByteSink, value: number): void {
  const { superblock, dataset } = locateDataset(sink);
  const regions: { start: number; length: number; fix(): void }[] = [];
  for (const chunk of dataset.chunks) {
    regions.push({
      start: chunk.start,
      length: chunk.length - 4,
      fix: () => rewriteChecksum(sink, chunk.start, chunk.length),
    });
  }
  for (const block of attributeHeapDirectBlocks(sink, superblock, dataset)) {
    if (!directBlockChecksumOk(sink, block)) {
      throw new CoreError(
        'HDF5_WRITE',
        `Fractal heap direct block at ${block.start} fails its checksum; refusing to patch`,
      );
    }
    regions.push({
      start: block.start,
      length: block.size,
      fix: () => rewriteDirectBlockChecksum(sink, block),
    });
  }

  const hits: { at: number; fix(): void }[] = [];
  for (const r of regions) {
    for (const i of indexesOf(sink.read(r.start, r.length), MAX_ABS_ERROR_PLACEHOLDER)) {
      hits.push({ at: r.start + i, fix: r.fix });
    }
  }
  if (hits.length !== 1) {
    throw new CoreError(
      'HDF5_WRITE',
      hits.length === 0
        ? 'No max_abs_error placeholder in /data (already set, or written with an explicit value)'
        : `The max_abs_error placeholder occurs ${hits.length} times in /data's metadata`,
    );
  }
  const bytes = new Uint8Array(Float64Array.of(value).buffer);
  sink.write(hits[0]!.at, bytes);
  hits[0]!.fix();
}

/**
 * Records the measured max |error| in `/data`'s `max_abs_error` attribute of the file at `path`
 * (which must still carry the placeholder). Returns the file's byte length, which never changes.
 */
export function setMaxAbsError(path: string, value: number): number {
  const { fs } = requireH5();
  let access: ReturnType<typeof openFsFile> | undefined;
  try {
    access = openFsFile(fs, path, true);
    patchMaxAbsError(access, value);
    return access.size;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw wrapError('HDF5_WRITE', `Setting max_abs_error in ${path} failed: ${reason}`, cause);
  } finally {
    access?.close();
  }
}
