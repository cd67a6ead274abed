// The values a job stores: the input laid out by its layout (full, triangle, used pairs, ...), in the
// input's own numbers where possible (no copies), with what the strategies need to know about them.
import type { DTypeCode, NdArray, NumberArray, TypedArray } from '../core/ndarray';
import { float64ToFloat16Bits } from '../core/float16';
import type { InputFacts, Layout, LayoutValues, ReadableBy } from '../strategies/types';
import { numbersOf } from '../strategies/common';
import { layoutOf } from '../layouts/registry';
import { UnsupportedError } from '../core/errors';

export interface JobInput {
  /** Input file name (used in output file names). */
  name: string;
  array: NdArray;
  facts: InputFacts;
}

/** The loaded values as JS numbers; float32/float64 (and small ints) are used without copying. */
export function numericView(array: NdArray): NumberArray {
  return numbersOf(array.data, array.dtype);
}

/** Numbers back into the loaded dtype's own representation (for lossless strategies). */
function rawFromNumbers(dtype: DTypeCode, values: NumberArray): TypedArray {
  switch (dtype) {
    case 'f8':
      return values instanceof Float64Array ? values : Float64Array.from(values);
    case 'f4':
      return Float32Array.from(values);
    case 'f2':
      return float64ToFloat16Bits(values);
    case 'i8':
      return BigInt64Array.from(values, (x) => BigInt(Math.round(x)));
    case 'u8':
      return BigUint64Array.from(values, (x) => BigInt(Math.round(x)));
    case 'b1':
    case 'u1':
      return Uint8Array.from(values);
    case 'i1':
      return Int8Array.from(values);
    case 'i2':
      return Int16Array.from(values);
    case 'u2':
      return Uint16Array.from(values);
    case 'i4':
      return Int32Array.from(values);
    case 'u4':
      return Uint32Array.from(values);
  }
}

export function buildLayoutValues(input: JobInput, layout: Layout, numeric: NumberArray): LayoutValues {
  const { array, facts } = input;
  const def = layoutOf(layout);
  const problem = def.problem(array.shape, facts);
  if (problem) throw new UnsupportedError(problem);
  const values = def.pack(numeric, array.shape, facts);
  return {
    layout,
    values,
    // Unchanged values keep the input's own typed array (no copy); packed ones go back to the dtype.
    raw: values === numeric ? array.data : rawFromNumbers(array.dtype, values),
    shape: def.storedShape(array.shape, facts),
    dtype: array.dtype,
    layoutError: def.layoutError(facts),
    facts,
  };
}

/** The triangle layout can't keep NaN/±Inf that aren't mirrored across the diagonal. */
export function assertLayoutKeepsValues(values: LayoutValues): void {
  if (!Number.isFinite(values.layoutError))
    throw new UnsupportedError(
      'NaN or ±Inf are not mirrored across the diagonal, so the triangle layout would change them',
    );
}

/** Why this layout can't go into this container (a .npy has no room for a layout's index), or null. */
export function containerProblem(layout: Layout, readableBy: ReadableBy): string | null {
  if (readableBy === 'numpy' && !layoutOf(layout).fitsNpy)
    return `a .npy file cannot carry what the ${layoutOf(layout).short} layout needs to be undone; the HDF5 rows store it`;
  return null;
}
