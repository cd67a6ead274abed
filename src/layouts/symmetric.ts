// What the packed layouts of symmetric stacks share: shape checks and the cost of storing (A + Aᵀ)/2.
import { isSquareStack } from '../core/ndarray';
import type { NumberArray } from '../core/ndarray';
import { recycledArray } from '../core/release';
import type { InputFacts } from '../strategies/types';
import { ulp16, ulp32, ulp64 } from '../strategies/common';

/** Why a layout that keeps one triangle of each matrix can't apply to this shape, or null. */
export function squareStackProblem(shape: readonly number[]): string | null {
  if (shape.length < 2) return `triangle packing needs matrices; this array has rank ${shape.length}`;
  if (!isSquareStack(shape))
    return `triangle packing needs square matrices; the last two axes are ${shape[shape.length - 2]} × ${shape[shape.length - 1]}`;
  return null;
}

/**
 * Storing (A+Aᵀ)/2 moves each value by |a−b|/2, plus the rounding of a+b in the working float type.
 * NaN/Inf that are not mirrored across the diagonal make it infinite (the layout can't keep them).
 */
export function symmetrizeError(facts: InputFacts): number {
  if (facts.maxAsymmetry === 0) return 0;
  const m = Math.max(Math.abs(facts.min), Math.abs(facts.max));
  // Stored back in the loaded dtype: float16 and integers round the mean once more.
  const d = facts.dtype;
  const ulp = d === 'f2' ? ulp16(m) : d === 'f4' ? ulp32(m) : d === 'f8' ? ulp64(m) : 0.5;
  return facts.maxAsymmetry / 2 + ulp;
}

/**
 * A new array for packed values: floats keep their own type, integers become float64. Recycled: the
 * layouts that use it write every element.
 */
export function packedArrayLike(values: NumberArray, n: number): NumberArray {
  return values instanceof Float32Array ? recycledArray(Float32Array, n) : recycledArray(Float64Array, n);
}

/** The stored mean of a and b, as core/triangle's packUpper computes it. */
export function meanOf(a: number, b: number): number {
  const v = (a + b) * 0.5;
  // ±Inf from two finite values: the sum overflowed.
  if ((v === Infinity || v === -Infinity) && a - a === 0 && b - b === 0) return a * 0.5 + b * 0.5;
  return v;
}
