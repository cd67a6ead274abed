// A Zarr v2 store (one group: `data`, and `pairs` for the used-pairs layouts) built in memory and
// packed into one zip that Python's `zarr.ZipStore` opens: `.zgroup`, `.zattrs`, each array's
// `.zarray` / `.zattrs` (written here by hand: no npm package writes Zarr v2 metadata) and its chunks,
// compressed by numcodecs.js. The zip is written by zip.ts (what fflate's zipSync writes, with a faster
// CRC), entries STORED (the chunks are already compressed, and zarr.ZipStore writes ZIP_STORED too)
// with a fixed 1980-01-01 timestamp, so the same input gives the same bytes. No zip64: a store over
// 4 GiB or 65 535 entries is refused with that reason (see zipProblem).
import { CoreError } from '../core/errors';
import { unzipSync } from 'fflate';
import { storedZip } from './zip';
import { buffersOf, releaseBuffers } from '../core/release';
import type { NumberArray, RowSlabs, TypedArray } from '../core/ndarray';
import { ROW_SLAB_BYTES, slabRowsFor } from '../core/ndarray';
import { compressChunk, decompressChunk, numcodecsShuffle } from './codecs';
import { decodeFixedScaleOffset } from './fixed-scale-offset';
import type { FixedScaleOffsetFilter, ZarrArrayMeta, ZarrCompressor, ZarrFilter } from './types';

/** A float64 attribute: written with a decimal point even when whole (Python reads `0.0`, not `0`). */
export class PyFloat {
  constructor(readonly value: number) {}
}

export type JsonValue = string | number | PyFloat | boolean | null | JsonValue[] | { [k: string]: JsonValue };

export interface ZarrArrayPlan {
  name: string;
  /** numpy dtype string of the stored elements, e.g. `<f8`, `|b1` (after the filters decode). */
  dtype: string;
  shape: readonly number[];
  chunks: readonly number[];
  /**
   * The encoded elements (the filters' `astype` when there are filters), C order, little-endian.
   * Ignored when `rowSource` is given.
   */
  data: TypedArray;
  /**
   * Rows [r0, r1) along axis 0 on demand, asked for in order in slabs of whole chunk rows, so the
   * encoded array is never held whole. Called with no arguments when done.
   */
  rowSource?: RowSlabs;
  compressor: ZarrCompressor | null;
  filters: ZarrFilter[] | null;
  /** `_ARRAY_DIMENSIONS` (xarray's dimension names) is added from `dims`. */
  attrs: Record<string, JsonValue>;
  dims: readonly string[];
}

export interface ZarrStorePlan {
  arrays: readonly ZarrArrayPlan[];
  rootAttrs: Record<string, JsonValue>;
}

/** A store this plan can't become (Zarr v2's limits); the job shows it as an unsupported row. */
export class ZarrStoreProblem extends CoreError {
  declare readonly code: 'ZARR_STORE';
  constructor(message: string) {
    super('ZARR_STORE', message);
    this.name = 'ZarrStoreProblem';
  }
}

/** The store's entries by key, in the order they go into the zip. */
export type ZarrEntries = Map<string, Uint8Array>;

const ZIP_LIMIT = 2 ** 32 - 1;
const ZIP_MAX_ENTRIES = 65535;
/** DOS timestamps start in 1980; a fixed one keeps the zip deterministic. */
const ZIP_MTIME = new Date(1980, 0, 1, 0, 0, 0);

/**
 * JSON as Python's json module writes it (zarr reads attributes with json.loads): NaN and ±Infinity
 * as bare tokens instead of JSON.stringify's null.
 */
export function pythonJson(value: JsonValue, indent = 4): string {
  const marks = ['NaN', 'Infinity', '-Infinity'];
  const text = JSON.stringify(
    value,
    (_k, v: unknown) => {
      if (v instanceof PyFloat) {
        const x = v.value;
        if (!Number.isFinite(x))
          return `\u0000${Number.isNaN(x) ? marks[0] : x > 0 ? marks[1] : marks[2]}\u0000`;
        const t = String(x);
        return `\u0000${/[.e]/.test(t) ? t : `${t}.0`}\u0000`;
      }
      return typeof v === 'number' && !Number.isFinite(v)
        ? `\u0000${Number.isNaN(v) ? marks[0] : v > 0 ? marks[1] : marks[2]}\u0000`
        : v;
    },
    indent,
  );
  return text.replace(/"\\u0000([^"\\]*)\\u0000"/g, '$1');
}

const utf8 = (s: string) => new TextEncoder().encode(s);

function bytesOf(a: TypedArray): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * The contiguous runs that copy the part [lo, hi) of the chunk starting at `start` between that chunk
 * and a C-order array of `shape` held from row r0 on: `run(chunkAt, arrayAt, length)`, in elements.
 * Trailing axes the chunk spans whole (chunk length = array length) join the run of the axis before
 * them, so a chunk of whole rows is one run. Kept out of the async decodeRows: its loop there made
 * the engine optimise that whole function again and again (Node: 29 ms per optimisation, 144 ms over
 * a sweep's two Zarr jobs).
 */
function forEachRun(
  shape: readonly number[],
  chunks: readonly number[],
  start: readonly number[],
  lo: readonly number[],
  hi: readonly number[],
  r0: number,
  run: (chunkAt: number, arrayAt: number, length: number) => void,
): void {
  const r = shape.length;
  const strides = new Array<number>(r).fill(1);
  const cstrides = new Array<number>(r).fill(1);
  for (let d = r - 2; d >= 0; d--) {
    strides[d] = strides[d + 1]! * shape[d + 1]!;
    cstrides[d] = cstrides[d + 1]! * chunks[d + 1]!;
  }
  let k = r;
  while (k > 1 && chunks[k - 1] === shape[k - 1]) k--;
  const runAxis = k - 1; // axes after it are whole
  const length = (hi[runAxis]! - lo[runAxis]!) * cstrides[runAxis]!;
  const idx = lo.slice(0, runAxis + 1);
  for (;;) {
    let a = 0;
    let c = 0;
    for (let d = 0; d <= runAxis; d++) {
      a += (idx[d]! - (d === 0 ? r0 : 0)) * strides[d]!;
      c += (idx[d]! - start[d]!) * cstrides[d]!;
    }
    run(c, a, length);
    let d = runAxis - 1;
    while (d >= 0 && ++idx[d]! >= hi[d]!) idx[d] = lo[d--]!;
    if (d < 0) break;
  }
}

/** Copies chunk `grid` (chunk indices) of a C-order array into a zero-padded full-size chunk. */
function chunkBytes(
  src: Uint8Array,
  shape: readonly number[],
  chunks: readonly number[],
  grid: readonly number[],
  item: number,
): Uint8Array {
  const out = new Uint8Array(chunks.reduce((a, b) => a * b, 1) * item);
  const start = grid.map((g, d) => g * chunks[d]!);
  const end = start.map((s, d) => Math.min(s + chunks[d]!, shape[d]!));
  forEachRun(shape, chunks, start, start, end, 0, (c, s, n) =>
    out.set(src.subarray(s * item, (s + n) * item), c * item),
  );
  return out;
}

function gridOf(shape: readonly number[], chunks: readonly number[]): number[] {
  return shape.map((s, d) => Math.ceil(s / chunks[d]!));
}

function* gridIndices(grid: readonly number[]): Generator<number[]> {
  const idx = new Array<number>(grid.length).fill(0);
  if (grid.some((g) => g === 0)) return;
  for (;;) {
    yield [...idx];
    let d = grid.length - 1;
    while (d >= 0 && ++idx[d]! >= grid[d]!) idx[d--] = 0;
    if (d < 0) return;
  }
}

function arrayMeta(a: ZarrArrayPlan): ZarrArrayMeta {
  return {
    zarr_format: 2,
    shape: [...a.shape],
    chunks: [...a.chunks],
    dtype: a.dtype,
    compressor: a.compressor,
    fill_value: null,
    filters: a.filters,
    order: 'C',
    dimension_separator: '.',
  };
}

/** Every entry of the store: metadata and compressed chunks. */
export async function buildZarrEntries(
  plan: ZarrStorePlan,
  opts: { onProgress?: (fraction: number) => void; slabBytes?: number } = {},
): Promise<ZarrEntries> {
  const { onProgress, slabBytes = ROW_SLAB_BYTES } = opts;
  const entries: ZarrEntries = new Map();
  entries.set('.zgroup', utf8(pythonJson({ zarr_format: 2 })));
  entries.set('.zattrs', utf8(pythonJson(plan.rootAttrs)));
  const item = (a: ZarrArrayPlan) => a.data.BYTES_PER_ELEMENT;
  const total = plan.arrays.reduce((n, a) => n + a.shape.reduce((x, y) => x * y, 1) * item(a), 0) || 1;
  let done = 0;
  for (const a of plan.arrays) {
    if (a.shape.length === 0 || a.shape.length !== a.chunks.length)
      throw new ZarrStoreProblem('a Zarr array here needs a rank ≥ 1 and one chunk length per axis');
    entries.set(`${a.name}/.zarray`, utf8(pythonJson(arrayMeta(a) as unknown as JsonValue)));
    entries.set(`${a.name}/.zattrs`, utf8(pythonJson({ ...a.attrs, _ARRAY_DIMENSIONS: [...a.dims] })));
    // Slabs of whole chunk rows: the whole array at once, or what the row source gives at a time.
    const rows = a.shape[0]!;
    const band = a.chunks[0]!;
    const rowBytes = (a.shape.reduce((x, y) => x * y, 1) / Math.max(1, rows)) * item(a);
    const slabRows = a.rowSource ? slabRowsFor(rowBytes, a.rowSource, band, slabBytes) : Math.max(rows, 1);
    try {
      for (let s0 = 0; s0 < Math.max(rows, 1); s0 += slabRows) {
        const s1 = Math.min(rows, s0 + slabRows);
        const slab = a.rowSource ? a.rowSource.rows(s0, s1) : a.data;
        const shape = [s1 - s0, ...a.shape.slice(1)];
        const src = bytesOf(slab);
        for (const g of gridIndices(gridOf(shape, a.chunks))) {
          const raw = chunkBytes(src, shape, a.chunks, g, item(a));
          let encoded = raw;
          for (const f of a.filters ?? [])
            if (f.id === 'shuffle') encoded = numcodecsShuffle(encoded, f.elementsize);
          const key = [g[0]! + s0 / band, ...g.slice(1)].join('.');
          const stored = await compressChunk(a.compressor, encoded);
          entries.set(`${a.name}/${key}`, stored);
          // The chunk's copies (~1 MiB each, dozens per store) are freed now, not at the next GC.
          releaseBuffers([raw, encoded], buffersOf(stored, src));
          done += raw.byteLength;
          onProgress?.(Math.min(1, done / total));
        }
      }
    } finally {
      a.rowSource?.done?.();
    }
  }
  return entries;
}

/** Why these entries can't go into a zip without zip64, or null. */
export function zipProblem(entries: ZarrEntries): string | null {
  let bytes = 22;
  for (const [k, v] of entries) bytes += 30 + 46 + 2 * utf8(k).length + v.byteLength;
  if (entries.size > ZIP_MAX_ENTRIES)
    return `the store has ${entries.size.toLocaleString()} entries; a zip holds 65 535 without zip64, which the app's zip writer does not write`;
  if (bytes > ZIP_LIMIT)
    return `the store is ${(bytes / 2 ** 30).toFixed(1)} GiB; a zip over 4 GiB needs zip64, which the app's zip writer does not write`;
  return null;
}

/** The zip of the entries (STORED, fixed timestamps): what the user downloads (zip.ts). */
export function zipEntries(entries: ZarrEntries): Uint8Array {
  const problem = zipProblem(entries);
  if (problem) throw new ZarrStoreProblem(problem);
  return storedZip(entries, ZIP_MTIME);
}

/** One array read back from a zipped store: the `.zarray`, `.zattrs` and the values after the filters. */
export interface ZarrReadArray {
  meta: ZarrArrayMeta;
  attrs: Record<string, unknown>;
  /** C order, the shape of `meta.shape`: the filters' output (float64 for fixedscaleoffset), else raw elements. */
  data: TypedArray;
}

const DTYPE_ARRAYS: Record<
  string,
  { new (b: ArrayBuffer, byteOffset?: number, length?: number): TypedArray; BYTES_PER_ELEMENT: number }
> = {
  '|b1': Uint8Array,
  '|u1': Uint8Array,
  '|i1': Int8Array,
  '<u2': Uint16Array,
  '<i2': Int16Array,
  '<f2': Uint16Array,
  '<u4': Uint32Array,
  '<i4': Int32Array,
  '<f4': Float32Array,
  '<u8': BigUint64Array,
  '<i8': BigInt64Array,
  '<f8': Float64Array,
};

function arrayTypeOf(dtype: string): (typeof DTYPE_ARRAYS)[string] {
  const T = DTYPE_ARRAYS[dtype];
  if (!T) throw new CoreError('ZARR_READ', `unsupported Zarr dtype ${dtype}`);
  return T;
}

/** `bytes` as elements of `dtype`: a view when they sit at an element boundary, else a copy. */
function typedOf(dtype: string, bytes: Uint8Array): TypedArray {
  const T = arrayTypeOf(dtype);
  const size = T.BYTES_PER_ELEMENT;
  if (bytes.byteLength % size !== 0)
    throw new CoreError('ZARR_READ', `${bytes.byteLength} bytes are not whole ${dtype} elements`);
  const whole = bytes.buffer instanceof ArrayBuffer && bytes.byteOffset % size === 0;
  const own = whole ? bytes : bytes.slice();
  return new T(own.buffer as ArrayBuffer, own.byteOffset, own.byteLength / size);
}

/** JSON.parse for Python's json output: bare NaN / Infinity / -Infinity tokens (outside strings) too. */
export function parsePythonJson(text: string): unknown {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      out += ch;
      if (ch === '\\') out += text[++i] ?? '';
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    const token = /^(-?Infinity|NaN)/.exec(text.slice(i, i + 9));
    if (!inString && token) {
      out += `"\\u0000${token[1]}"`;
      i += token[1]!.length - 1;
      continue;
    }
    out += ch;
  }
  return JSON.parse(out, (_k, v: unknown) =>
    typeof v === 'string' && v.startsWith('\u0000') ? Number(v.slice(1)) : v,
  );
}

/** A zipped Zarr v2 group opened for reading: metadata parsed, chunks decoded on demand. */
export interface OpenZarrGroup {
  rootAttrs: Record<string, unknown>;
  /** Each array's `.zarray` and `.zattrs`. */
  arrays: Map<string, Omit<ZarrReadArray, 'data'>>;
  /**
   * The values of array `name` after the filters (float64 for fixedscaleoffset), C order: all of it,
   * or rows [r0, r1) along axis 0 — only the chunks those rows touch are decoded.
   */
  read(name: string, rows?: readonly [number, number]): Promise<TypedArray>;
  /** The unzipped entries, in the zip's order (views of the group's own copies, until `close`). */
  entries(): ZarrEntries;
  /** Frees the unzipped entries (copies of the zip's); the group can't be read afterwards. */
  close(): void;
}

/** Opens a zipped Zarr v2 group; chunks are decoded with the same codecs that wrote them. */
export function openZarrZip(zip: Uint8Array): OpenZarrGroup {
  const files = unzipSync(zip);
  const text = (k: string) => new TextDecoder().decode(files[k]);
  const parse = (k: string) => parsePythonJson(text(k)) as Record<string, unknown>;
  const arrays = new Map<string, Omit<ZarrReadArray, 'data'>>();
  for (const key of Object.keys(files)) {
    if (!key.endsWith('/.zarray')) continue;
    const name = key.slice(0, -'/.zarray'.length);
    const meta = parse(key) as unknown as ZarrArrayMeta;
    arrays.set(name, { meta, attrs: files[`${name}/.zattrs`] ? parse(`${name}/.zattrs`) : {} });
  }
  return {
    rootAttrs: files['.zattrs'] ? parse('.zattrs') : {},
    arrays,
    read: async (name, rows) => {
      const array = arrays.get(name);
      if (!array) throw new CoreError('ZARR_READ', `the Zarr store has no \`${name}\` array`);
      return decodeRows(files, name, array.meta, rows);
    },
    entries: () => new Map(Object.entries(files)),
    close: () => releaseBuffers(Object.values(files), buffersOf(zip)),
  };
}

async function decodeRows(
  files: Record<string, Uint8Array>,
  name: string,
  meta: ZarrArrayMeta,
  rows: readonly [number, number] | undefined,
): Promise<TypedArray> {
  const filters = meta.filters ?? [];
  const scaled = filters.filter((f): f is FixedScaleOffsetFilter => f.id === 'fixedscaleoffset');
  const outType = scaled.length > 0 ? scaled[0]!.dtype : meta.dtype;
  const storedType = scaled.length > 0 ? scaled[scaled.length - 1]!.astype : meta.dtype;
  const shape = meta.shape;
  const chunks = meta.chunks;
  const r = shape.length;
  if (r === 0)
    throw new CoreError('ZARR_READ', `${name} has no axes; the stores written here have at least one`);
  const [r0, r1] = rows ?? [0, shape[0]!];
  const outShape = [r1 - r0, ...shape.slice(1)];
  const item = arrayTypeOf(outType).BYTES_PER_ELEMENT;
  const out = new Uint8Array(outShape.reduce((a, b) => a * b, 1) * item);
  // Every chunk decompresses to a whole chunk of the stored type (edge chunks too, as Zarr v2 writes).
  const chunkByteLength = chunks.reduce((a, b) => a * b, 1) * arrayTypeOf(storedType).BYTES_PER_ELEMENT;
  for (const g of gridIndices(gridOf(shape, chunks))) {
    const start = g.map((gi, d) => gi * chunks[d]!);
    // The part of this chunk inside the array and, along axis 0, inside the rows asked for.
    const lo = [...start];
    const hi = start.map((st, d) => Math.min(st + chunks[d]!, shape[d]!));
    lo[0] = Math.max(lo[0]!, r0);
    hi[0] = Math.min(hi[0]!, r1);
    if (hi[0]! <= lo[0]!) continue;
    const bytes = files[`${name}/${g.join('.')}`];
    if (!bytes) throw new CoreError('ZARR_READ', `chunk ${name}/${g.join('.')} is missing`);
    // Every step's output is this chunk's own copy (freed after the scatter); `bytes` is the store's.
    const temps: ArrayBufferView[] = [];
    let decoded = await decompressChunk(meta.compressor, bytes, chunkByteLength);
    temps.push(decoded);
    for (let f = filters.length - 1; f >= 0; f--) {
      const filter = filters[f]!;
      if (filter.id === 'shuffle')
        temps.push((decoded = numcodecsShuffle(decoded, filter.elementsize, true)));
    }
    let chunk: TypedArray = typedOf(storedType, decoded);
    temps.push(chunk);
    if (scaled.length === 1) {
      // One fixedscaleoffset filter (the stores written here): the part asked for is decoded straight
      // into its place in the float64 output, not into a decoded copy of the whole chunk.
      const codes = chunk as unknown as NumberArray; // integer codes (the filter's astype)
      const into = new Float64Array(out.buffer);
      const f = scaled[0]!;
      forEachRun(shape, chunks, start, lo, hi, r0, (c, o, n) =>
        decodeFixedScaleOffset(codes.subarray(c, c + n), f, into.subarray(o, o + n)),
      );
    } else {
      for (let f = scaled.length - 1; f >= 0; f--)
        temps.push((chunk = decodeFixedScaleOffset(chunk as never, scaled[f]!)));
      const cb = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      forEachRun(shape, chunks, start, lo, hi, r0, (c, o, n) =>
        out.set(cb.subarray(c * item, (c + n) * item), o * item),
      );
    }
    releaseBuffers(temps, buffersOf(bytes, out));
  }
  return typedOf(outType, out);
}

/** Reads every array of a zipped Zarr v2 group with the same codecs that wrote it. */
export async function readZarrZip(zip: Uint8Array): Promise<{
  rootAttrs: Record<string, unknown>;
  arrays: Map<string, ZarrReadArray>;
}> {
  const group = openZarrZip(zip);
  const arrays = new Map<string, ZarrReadArray>();
  for (const [name, a] of group.arrays) arrays.set(name, { ...a, data: await group.read(name) });
  return { rootAttrs: group.rootAttrs, arrays };
}
