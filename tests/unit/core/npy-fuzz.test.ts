// Property tests: whatever bytes arrive, the NPY reader either returns an array consistent with them or
// throws CoreError — never another error type, never hangs, never allocates beyond the file's size.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseNpyHeader, readNpy } from '../../../src/core/npy';
import { CoreError } from '../../../src/core/errors';
import { DTYPE_BYTES, sizeOf } from '../../../src/core/ndarray';
import type { NdArray } from '../../../src/core/ndarray';
import { fixtureBytes, fixtureNames, npyWithHeader } from './fixture-helpers';

const VALID = fixtureNames('npy', '.npy').map((n) => fixtureBytes('npy', n));

/** The reader's contract on arbitrary input; returns 'ok' or the CoreError code. */
async function outcome(bytes: Uint8Array, viaBlob: boolean): Promise<string> {
  let arr: NdArray;
  try {
    arr = await readNpy(viaBlob ? new Blob([bytes.slice()]) : bytes.slice());
  } catch (e) {
    if (e instanceof CoreError) return e.code;
    throw new Error(`not a CoreError: ${String(e)}`, { cause: e });
  }
  // Consistent with the bytes: the header read alone describes the same array, and it fits the file.
  const h = parseNpyHeader(bytes);
  expect(arr.dtype).toBe(h.dtype);
  expect([...arr.shape]).toEqual(h.shape);
  expect(arr.data.length).toBe(sizeOf(h.shape));
  expect(arr.data.byteLength).toBe(sizeOf(h.shape) * DTYPE_BYTES[h.dtype]);
  expect(h.dataOffset + h.dataBytes).toBeLessThanOrEqual(bytes.length);
  expect(arr.data.byteLength).toBeLessThanOrEqual(bytes.length);
  return 'ok';
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  // Header bytes are where parsing happens: bias mutations to the first 128 bytes.
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.nat({ max: 127 }),
    value: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.nat({ max: 127 }),
    value: fc.constantFrom(...[...'{}()[],:\'" 0123456789-LTrueFalse<>|'].map((c) => c.charCodeAt(0))),
  }),
);

function mutate(src: Uint8Array, muts: { kind: string; at: number; value?: number }[]): Uint8Array {
  let b = Array.from(src);
  for (const m of muts) {
    const at = b.length === 0 ? 0 : m.at % (b.length + 1);
    if (m.kind === 'set' && at < b.length) b[at] = m.value!;
    else if (m.kind === 'truncate') b = b.slice(0, at);
    else if (m.kind === 'insert') b.splice(at, 0, m.value!);
    else if (m.kind === 'delete') b.splice(at, 1);
  }
  return Uint8Array.from(b);
}

describe('NPY reader fuzzing', () => {
  it('mutated numpy files: array consistent with the bytes, or CoreError', async () => {
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: VALID.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        async (i, muts, viaBlob) => {
          const r = await outcome(mutate(VALID[i]!, muts), viaBlob);
          seen.set(r, (seen.get(r) ?? 0) + 1);
        },
      ),
      { numRuns: 1500 },
    );
    // The mutations reach both outcomes and several distinct failure kinds.
    expect(seen.get('ok')).toBeGreaterThan(25);
    expect(seen.size).toBeGreaterThan(4);
  });

  const token = fc.oneof(
    fc.constantFrom(
      '{',
      '}',
      '(',
      ')',
      '[',
      ']',
      ':',
      ',',
      ' ',
      "'descr'",
      "'fortran_order'",
      "'shape'",
      "'<f8'",
      "'>i2'",
      "'|u1'",
      "'<c16'",
      "'|O'",
      'True',
      'False',
      'None',
      '0',
      '1',
      '3',
      '-1',
      '7L',
      '1e5',
      '99999999999999999999',
      '"',
      "'",
      '\\',
      '\n',
    ),
    fc.string({ maxLength: 6 }),
  );

  it('random dict-like header texts: CoreError or a consistent array', async () => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.array(token, { maxLength: 40 }),
        fc.uint8Array({ maxLength: 64 }),
        fc.constantFrom(1 as const, 2 as const, 3 as const),
        async (tokens, data, version) => {
          seen.add(await outcome(npyWithHeader(tokens.join(''), data, version), false));
        },
      ),
      { numRuns: 1500 },
    );
    expect(seen.has('NPY_BAD_HEADER')).toBe(true);
  });

  it('well-formed headers with random dtypes, orders and shapes decode exactly the data given', async () => {
    const dtype = fc.constantFrom('b1', 'i1', 'u1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8', 'f2', 'f4', 'f8');
    await fc.assert(
      fc.asyncProperty(
        dtype,
        fc.constantFrom('<', '>', '|', '='),
        fc.boolean(),
        fc.array(fc.nat({ max: 5 }), { maxLength: 4 }),
        fc.integer({ min: -3, max: 3 }),
        fc.boolean(),
        async (code, order, fortran, shape, extraBytes, viaBlob) => {
          const n = sizeOf(shape) * DTYPE_BYTES[code as keyof typeof DTYPE_BYTES];
          const data = Uint8Array.from(
            { length: Math.max(0, n + extraBytes) },
            (_, i) => (i * 37 + 11) & 0xff,
          );
          const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
          const text = `{'descr': '${order}${code}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shapeText}}`;
          const result = await outcome(npyWithHeader(text, data), viaBlob);
          if (extraBytes < 0 && n > 0) expect(result).toBe('NPY_TRUNCATED');
          else expect(result).toBe('ok');
        },
      ),
      { numRuns: 800 },
    );
  });

  it('huge shapes fail with CoreError before any allocation', async () => {
    const dim = fc.oneof(fc.nat({ max: 10 }), fc.bigInt({ min: 10n ** 6n, max: 10n ** 22n }));
    const before = process.memoryUsage().arrayBuffers;
    await fc.assert(
      fc.asyncProperty(
        fc.array(dim, { minLength: 1, maxLength: 5 }).filter((s) => s.some((d) => typeof d === 'bigint')),
        fc.uint8Array({ maxLength: 256 }),
        fc.boolean(),
        async (shape, data, viaBlob) => {
          const text = `{'descr': '<f8', 'fortran_order': False, 'shape': (${shape.join(', ')},)}`;
          const n = shape.reduce<bigint>((a, d) => a * BigInt(d), 1n);
          const result = await outcome(npyWithHeader(text, data), viaBlob);
          if (n * 8n > BigInt(data.length)) expect(result).toMatch(/^NPY_(TRUNCATED|TOO_LARGE)$/);
        },
      ),
      { numRuns: 500 },
    );
    // Nothing close to the claimed sizes was ever allocated (those would be ≥ 8 MB each).
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('random bytes after the magic: CoreError or a consistent array', async () => {
    const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 2 }),
        fc.uint8Array({ maxLength: 300 }),
        async (major, minor, rest) => {
          await outcome(Uint8Array.from([...magic, major, minor, ...rest]), false);
        },
      ),
      { numRuns: 800 },
    );
  });
});
