// Layout `upper-triangle-rowmajor`: each M×M matrix as the M(M+1)/2 values of (A + Aᵀ)/2 on and above
// the diagonal, np.triu_indices(M) order (core/triangle.ts does the packing).
import { sizeOf } from '../core/ndarray';
import type { NumberArray } from '../core/ndarray';
import { copyUpper, packUpper, triangleSize, unpackUpper } from '../core/triangle';
import type { LayoutDef } from './types';
import type { InputFacts } from '../strategies/types';
import { packedArrayLike, squareStackProblem, symmetrizeError } from './symmetric';

/**
 * The loader found every matrix equal to its transpose and no NaN (the whole input's facts, so true
 * of any rows of it too).
 */
function exactlySymmetric(facts: InputFacts): boolean {
  return facts.maxAsymmetry === 0 && facts.nanCount === 0;
}

export const triangleLayout: LayoutDef = {
  id: 'upper-triangle-rowmajor',
  short: 'triangle',
  fileTag: 'triangle',
  description:
    'Each M×M matrix keeps its M(M+1)/2 values on and above the diagonal; near-symmetric input stores (A+Aᵀ)/2.',
  problem: (shape) => squareStackProblem(shape),
  pays: (shape) => squareStackProblem(shape) === null,
  rowAligned: true,
  storedShape: (shape) => [...shape.slice(0, -2), triangleSize(shape[shape.length - 1]!)],
  layoutError: symmetrizeError,
  pack(values, shape, facts) {
    const m = shape[shape.length - 1]!;
    const out = packedArrayLike(values, (sizeOf(shape) / (m * m)) * triangleSize(m));
    // Exactly symmetric without NaN: (A + Aᵀ)/2 is the upper triangle itself, copied without reading
    // the lower half.
    return exactlySymmetric(facts) ? copyUpper(values, shape, out) : packUpper(values, shape, out);
  },
  // The restore mirrors every decoded value, so on an exactly symmetric input an error below the
  // diagonal is the one above it: the decoded triangles are compared with the originals' upper
  // halves, without rebuilding the matrices (the accumulator counts each off-diagonal place twice).
  compareStored: (acc, orig, stored, shape, facts) =>
    exactlySymmetric(facts) && acc.addSymmetric?.(orig, stored, shape[shape.length - 1]!) === true,
  unpack(stored: NumberArray, _r0, _r1, shape) {
    const m = shape[shape.length - 1]!;
    return unpackUpper(stored, m, stored.length / triangleSize(m));
  },
  attrs: (shape) => ({ matrix_size: { type: 'int64', value: shape[shape.length - 1]! } }),
  fitsNpy: true,
  extraDatasets: () => [],
  restorePython: `m = int(d.attrs["matrix_size"])
iu = np.triu_indices(m)
full = np.empty(a.shape[:-1] + (m, m), dtype=a.dtype)
full[..., iu[0], iu[1]] = a
full[..., iu[1], iu[0]] = a
a = full`,
};
