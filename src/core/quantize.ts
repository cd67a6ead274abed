// Error-bounded quantisation to integers with CF `scale_factor` / `add_offset` (CF conventions §8.1,
// "Packed Data": unpacked = packed × scale_factor + add_offset). Guarantee: for every finite x in the
// planned range, |x − (q·scaleFactor + addOffset)| ≤ ε with the decode evaluated in float64 exactly as
// dequantize, numpy (`q * s + o`) and xarray compute it — rounding included, not just in exact arithmetic.
//
// Why it holds. Let u = 2^-53 (unit roundoff), B = max(|min|, |max|), H = max|x − o| over the range.
// With s the scale factor and q* = round((x − o)/s) in exact arithmetic, |q*·s − (x − o)| ≤ s/2.
// The decode fl(fl(q*·s) + o) adds at most u·|q*·s| + u·(1 + u)·|q*·s + o| ≤ 2u·(H + B + s).
// The offset o is a multiple of s (so an exact 0 decodes to exactly 0.0): with h0 the half-width of
// the range around its centre, H ≤ h0 + 2s ≤ h0 + 4ε.
// planQuantization takes s ≤ 2·(ε·(1 − 2^-20) − 8u·(h0 + 4ε + B)) (smaller when capped, see tryPlan), so
//   s/2 + 2u·(H + B + s) ≤ ε − ε·2^-20 − 6u·(H + B) + 4u·ε < ε,
// and B + s stays below float64's maximum, so no decode overflows.
// quantize computes q = round(fl(fl(x − o)/s)) (halves up, as Math.round: core/round.ts), which is
// q* or a neighbour (the relative error of the quotient is ≤ 2u and |q| < 2^32), then evaluates the
// decode itself and, if needed, takes the neighbour that meets ε — so every stored code is verified,
// and the proof says one always exists.
// The property tests in tests/unit/core/quantize.test.ts probe grid midpoints, the smallest workable
// ε and ranges from 1e-300 to 1e300.

import { roundHalfUp } from './round';
import { CoreError } from './errors';
import type { NumberArray } from './ndarray';
import { recycledArray } from './release';
import type { ArrayType } from './release';

export type QuantizedDType = 'i1' | 'u1' | 'i2' | 'u2' | 'i4' | 'u4';

export interface QuantizationPlan {
  readonly scaleFactor: number;
  readonly addOffset: number;
  readonly dtype: QuantizedDType;
  /**
   * The bound ε the plan was made for; quantize verifies every code against it. Absent in plans
   * rebuilt from a file's attributes, which only need to dequantize.
   */
  readonly eps?: number;
}

const U = 2 ** -53;
const MARGIN = 2 ** -20;

/**
 * Codes each type may use. The extremes −2^(b−1), −2^(b−1)+1 (signed) and 2^b − 1 (unsigned) are left
 * out: netCDF's default fill values (−127, −32767, −2147483647, 255, 65535, 4294967295) would be
 * masked as missing by netCDF4-python, and dropping −2^(b−1) keeps the signed range symmetric.
 */
export const QUANTIZED_CODE_RANGE: Record<QuantizedDType, readonly [number, number]> = {
  i1: [-126, 127],
  u1: [0, 254],
  i2: [-32766, 32767],
  u2: [0, 65534],
  i4: [-2147483646, 2147483647],
  u4: [0, 4294967294],
};

/** Smallest first; for each size the signed (centred offset, CF-classic friendly) type is tried first. */
const ORDER: readonly QuantizedDType[] = ['i1', 'u1', 'i2', 'u2', 'i4', 'u4'];

function badParams(msg: string): CoreError {
  return new CoreError('BAD_PARAMS', msg);
}

/** Bytes of each code type. */
const CODE_BYTES: Record<QuantizedDType, number> = { i1: 1, u1: 1, i2: 2, u2: 2, i4: 4, u4: 4 };

/**
 * A sorted sample of the finite values (see valueSampleOf): the plan then places the densest run of
 * codes in one byte-aligned window, so the upper bytes of most codes are equal (see bulkOffset).
 */
export type ValueSample = Float64Array;

/** The plan for one type, or null when the range doesn't fit or ε is below float64's resolution. */
function tryPlan(
  min: number,
  max: number,
  eps: number,
  dtype: QuantizedDType,
  bulk?: ValueSample | null,
): QuantizationPlan | null {
  const [lo, hi] = QUANTIZED_CODE_RANGE[dtype];
  const signed = lo < 0;
  // Signed: centre the offset so the codes spread over ±; unsigned: offset at min so codes start at 0.
  const centre = signed ? min / 2 + max / 2 : min;
  const h0 = Math.max(Math.abs(max - centre), Math.abs(centre - min));
  const b = Math.max(Math.abs(min), Math.abs(max));
  // The offset is then snapped to a multiple of the step (so 0 is on the grid), which moves it by
  // at most two steps ≤ 4ε: the bound below uses H ≤ h0 + 4ε. Summed term by term because h + b can
  // overflow for ranges near ±1.8e308.
  let half = eps * (1 - MARGIN) - 8 * U * h0 - 32 * U * eps - 8 * U * b;
  // A smaller step only lowers the error, so cap it: steps beyond the range's half-width buy nothing,
  // and decoded values reach |x| + s/2 (+ rounding), which must stay below float64's maximum.
  const room = (Number.MAX_VALUE - b) * (1 - 2 ** -40);
  half = Math.min(half, Math.max(h0, Number.MIN_VALUE), room / 2);
  if (!(half > 0)) return null;
  const scaleFactor = 2 * half;
  const addOffset = snapOffset(centre, min, scaleFactor, signed);
  // ±1: quantize may take a neighbour of the rounded quotient.
  const qMin = Math.round((min - addOffset) / scaleFactor) - 1;
  const qMax = Math.round((max - addOffset) / scaleFactor) + 1;
  // Unsigned with offset ≤ min: x − offset ≥ 0 exactly, so codes never go below 0.
  if ((signed ? qMin : 0) < lo || qMax > hi) return null;
  const shifted =
    bulk && bulk.length > 0 ? bulkOffset(scaleFactor, centre, min, max, bulk, dtype, eps) : null;
  return { scaleFactor, addOffset: shifted ?? addOffset, dtype, eps };
}

/**
 * An offset (still k·s, so 0 stays exact) that puts the densest run of sampled values in the middle
 * of a byte-aligned window of codes [0, 256^j): for the smallest j below the code's size whose
 * densest window holds at least half the sample (or, failing that, j = 1). The upper bytes of most
 * codes are then 0, which byte shuffle + deflate (and bitshuffle) store almost for free instead of
 * coding the sign and the range twice. null when the whole range would leave the type this way.
 * The offset stays within 2^30·ε of the range's centre, where the rounding terms of the guarantee
 * above remain below ε·2^-22.
 */
function bulkOffset(
  s: number,
  centre: number,
  min: number,
  max: number,
  sample: ValueSample,
  dtype: QuantizedDType,
  eps: number,
): number | null {
  const [lo, hi] = QUANTIZED_CODE_RANGE[dtype];
  const n = sample.length;
  let pick: { a: number; b: number } | null = null;
  for (let j = 1; j < CODE_BYTES[dtype]; j++) {
    // Densest run of sample values spanning fewer than w − 4 codes (two pointers over the sorted sample).
    const width = (2 ** (8 * j) - 4) * s;
    let best = 0;
    let a = sample[0]!;
    let b = a;
    for (let i = 0, t = 0; i < n; i++) {
      if (t < i) t = i;
      while (t + 1 < n && sample[t + 1]! - sample[i]! < width) t++;
      if (t - i + 1 > best) {
        best = t - i + 1;
        a = sample[i]!;
        b = sample[t]!;
      }
    }
    if (j === 1) pick = { a, b };
    if (best >= n / 2) {
      pick = { a, b };
      break;
    }
  }
  if (!pick) return null;
  const w = 2 ** (8 * Math.max(1, codeWindowBytes(pick, s)));
  const k = Math.round((pick.a / 2 + pick.b / 2) / s) - w / 2;
  if (!(Math.abs(k) < 2 ** 52)) return null;
  const o = k * s || 0; // never −0
  if (!(Math.abs(o - centre) <= 2 ** 30 * eps)) return null;
  const qMin = Math.round((min - o) / s) - 1;
  const qMax = Math.round((max - o) / s) + 1;
  return qMin >= lo && qMax <= hi ? o : null;
}

/**
 * The offset as k·s for an integer k, so that the code −k decodes to exactly 0.0 (fl(−k·s) + fl(k·s)
 * is 0 in float64 and in numpy): exact zeros stay exact zeros. Unsigned plans keep the offset ≤ min.
 * When |centre / s| is beyond 2^52 the range is far from 0 (no code can reach it) and the offset
 * stays where it was.
 */
function snapOffset(centre: number, min: number, s: number, signed: boolean): number {
  const k0 = centre / s;
  if (!(Math.abs(k0) < 2 ** 52)) return centre;
  let k = signed ? Math.round(k0) : Math.floor(k0);
  if (!signed) while (k * s > min) k -= 1;
  const o = k * s;
  return o === 0 ? 0 : o; // never −0
}

/** Bytes of the smallest byte-aligned code window that holds [a, b] (with 4 codes to spare). */
function codeWindowBytes({ a, b }: { a: number; b: number }, s: number): number {
  const span = Math.ceil((b - a) / s) + 4;
  let j = 1;
  while (2 ** (8 * j) < span) j++;
  return j;
}

function checkRange(min: number, max: number): void {
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max)
    throw badParams(`Quantization needs a finite range min ≤ max, got [${min}, ${max}].`);
}

/** Rounds up to 3 significant digits, so the printed value is never below the true one. */
function ceil3(x: number): number {
  if (!(x > 1e-290) || !Number.isFinite(x)) return x; // 10^k would underflow; precision is moot here
  const p = 10 ** (Math.floor(Math.log10(x)) - 2);
  let r = Math.ceil(x / p) * p;
  r = Number(r.toPrecision(3));
  return r < x ? Number((r + p).toPrecision(3)) : r;
}

/**
 * The smallest ε (to about 3 significant digits, rounded up) for which planQuantization(min, max, ε)
 * succeeds: the range must fit 2^32 − 1 codes, and ε must exceed float64's resolution at B.
 */
export function minimumQuantizationEps(min: number, max: number): number {
  checkRange(min, max);
  const halfRange = max / 2 - min / 2; // (max − min)/2 without overflow
  const b = Math.max(Math.abs(min), Math.abs(max));
  const [lo, hi] = QUANTIZED_CODE_RANGE.u4;
  // Codes span (max − min)/s + 2 (neighbour slack) + 1 (rounding) ≤ hi − lo; plus the float64 slack.
  let eps = (halfRange / (hi - lo - 4) + 16 * U * halfRange + 8 * U * b) / (1 - MARGIN);
  eps = ceil3(Math.max(eps, Number.MIN_VALUE));
  // The estimate normally plans at once; a few 1 % steps absorb rounding (e.g. when only i4 fits).
  for (let i = 0; i < 1000 && Number.isFinite(eps); i++) {
    if (ORDER.some((d) => tryPlan(min, max, eps, d))) return eps;
    eps = ceil3(eps * 1.01);
  }
  throw badParams(`The range [${min}, ${max}] cannot be quantized with any ε.`);
}

/**
 * Plans integer codes for values in [min, max] with max error ε: scaleFactor just under 2ε, and the
 * smallest integer type that holds the range (signed with a centred addOffset, else unsigned with
 * addOffset ≤ min), the offset a multiple of the step. With a value sample, the offset moves so the densest
 * run of codes shares its upper bytes (see bulkOffset); the type and step stay the same. Throws BAD_PARAMS for ε ≤ 0 or non-finite, a non-finite or inverted range, or a
 * range too wide for 32-bit codes at this ε (the message names the smallest ε that works).
 */
export function planQuantization(
  min: number,
  max: number,
  eps: number,
  bulk?: ValueSample | null,
): QuantizationPlan {
  if (!(eps > 0) || !Number.isFinite(eps))
    throw badParams(`The error bound ε must be a positive number, got ${eps}.`);
  checkRange(min, max);
  for (const dtype of ORDER) {
    const plan = tryPlan(min, max, eps, dtype, bulk);
    if (plan) return plan;
  }
  const need = minimumQuantizationEps(min, max);
  throw badParams(
    `ε = ${eps} is too small to quantize the range [${min}, ${max}] into 32-bit integers; use ε ≥ ${need}.`,
  );
}

export type IntArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

/** The typed array that holds each code type. */
export const QUANTIZED_ARRAY_TYPES: Record<QuantizedDType, new (n: number) => IntArray> = {
  i1: Int8Array,
  u1: Uint8Array,
  i2: Int16Array,
  u2: Uint16Array,
  i4: Int32Array,
  u4: Uint32Array,
};

/**
 * Integer codes round((x − addOffset)/scaleFactor) in the plan's type, each verified to decode within
 * plan.eps (see the file comment). Throws BAD_PARAMS on NaN/±Inf (integers cannot represent them) or
 * on a value outside the range the plan was made for.
 */
export function quantize(src: NumberArray, plan: QuantizationPlan, out?: IntArray): IntArray {
  const { scaleFactor: s, addOffset: o, dtype } = plan;
  const eps = plan.eps ?? Infinity;
  const n = src.length;
  const dst = out ?? recycledArray(QUANTIZED_ARRAY_TYPES[dtype] as ArrayType<IntArray>, n);
  if (!(dst instanceof QUANTIZED_ARRAY_TYPES[dtype]) || dst.length < n)
    throw badParams(`The output must be a ${QUANTIZED_ARRAY_TYPES[dtype].name} of at least ${n} values.`);
  const [lo, hi] = QUANTIZED_CODE_RANGE[dtype];
  // Codes go to a Float64Array block first and then into the typed output with the native set():
  // stores into six different integer array types would make this loop megamorphic (~20× slower).
  const block = codeBlock().subarray(0, Math.min(n, BLOCK));
  for (let start = 0; start < n; start += BLOCK) {
    const len = Math.min(BLOCK, n - start);
    for (let k = 0; k < len; k++) {
      const x = src[start + k]!;
      if (x - x !== 0)
        throw badParams(`Cannot quantize ${x} at index ${start + k}: integers cannot represent NaN or ±Inf.`);
      let q = roundHalfUp((x - o) / s);
      if (!(Math.abs(q * s + o - x) <= eps) || q < lo || q > hi)
        q = nearestValidCode(x, q, plan, eps, start + k);
      block[k] = q;
    }
    dst.set(len === block.length ? block : block.subarray(0, len), start);
  }
  return dst;
}

const BLOCK = 1 << 16;

let codeBlockScratch: Float64Array | null = null;

/**
 * quantize's block, allocated once: a new 512 KB block per call (per slab) is garbage left for the
 * worker's collector (its effect alone not measured: the sweep's small mappings grew to 150–270 MiB
 * between collections, and a forced GC freed ~80 MiB of them).
 */
function codeBlock(): Float64Array {
  return (codeBlockScratch ??= new Float64Array(BLOCK));
}

/**
 * The rounded quotient may be one off the exact nearest code (see the file comment): the best
 * in-range neighbour, or throws when none decodes within ε (x outside the planned range).
 */
function nearestValidCode(x: number, q: number, plan: QuantizationPlan, eps: number, index: number): number {
  const { scaleFactor: s, addOffset: o, dtype } = plan;
  const [lo, hi] = QUANTIZED_CODE_RANGE[dtype];
  let best = NaN;
  let bestErr = Infinity;
  for (const c of [q, q - 1, q + 1]) {
    const e = Math.abs(c * s + o - x);
    if (c >= lo && c <= hi && e < bestErr) {
      best = c;
      bestErr = e;
    }
  }
  if (!(bestErr <= eps))
    throw badParams(
      `Value ${x} at index ${index} is outside the range this quantization plan covers ` +
        `(codes ${lo}..${hi} × ${s} + ${o}).`,
    );
  return best;
}

/** Decodes codes: q × scaleFactor + addOffset in float64, the CF formula numpy and xarray apply. */
export function dequantize(ints: NumberArray, plan: QuantizationPlan, out?: Float64Array): Float64Array {
  const { scaleFactor: s, addOffset: o } = plan;
  const n = ints.length;
  const dst = out ?? recycledArray(Float64Array, n);
  if (dst.length < n) throw badParams(`The output holds ${dst.length} values; ${n} are needed.`);
  for (let i = 0; i < n; i++) dst[i] = ints[i]! * s + o;
  return dst;
}

/**
 * Counts the codes `quantize(src, plan)` would store, slab after slab (no full-size code array), and
 * gives their zeroth-order entropy in bits: Σ −log₂ p(code) over all values — what an ideal coder of
 * independent values needs, so no such coder gets below it. Codes are counted in a Map only when
 * they don't fit a dense table.
 */
export function createEntropyCounter(plan: QuantizationPlan): {
  add(src: NumberArray): void;
  bits(): number;
} {
  const [lo, hi] = QUANTIZED_CODE_RANGE[plan.dtype];
  const dense = hi - lo + 1 <= 1 << 24;
  const counts = dense ? new Float64Array(hi - lo + 1) : null;
  const sparse = dense ? null : new Map<number, number>();
  const block = new QUANTIZED_ARRAY_TYPES[plan.dtype](BLOCK);
  let n = 0;
  return {
    add(src) {
      for (let start = 0; start < src.length; start += BLOCK) {
        const len = Math.min(BLOCK, src.length - start);
        const codes = quantize(src.subarray(start, start + len), plan, block);
        for (let k = 0; k < len; k++) {
          const c = codes[k]!;
          if (counts) counts[c - lo]!++;
          else sparse!.set(c, (sparse!.get(c) ?? 0) + 1);
        }
      }
      n += src.length;
    },
    bits() {
      let bits = 0;
      const add = (c: number) => {
        if (c > 0) bits -= c * Math.log2(c / n);
      };
      if (counts) for (let i = 0; i < counts.length; i++) add(counts[i]!);
      else for (const c of sparse!.values()) add(c);
      return bits;
    },
  };
}

/** The zeroth-order entropy, in bits, of the codes of `src` (see createEntropyCounter). */
export function quantizedEntropyBits(src: NumberArray, plan: QuantizationPlan): number {
  const counter = createEntropyCounter(plan);
  counter.add(src);
  return counter.bits();
}

/**
 * The finite values among an evenly spaced sample of at most `sampleSize` (indices ⌊k·n/S⌋ in C
 * order), sorted: where most values lie, for planQuantization's `bulk`. Empty when none is finite.
 */
export function valueSampleOf(values: NumberArray, sampleSize = 1 << 14): ValueSample {
  const n = values.length;
  const count = Math.min(n, sampleSize);
  const picked = new Float64Array(count);
  let m = 0;
  for (let k = 0; k < count; k++) {
    const x = values[Math.floor((k * n) / count)]!;
    if (x - x === 0) picked[m++] = x;
  }
  return picked.slice(0, m).sort();
}
