// IEEE 754 binary16 conversions, bit-identical to numpy: `x.astype(np.float16)` from float64 rounds ONCE,
// to nearest with ties to even (numpy/core/src/npymath/halffloat.c, npy_doublebits_to_halfbits). The
// exact rounding works on the raw IEEE bits (integer ops only) and keeps NaN signs and payload bits
// exactly as numpy does; the common values take a faster road through float32 (halfBlock)
// that gives the same bits.
//
// @petamoriken/float16 also rounds directly from double with ties to even (its tests agree with
// numpy on every reference case, see tests/unit/core/float16.test.ts), but through a DataView it
// took ~10 s for a 1000×141×141 stack here; it serves as the independent oracle in the tests.

import { CoreError } from './errors';
import type { NumberArray } from './ndarray';
import { recycledArray } from './release';

/** Largest finite float16 value. */
export const FLOAT16_MAX = 65504;
/** Smallest positive normal float16 value, 2^-14. Below it values are subnormal (fewer significant bits). */
export const FLOAT16_MIN_NORMAL = 6.103515625e-5;
/** Values with |x| ≥ this round to ±Inf (the tie at 65520 goes to the even neighbour, 65536 = Inf). */
export const FLOAT16_OVERFLOW_THRESHOLD = 65520;

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Index of the high (sign/exponent) 32-bit word of a float64 within its 8 bytes. */
const HI = HOST_LITTLE_ENDIAN ? 1 : 0;
const LO = 1 - HI;

/** One float64, given as its two 32-bit words, to half bits (numpy's npy_doublebits_to_halfbits). */
function halfBitsFromWords(hi: number, lo: number): number {
  const sign = (hi >>> 16) & 0x8000;
  const e = (hi >>> 20) & 0x7ff; // biased float64 exponent
  const mantHi = hi & 0xfffff; // top 20 of the 52 significand bits
  if (e >= 1039) {
    // |x| ≥ 2^16: Inf, NaN or overflow.
    if (e === 0x7ff && (mantHi !== 0 || lo !== 0)) {
      // NaN keeps its top 10 significand bits, but must stay a NaN.
      const r = 0x7c00 + (mantHi >>> 10);
      return sign + (r === 0x7c00 ? 0x7c01 : r);
    }
    return sign | 0x7c00;
  }
  if (e <= 1008) {
    // |x| < 2^-14: a float16 subnormal, or ±0 below 2^-25.
    if (e < 998) return sign;
    // Significand with its implicit bit (53 bits = sig·2^32 + lo), divided by 2^(1051 − e).
    const sig = mantHi | 0x100000;
    const sh = 1051 - e - 32; // 11..21
    const q = sig >>> sh;
    const rem = sig & ((1 << sh) - 1);
    const half = 1 << (sh - 1);
    const up = rem > half || (rem === half && (lo !== 0 || (q & 1) === 1)) ? 1 : 0;
    return sign + q + up; // q + up = 1024 is correctly the smallest normal, 0x0400
  }
  // Normal: keep 10 significand bits, round on the 42 dropped ones (half = bit 41 = 0x200 in mantHi).
  const m = mantHi >>> 10;
  const rem = mantHi & 0x3ff;
  // Above half, or half with more dropped bits in lo, or an exact tie to an odd m (to even). Written
  // with numbers, not conditionals: 1000×141×141 noisy values took 146 ms in Node as `a || (b && c)`,
  // 77 ms like this.
  const up = +(rem > 0x200) | (+(rem === 0x200) & (+(lo !== 0) | (m & 1)));
  // A carry out of the significand correctly bumps the exponent, up to 0x7c00 = Inf from 65520.
  return sign + ((e - 1008) << 10) + m + up;
}

/** Values per block: widened to float64 (non-float64 input), or rounded to float32 first. */
const BLOCK = 4096;

/** The block rounded to float32 (hardware rounding, ties to even), and its bits. */
const f32Block = new Float32Array(BLOCK);
const f32Bits = new Uint32Array(f32Block.buffer);

/**
 * Half bits of src[from, from + n) into dst[to, to + n) (n ≤ BLOCK; `w`: src's 32-bit words).
 * Each value x is first rounded to float32, f, in hardware. Every float16 value, every midpoint
 * between two of them (65520, where the rounding turns to Inf, among them) and 2^-25 are float32
 * values, and rounding is monotonic, so x and f lie on the same side of each: when f is not itself a
 * midpoint, x rounds to the half that f does, and f's bits give it with an add and a shift. A
 * midpoint f (x may have been just beside it: double rounding), and f below the half normals or
 * beyond them (subnormals, Inf, NaN), take the exact rounding of x's own bits; |f| < 2^-25 means
 * |x| < 2^-25, a signed zero. In a Chromium worker, 2·10⁷ values per call: noisy ones 40–50 ms this
 * way against 59–66 for the exact rounding of every value; real SHAP stacks tiled to that size 43–54
 * vs 55–69; 80 % zeros at random places 67–76 vs 75–82. Called per block of 4096, the loops' function
 * is compiled whole within the first call (V8 runs a loop that runs once per call as slower
 * on-stack-replacement code until the function's third call).
 */
function halfBlock(
  src: Float64Array,
  w: Uint32Array,
  from: number,
  dst: Uint16Array,
  to: number,
  n: number,
): void {
  for (let i = 0; i < n; i++) f32Block[i] = src[from + i]!;
  for (let i = 0; i < n; i++) {
    const b = f32Bits[i]!;
    const e = (b >>> 23) & 0xff; // biased float32 exponent
    if ((e - 113) >>> 0 < 30 && (b & 0x1fff) !== 0x1000)
      // Half normal range (2^-14 ≤ |f| < 2^16), not a midpoint: rebias, round on the 13 dropped bits
      // (a carry bumps the exponent, up to 0x7c00 = Inf above 65520).
      dst[to + i] = ((b >>> 16) & 0x8000) + (((b & 0x7fffffff) - 0x38000000 + 0x1000) >>> 13);
    else if (e < 102) dst[to + i] = (b >>> 16) & 0x8000;
    else dst[to + i] = halfBitsFromWords(w[2 * (from + i) + HI]!, w[2 * (from + i) + LO]!);
  }
}

function tooShort(have: number, need: number): CoreError {
  return new CoreError('BAD_PARAMS', `The output array holds ${have} values; ${need} are needed.`);
}

/**
 * float16 bit patterns of `src` values rounded as numpy's `astype(np.float16)` does. Float64Array
 * input is read bit for bit (NaN payloads kept); other arrays are widened to float64 first (exact).
 */
export function float64ToFloat16Bits(src: NumberArray, out?: Uint16Array): Uint16Array {
  const n = src.length;
  const dst = out ?? recycledArray(Uint16Array, n);
  if (dst.length < n) throw tooShort(dst.length, n);
  if (src instanceof Float64Array) {
    const w = new Uint32Array(src.buffer, src.byteOffset, n * 2);
    for (let start = 0; start < n; start += BLOCK)
      halfBlock(src, w, start, dst, start, Math.min(BLOCK, n - start));
    return dst;
  }
  // Other arrays are widened to float64 per block first (exact), and their halves written from there.
  const block = new Float64Array(Math.min(BLOCK, n));
  const w = new Uint32Array(block.buffer);
  for (let start = 0; start < n; start += BLOCK) {
    const len = Math.min(BLOCK, n - start);
    for (let k = 0; k < len; k++) block[k] = src[start + k]!;
    halfBlock(block, w, 0, dst, start, len);
  }
  return dst;
}

/** The float16 value nearest to x (ties to even), as a float64: what a float16 round trip gives. */
export function roundToFloat16(x: number): number {
  return float16BitsToNumber(float64ToFloat16Bits(Float64Array.of(x))[0]!);
}

/** Where a wider IEEE format keeps its fields inside one 32-bit word. */
interface WordFormat {
  /** Exponent bias of the wider format (1023 or 127). */
  bias: number;
  /** Bit position of the exponent field in the word (20 for float64's high word, 23 for float32). */
  expShift: number;
  /** Shift that moves a 10-bit half mantissa to the top of the wider mantissa in the word. */
  mantShift: number;
}

/**
 * For each half bit pattern, the word of the exact wider value (for float64, the high word: the low
 * word is always 0). Subnormal halves are normalised; Inf/NaN keep their payload, like numpy.
 */
function wideningTable(f: WordFormat): Uint32Array {
  const t = new Uint32Array(65536);
  const maxExp = f.bias * 2 + 1; // the all-ones exponent
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const exp = (h >>> 10) & 0x1f;
    let mant = h & 0x3ff;
    let word: number;
    if (exp === 0x1f) word = (maxExp << f.expShift) | (mant << f.mantShift);
    else if (exp !== 0) word = ((exp - 15 + f.bias) << f.expShift) | (mant << f.mantShift);
    else if (mant === 0) word = 0;
    else {
      // Subnormal half: normalise, the value is mant · 2^-24.
      let e = -14;
      while ((mant & 0x400) === 0) {
        mant <<= 1;
        e--;
      }
      word = ((e + f.bias) << f.expShift) | ((mant & 0x3ff) << f.mantShift);
    }
    t[h] = (sign | word) >>> 0;
  }
  return t;
}

let hiWordTable: Uint32Array | null = null;
let f32Table: Uint32Array | null = null;

function float64HiWords(): Uint32Array {
  return (hiWordTable ??= wideningTable({ bias: 1023, expShift: 20, mantShift: 10 }));
}

function float32BitTable(): Uint32Array {
  return (f32Table ??= wideningTable({ bias: 127, expShift: 23, mantShift: 13 }));
}

let f64Table: Float64Array | null = null;

/** The float64 value of every half bit pattern (the high words above, low words 0). */
function float64Table(): Float64Array {
  if (f64Table) return f64Table;
  const t = new Float64Array(65536);
  const w = new Uint32Array(t.buffer);
  const hi = float64HiWords();
  for (let h = 0; h < 65536; h++) w[2 * h + HI] = hi[h]!;
  return (f64Table = t);
}

/**
 * Exact float64 values of float16 bit patterns (NaN payloads kept, like numpy's astype): one float64
 * copied from a table per value (2·10⁷ values in Node: 40–46 ms writing the two 32-bit words, 31–40 so;
 * V8 copies a typed array's float64 bits as they are, NaN payloads included, as the tests check).
 */
export function float16BitsToFloat64(bits: Uint16Array, out?: Float64Array): Float64Array {
  const n = bits.length;
  const dst = out ?? recycledArray(Float64Array, n);
  if (dst.length < n) throw tooShort(dst.length, n);
  const t = float64Table();
  for (let i = 0; i < n; i++) dst[i] = t[bits[i]!]!;
  return dst;
}

/** Exact float32 values of float16 bit patterns. */
export function float16BitsToFloat32(bits: Uint16Array, out?: Float32Array): Float32Array {
  const n = bits.length;
  const dst = out ?? recycledArray(Float32Array, n);
  if (dst.length < n) throw tooShort(dst.length, n);
  const t = float32BitTable();
  const w = new Uint32Array(dst.buffer, dst.byteOffset, n);
  for (let i = 0; i < n; i++) w[i] = t[bits[i]!]!;
  return dst;
}

/** One half bit pattern to its number. */
export function float16BitsToNumber(bits: number): number {
  return float64Table()[bits & 0xffff]!;
}
