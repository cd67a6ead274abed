// NPY reader/writer. Spec: numpy.lib.format ("NPY format", versions 1.0, 2.0 and 3.0):
// https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
// Hard constraint: big files are read header-first and then in slabs into ONE preallocated buffer, so
// peak memory is the array plus one slab; nothing is allocated before the file size is validated.

import { CoreError } from './errors';
import type { DTypeCode, NdArray, TypedArray } from './ndarray';
import { DTYPE_BYTES, numpyDescr, sizeOf } from './ndarray';

export interface NpyHeader {
  /** [major, minor] as stored in the file. */
  readonly version: readonly [number, number];
  /** The descr string exactly as written in the file, e.g. `>f8`. */
  readonly descr: string;
  readonly dtype: DTypeCode;
  readonly littleEndian: boolean;
  readonly fortranOrder: boolean;
  readonly shape: readonly number[];
  /** Byte offset of the first data byte (magic + length field + header text). */
  readonly dataOffset: number;
  /** product(shape) × itemsize. */
  readonly dataBytes: number;
}

export interface ReadNpyOptions {
  /** Called after each slab with the fraction of data bytes read, ending with 1. */
  onProgress?(fraction: number): void;
  signal?: AbortSignal;
  /** Slab size in bytes for Blob reads (default NPY_SLAB_BYTES); rounded down to a multiple of 8. */
  slabBytes?: number;
  /**
   * Makes the buffer the data are read into (e.g. a SharedArrayBuffer for workers to share), so the
   * caller needs no second copy. Default: an ordinary ArrayBuffer.
   */
  buffer?(bytes: number): ArrayBufferLike;
  /**
   * Blob reads only: called after each slab is in place, with the next slab's read already under
   * way, with the data bytes so far (`data.subarray(0, filled)`). They are final — the values the
   * result will hold — when `dataBytesFinal(header)`; otherwise they are still to be byte-swapped or
   * transposed. Lets a caller work on the data while the rest is read.
   */
  onData?(data: Uint8Array, filled: number): void;
}

/** `\x93NUMPY`: the six magic bytes every .npy file starts with. */
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59] as const;
/** numpy pads the header so the data starts at a multiple of this (numpy.lib.format.ARRAY_ALIGN). */
const ARRAY_ALIGN = 64;
/** numpy leaves room for the growth axis to be rewritten in place (numpy.lib.format.GROWTH_AXIS_MAX_DIGITS). */
const GROWTH_AXIS_MAX_DIGITS = 21;
/**
 * Headers we agree to read. numpy's own default limit is 10 000 bytes (np.load max_header_size); real
 * headers of supported dtypes are < 1 KiB, so 1 MiB only guards against absurd length fields.
 */
const MAX_HEADER_BYTES = 1 << 20;
/** numpy ≥ 2 allows 64 dimensions (NPY_MAXDIMS); older versions 32. */
const MAX_DIMS = 64;
/** Slab size for reading the data region of a Blob. A multiple of every itemsize. */
export const NPY_SLAB_BYTES = 64 * 1024 * 1024;

/** True on little-endian hosts (all browsers and Node on x86/ARM in practice). */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// ---------------------------------------------------------------------------------------------------
// Header parsing

/** What a file that is not .npy looks like, from its first bytes (for the error message). */
function describeImpostor(b: Uint8Array): string | null {
  const starts = (sig: readonly number[], at = 0): boolean =>
    b.length >= at + sig.length && sig.every((v, i) => b[at + i] === v);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'a PNG image';
  // HDF5 superblock signature; it may also sit after a user block at 512, 1024, 2048, ... bytes.
  const hdf5 = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
  for (let at = 0; at + hdf5.length <= b.length; at = at === 0 ? 512 : at * 2) {
    if (starts(hdf5, at)) return 'an HDF5 file (open it with h5py, or save the array with np.save)';
  }
  if (starts([0x50, 0x4b, 0x03, 0x04]) || starts([0x50, 0x4b, 0x05, 0x06]))
    return 'a zip archive (an .npz from np.savez? extract the .npy inside it)';
  if (b.length >= 2 && b[0] === 0x80 && b[1]! >= 2 && b[1]! <= 5)
    return 'a Python pickle (use np.save instead)';
  if (starts([0x1f, 0x8b])) return 'a gzip-compressed file (decompress it first)';
  if (starts([0xff, 0xd8, 0xff])) return 'a JPEG image';
  if (starts([0x25, 0x50, 0x44, 0x46])) return 'a PDF document';
  const head = b.subarray(0, 64);
  if (head.length > 0 && head.every((c) => c === 0x09 || c === 0x0a || c === 0x0d || (c >= 0x20 && c < 0x7f)))
    return 'a text file (CSV? load it with np.loadtxt and np.save it)';
  return null;
}

function checkMagic(b: Uint8Array): void {
  if (b.length === 0) throw new CoreError('EMPTY_FILE', 'The file is empty (0 bytes).');
  const n = Math.min(b.length, MAGIC.length);
  for (let i = 0; i < n; i++) {
    if (b[i] !== MAGIC[i]) {
      const looks = describeImpostor(b);
      throw new CoreError(
        'NPY_BAD_MAGIC',
        `This is not a .npy file: it does not start with the NPY magic bytes "\\x93NUMPY"` +
          (looks ? `; it looks like ${looks}.` : '.'),
      );
    }
  }
}

/** Bytes of the fixed prefix (magic, version, length field) for a version, or throws. */
function prefixLength(major: number, minor: number): number {
  if (minor === 0 && major === 1) return 10;
  if (minor === 0 && (major === 2 || major === 3)) return 12;
  throw new CoreError(
    'NPY_BAD_VERSION',
    `Unsupported .npy format version ${major}.${minor} (known: 1.0, 2.0, 3.0). Re-save it with np.save.`,
  );
}

type PyValue = string | number | boolean | null | PyTuple | PyList;
interface PyTuple {
  readonly kind: 'tuple';
  readonly items: PyValue[];
}
interface PyList {
  readonly kind: 'list';
  readonly items: PyValue[];
}
type PyDict = Map<string, PyValue>;

const MAX_NESTING = 16;

function badHeader(detail: string): CoreError {
  return new CoreError('NPY_BAD_HEADER', `The .npy header is malformed: ${detail}.`);
}

/**
 * A strict parser for the Python literal subset numpy writes (numpy uses ast.literal_eval): a dict
 * of string keys to strings, ints (with an optional Python 2 `L` suffix), True/False/None, and
 * tuples/lists of those. Tolerates any key order, whitespace and trailing commas. Nothing else is
 * accepted, so no header can make us evaluate code.
 */
class LiteralParser {
  private pos = 0;
  constructor(private readonly s: string) {}

  parseDict(): PyDict {
    this.skipWs();
    if (this.s[this.pos] !== '{') throw badHeader('it is not a Python dict literal');
    this.pos++;
    const d: PyDict = new Map();
    for (;;) {
      this.skipWs();
      if (this.s[this.pos] === '}') {
        this.pos++;
        break;
      }
      const key = this.parseValue(1);
      if (typeof key !== 'string') throw badHeader('a dict key is not a string');
      this.skipWs();
      if (this.s[this.pos] !== ':') throw badHeader(`expected ':' after key '${key}'`);
      this.pos++;
      d.set(key, this.parseValue(1));
      this.skipWs();
      if (this.s[this.pos] === ',') this.pos++;
      else if (this.s[this.pos] !== '}') throw badHeader('expected , or } in the dict');
    }
    this.skipWs();
    if (this.pos !== this.s.length) throw badHeader('unexpected text after the dict');
    return d;
  }

  private skipWs(): void {
    while (this.pos < this.s.length) {
      const c = this.s.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c || c === 0x0b) this.pos++;
      else break;
    }
  }

  private parseValue(depth: number): PyValue {
    if (depth > MAX_NESTING) throw badHeader('values are nested too deeply');
    this.skipWs();
    const c = this.s[this.pos];
    if (c === undefined) throw badHeader('the header ends early');
    if (c === "'" || c === '"') return this.parseString(c);
    if (c === '(' || c === '[') return this.parseSequence(c, depth);
    if (c === '-' || c === '+' || (c >= '0' && c <= '9')) return this.parseInt();
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.pos, this.pos + 32))?.[0];
    if (word === 'True' || word === 'False' || word === 'None') {
      this.pos += word.length;
      return word === 'None' ? null : word === 'True';
    }
    throw badHeader(`unexpected ${word ? `name '${word}'` : `character '${c}'`} at offset ${this.pos}`);
  }

  private parseString(quote: string): string {
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.s[this.pos++];
      if (c === undefined || c === '\n') throw badHeader('a string is not terminated');
      if (c === quote) return out;
      if (c === '\\') {
        const e = this.s[this.pos++];
        if (e === undefined) throw badHeader('a string is not terminated');
        out += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e === '0' ? '\0' : e;
      } else out += c;
    }
  }

  private parseSequence(open: string, depth: number): PyTuple | PyList {
    const close = open === '(' ? ')' : ']';
    this.pos++;
    const items: PyValue[] = [];
    let sawComma = false;
    for (;;) {
      this.skipWs();
      if (this.s[this.pos] === close) {
        this.pos++;
        break;
      }
      items.push(this.parseValue(depth + 1));
      this.skipWs();
      if (this.s[this.pos] === ',') {
        this.pos++;
        sawComma = true;
      } else if (this.s[this.pos] !== close) throw badHeader(`expected , or ${close}`);
    }
    // `(5)` is just 5 in Python, not a tuple.
    if (open === '(' && items.length === 1 && !sawComma) {
      const only = items[0]!;
      if (typeof only === 'object' && only !== null) return only;
      throw badHeader(`'(${String(only)})' is not a tuple (write '(${String(only)},)')`);
    }
    return { kind: open === '(' ? 'tuple' : 'list', items };
  }

  private parseInt(): number {
    const m = /^[-+]?[0-9][0-9_]*(?:[lL])?/.exec(this.s.slice(this.pos, this.pos + 64));
    const after = m ? this.s[this.pos + m[0].length] : undefined;
    if (!m || (after !== undefined && /[0-9A-Za-z_.]/.test(after)))
      throw badHeader(`'${this.s.slice(this.pos, this.pos + 12)}…' is not an integer`);
    this.pos += m[0].length;
    const digits = m[0].replace(/[lL_]/g, '');
    const v = Number(digits);
    // Beyond 2^53 the dimension can't be exact; such a shape can't be held anyway.
    if (!Number.isSafeInteger(v))
      throw new CoreError(
        'NPY_TOO_LARGE',
        `The .npy header has a dimension ${digits} that is far too large.`,
      );
    return v;
  }
}

function pyRepr(v: PyValue): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (v === null) return 'None';
  const inner = v.items.map(pyRepr).join(', ');
  return v.kind === 'tuple' ? `(${inner}${v.items.length === 1 ? ',' : ''})` : `[${inner}]`;
}

const SUPPORTED_HINT = 'h5squeeze reads bool, integer and float16/32/64 arrays';

function unsupported(descr: string, what: string): CoreError {
  return new CoreError('NPY_UNSUPPORTED_DTYPE', `Unsupported dtype '${descr}' (${what}): ${SUPPORTED_HINT}.`);
}

/** Single-character type codes numpy accepts (np.dtype('d') etc.), as kind+size. */
const CHAR_CODES: Record<string, string> = {
  '?': 'b1',
  b: 'i1',
  B: 'u1',
  h: 'i2',
  H: 'u2',
  i: 'i4',
  I: 'u4',
  // 'l'/'L' are C long: 8 bytes on the LP64 platforms numpy files come from (numpy writes kind+size anyway).
  l: 'i8',
  L: 'u8',
  q: 'i8',
  Q: 'u8',
  e: 'f2',
  f: 'f4',
  d: 'f8',
  g: 'f16',
  F: 'c8',
  D: 'c16',
  G: 'c32',
};

const NAMES: Record<string, string> = {
  bool: 'b1',
  int8: 'i1',
  uint8: 'u1',
  int16: 'i2',
  uint16: 'u2',
  int32: 'i4',
  uint32: 'u4',
  int64: 'i8',
  uint64: 'u8',
  float16: 'f2',
  float32: 'f4',
  float64: 'f8',
  complex64: 'c8',
  complex128: 'c16',
  object: 'O',
};

const SUPPORTED = new Set<string>(['b1', 'i1', 'u1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8', 'f2', 'f4', 'f8']);

/** Parses a numpy descr string like `<f8`, `|u1`, `>i2`, `float64`; throws NPY_UNSUPPORTED_DTYPE naming it. */
function parseDescr(descr: string): { dtype: DTypeCode; littleEndian: boolean } {
  const m = /^([<>|=!]?)(.*)$/s.exec(descr)!;
  const order = m[1]!;
  let body = m[2]!;
  if (NAMES[body] !== undefined) body = NAMES[body]!;
  else if (body.length === 1 && CHAR_CODES[body] !== undefined) body = CHAR_CODES[body]!;
  if (SUPPORTED.has(body)) {
    // '|' means "not applicable" and '=' native; numpy only writes them for 1-byte types, and on
    // reading treats them as the host order, which is little-endian everywhere this app runs.
    return { dtype: body as DTypeCode, littleEndian: order !== '>' && order !== '!' };
  }
  const kind = body[0] ?? '';
  const size = body.slice(1);
  if (kind === 'c' && /^\d+$/.test(size))
    throw unsupported(descr, `complex${Number(size) * 8}; store the real and imaginary parts separately`);
  if (kind === 'f' && /^\d+$/.test(size)) throw unsupported(descr, `float${Number(size) * 8}, long double`);
  if (kind === 'O') throw unsupported(descr, 'Python objects, stored with pickle');
  if (kind === 'U') throw unsupported(descr, `unicode strings of up to ${size || '?'} characters`);
  if (kind === 'S' || kind === 'a') throw unsupported(descr, `byte strings of ${size || '?'} bytes`);
  if (kind === 'V') throw unsupported(descr, `raw void records of ${size || '?'} bytes`);
  if (kind === 'M') throw unsupported(descr, `datetime64${size.replace(/^\d+/, '')}`);
  if (kind === 'm') throw unsupported(descr, `timedelta64${size.replace(/^\d+/, '')}`);
  if ((kind === 'i' || kind === 'u' || kind === 'b') && /^\d+$/.test(size))
    throw unsupported(descr, `${kind === 'b' ? 'bool' : kind === 'i' ? 'int' : 'uint'} of ${size} bytes`);
  throw unsupported(descr, 'not a data type numpy writes');
}

function toShape(v: PyValue | undefined): number[] {
  if (v === undefined) throw badHeader("the key 'shape' is missing");
  if (typeof v !== 'object' || v === null)
    throw badHeader(`'shape' must be a tuple of non-negative integers, got ${pyRepr(v)}`);
  if (v.items.length > MAX_DIMS)
    throw badHeader(`'shape' has ${v.items.length} dimensions (at most ${MAX_DIMS})`);
  return v.items.map((d) => {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0)
      throw badHeader(`'shape' must be a tuple of non-negative integers, got ${pyRepr(v)}`);
    return d;
  });
}

/**
 * Parses the NPY header from the first bytes of a file (the whole file or just its header). Throws
 * CoreError for anything that is not a readable .npy of a supported dtype; does not look at the data.
 */
export function parseNpyHeader(bytes: Uint8Array): NpyHeader {
  checkMagic(bytes);
  if (bytes.length < 8)
    throw new CoreError('NPY_TRUNCATED', `The .npy file is truncated: only ${bytes.length} bytes long.`);
  const major = bytes[6]!;
  const minor = bytes[7]!;
  const prefix = prefixLength(major, minor);
  if (bytes.length < prefix)
    throw new CoreError('NPY_TRUNCATED', `The .npy file is truncated: only ${bytes.length} bytes long.`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const dataOffset = prefix + headerLen;
  if (headerLen > MAX_HEADER_BYTES)
    throw badHeader(
      `the header length field says ${headerLen} bytes (more than the ${MAX_HEADER_BYTES} we accept)`,
    );
  if (bytes.length < dataOffset)
    throw new CoreError(
      'NPY_TRUNCATED',
      `The .npy file is truncated: its header should be ${headerLen} bytes but the file ends after ` +
        `${Math.max(0, bytes.length - prefix)} of them.`,
    );
  const raw = bytes.subarray(prefix, dataOffset);
  let text: string;
  if (major === 3) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch (e) {
      throw new CoreError('NPY_BAD_HEADER', 'The .npy header is malformed: it is not valid UTF-8.', {
        cause: e,
      });
    }
  } else {
    // Versions 1.0 and 2.0 are latin1: one byte, one code point.
    text = '';
    for (let i = 0; i < raw.length; i += 4096)
      text += String.fromCharCode(...raw.subarray(i, Math.min(raw.length, i + 4096)));
  }
  const dict = new LiteralParser(text).parseDict();

  const descrValue = dict.get('descr');
  if (descrValue === undefined) throw badHeader("the key 'descr' is missing");
  const fortran = dict.get('fortran_order');
  if (fortran === undefined) throw badHeader("the key 'fortran_order' is missing");
  if (typeof fortran !== 'boolean')
    throw badHeader(`'fortran_order' must be True or False, got ${pyRepr(fortran)}`);
  const shape = toShape(dict.get('shape'));
  if (typeof descrValue !== 'string') {
    if (typeof descrValue === 'object' && descrValue?.kind === 'list')
      throw new CoreError(
        'NPY_UNSUPPORTED_DTYPE',
        `Unsupported dtype ${pyRepr(descrValue)} (a structured record type): ${SUPPORTED_HINT}; save each field as its own array.`,
      );
    throw badHeader(`'descr' must be a dtype string, got ${pyRepr(descrValue)}`);
  }
  const { dtype, littleEndian } = parseDescr(descrValue);
  const n = checkedSize(shape, descrValue);
  const dataBytes = n * DTYPE_BYTES[dtype];
  if (!Number.isSafeInteger(dataBytes)) throw tooLarge(shape, descrValue);
  return {
    version: [major, minor],
    descr: descrValue,
    dtype,
    littleEndian,
    fortranOrder: fortran,
    shape,
    dataOffset,
    dataBytes,
  };
}

function tooLarge(shape: readonly number[], descr: string): CoreError {
  return new CoreError(
    'NPY_TOO_LARGE',
    `The .npy header describes an array of shape (${shape.join(', ')}) of '${descr}', far too large to hold.`,
  );
}

/** product(shape), or throws NPY_TOO_LARGE when it is beyond 2^53. */
function checkedSize(shape: readonly number[], descr: string): number {
  if (shape.includes(0)) return 0;
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (!Number.isSafeInteger(n)) throw tooLarge(shape, descr);
  }
  return n;
}

function truncatedData(header: NpyHeader, actualFileBytes: number): CoreError {
  const expected = header.dataOffset + header.dataBytes;
  return new CoreError(
    'NPY_TRUNCATED',
    `The .npy file is truncated: shape (${header.shape.join(', ')}) of '${header.descr}' needs ` +
      `${expected} bytes but the file has ${actualFileBytes}.`,
  );
}

/**
 * Reads and validates only the header of a .npy Blob (first 12 bytes, then the header text), never
 * the data. Throws NPY_TRUNCATED when the file is shorter than the header says it must be.
 */
export async function readNpyHeaderFromBlob(blob: Blob): Promise<NpyHeader> {
  if (blob.size === 0) throw new CoreError('EMPTY_FILE', 'The file is empty (0 bytes).');
  // 12 bytes cover the prefix of every version (10 for 1.0, 12 for 2.0/3.0).
  const first = new Uint8Array(await blob.slice(0, 12).arrayBuffer());
  checkMagic(first);
  if (first.length < 10)
    throw new CoreError('NPY_TRUNCATED', `The .npy file is truncated: only ${first.length} bytes long.`);
  const prefix = prefixLength(first[6]!, first[7]!);
  if (first.length < prefix)
    throw new CoreError('NPY_TRUNCATED', `The .npy file is truncated: only ${first.length} bytes long.`);
  const dv = new DataView(first.buffer, first.byteOffset, first.byteLength);
  const headerLen = prefix === 10 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  // Let parseNpyHeader report length problems; read at most what exists and what we would accept.
  const want = prefix + Math.min(headerLen, MAX_HEADER_BYTES + 1);
  const head = new Uint8Array(await blob.slice(0, Math.min(want, blob.size)).arrayBuffer());
  const header = parseNpyHeader(head);
  if (blob.size < header.dataOffset + header.dataBytes) throw truncatedData(header, blob.size);
  return header;
}

// ---------------------------------------------------------------------------------------------------
// Data decoding

function viewAs(dtype: DTypeCode, buffer: ArrayBufferLike, byteOffset: number, length: number): TypedArray {
  switch (dtype) {
    case 'b1':
    case 'u1':
      return new Uint8Array(buffer, byteOffset, length);
    case 'i1':
      return new Int8Array(buffer, byteOffset, length);
    case 'i2':
      return new Int16Array(buffer, byteOffset, length);
    case 'u2':
    case 'f2':
      return new Uint16Array(buffer, byteOffset, length);
    case 'i4':
      return new Int32Array(buffer, byteOffset, length);
    case 'u4':
      return new Uint32Array(buffer, byteOffset, length);
    case 'i8':
      return new BigInt64Array(buffer, byteOffset, length);
    case 'u8':
      return new BigUint64Array(buffer, byteOffset, length);
    case 'f4':
      return new Float32Array(buffer, byteOffset, length);
    case 'f8':
      return new Float64Array(buffer, byteOffset, length);
  }
}

/** Reverses the bytes of each `size`-byte element in place. */
function swapBytesInPlace(b: Uint8Array, size: number): void {
  const n = b.length - (b.length % size);
  if (size === 2) {
    for (let i = 0; i < n; i += 2) {
      const t = b[i]!;
      b[i] = b[i + 1]!;
      b[i + 1] = t;
    }
  } else if (size === 4) {
    for (let i = 0; i < n; i += 4) {
      const t0 = b[i]!;
      const t1 = b[i + 1]!;
      b[i] = b[i + 3]!;
      b[i + 1] = b[i + 2]!;
      b[i + 2] = t1;
      b[i + 3] = t0;
    }
  } else if (size === 8) {
    for (let i = 0; i < n; i += 8) {
      for (let j = 0; j < 4; j++) {
        const t = b[i + j]!;
        b[i + j] = b[i + 7 - j]!;
        b[i + 7 - j] = t;
      }
    }
  }
}

/** Fortran and C order differ only when at least two axes have more than one element. */
function orderMatters(shape: readonly number[]): boolean {
  let big = 0;
  for (const d of shape) if (d > 1) big++;
  return big > 1;
}

/**
 * Copies Fortran-ordered elements (each `words` 16/32-bit words, or bytes) into C order. Works on
 * integer words so float NaN payloads are kept bit for bit.
 */
function fortranToC(src: Uint8Array | Uint16Array | Uint32Array, words: number, shape: readonly number[]) {
  const k = shape.length;
  const dst = new (
    src.constructor as Uint8ArrayConstructor | Uint16ArrayConstructor | Uint32ArrayConstructor
  )(src.length);
  const fStride: number[] = [];
  let s = words;
  for (let d = 0; d < k; d++) {
    fStride.push(s);
    s *= shape[d]!;
  }
  const last = shape[k - 1]!;
  const lastStride = fStride[k - 1]!;
  const idx = new Array<number>(k).fill(0);
  let base = 0; // source word offset of the current C-order row
  const rowWords = last * words;
  for (let o = 0; o < dst.length; o += rowWords) {
    let p = base;
    if (words === 1) {
      for (let j = 0; j < last; j++, p += lastStride) dst[o + j] = src[p]!;
    } else {
      for (let j = 0; j < rowWords; j += 2, p += lastStride) {
        dst[o + j] = src[p]!;
        dst[o + j + 1] = src[p + 1]!;
      }
    }
    for (let d = k - 2; d >= 0; d--) {
      idx[d]!++;
      base += fStride[d]!;
      if (idx[d]! < shape[d]!) break;
      base -= fStride[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return dst;
}

/** Whether the file's data bytes are the in-memory values as they are (no byte swap, no transpose). */
export function dataBytesFinal(header: NpyHeader): boolean {
  const size = DTYPE_BYTES[header.dtype];
  return (
    !(size > 1 && header.littleEndian !== HOST_LITTLE_ENDIAN) &&
    !(header.fortranOrder && orderMatters(header.shape))
  );
}

/**
 * Turns data bytes into a C-order little-endian NdArray. When `owned`, the bytes may be modified in
 * place (byte swap); otherwise they are copied first if anything must change.
 */
function decode(header: NpyHeader, bytes: Uint8Array, owned: boolean): NdArray {
  const { dtype, shape } = header;
  if (bytes.length < header.dataBytes) throw truncatedData(header, header.dataOffset + bytes.length);
  const size = DTYPE_BYTES[dtype];
  const n = header.dataBytes / size;
  const swap = size > 1 && header.littleEndian !== HOST_LITTLE_ENDIAN;
  const transpose = header.fortranOrder && orderMatters(shape);
  let b = bytes.subarray(0, header.dataBytes);
  let mine = owned;
  if (swap || b.byteOffset % size !== 0) {
    if (!mine) {
      // One copy, which also gives the alignment a typed-array view needs.
      const copy = new Uint8Array(b.length);
      copy.set(b);
      b = copy;
      mine = true;
    }
    if (swap) swapBytesInPlace(b, size);
  }
  if (transpose) {
    const words = size === 8 ? 2 : 1;
    const w =
      size === 1
        ? b
        : size === 2
          ? new Uint16Array(b.buffer, b.byteOffset, n)
          : new Uint32Array(b.buffer, b.byteOffset, n * words);
    const t = fortranToC(w, words, shape);
    b = new Uint8Array(t.buffer, 0, header.dataBytes);
    mine = true;
  }
  if (dtype === 'b1') b = normaliseBool(b, mine);
  return { dtype, shape: [...shape], data: viewAs(dtype, b.buffer, b.byteOffset, n) };
}

/** numpy stores bools as 0/1 bytes; any other non-zero byte also means True. */
function normaliseBool(b: Uint8Array, mine: boolean): Uint8Array {
  let i = 0;
  while (i < b.length && b[i]! <= 1) i++;
  if (i === b.length) return b;
  const out = mine ? b : b.slice();
  for (; i < out.length; i++) if (out[i]! > 1) out[i] = 1;
  return out;
}

/**
 * Decodes the data region (data bytes only, starting at the first element) described by `header`
 * into a C-order little-endian NdArray. May return a view of `bytes` (no copy) when they are already
 * little-endian, C-ordered and aligned; otherwise copies once (twice for Fortran order).
 */
export function decodeNpyData(header: NpyHeader, bytes: Uint8Array): NdArray {
  return decode(header, bytes, false);
}

function abortError(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  if (r instanceof Error && r.name === 'AbortError') return r;
  return new DOMException('Reading the .npy file was aborted.', 'AbortError');
}

function allocate(bytes: number, header: NpyHeader, buffer?: (bytes: number) => ArrayBufferLike): Uint8Array {
  try {
    return buffer ? new Uint8Array(buffer(bytes)) : new Uint8Array(bytes);
  } catch (e) {
    throw new CoreError(
      'NPY_TOO_LARGE',
      `Cannot allocate ${bytes} bytes for shape (${header.shape.join(', ')}) of '${header.descr}'.`,
      { cause: e },
    );
  }
}

/**
 * Reads a whole .npy file. For a Blob the data region is read in slabs of NPY_SLAB_BYTES straight into
 * one preallocated buffer (peak memory ≈ array + one slab; Fortran order needs one more array copy).
 * For a Uint8Array the result may be a view of it.
 */
export async function readNpy(source: Blob | Uint8Array, opts: ReadNpyOptions = {}): Promise<NdArray> {
  const { onProgress, signal } = opts;
  if (signal?.aborted) throw abortError(signal);
  if (source instanceof Uint8Array) {
    const header = parseNpyHeader(source);
    const end = header.dataOffset + header.dataBytes;
    if (source.length < end) throw truncatedData(header, source.length);
    const arr = decodeNpyData(header, source.subarray(header.dataOffset, end));
    onProgress?.(1);
    return arr;
  }
  const header = await readNpyHeaderFromBlob(source);
  const out = await readRegion(source, header, header.dataOffset, header.dataBytes, opts);
  return decode(header, out, true);
}

async function readRegion(
  blob: Blob,
  header: NpyHeader,
  start: number,
  length: number,
  { onProgress, signal, slabBytes = NPY_SLAB_BYTES, buffer, onData }: ReadNpyOptions,
): Promise<Uint8Array> {
  const slab = Math.max(8, Math.floor(slabBytes / 8) * 8);
  const out = allocate(length, header, buffer);
  // The next slab is requested before this one is copied and handed on: the browser reads the file
  // while this thread works. A read left pending when this stops (abort, short file) must not
  // report an unhandled rejection; awaiting it still throws.
  const read = (pos: number) => {
    const p = blob.slice(start + pos, start + Math.min(length, pos + slab)).arrayBuffer();
    p.catch(() => undefined);
    return p;
  };
  let next = length > 0 ? read(0) : null;
  for (let pos = 0; pos < length;) {
    if (signal?.aborted) throw abortError(signal);
    const end = Math.min(length, pos + slab);
    const chunk = new Uint8Array(await next!);
    next = end < length ? read(end) : null;
    if (chunk.length !== end - pos) throw truncatedData(header, blob.size);
    out.set(chunk, pos);
    pos = end;
    onData?.(out, pos);
    onProgress?.(pos / length);
  }
  if (signal?.aborted) throw abortError(signal);
  if (length === 0) onProgress?.(1);
  return out;
}

/**
 * Reads `rowCount` entries along axis 0 starting at `startRow` (for a stack: whole matrices) from a
 * C-order .npy Blob whose header was read with readNpyHeaderFromBlob. Shape of the result:
 * [rowCount, ...shape.slice(1)].
 */
export async function readNpyRows(
  blob: Blob,
  header: NpyHeader,
  startRow: number,
  rowCount: number,
  opts: ReadNpyOptions = {},
): Promise<NdArray> {
  if (header.shape.length === 0) throw new CoreError('BAD_SHAPE', 'A 0-d array has no rows to read.');
  if (header.fortranOrder && orderMatters(header.shape))
    throw new CoreError(
      'BAD_PARAMS',
      'Rows of a Fortran-order .npy file are not contiguous; read the whole file.',
    );
  const rows = header.shape[0]!;
  if (
    !Number.isSafeInteger(startRow) ||
    !Number.isSafeInteger(rowCount) ||
    startRow < 0 ||
    rowCount < 0 ||
    startRow + rowCount > rows
  )
    throw new CoreError('BAD_PARAMS', `Rows [${startRow}, ${startRow + rowCount}) are outside 0..${rows}.`);
  const rowShape = header.shape.slice(1);
  const rowBytes = sizeOf(rowShape) * DTYPE_BYTES[header.dtype];
  const sub: NpyHeader = { ...header, shape: [rowCount, ...rowShape], dataBytes: rowCount * rowBytes };
  const bytes = await readRegion(blob, sub, header.dataOffset + startRow * rowBytes, sub.dataBytes, opts);
  return decode(sub, bytes, true);
}

// ---------------------------------------------------------------------------------------------------
// Writing

function assertShape(shape: readonly number[]): void {
  for (const d of shape)
    if (!Number.isSafeInteger(d) || d < 0)
      throw new CoreError('BAD_SHAPE', `Shape (${shape.join(', ')}) must hold non-negative integers.`);
  if (shape.length > MAX_DIMS)
    throw new CoreError('BAD_SHAPE', `At most ${MAX_DIMS} dimensions are allowed.`);
}

/** Python's repr of a tuple of ints: `()`, `(5,)`, `(3, 4)`. */
function shapeRepr(shape: readonly number[]): string {
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

/**
 * The header numpy's np.save writes for a C-order little-endian array of this dtype and shape, byte
 * for byte (numpy.lib.format._write_array_header + _wrap_header): sorted keys, growth-axis spare
 * spaces, padded with spaces and a final newline so the data starts at a multiple of 64; version 1.0
 * unless the header needs more than 65535 bytes, then 2.0.
 */
export function npyHeaderBytes(dtype: DTypeCode, shape: readonly number[]): Uint8Array {
  assertShape(shape);
  let text = `{'descr': '${numpyDescr(dtype)}', 'fortran_order': False, 'shape': ${shapeRepr(shape)}, }`;
  if (shape.length > 0) text += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length));
  const hlen = text.length + 1; // + the final '\n'
  let lenBytes = 2;
  let pad = ARRAY_ALIGN - ((MAGIC.length + 2 + lenBytes + hlen) % ARRAY_ALIGN);
  if (hlen + pad > 0xffff) {
    lenBytes = 4;
    pad = ARRAY_ALIGN - ((MAGIC.length + 2 + lenBytes + hlen) % ARRAY_ALIGN);
  }
  const total = MAGIC.length + 2 + lenBytes + hlen + pad;
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  out[6] = lenBytes === 2 ? 1 : 2;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (lenBytes === 2) dv.setUint16(8, hlen + pad, true);
  else dv.setUint32(8, hlen + pad, true);
  let p = MAGIC.length + 2 + lenBytes;
  for (let i = 0; i < text.length; i++) out[p++] = text.charCodeAt(i);
  out.fill(0x20, p, p + pad);
  out[total - 1] = 0x0a;
  return out;
}

/** The bytes np.save writes for this array (C order, little-endian). */
export function writeNpy(arr: NdArray): Uint8Array {
  const header = npyHeaderBytes(arr.dtype, arr.shape);
  const n = sizeOf(arr.shape);
  const size = DTYPE_BYTES[arr.dtype];
  if (arr.data.length !== n || arr.data.BYTES_PER_ELEMENT !== size)
    throw new CoreError(
      'BAD_SHAPE',
      `The data (${arr.data.length} elements of ${arr.data.BYTES_PER_ELEMENT} bytes) do not match ` +
        `shape (${arr.shape.join(', ')}) of ${arr.dtype}.`,
    );
  const out = new Uint8Array(header.length + n * size);
  out.set(header, 0);
  const data = out.subarray(header.length);
  data.set(new Uint8Array(arr.data.buffer, arr.data.byteOffset, n * size));
  if (!HOST_LITTLE_ENDIAN && size > 1) swapBytesInPlace(data, size);
  return out;
}
