// Verification: input rows against the values decoded from the written file, rebuilt by the layout
// and cast to the loaded dtype exactly as a reader's restore does, so the error is what a reader gets.
import type { DTypeCode, NumberArray } from '../core/ndarray';
import { sizeOf } from '../core/ndarray';
import { float16BitsToFloat64, float64ToFloat16Bits } from '../core/float16';
import type { ErrorAccumulator } from '../core/metrics';
import type { LayoutValues } from '../strategies/types';
import { layoutOf } from '../layouts/registry';
import type { JobInput } from './layout-values';

/** Decoded slabs are about this big (float64), whatever the array's size. */
export const VERIFY_SLAB_BYTES = 8 << 20;

/** Rows along axis 0 of the stored array (a 0-d array is one row). */
export function leadingRows(shape: readonly number[]): number {
  return shape.length === 0 ? 1 : shape[0]!;
}

/** Input rows per verification slab (a single matrix packed to one row is verified whole). */
export function slabRows(
  stored: readonly number[],
  original: readonly number[],
  slabBytes = VERIFY_SLAB_BYTES,
): number {
  if (stored.length <= 1 && original.length > 1) return Math.max(1, leadingRows(stored)); // one matrix
  const rowElems = Math.max(1, sizeOf(original.slice(1)));
  return Math.max(1, Math.floor(slabBytes / 8 / rowElems));
}

/**
 * Compares input rows [r0, r1) with the decoded values. For row-aligned layouts `decoded` holds the
 * stored rows [r0, r1) (or the whole stored array); otherwise the whole decoded stored array. The
 * layout rebuilds full rows, which are cast to the loaded dtype exactly as the restore snippet does
 * (float32 rounding, integer rounding), so the measured error is what a reader gets. Returns the
 * rebuilt rows (the caller frees them if they are its own), or null when the layout compared the
 * stored values themselves (layout.compareStored).
 */
export function compareSlab(
  acc: ErrorAccumulator,
  input: JobInput,
  numeric: NumberArray,
  values: LayoutValues,
  decoded: NumberArray,
  r0: number,
  r1: number,
): NumberArray | null {
  const shape = input.array.shape;
  const layout = layoutOf(values.layout);
  const rowElems = shape.length === 0 ? 1 : sizeOf(shape.slice(1));
  // A single matrix packed to one row is verified whole; otherwise rows map one to one.
  const whole = shape.length === 0 || (values.layout !== 'full' && shape.length === 2);
  const origSlab = whole ? numeric : numeric.subarray(r0 * rowElems, r1 * rowElems);
  let full: NumberArray;
  if (layout.rowAligned) {
    const storedRowElems = values.shape.length === 0 ? 1 : sizeOf(values.shape.slice(1));
    const stored =
      whole || decoded.length === (r1 - r0) * storedRowElems
        ? decoded
        : decoded.subarray(r0 * storedRowElems, r1 * storedRowElems);
    // Compared as stored when the layout can and no cast to the loaded dtype applies (the cast is
    // done on rebuilt rows, never in place on decoded ones).
    const noCast = !castsValues(stored, input.array.dtype);
    if (noCast && layout.compareStored?.(acc, origSlab, stored, shape, values.facts)) return null;
    full = layout.unpack(stored, r0, r1, shape, values.facts);
  } else {
    full = layout.unpack(decoded, whole ? 0 : r0, whole ? 1 : r1, shape, values.facts);
  }
  castToLoadedDtype(full, input.array.dtype);
  acc.add(origSlab, full);
  return full;
}

/** True when castToLoadedDtype changes `values` (decoded float64 values of a narrower loaded dtype). */
function castsValues(values: NumberArray, dtype: DTypeCode): values is Float64Array {
  return values instanceof Float64Array && dtype !== 'f8';
}

/** Rounds decoded float64 values in place as `astype(original dtype)` would (float32, integers). */
function castToLoadedDtype(values: NumberArray, dtype: DTypeCode): void {
  if (!castsValues(values, dtype)) return;
  if (dtype === 'f4') {
    for (let i = 0; i < values.length; i++) values[i] = Math.fround(values[i]!);
  } else if (dtype === 'f2') {
    values.set(float16BitsToFloat64(float64ToFloat16Bits(values)));
  } else {
    // Integers. numpy's rint rounds halves to even; decoded integers are within ε < 0.5 of an integer anyway.
    for (let i = 0; i < values.length; i++) {
      const x = values[i]!;
      const r = Math.round(x);
      values[i] = r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
    }
  }
}
