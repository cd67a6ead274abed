// Loading and generating arrays off the main thread: parse + analyse, then hand the buffer back
// (a SharedArrayBuffer when the page is cross-origin isolated, so workers can share one copy).
import type { DTypeCode } from '../core/ndarray';
import type { NdArray } from '../core/ndarray';
import { readNpy, readNpyHeaderFromBlob, readNpyRows } from '../core/npy';
import type { NpyHeader } from '../core/npy';
import { analyzeArray, createAnalyzer } from '../core/analysis';
import { DTYPE_BYTES, sizeOf, typedArrayFor } from '../core/ndarray';
import { CoreError } from '../core/errors';
import { releaseBuffers } from '../core/release';
import type { ArraySummary } from '../core/analysis';
import { generateNotebookArray } from '../core/generator';
import { valueSampleOf } from '../core/quantize';
import { factsFromSummary, numbersOf } from '../strategies/common';
import type { InputFacts } from '../strategies/types';

export interface LoadedArray {
  name: string;
  dtype: DTypeCode;
  /** The dtype string as found in the file, e.g. `>f8` (normalised to little-endian in memory). */
  sourceDescr: string;
  fortranOrder: boolean;
  shape: number[];
  buffer: ArrayBufferLike;
  summary: ArraySummary;
  facts: InputFacts;
  /** The file's header (for the streamed full-file run); null for generated arrays. */
  header: NpyHeader | null;
  /**
   * Set when the file is too big to sweep whole: `buffer` then holds `rows` evenly spaced matrices of
   * the `totalRows`, while `summary`/`facts` describe the whole file (one streamed pass).
   */
  sample: { rows: number; totalRows: number; indices: number[] } | null;
}

/** Files above this are swept on a sample of matrices first (the full run is on demand). */
export const SAMPLE_THRESHOLD_BYTES = 256 * 2 ** 20;
/** The sample holds at most this many bytes (and at most MAX_SAMPLE_ROWS rows). */
const SAMPLE_BYTES = 64 * 2 ** 20;
const MAX_SAMPLE_ROWS = 200;
/** Bytes per step of loadOverlapped: small enough that little analysis is left after the last read. */
const OVERLAP_SLAB_BYTES = 16 * 2 ** 20;
const NOTHING_KEPT: ReadonlySet<ArrayBufferLike> = new Set();
/** Streamed analysis reads this much per step. */
const ANALYSIS_SLAB_BYTES = 64 * 2 ** 20;

/** `count` indices spread evenly over [0, total), first and last included. */
export function evenlySpaced(total: number, count: number): number[] {
  if (count >= total) return Array.from({ length: total }, (_, i) => i);
  if (count === 1) return [0];
  return Array.from({ length: count }, (_, i) => Math.round((i * (total - 1)) / (count - 1)));
}

export function factsOf(array: NdArray, s: ArraySummary): InputFacts {
  return {
    ...factsFromSummary(array.dtype, array.shape, s),
    valueSample: valueSampleOf(numbersOf(array.data, array.dtype)),
  };
}

/** Moves the array into shared memory (one copy) so every worker can read it without its own copy. */
function toShared(array: NdArray, shared: boolean): ArrayBufferLike {
  const src = array.data;
  const whole = src.byteOffset === 0 && src.byteLength === src.buffer.byteLength;
  // Read straight into shared memory (readNpy's `buffer` option): nothing to copy.
  if (shared && whole && src.buffer instanceof SharedArrayBuffer) return src.buffer;
  if (!shared) {
    // Hand over the whole buffer when the array owns it; otherwise copy out just the view.
    return whole ? src.buffer : src.slice().buffer;
  }
  const sab = new SharedArrayBuffer(src.byteLength);
  new Uint8Array(sab).set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength));
  return sab;
}

function finish(
  name: string,
  array: NdArray,
  sourceDescr: string,
  fortranOrder: boolean,
  shared: boolean,
  header: NpyHeader | null = null,
): LoadedArray {
  const summary = analyzeArray(array);
  return {
    header,
    sample: null,
    name,
    dtype: array.dtype,
    sourceDescr,
    fortranOrder,
    shape: [...array.shape],
    buffer: toShared(array, shared),
    summary,
    facts: factsOf(array, summary),
  };
}

export async function loadNpyFile(
  file: Blob,
  name: string,
  shared: boolean,
  onProgress: (f: number) => void,
  /** Bytes per step of the overlapped read (tests use small ones). */
  slabBytes = OVERLAP_SLAB_BYTES,
): Promise<LoadedArray> {
  const header = await readNpyHeaderFromBlob(file);
  if (header.dataBytes > SAMPLE_THRESHOLD_BYTES && header.shape.length >= 2)
    return loadSampled(file, name, header, shared, onProgress);
  if (!header.fortranOrder && header.shape.length >= 1 && header.dataBytes > 0)
    return loadOverlapped(file, name, header, shared, onProgress, slabBytes);
  const array = await readNpy(file, {
    onProgress: (f) => onProgress(0.9 * f),
    buffer: shared ? (n) => new SharedArrayBuffer(n) : undefined,
  });
  const loaded = finish(name, array, header.descr, header.fortranOrder, shared, header);
  onProgress(1);
  return loaded;
}

/**
 * A C-order file read in slabs of whole rows, each analysed while the next one is being read (the
 * read waits on the browser's file I/O, the analysis on this thread's CPU), so the analysis adds
 * little to the load. The same summary as analysing the whole array afterwards (the analyser is
 * streaming), and the same bytes in the buffer.
 */
async function loadOverlapped(
  file: Blob,
  name: string,
  header: NpyHeader,
  shared: boolean,
  onProgress: (f: number) => void,
  slabBytes: number,
): Promise<LoadedArray> {
  const totalRows = header.shape[0]!;
  const rowElems = sizeOf(header.shape.slice(1));
  const step = Math.max(1, Math.floor(slabBytes / Math.max(1, rowElems * DTYPE_BYTES[header.dtype])));
  const read = (r0: number) => readNpyRows(file, header, r0, Math.min(step, totalRows - r0));
  let next = read(0);
  const first = await next;
  const elementBytes = first.data.BYTES_PER_ELEMENT;
  const total = totalRows * rowElems * elementBytes;
  let buffer: ArrayBufferLike;
  try {
    buffer = shared ? new SharedArrayBuffer(total) : new ArrayBuffer(total);
  } catch (e) {
    throw new CoreError(
      'NPY_TOO_LARGE',
      `Cannot allocate ${total} bytes for shape (${header.shape.join(', ')}) of '${header.descr}'.`,
      { cause: e },
    );
  }
  const out = new Uint8Array(buffer);
  const analyzer = createAnalyzer(header.shape, { dtype: first.dtype });
  for (let r0 = 0; r0 < totalRows; r0 += step) {
    const rows = r0 === 0 ? first : await next;
    if (r0 + step < totalRows) next = read(r0 + step);
    out.set(
      new Uint8Array(rows.data.buffer, rows.data.byteOffset, rows.data.byteLength),
      r0 * rowElems * elementBytes,
    );
    analyzer.add(rows.data, r0);
    // The slab was read into a buffer of its own: freed now rather than at the next GC.
    releaseBuffers([rows.data], NOTHING_KEPT);
    onProgress((0.9 * Math.min(totalRows, r0 + step)) / totalRows);
  }
  const summary = analyzer.result();
  const array: NdArray = {
    dtype: first.dtype,
    shape: [...header.shape],
    data: typedArrayFor(first.dtype, buffer),
  };
  onProgress(1);
  return {
    header,
    sample: null,
    name,
    dtype: array.dtype,
    sourceDescr: header.descr,
    fortranOrder: false,
    shape: [...header.shape],
    buffer,
    summary,
    facts: factsOf(array, summary),
  };
}

/**
 * A big file: one streamed analysis pass over every matrix (exact range, NaN/Inf and asymmetry of
 * the whole file), then an evenly spaced sample of matrices to sweep.
 */
async function loadSampled(
  file: Blob,
  name: string,
  header: NpyHeader,
  shared: boolean,
  onProgress: (f: number) => void,
): Promise<LoadedArray> {
  if (header.fortranOrder)
    throw new CoreError(
      'NPY_TOO_LARGE',
      `This ${(header.dataBytes / 2 ** 30).toFixed(1)} GiB file is in Fortran order, so its matrices can't be streamed one by one. Re-save it in C order (np.save(f, np.ascontiguousarray(a))).`,
    );
  const totalRows = header.shape[0]!;
  const rowBytes = sizeOf(header.shape.slice(1)) * DTYPE_BYTES[header.dtype];
  const analyzer = createAnalyzer(header.shape, { dtype: header.dtype });
  const step = Math.max(1, Math.floor(ANALYSIS_SLAB_BYTES / rowBytes));
  for (let r0 = 0; r0 < totalRows; r0 += step) {
    const count = Math.min(step, totalRows - r0);
    const rows = await readNpyRows(file, header, r0, count);
    analyzer.add(rows.data, r0);
    onProgress((0.9 * (r0 + count)) / totalRows);
  }
  const summary = analyzer.result();
  const count = Math.max(1, Math.min(MAX_SAMPLE_ROWS, totalRows, Math.floor(SAMPLE_BYTES / rowBytes)));
  const indices = evenlySpaced(totalRows, count);
  const buffer = shared ? new SharedArrayBuffer(count * rowBytes) : new ArrayBuffer(count * rowBytes);
  const out = new Uint8Array(buffer);
  for (let i = 0; i < indices.length; i++) {
    const row = await readNpyRows(file, header, indices[i]!, 1);
    out.set(new Uint8Array(row.data.buffer, row.data.byteOffset, rowBytes), i * rowBytes);
  }
  onProgress(1);
  const sampleShape = [count, ...header.shape.slice(1)];
  const sampleArray: NdArray = {
    dtype: header.dtype,
    shape: sampleShape,
    data: typedArrayFor(header.dtype, buffer),
  };
  return {
    name,
    dtype: header.dtype,
    sourceDescr: header.descr,
    fortranOrder: false,
    shape: sampleShape,
    buffer,
    summary,
    facts: factsOf(sampleArray, summary),
    header,
    sample: { rows: count, totalRows, indices },
  };
}

export function generateArray(n: number, m: number, seed: number, shared: boolean): LoadedArray {
  const array = generateNotebookArray({ n, m, seed });
  return finish(`notebook-${n}x${m}x${m}-seed${seed}.npy`, array, '<f8', false, shared);
}
