// Error-bounded integer values shared by every strategy that stores quantized integers (built-in
// filters and plugin codecs alike): the plan, its problems, its CF attributes and the decode.
import type { AttrValue, ReadBack } from '../hdf5/types';
import { dequantize, planQuantization, quantize } from '../core/quantize';
import type { IntArray, QuantizationPlan } from '../core/quantize';
import type { LayoutValues } from './types';
import { maxAbs, numberAttr, ulp16, ulp32 } from './common';

/**
 * The encoding's own ε. Paid out of the user's ε: the layout's own error (the triangle's
 * half-asymmetry), and the final cast to the loaded dtype that restoring does (half a float32 or
 * float16 ulp at the largest magnitude; integers round to the nearest integer, so the error stays
 * below ⌊ε⌋ + ½).
 */
export function effectiveEps(v: LayoutValues, eps: number): number {
  const e = eps - v.layoutError;
  const b = maxAbs(v) + Math.max(0, e);
  switch (v.dtype) {
    case 'f8':
      return e;
    case 'f4':
      return e - ulp32(b) / 2;
    case 'f2':
      return e - ulp16(b) / 2;
    default:
      return Math.min(e, Math.floor(e) + 0.499);
  }
}

export function quantizationPlanFor(v: LayoutValues, eps: number): QuantizationPlan {
  return planQuantization(v.facts.min, v.facts.max, effectiveEps(v, eps), v.facts.valueSample);
}

/** Why these values can't be quantized within ε, or null. */
export function quantizationProblem(v: LayoutValues, eps: number): string | null {
  if (v.facts.nanCount + v.facts.infCount > 0)
    return 'integers cannot represent NaN or ±Inf, so quantization is off for this array';
  if (!(eps > 0)) return 'ε must be a positive number';
  if (effectiveEps(v, eps) <= 0)
    return `the triangle layout alone costs up to ${v.layoutError.toExponential(2)} (half of max|A−Aᵀ|), more than ε`;
  try {
    quantizationPlanFor(v, eps);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  return null;
}

/** The integers and their CF attributes (value = stored × scale_factor + add_offset). */
export function quantizeValues(
  v: LayoutValues,
  eps: number,
): { plan: QuantizationPlan; ints: IntArray; attrs: Record<string, AttrValue> } {
  const plan = quantizationPlanFor(v, eps);
  return {
    plan,
    ints: quantize(v.values, plan),
    attrs: {
      scale_factor: { type: 'float64', value: plan.scaleFactor },
      add_offset: { type: 'float64', value: plan.addOffset },
    },
  };
}

/** Decodes with the attributes read back from the file, as any CF reader would. */
export function dequantizeRead(read: ReadBack): Float64Array {
  return dequantize(read.data as IntArray, {
    scaleFactor: numberAttr(read.attrs, 'scale_factor'),
    addOffset: numberAttr(read.attrs, 'add_offset'),
    dtype: read.dtype as QuantizationPlan['dtype'],
  });
}
