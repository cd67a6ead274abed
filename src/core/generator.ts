// The notebook's synthetic array, bit for bit equal to numpy's legacy RandomState:
//   np.random.seed(seed); a = np.random.rand(n, m, m)
//   a[4:14, 4:14] += 10; a[24:34, 24:34] -= 10
//   for i in range(n): a[i] = a[i] + a[i].T
// np.random.seed(int) seeds MT19937 with init_genrand(seed) (numpy's _legacy_seeding → mt19937_seed),
// and rand() draws doubles as ((a >> 5) · 2^26 + (b >> 6)) / 2^53 from two 32-bit outputs
// (numpy/random/src/legacy: legacy_double → mt19937_next_double).

import { CoreError } from './errors';
import type { NdArray } from './ndarray';

export interface NotebookArrayOptions {
  /** Number of matrices (axis 0). Default 1000. */
  n?: number;
  /** Matrix size M (each matrix is M×M). Default 141. */
  m?: number;
  /** np.random.seed value, 0 ≤ seed < 2^32. Default 0. */
  seed?: number;
}

const N = 624;
const M_SHIFT = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** The Mersenne Twister MT19937 (Matsumoto & Nishimura 1998), as numpy's legacy generator uses it. */
export class MT19937 {
  private readonly mt = new Uint32Array(N);
  private mti = N;

  constructor(seed: number) {
    // init_genrand: mt[i] = 1812433253 · (mt[i−1] ^ (mt[i−1] >>> 30)) + i, mod 2^32.
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = Math.imul(1812433253, prev) + i;
    }
  }

  /** Regenerates the 624-word state block (the "twist"). */
  private twist(): void {
    const mt = this.mt;
    let kk = 0;
    for (; kk < N - M_SHIFT; kk++) {
      const y = (mt[kk]! & UPPER_MASK) | (mt[kk + 1]! & LOWER_MASK);
      mt[kk] = mt[kk + M_SHIFT]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; kk < N - 1; kk++) {
      const y = (mt[kk]! & UPPER_MASK) | (mt[kk + 1]! & LOWER_MASK);
      mt[kk] = mt[kk + M_SHIFT - N]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    const y = (mt[N - 1]! & UPPER_MASK) | (mt[0]! & LOWER_MASK);
    mt[N - 1] = mt[M_SHIFT - 1]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.mti = 0;
  }

  /** Next tempered 32-bit output (genrand_int32). */
  nextUint32(): number {
    if (this.mti >= N) this.twist();
    let y = this.mt[this.mti++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Fills `out` with np.random.rand() doubles in [0, 1), 53 random bits each (two outputs per double). */
  fillDoubles(out: Float64Array): void {
    const mt = this.mt;
    const n = out.length;
    let i = 0;
    while (i < n) {
      if (this.mti >= N) this.twist();
      if (this.mti > N - 2) {
        // The pair straddles a twist (only after an odd number of nextUint32 calls).
        const a = this.nextUint32();
        const b = this.nextUint32();
        out[i++] = ((a >>> 5) * 67108864 + (b >>> 6)) / 9007199254740992;
        continue;
      }
      // Tempering inlined over the rest of the state block: this loop makes 40 M outputs for the
      // default 1000×141×141 array.
      let p = this.mti;
      const end = i + Math.min((N - p) >> 1, n - i);
      for (; i < end; i++, p += 2) {
        let a = mt[p]!;
        a ^= a >>> 11;
        a ^= (a << 7) & 0x9d2c5680;
        a ^= (a << 15) & 0xefc60000;
        a ^= a >>> 18;
        let b = mt[p + 1]!;
        b ^= b >>> 11;
        b ^= (b << 7) & 0x9d2c5680;
        b ^= (b << 15) & 0xefc60000;
        b ^= b >>> 18;
        out[i] = ((a >>> 5) * 67108864 + (b >>> 6)) / 9007199254740992;
      }
      this.mti = p;
    }
  }
}

function checkCount(name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0)
    throw new CoreError('BAD_PARAMS', `${name} must be a non-negative integer.`);
}

/**
 * numpy basic slicing a[start:stop] on an axis of length `len` (start, stop ≥ 0): clipped to the axis.
 */
function clip(start: number, stop: number, len: number): [number, number] {
  return [Math.min(start, len), Math.min(stop, len)];
}

/**
 * The notebook's synthetic n×m×m float64 array, bit-identical to numpy for the same (n, m, seed).
 * Note the notebook's `a[4:14, 4:14] += 10` indexes axes 0 and 1: matrices 4..13, rows 4..13, all
 * columns — then each matrix is symmetrised, so those blocks end up as crosses, not squares.
 */
export function generateNotebookArray({ n = 1000, m = 141, seed = 0 }: NotebookArrayOptions = {}): NdArray {
  checkCount('n', n);
  checkCount('m', m);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new CoreError(
      'BAD_PARAMS',
      'seed must be an integer between 0 and 2**32 - 1 (as np.random.seed requires).',
    );
  const total = n * m * m;
  if (!Number.isSafeInteger(total)) throw new CoreError('BAD_PARAMS', `n × m × m = ${total} is too large.`);
  let a: Float64Array;
  try {
    a = new Float64Array(total);
  } catch (e) {
    throw new CoreError('BAD_PARAMS', `Cannot allocate ${n}×${m}×${m} float64 values.`, { cause: e });
  }
  new MT19937(seed).fillDoubles(a);
  const mm = m * m;
  const shift = (i0: number, i1: number, delta: number): void => {
    const [s0, e0] = clip(i0, i1, n);
    const [s1, e1] = clip(i0, i1, m);
    for (let i = s0; i < e0; i++) {
      const start = i * mm + s1 * m;
      const end = i * mm + e1 * m;
      for (let k = start; k < end; k++) a[k] = a[k]! + delta;
    }
  };
  shift(4, 14, 10);
  shift(24, 34, -10);
  // a[i] = a[i] + a[i].T: numpy computes the sum into a temporary, so both halves read the old values.
  for (let i = 0; i < n; i++) {
    const base = i * mm;
    for (let r = 0; r < m; r++) {
      const d = base + r * m + r;
      a[d] = a[d]! + a[d]!;
      for (let c = r + 1; c < m; c++) {
        const p = base + r * m + c;
        const q = base + c * m + r;
        const s = a[p]! + a[q]!; // addition commutes exactly, so both halves get the same double
        a[p] = s;
        a[q] = s;
      }
    }
  }
  return { dtype: 'f8', shape: [n, m, m], data: a };
}
