// The app's quantization grid carried by numcodecs' FixedScaleOffset filter, so `zarr.open(...)[:]`
// returns the decoded floats itself. numcodecs decodes `enc / scale + offset` in float64 (a division,
// not the CF `q × scale_factor + add_offset`), so the grid is re-expressed for that arithmetic:
// scale = 1 / scale_factor and offset = k / scale for the plan's add_offset = k × scale_factor. The code
// −k then decodes to fl(−k / scale) + fl(k / scale) = 0 exactly (division rounds symmetrically): exact
// zeros stay exact zeros. The step 1/scale differs from scale_factor by a relative 2^-53 at most, far
// inside the plan's ε·2^-20 margin; every code is still checked with numcodecs' own decode and, where
// the rounded quotient misses ε, a neighbour that meets it is taken (as core/quantize does).
import { CoreError } from '../core/errors';
import { roundHalfUp } from '../core/round';
import type { IntArray, QuantizationPlan, QuantizedDType } from '../core/quantize';
import { QUANTIZED_ARRAY_TYPES, QUANTIZED_CODE_RANGE } from '../core/quantize';
import type { NumberArray } from '../core/ndarray';
import type { FixedScaleOffsetFilter } from './types';

const ASTYPE: Record<QuantizedDType, FixedScaleOffsetFilter['astype']> = {
  i1: '|i1',
  u1: '|u1',
  i2: '<i2',
  u2: '<u2',
  i4: '<i4',
  u4: '<u4',
};

/** The filter config for a quantization plan (its step, grid origin and code type). */
export function fixedScaleOffsetFor(plan: QuantizationPlan): FixedScaleOffsetFilter {
  // A (near-)constant array gets a step as small as its range (down to 5e-324), whose reciprocal
  // overflows: every value is then within ε of add_offset, so code 0 with a unit step keeps them
  // (an offset within 2^-1000 of 0 becomes 0, so zeros stay exact).
  if (!(1 / plan.scaleFactor < 2 ** 1000))
    return {
      id: 'fixedscaleoffset',
      offset: Math.abs(plan.addOffset) < 2 ** -1000 ? 0 : plan.addOffset,
      scale: 1,
      dtype: '<f8',
      astype: ASTYPE[plan.dtype],
    };
  const scale = 1 / plan.scaleFactor;
  const k = Math.round(plan.addOffset / plan.scaleFactor);
  // Far from 0 (|k| ≥ 2^52) the plan's offset is not a whole number of steps: it stays as it is.
  const offset =
    Math.abs(k) < 2 ** 52 && k * plan.scaleFactor === plan.addOffset ? k / scale + 0 : plan.addOffset;
  return { id: 'fixedscaleoffset', offset, scale, dtype: '<f8', astype: ASTYPE[plan.dtype] };
}

/** numcodecs' decode, double for double: `enc / scale + offset` (into `out` when given). */
export function decodeFixedScaleOffset(
  codes: NumberArray,
  f: FixedScaleOffsetFilter,
  out = new Float64Array(codes.length),
): Float64Array {
  if (out.length !== codes.length)
    throw new CoreError('INTERNAL', `${codes.length} codes do not fit ${out.length} values`);
  const { scale, offset } = f;
  for (let i = 0; i < codes.length; i++) out[i] = codes[i]! / scale + offset;
  return out;
}

/**
 * Codes whose numcodecs decode lies within `eps` of each value (`eps` = the plan's own ε, the user's ε
 * less what the layout and the final cast cost). Throws on NaN/±Inf or a value no code reaches.
 */
export function encodeFixedScaleOffset(
  values: NumberArray,
  f: FixedScaleOffsetFilter,
  dtype: QuantizedDType,
  eps: number,
): IntArray {
  const { scale, offset } = f;
  const [lo, hi] = QUANTIZED_CODE_RANGE[dtype];
  const n = values.length;
  const out = new QUANTIZED_ARRAY_TYPES[dtype](n);
  // Codes go through a Float64Array block and the native set() (one store site for every code type).
  const BLOCK = 1 << 16;
  const block = new Float64Array(Math.min(n, BLOCK));
  for (let start = 0; start < n; start += BLOCK) {
    const len = Math.min(BLOCK, n - start);
    for (let j = 0; j < len; j++) {
      const x = values[start + j]!;
      if (x - x !== 0)
        throw new CoreError('BAD_PARAMS', `cannot quantize ${x}: integers cannot represent NaN or ±Inf`);
      let q = roundHalfUp((x - offset) * scale);
      if (!(Math.abs(q / scale + offset - x) <= eps) || q < lo || q > hi) {
        let best = NaN;
        let bestErr = Infinity;
        for (const c of [q - 1, q + 1, q - 2, q + 2]) {
          const e = Math.abs(c / scale + offset - x);
          if (c >= lo && c <= hi && e < bestErr) {
            best = c;
            bestErr = e;
          }
        }
        if (!(bestErr <= eps))
          throw new CoreError(
            'BAD_PARAMS',
            `value ${x} at index ${start + j} is outside the quantization grid's range`,
          );
        q = best;
      }
      block[j] = q;
    }
    out.set(len === block.length ? block : block.subarray(0, len), start);
  }
  return out;
}
