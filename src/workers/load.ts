// Loading and generating arrays off the main thread: parse + analyse, then hand the buffer back
// (a SharedArrayBuffer when the page is cross-origin isolated, so workers can share one copy).
import type { DTypeCode } from '../core/ndarray';
import type { NdArray } from '../core/ndarray';
import { readNpy, readNpyHeaderFromBlob } from '../core/npy';
import { analyzeArray } from '../core/analysis';
import type { ArraySummary } from '../core/analysis';
import { generateNotebookArray } from '../core/generator';
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
}

export function factsOf(array: NdArray, s: ArraySummary): InputFacts {
  return {
    dtype: array.dtype,
    shape: array.shape,
    min: s.min,
    max: s.max,
    nanCount: s.nanCount,
    infCount: s.posInfCount + s.negInfCount,
    maxAsymmetry: s.maxAsymmetry,
    overFloat16Count: s.overFloat16Count,
    float16SubnormalCount: s.float16SubnormalCount,
  };
}

/** Moves the array into shared memory (one copy) so every worker can read it without its own copy. */
function toShared(array: NdArray, shared: boolean): ArrayBufferLike {
  const src = array.data;
  if (!shared) {
    // Hand over the whole buffer when the array owns it; otherwise copy out just the view.
    return src.byteOffset === 0 && src.byteLength === src.buffer.byteLength ? src.buffer : src.slice().buffer;
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
): LoadedArray {
  const summary = analyzeArray(array);
  return {
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
): Promise<LoadedArray> {
  const header = await readNpyHeaderFromBlob(file);
  const array = await readNpy(file, { onProgress: (f) => onProgress(0.9 * f) });
  const loaded = finish(name, array, header.descr, header.fortranOrder, shared);
  onProgress(1);
  return loaded;
}

export function generateArray(n: number, m: number, seed: number, shared: boolean): LoadedArray {
  const array = generateNotebookArray({ n, m, seed });
  return finish(`notebook-${n}x${m}x${m}-seed${seed}.npy`, array, '<f8', false, shared);
}
