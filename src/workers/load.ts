// Loading and generating arrays off the main thread: parse + analyse, then hand the buffer back
// (a SharedArrayBuffer when the page is cross-origin isolated, so workers can share one copy).
import type { DTypeCode } from '../core/ndarray';
import type { NdArray } from '../core/ndarray';
import { dataBytesFinal, NPY_SLAB_BYTES, readNpy, readNpyHeaderFromBlob, readNpyRows } from '../core/npy';
import type { NpyHeader } from '../core/npy';
import { analyzeArray, createAnalyzer } from '../core/analysis';
import { DTYPE_BYTES, sizeOf, typedArrayFor } from '../core/ndarray';
import { CoreError } from '../core/errors';
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
  analysed?: ArraySummary,
): LoadedArray {
  const summary = analysed ?? analyzeArray(array);
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
  /** Bytes per read of the file (tests use small ones). */
  slabBytes = NPY_SLAB_BYTES,
): Promise<LoadedArray> {
  const header = await readNpyHeaderFromBlob(file);
  if (header.dataBytes > SAMPLE_THRESHOLD_BYTES && header.shape.length >= 2)
    return loadSampled(file, name, header, shared, onProgress);
  // Whole rows are analysed as soon as they are read, while the next slab is being read (the
  // analyser is streaming), when the bytes read are already the values (no byte swap or transpose).
  const streamed = dataBytesFinal(header) && header.shape.length >= 1 ? rowAnalysis(header) : null;
  const array = await readNpy(file, {
    onProgress: (f) => onProgress(0.9 * f),
    buffer: shared ? (n) => new SharedArrayBuffer(n) : undefined,
    onData: streamed?.onData,
    slabBytes,
  });
  const loaded = finish(name, array, header.descr, header.fortranOrder, shared, header, streamed?.result());
  onProgress(1);
  return loaded;
}

/**
 * The analysis of a file's rows as they arrive: `onData` analyses every row complete so far (read
 * whole), `result` the summary once every row is in — the same as analysing the whole array.
 */
function rowAnalysis(header: NpyHeader): {
  onData(data: Uint8Array, filled: number): void;
  result(): ArraySummary;
} {
  const analyzer = createAnalyzer(header.shape, { dtype: header.dtype });
  const rowBytes = sizeOf(header.shape.slice(1)) * DTYPE_BYTES[header.dtype];
  let done = 0;
  return {
    onData(data, filled) {
      const upTo = rowBytes === 0 ? 0 : Math.floor(filled / rowBytes);
      if (upTo <= done) return;
      const values = typedArrayFor(header.dtype, data.buffer);
      const perRow = rowBytes / DTYPE_BYTES[header.dtype];
      analyzer.add(values.subarray(done * perRow, upTo * perRow), done);
      done = upTo;
    },
    result: () => analyzer.result(),
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
