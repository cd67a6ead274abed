// The values a job stores: the input laid out by its layout (full, triangle, used pairs, ...), in the
// input's own numbers where possible (no copies), with what the strategies need to know about them.
import type { DTypeCode, NdArray, NumberArray, TypedArray } from '../core/ndarray';
import { DTYPE_BYTES, typedArrayFor } from '../core/ndarray';
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
  if (dtype === 'f2') return float64ToFloat16Bits(values);
  // Already that type (the full layout's own values, a packed float64 stack): no copy.
  if (typedArrayFor(dtype, new ArrayBuffer(0)).constructor === values.constructor)
    return values as TypedArray;
  const out = typedArrayFor(dtype, new ArrayBuffer(values.length * DTYPE_BYTES[dtype]));
  if (out instanceof BigInt64Array || out instanceof BigUint64Array)
    for (let i = 0; i < values.length; i++) out[i] = BigInt(Math.round(values[i]!));
  else out.set(values);
  return out;
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
