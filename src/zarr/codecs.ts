// Chunk compression with numcodecs.js (the JavaScript port of Python's numcodecs: the same blosc and
// zstd C libraries built to wasm, gzip/zlib through fflate), so every chunk is a frame Python's
// numcodecs decodes. Loaded on first use: the blosc and zstd modules carry their wasm inline.
// numcodecs.js's Blosc.encode takes no type size: every frame it writes declares 4 bytes, so byte and
// bit shuffle group 1-, 2- and 8-byte elements in 4-byte units. Python's blosc decodes them exactly;
// they are 3–7 % larger than frames with the true type size (measured on SHAP int16 codes and float16).
// zlib goes through pako (pure JavaScript, a port of zlib itself: its output is byte for byte what
// Python's zlib, and so numcodecs.Zlib, writes at the same level — fflate's was 1.7 % larger), except
// at level 6: that is the level of the platform's own CompressionStream('deflate') (the browser's
// native zlib; its zlib header says "default level"), ~3× faster than pako; on the 159 MB example's
// quantized store as small as pako's level 4 in Chromium (33.34 MB), 1.5 % smaller in Node (whose zlib
// differs). Every level decodes: numcodecs.Zlib reads any zlib stream, whatever level wrote it. A
// chunk (whose decoded size the store knows) is inflated by fflate straight into a recycled buffer:
// DecompressionStream was ~30 % faster in Chromium (80 MiB: 226–260 vs 320 ms), but every piece it
// hands out (64 KiB each, ~2,500 for the 159 MB example's store) is a buffer the browser made, which
// only the collector frees (see streamThrough); a wasm-busy worker then ran the next job with them
// resident.
// numcodecs.js's blosc and zstd are built with Emscripten's embind, which creates functions from
// strings, so the app's Content-Security-Policy (no 'unsafe-eval') stops them in the browser. The
// default Zarr rows therefore use shuffle + zlib.
import { unzlibSync } from 'fflate';
import { deflate } from 'pako';
import { shuffleBytes, unshuffleBytes } from '../core/byte-shuffle';
import { CoreError } from '../core/errors';
import { recycledArray } from '../core/release';
import type { ZarrCompressor } from './types';
import { NATIVE_ZLIB_LEVEL } from './types';

interface Codec {
  encode(data: Uint8Array): Uint8Array | Promise<Uint8Array>;
  /** `bytes`: the decoded size (a Zarr chunk's is known: the chunk's elements × their size). */
  decode(data: Uint8Array, bytes: number): Uint8Array | Promise<Uint8Array>;
}

/**
 * A zlib stream inflated into a recycled buffer of `bytes` (one byte more, so a longer stream shows
 * instead of being cut: fflate stops at the end of the buffer it is given).
 */
function inflateInto(data: Uint8Array, bytes: number): Uint8Array {
  const out = unzlibSync(data, { out: recycledArray(Uint8Array, bytes + 1) });
  if (out.length !== bytes)
    throw new CoreError(
      'ZARR_READ',
      `a zlib chunk inflates to ${out.length > bytes ? `more than ${bytes}` : out.length} bytes, ${bytes} expected`,
    );
  return out;
}

type ZlibLevel = NonNullable<NonNullable<Parameters<typeof deflate>[1]>['level']>;

const cache = new Map<string, Promise<Codec>>();

/** Bytes through a (de)compression stream, collected into one array. */
async function streamThrough(
  stream: CompressionStream | DecompressionStream,
  data: Uint8Array,
): Promise<Uint8Array> {
  // Chromium's streams refuse views of shared memory (a TypeError); chunks never are: the store
  // copies each chunk out of the array (store.ts chunkBytes) and decodes chunks of its own zip.
  const writer = stream.writable.getWriter();
  void writer.write(data as Uint8Array<ArrayBuffer>).catch(() => undefined);
  void writer.close().catch(() => undefined);
  // Joined into a buffer of our own, not by Response.arrayBuffer(): a buffer the browser made stays
  // resident after transfer(0) until the collector takes its wrapper (measured in Chromium: 300 × 1 MiB
  // from Response.arrayBuffer(), each released at once, grew the renderer by ~600 MiB; plain buffers,
  // by ~10), so the store's chunks could never be freed early.
  const reader = stream.readable.getReader();
  const pieces: Uint8Array[] = [];
  let total = 0;
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    pieces.push(r.value);
    total += r.value.byteLength;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

async function makeCodec(c: ZarrCompressor): Promise<Codec> {
  if (c.id === 'zlib') {
    const level = c.level as ZlibLevel;
    const nativeEncode = level === NATIVE_ZLIB_LEVEL && typeof CompressionStream !== 'undefined';
    return {
      encode: (d) =>
        nativeEncode ? streamThrough(new CompressionStream('deflate'), d) : deflate(d, { level }),
      decode: inflateInto,
    };
  }
  const nc = await import('numcodecs');
  const codec =
    c.id === 'blosc'
      ? nc.Blosc.fromConfig({ ...c })
      : c.id === 'zstd'
        ? nc.Zstd.fromConfig({ ...c })
        : nc.GZip.fromConfig({ ...c });
  // numcodecs' decode takes an output array, not a size: it sizes its own.
  return { encode: (d) => codec.encode(d), decode: (d) => codec.decode(d) };
}

/**
 * numcodecs' Shuffle (and its inverse) on a chunk: the whole elements byte-shuffled as HDF5's filter
 * does, trailing bytes of a partial element copied as they are.
 */
export function numcodecsShuffle(src: Uint8Array, elementSize: number, inverse = false): Uint8Array {
  if (elementSize <= 1) return src;
  const whole = src.length - (src.length % elementSize);
  const out = new Uint8Array(src.length);
  (inverse ? unshuffleBytes : shuffleBytes)(src.subarray(0, whole), out.subarray(0, whole), elementSize);
  out.set(src.subarray(whole), whole);
  return out;
}

function codecFor(c: ZarrCompressor): Promise<Codec> {
  const key = JSON.stringify(c);
  let codec = cache.get(key);
  if (!codec) {
    codec = makeCodec(c);
    cache.set(key, codec);
  }
  return codec;
}

export async function compressChunk(c: ZarrCompressor | null, chunk: Uint8Array): Promise<Uint8Array> {
  if (!c) return chunk;
  return (await codecFor(c)).encode(chunk);
}

/** A chunk's bytes decoded; `size` is its decoded byte length (checked for zlib). */
export async function decompressChunk(
  c: ZarrCompressor | null,
  bytes: Uint8Array,
  size: number,
): Promise<Uint8Array> {
  if (!c) return bytes;
  return (await codecFor(c)).decode(bytes, size);
}
