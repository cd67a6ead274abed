// Hard constraint: h5wasm 0.10.3 cannot create a float16 datatype ("Float size not supported"), yet
// h5py must see `float16`. So a float16 `/data` is created with a 2-byte placeholder type (a
// compound of one uint16 member) holding the half bit patterns, and after the file is closed its
// datatype message is rewritten in place to the exact bytes h5py writes for '<f2'.
//
// Why a 2-byte placeholder rather than the float32-with-halved-last-axis route (docs/ARCHITECTURE.md, h5wasm facts): with
// the element size already 2, the dataspace (true shape, odd last axes included), the layout message
// (chunk shape, element size), the chunk index keys and the filter pipeline (shuffle records element
// size 2) are all exactly what a native float16 write produces; only one message changes. The
// compound message is longer than the float one, so the freed bytes become a NIL message in the
// same object header chunk, and that chunk's lookup3 checksum is recomputed.
// Type-dependent filters (scaleoffset, nbit) cannot be applied to the placeholder: callers get an error.

import { CoreError } from '../core/errors';
import type { ByteSink } from './object-header';
import { MSG_DATATYPE, MSG_NIL, chunkContaining, locateDataset, rewriteChecksum } from './object-header';

/** h5wasm dtype of the placeholder; the member name is long enough to leave room for a NIL message. */
export const FLOAT16_PLACEHOLDER_DTYPE: [string, string][] = [['float16_bits', '<H']];

/**
 * Datatype message body (HDF5 spec §IV.A.2.d) for IEEE half, little-endian, exactly as h5py writes
 * '<f2': class 1 version 1; byte order LE, pad 0, mantissa normalisation "implied"(2), sign bit 15;
 * size 2; bit offset 0, precision 16; exponent at bit 10, 5 bits; mantissa at bit 0, 10 bits; bias 15.
 */
// prettier-ignore
export const FLOAT16_DATATYPE_BODY: Uint8Array = Uint8Array.of(
  0x11, 0x20, 0x0f, 0x00, /* class+version, class bit fields */ 0x02, 0x00, 0x00, 0x00, /* size */
  0x00, 0x00, 0x10, 0x00, /* bit offset, precision */ 0x0a, 0x05, 0x00, 0x0a, /* exp loc/size, mant loc/size */
  0x0f, 0x00, 0x00, 0x00, /* exponent bias */
);

const CLASS_COMPOUND = 6;

function isPlaceholderBody(body: Uint8Array): boolean {
  const cls = body[0]! & 0x0f;
  const nMembers = body[1]! | (body[2]! << 8);
  const size = body[4]! | (body[5]! << 8) | (body[6]! << 16) | (body[7]! << 24);
  return cls === CLASS_COMPOUND && nMembers === 1 && size === 2;
}

function isFloat16Body(body: Uint8Array): boolean {
  return body.length === FLOAT16_DATATYPE_BODY.length && body.every((b, i) => b === FLOAT16_DATATYPE_BODY[i]);
}

/**
 * Rewrites `/data`'s placeholder datatype message to IEEE float16 in place. The file length does
 * not change. Throws if `/data` does not carry the placeholder type (nothing is written then).
 */
export function patchFloat16Datatype(sink: ByteSink): void {
  const { dataset } = locateDataset(sink);
  const messages = dataset.chunks.flatMap((c) => c.messages).filter((m) => m.type === MSG_DATATYPE);
  if (messages.length !== 1)
    throw new CoreError('HDF5_WRITE', `Expected one datatype message, found ${messages.length}`);
  const msg = messages[0]!;
  const body = sink.read(msg.dataOffset, msg.size);
  if (isFloat16Body(body)) return; // already patched
  if (!isPlaceholderBody(body))
    throw new CoreError('HDF5_WRITE', '/data does not have the float16 placeholder datatype');

  const headerSize = dataset.messageHeaderSize;
  const spare = msg.size - FLOAT16_DATATYPE_BODY.length;
  if (spare !== 0 && spare < headerSize) {
    throw new CoreError(
      'HDF5_WRITE',
      `No room for a NIL message after the float16 datatype (${spare} spare bytes)`,
    );
  }
  const chunk = chunkContaining(dataset, msg.headerOffset);
  if (!chunk) throw new CoreError('HDF5_WRITE', 'Datatype message lies outside every object header chunk');

  // The old message's bytes [header | data] become [header | float16 body] [NIL header | zeros].
  // HDF5 rejects a chunk that has both a NIL message and a gap (a tail shorter than a message
  // header; H5Ocache.c: "gap in chunk with no null messages"), which HDF5 leaves when the messages
  // don't fill the chunk exactly (e.g. after a plugin filter's odd-length name). Then the messages
  // after the datatype move up, unchanged, and the NIL goes last, absorbing the gap.
  const chunkEnd = chunk.start + chunk.length - 4;
  const last = chunk.messages[chunk.messages.length - 1]!;
  const messagesEnd = last.dataOffset + last.size;
  const gap = spare > 0 ? chunkEnd - messagesEnd : 0;
  const tailStart = msg.dataOffset + msg.size;
  const tail = gap > 0 ? sink.read(tailStart, messagesEnd - tailStart).slice() : new Uint8Array(0);
  const oldHeader = sink.read(msg.headerOffset, headerSize);
  const out = new Uint8Array(headerSize + msg.size + tail.length + gap);
  out.set(oldHeader, 0); // type, flags (and creation order) stay
  out[1] = FLOAT16_DATATYPE_BODY.length & 0xff;
  out[2] = FLOAT16_DATATYPE_BODY.length >> 8;
  out.set(FLOAT16_DATATYPE_BODY, headerSize);
  out.set(tail, headerSize + FLOAT16_DATATYPE_BODY.length);
  if (spare > 0) {
    const nil = headerSize + FLOAT16_DATATYPE_BODY.length + tail.length;
    const nilSize = spare + gap - headerSize;
    out[nil] = MSG_NIL;
    out[nil + 1] = nilSize & 0xff;
    out[nil + 2] = nilSize >> 8;
    out[nil + 3] = 0; // flags; creation order (if any) and data stay zero
  }
  sink.write(msg.headerOffset, out);
  rewriteChecksum(sink, chunk.start, chunk.length);
}
