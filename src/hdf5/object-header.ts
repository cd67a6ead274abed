// A minimal reader for the HDF5 metadata we patch in place (HDF5 File Format Specification v3.0):
// superblock v2/v3 (§II.A), version-2 object headers "OHDR" with continuation blocks "OCHK"
// (§IV.A.1.b), compact link messages (§IV.A.2.g), attribute info (§IV.A.2.v) and the fractal heap
// that holds dense attributes (§III.G), plus the lookup3 checksum every one of them carries
// (Appendix: "Jenkins' lookup3"). It only handles what h5wasm 0.10.3 (HDF5 2.0.0) writes: a v2
// superblock, v2 object headers and a root group with compact links. Anything else throws.

import { CoreError } from '../core/errors';

/** Random access to a file's bytes. */
export interface ByteSource {
  readonly size: number;
  read(position: number, length: number): Uint8Array;
}

/** A ByteSource that can also overwrite bytes in place (`write` never changes the length). */
export interface ByteSink extends ByteSource {
  write(position: number, bytes: Uint8Array): void;
  /** Appends bytes at the end of the file and returns their offset (sinks that can grow only). */
  append?(bytes: Uint8Array): number;
}

/** A sink over an in-memory copy of a file (tests, and small files). */
export function memorySink(bytes: Uint8Array): ByteSink {
  return {
    size: bytes.length,
    read(position, length) {
      assertRange(position, length, bytes.length);
      return bytes.subarray(position, position + length);
    },
    write(position, data) {
      assertRange(position, data.length, bytes.length);
      bytes.set(data, position);
    },
  };
}

function assertRange(position: number, length: number, size: number): void {
  if (!(position >= 0 && length >= 0 && position + length <= size)) {
    throw new CoreError(
      'HDF5_READ',
      `HDF5 metadata points outside the file (offset ${position}, length ${length}, file ${size})`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Checksum: Bob Jenkins' lookup3 hashlittle(), as HDF5's H5_checksum_lookup3 (byte-wise variant).

function rot(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** HDF5's metadata checksum (lookup3 hashlittle, initval 0 unless given). */
export function lookup3(key: Uint8Array, initval = 0): number {
  let length = key.length;
  let a = (0xdeadbeef + length + initval) | 0;
  let b = a;
  let c = a;
  let k = 0;
  while (length > 12) {
    a = (a + (key[k]! | (key[k + 1]! << 8) | (key[k + 2]! << 16) | (key[k + 3]! << 24))) | 0;
    b = (b + (key[k + 4]! | (key[k + 5]! << 8) | (key[k + 6]! << 16) | (key[k + 7]! << 24))) | 0;
    c = (c + (key[k + 8]! | (key[k + 9]! << 8) | (key[k + 10]! << 16) | (key[k + 11]! << 24))) | 0;
    // mix(a, b, c)
    a = (a - c) | 0;
    a ^= rot(c, 4);
    c = (c + b) | 0;
    b = (b - a) | 0;
    b ^= rot(a, 6);
    a = (a + c) | 0;
    c = (c - b) | 0;
    c ^= rot(b, 8);
    b = (b + a) | 0;
    a = (a - c) | 0;
    a ^= rot(c, 16);
    c = (c + b) | 0;
    b = (b - a) | 0;
    b ^= rot(a, 19);
    a = (a + c) | 0;
    c = (c - b) | 0;
    c ^= rot(b, 4);
    b = (b + a) | 0;
    length -= 12;
    k += 12;
  }
  if (length === 0) return c >>> 0;
  // The tail: bytes k..k+length-1 are added into a, b, c little-endian (lookup3's fall-through switch).
  const word = (i: number): number => {
    let w = 0;
    for (let j = 0; j < 4; j++) {
      const idx = i * 4 + j;
      if (idx < length) w |= key[k + idx]! << (8 * j);
    }
    return w;
  };
  a = (a + word(0)) | 0;
  if (length > 4) b = (b + word(1)) | 0;
  if (length > 8) c = (c + word(2)) | 0;
  // final(a, b, c)
  c ^= b;
  c = (c - rot(b, 14)) | 0;
  a ^= c;
  a = (a - rot(c, 11)) | 0;
  b ^= a;
  b = (b - rot(a, 25)) | 0;
  c ^= b;
  c = (c - rot(b, 16)) | 0;
  a ^= c;
  a = (a - rot(c, 4)) | 0;
  b ^= a;
  b = (b - rot(a, 14)) | 0;
  c ^= b;
  c = (c - rot(b, 24)) | 0;
  return c >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Little-endian helpers. Addresses and lengths are read as JS numbers (exact below 2^53).

function readUint(bytes: Uint8Array, offset: number, size: number): number {
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = v * 256 + bytes[offset + i]!;
  return v;
}

function isUndefinedAddress(bytes: Uint8Array, offset: number, size: number): boolean {
  for (let i = 0; i < size; i++) if (bytes[offset + i] !== 0xff) return false;
  return true;
}

function signatureAt(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(bytes[offset]!, bytes[offset + 1]!, bytes[offset + 2]!, bytes[offset + 3]!);
}

function writeUint32(target: Uint8Array, offset: number, value: number): void {
  target[offset] = value & 0xff;
  target[offset + 1] = (value >>> 8) & 0xff;
  target[offset + 2] = (value >>> 16) & 0xff;
  target[offset + 3] = (value >>> 24) & 0xff;
}

// ---------------------------------------------------------------------------------------------
// Superblock (§II.A, versions 2 and 3).

export interface Superblock {
  version: number;
  sizeOfOffsets: number;
  sizeOfLengths: number;
  baseAddress: number;
  /** The end-of-file address (HDF5's end of allocated space) stored in the superblock. */
  endOfFileAddress: number;
  rootObjectHeaderAddress: number;
}

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export function readSuperblock(src: ByteSource): Superblock {
  // Without a user block the superblock starts at 0 (h5wasm never writes a user block).
  const head = src.read(0, Math.min(src.size, 48));
  if (head.length < 12 || HDF5_SIGNATURE.some((b, i) => head[i] !== b)) {
    throw new CoreError('HDF5_READ', 'Not an HDF5 file (no signature at offset 0)');
  }
  const version = head[8]!;
  if (version !== 2 && version !== 3) {
    throw new CoreError('HDF5_READ', `Unsupported HDF5 superblock version ${version} (expected 2 or 3)`);
  }
  const sizeOfOffsets = head[9]!;
  const sizeOfLengths = head[10]!;
  const total = 12 + 4 * sizeOfOffsets + 4;
  const sb = src.read(0, total);
  const stored = readUint(sb, total - 4, 4);
  if (lookup3(sb.subarray(0, total - 4)) !== stored)
    throw new CoreError('HDF5_READ', 'HDF5 superblock checksum mismatch');
  return {
    version,
    sizeOfOffsets,
    sizeOfLengths,
    baseAddress: readUint(sb, 12, sizeOfOffsets),
    endOfFileAddress: readUint(sb, 12 + 2 * sizeOfOffsets, sizeOfOffsets),
    rootObjectHeaderAddress: readUint(sb, 12 + 3 * sizeOfOffsets, sizeOfOffsets),
  };
}

/** Rewrites the superblock's end-of-file address (and its checksum), e.g. after appending to the file. */
export function setEndOfFileAddress(sink: ByteSink, sb: Superblock, address: number): void {
  const O = sb.sizeOfOffsets;
  const total = 12 + 4 * O + 4;
  const bytes = sink.read(0, total).slice();
  let v = address;
  for (let i = 0; i < O; i++, v = Math.floor(v / 256)) bytes[12 + 2 * O + i] = v % 256;
  writeUint32(bytes, total - 4, lookup3(bytes.subarray(0, total - 4)));
  sink.write(0, bytes);
  sb.endOfFileAddress = address;
}

// ---------------------------------------------------------------------------------------------
// Version-2 object headers (§IV.A.1.b).

export const MSG_NIL = 0x00;
export const MSG_DATASPACE = 0x01;
export const MSG_LINK_INFO = 0x02;
export const MSG_DATATYPE = 0x03;
export const MSG_FILL_VALUE = 0x05;
export const MSG_LINK = 0x06;
export const MSG_LAYOUT = 0x08;
export const MSG_FILTER_PIPELINE = 0x0b;
export const MSG_ATTRIBUTE = 0x0c;
export const MSG_CONTINUATION = 0x10;
export const MSG_ATTRIBUTE_INFO = 0x15;

export interface HeaderMessage {
  type: number;
  flags: number;
  /** Absolute file offset of the message's own header (type byte). */
  headerOffset: number;
  /** Absolute file offset of the message data. */
  dataOffset: number;
  size: number;
}

export interface HeaderChunk {
  kind: 'OHDR' | 'OCHK';
  /** Absolute offset of the signature. */
  start: number;
  /** Total bytes including signature and the trailing 4-byte checksum. */
  length: number;
  /** Absolute offset of the first message. */
  messagesStart: number;
  /** Absolute offset of the 16 bytes of access/modification/change/birth times, if stored. */
  timesOffset: number | null;
  messages: HeaderMessage[];
}

export interface ObjectHeader {
  address: number;
  flags: number;
  /** Bytes of a message's header: 4, or 6 when attribute creation order is tracked. */
  messageHeaderSize: number;
  chunks: HeaderChunk[];
}

function parseMessages(
  bytes: Uint8Array,
  base: number,
  from: number,
  to: number,
  messageHeaderSize: number,
): HeaderMessage[] {
  const messages: HeaderMessage[] = [];
  let p = from;
  // A tail shorter than a message header is a gap, not a message.
  while (to - p >= messageHeaderSize) {
    const type = bytes[p]!;
    const size = readUint(bytes, p + 1, 2);
    const flags = bytes[p + 3]!;
    const dataOffset = p + messageHeaderSize;
    if (dataOffset + size > to)
      throw new CoreError('HDF5_READ', `Object header message at ${base + p} overruns its chunk`);
    messages.push({ type, flags, headerOffset: base + p, dataOffset: base + dataOffset, size });
    p = dataOffset + size;
  }
  return messages;
}

function verifyChecksum(bytes: Uint8Array, what: string, at: number): void {
  const stored = readUint(bytes, bytes.length - 4, 4);
  if (lookup3(bytes.subarray(0, bytes.length - 4)) !== stored) {
    throw new CoreError('HDF5_READ', `${what} checksum mismatch at offset ${at}`);
  }
}

/** Reads an object header and all its continuation chunks, verifying every checksum. */
export function readObjectHeader(src: ByteSource, sb: Superblock, address: number): ObjectHeader {
  const prefix = src.read(address, Math.min(src.size - address, 32));
  if (signatureAt(prefix, 0) !== 'OHDR') {
    throw new CoreError('HDF5_READ', `No version-2 object header ("OHDR") at offset ${address}`);
  }
  if (prefix[4] !== 2) throw new CoreError('HDF5_READ', `Unsupported object header version ${prefix[4]}`);
  const flags = prefix[5]!;
  let p = 6;
  let timesOffset: number | null = null;
  if (flags & 0x20) {
    timesOffset = address + p;
    p += 16;
  }
  if (flags & 0x10) p += 4;
  const sizeFieldBytes = 1 << (flags & 0x03);
  const chunk0Size = readUint(prefix, p, sizeFieldBytes);
  p += sizeFieldBytes;
  const messageHeaderSize = flags & 0x04 ? 6 : 4;

  const length = p + chunk0Size + 4;
  const bytes = src.read(address, length);
  verifyChecksum(bytes, 'Object header', address);
  const chunks: HeaderChunk[] = [
    {
      kind: 'OHDR',
      start: address,
      length,
      messagesStart: address + p,
      timesOffset,
      messages: parseMessages(bytes, address, p, p + chunk0Size, messageHeaderSize),
    },
  ];

  // Follow continuation messages (each points at an "OCHK" block), breadth-first.
  for (let i = 0; i < chunks.length; i++) {
    for (const m of chunks[i]!.messages) {
      if (m.type !== MSG_CONTINUATION) continue;
      const body = src.read(m.dataOffset, sb.sizeOfOffsets + sb.sizeOfLengths);
      const start = readUint(body, 0, sb.sizeOfOffsets);
      const chunkLength = readUint(body, sb.sizeOfOffsets, sb.sizeOfLengths);
      const chunkBytes = src.read(start, chunkLength);
      if (signatureAt(chunkBytes, 0) !== 'OCHK') {
        throw new CoreError('HDF5_READ', `No object header continuation ("OCHK") at offset ${start}`);
      }
      verifyChecksum(chunkBytes, 'Object header continuation', start);
      chunks.push({
        kind: 'OCHK',
        start,
        length: chunkLength,
        messagesStart: start + 4,
        timesOffset: null,
        messages: parseMessages(chunkBytes, start, 4, chunkLength - 4, messageHeaderSize),
      });
    }
  }
  return { address, flags, messageHeaderSize, chunks };
}

/** Recomputes the lookup3 checksum stored in the last 4 bytes of a checksummed block. */
export function rewriteChecksum(sink: ByteSink, start: number, length: number): void {
  const bytes = sink.read(start, length).slice();
  writeUint32(bytes, length - 4, lookup3(bytes.subarray(0, length - 4)));
  sink.write(start + length - 4, bytes.subarray(length - 4));
}

export function allMessages(header: ObjectHeader): HeaderMessage[] {
  return header.chunks.flatMap((c) => c.messages);
}

export function chunkContaining(header: ObjectHeader, offset: number): HeaderChunk | undefined {
  return header.chunks.find((c) => offset >= c.start && offset < c.start + c.length - 4);
}

// ---------------------------------------------------------------------------------------------
// Links (§IV.A.2.g): find a child object's header address in a group with compact link storage.

export function findHardLink(src: ByteSource, sb: Superblock, group: ObjectHeader, name: string): number {
  for (const m of allMessages(group)) {
    if (m.type !== MSG_LINK) continue;
    const b = src.read(m.dataOffset, m.size);
    if (b[0] !== 1) throw new CoreError('HDF5_READ', `Unsupported link message version ${b[0]}`);
    const flags = b[1]!;
    let p = 2;
    let linkType = 0;
    if (flags & 0x08) linkType = b[p++]!;
    if (flags & 0x04) p += 8; // creation order
    if (flags & 0x10) p += 1; // character set
    const nameLengthBytes = 1 << (flags & 0x03);
    const nameLength = readUint(b, p, nameLengthBytes);
    p += nameLengthBytes;
    const linkName = new TextDecoder().decode(b.subarray(p, p + nameLength));
    p += nameLength;
    if (linkName !== name) continue;
    if (linkType !== 0) throw new CoreError('HDF5_READ', `Link "${name}" is not a hard link`);
    return readUint(b, p, sb.sizeOfOffsets);
  }
  if (allMessages(group).some((m) => m.type === MSG_LINK_INFO && hasDenseLinks(src, sb, m))) {
    throw new CoreError('HDF5_READ', `Group uses dense link storage; cannot find "${name}"`);
  }
  throw new CoreError('HDF5_READ', `No link named "${name}" in the root group`);
}

function hasDenseLinks(src: ByteSource, sb: Superblock, m: HeaderMessage): boolean {
  const b = src.read(m.dataOffset, m.size);
  const p = 2 + (b[1]! & 0x01 ? 8 : 0);
  return !isUndefinedAddress(b, p, sb.sizeOfOffsets);
}

export interface LocatedDataset {
  superblock: Superblock;
  root: ObjectHeader;
  dataset: ObjectHeader;
}

/** Finds the object header of `/<name>` (default `/data`) from the superblock. */
export function locateDataset(src: ByteSource, name = 'data'): LocatedDataset {
  const superblock = readSuperblock(src);
  const root = readObjectHeader(src, superblock, superblock.rootObjectHeaderAddress);
  const address = findHardLink(src, superblock, root, name);
  return { superblock, root, dataset: readObjectHeader(src, superblock, address) };
}

// ---------------------------------------------------------------------------------------------
// Dense attribute storage: the fractal heap's managed direct blocks (§III.G).

export interface HeapDirectBlock {
  start: number;
  size: number;
  /** Whether the block ends its header with a lookup3 checksum over the whole (zeroed-field) block. */
  checksummed: boolean;
  /** Absolute offset of the checksum field, when checksummed. */
  checksumOffset: number;
}

/**
 * The direct blocks of the fractal heap holding an object's dense attributes (empty when the
 * attributes are compact, i.e. stored as messages in the object header). Supports a root direct
 * block or a root indirect block whose children are direct blocks, which covers any attribute set
 * below width × max-direct-block-size (≈ 256 KiB × 4 … MiBs); deeper heaps throw.
 */
export function attributeHeapDirectBlocks(
  src: ByteSource,
  sb: Superblock,
  header: ObjectHeader,
): HeapDirectBlock[] {
  const info = allMessages(header).find((m) => m.type === MSG_ATTRIBUTE_INFO);
  if (!info) return [];
  const b = src.read(info.dataOffset, info.size);
  const heapAddressAt = 2 + (b[1]! & 0x01 ? 2 : 0);
  if (isUndefinedAddress(b, heapAddressAt, sb.sizeOfOffsets)) return [];
  const heapAddress = readUint(b, heapAddressAt, sb.sizeOfOffsets);

  const O = sb.sizeOfOffsets;
  const L = sb.sizeOfLengths;
  const h = src.read(heapAddress, Math.min(src.size - heapAddress, 256));
  if (signatureAt(h, 0) !== 'FRHP')
    throw new CoreError('HDF5_READ', `No fractal heap header ("FRHP") at ${heapAddress}`);
  const filtersLength = readUint(h, 7, 2);
  const heapFlags = h[9]!;
  let p = 10 + 4 + L + O + L + O + L + L + L + L + L + L + L + L;
  const tableWidth = readUint(h, p, 2);
  p += 2;
  const startBlockSize = readUint(h, p, L);
  p += L;
  const maxDirectBlockSize = readUint(h, p, L);
  p += L;
  const maxHeapSizeBits = readUint(h, p, 2);
  p += 2;
  p += 2; // starting number of rows in root indirect block
  const rootIsUndefined = isUndefinedAddress(h, p, O);
  const rootAddress = readUint(h, p, O);
  p += O;
  const rootRows = readUint(h, p, 2);
  if (filtersLength > 0) throw new CoreError('HDF5_READ', 'Filtered fractal heaps are not supported');
  if (rootIsUndefined) return [];

  const checksummed = (heapFlags & 0x02) !== 0;
  const blockOffsetBytes = Math.ceil(maxHeapSizeBits / 8);
  const direct = (start: number, size: number): HeapDirectBlock => {
    const sig = signatureAt(src.read(start, 4), 0);
    if (sig !== 'FHDB') throw new CoreError('HDF5_READ', `No fractal heap direct block ("FHDB") at ${start}`);
    return { start, size, checksummed, checksumOffset: start + 5 + O + blockOffsetBytes };
  };
  if (rootRows === 0) return [direct(rootAddress, startBlockSize)];

  const maxDirectRows = Math.log2(maxDirectBlockSize / startBlockSize) + 2;
  const ib = src.read(rootAddress, 5 + O + blockOffsetBytes + rootRows * tableWidth * O + 4);
  if (signatureAt(ib, 0) !== 'FHIB')
    throw new CoreError('HDF5_READ', `No fractal heap indirect block ("FHIB") at ${rootAddress}`);
  if (rootRows > maxDirectRows)
    throw new CoreError('HDF5_READ', 'Fractal heaps with nested indirect blocks are not supported');
  const blocks: HeapDirectBlock[] = [];
  let q = 5 + O + blockOffsetBytes;
  for (let row = 0; row < rootRows; row++) {
    const size = startBlockSize * 2 ** Math.max(0, row - 1);
    for (let col = 0; col < tableWidth; col++, q += O) {
      if (!isUndefinedAddress(ib, q, O)) blocks.push(direct(readUint(ib, q, O), size));
    }
  }
  return blocks;
}

/** Recomputes a fractal heap direct block's checksum (computed over the block with the field zeroed). */
export function rewriteDirectBlockChecksum(sink: ByteSink, block: HeapDirectBlock): void {
  if (!block.checksummed) return;
  const bytes = sink.read(block.start, block.size).slice();
  const field = block.checksumOffset - block.start;
  bytes.fill(0, field, field + 4);
  const sum = new Uint8Array(4);
  writeUint32(sum, 0, lookup3(bytes));
  sink.write(block.checksumOffset, sum);
}

/** Verifies a direct block's stored checksum (used before patching, so we never "fix" a wrong guess). */
export function directBlockChecksumOk(src: ByteSource, block: HeapDirectBlock): boolean {
  if (!block.checksummed) return true;
  const bytes = src.read(block.start, block.size).slice();
  const field = block.checksumOffset - block.start;
  const stored = readUint(bytes, field, 4);
  bytes.fill(0, field, field + 4);
  return lookup3(bytes) === stored;
}

// ---------------------------------------------------------------------------------------------
// Rewriting a message with a body of another length (version-2 headers only).
//
// Nothing in a file points into an object header at a message's offset (messages are found by
// walking the chunks), so the messages of one chunk may move within it, or to another chunk, as
// HDF5's own header compaction does. A chunk is repacked as: its non-NIL messages in their order,
// then all the free space as one NIL message at the end, or, when less than a message header is
// left, as a gap (which HDF5 only accepts in a chunk without NIL messages; there is none then).
// When no chunk has room, a new continuation chunk is appended to the file, as HDF5 does when a
// header fills up: the message, and as few small messages as needed to make room for
// the continuation message, move there; the superblock's end-of-file address grows with it.

interface PackedMessage {
  /** The message's own header bytes (type, size, flags, creation order); the size is rewritten. */
  head: Uint8Array;
  body: Uint8Array;
}

function messagesEndOf(chunk: HeaderChunk): number {
  return chunk.start + chunk.length - 4; // the trailing checksum
}

/** Bytes of `chunk` not taken by its non-NIL messages (NIL messages and a trailing gap count as free). */
export function freeBytesOf(header: ObjectHeader, chunk: HeaderChunk): number {
  const used = chunk.messages
    .filter((m) => m.type !== MSG_NIL)
    .reduce((sum, m) => sum + header.messageHeaderSize + m.size, 0);
  return messagesEndOf(chunk) - chunk.messagesStart - used;
}

function packed(src: ByteSource, header: ObjectHeader, m: HeaderMessage): PackedMessage {
  return {
    head: src.read(m.headerOffset, header.messageHeaderSize).slice(),
    body: src.read(m.dataOffset, m.size).slice(),
  };
}

/** Serialises `items` into `out` from offset `p`; returns the end offset. */
function serialise(out: Uint8Array, p: number, items: PackedMessage[], headerSize: number): number {
  for (const { head, body } of items) {
    if (body.length > 0xffff)
      throw new CoreError('HDF5_WRITE', `A header message of ${body.length} bytes is too long`);
    if (p + headerSize + body.length > out.length)
      throw new CoreError('HDF5_WRITE', 'Header messages overrun their chunk');
    out.set(head, p);
    out[p + 1] = body.length & 0xff;
    out[p + 2] = body.length >> 8;
    out.set(body, p + headerSize);
    p += headerSize + body.length;
  }
  return p;
}

function repackChunk(sink: ByteSink, header: ObjectHeader, chunk: HeaderChunk, items: PackedMessage[]): void {
  const headerSize = header.messageHeaderSize;
  const out = new Uint8Array(messagesEndOf(chunk) - chunk.messagesStart);
  const p = serialise(out, 0, items, headerSize);
  const free = out.length - p;
  if (free >= headerSize) {
    // One NIL message (type 0, flags 0, creation order 0) with a zeroed body.
    out[p + 1] = (free - headerSize) & 0xff;
    out[p + 2] = (free - headerSize) >> 8;
  }
  sink.write(chunk.messagesStart, out);
  rewriteChecksum(sink, chunk.start, chunk.length);
}

function uintBytes(value: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0, v = value; i < size; i++, v = Math.floor(v / 256)) out[i] = v % 256;
  return out;
}

/**
 * Replaces the body of `msg` (a message of `header`, read from `sink`) by `body`, keeping its type,
 * flags and creation order. The message stays in its chunk when that chunk has room, else moves to
 * the first other chunk with room, else to a new continuation chunk appended to the file (needs
 * `sink.append`). Throws, writing nothing, when none of these is possible. `header` and `sb` are
 * stale afterwards: locate the object again before further patches.
 */
export function replaceMessageBody(
  sink: ByteSink,
  sb: Superblock,
  header: ObjectHeader,
  msg: HeaderMessage,
  body: Uint8Array,
): void {
  const headerSize = header.messageHeaderSize;
  const home = chunkContaining(header, msg.headerOffset);
  const own = home?.messages.filter((m) => m.type !== MSG_NIL) ?? [];
  const self = own.find((m) => m.headerOffset === msg.headerOffset);
  if (!home || !self) {
    throw new CoreError(
      'HDF5_WRITE',
      `No non-NIL message at ${msg.headerOffset} in the object header at ${header.address}`,
    );
  }
  const moved: PackedMessage = { head: packed(sink, header, self).head, body: body.slice() };
  const items = (except: HeaderMessage[] = []): PackedMessage[] =>
    own.filter((m) => !except.includes(m)).map((m) => (m === self ? moved : packed(sink, header, m)));

  if (freeBytesOf(header, home) + self.size >= body.length) {
    repackChunk(sink, header, home, items());
    return;
  }
  const target = header.chunks.find((c) => c !== home && freeBytesOf(header, c) >= headerSize + body.length);
  if (target) {
    const targetItems = [
      ...target.messages.filter((m) => m.type !== MSG_NIL).map((m) => packed(sink, header, m)),
    ];
    repackChunk(sink, header, target, [...targetItems, moved]);
    repackChunk(sink, header, home, items([self]));
    return;
  }
  if (!sink.append) {
    throw new CoreError(
      'HDF5_WRITE',
      `No object header chunk has room for a ${body.length}-byte message and the file cannot grow ` +
        `(object header at ${header.address})`,
    );
  }

  // A new chunk: `msg` moves there, plus the smallest other messages of its chunk (non-attribute
  // ones first, never a continuation message) until the continuation message fits in their place.
  const continuationSize = headerSize + sb.sizeOfOffsets + sb.sizeOfLengths;
  const evicted = [self];
  let room = freeBytesOf(header, home) + headerSize + self.size;
  const candidates = own
    .filter((m) => m !== self && m.type !== MSG_CONTINUATION)
    .sort((a, b) => Number(a.type === MSG_ATTRIBUTE) - Number(b.type === MSG_ATTRIBUTE) || a.size - b.size);
  for (const m of candidates) {
    if (room >= continuationSize) break;
    evicted.push(m);
    room += headerSize + m.size;
  }
  if (room < continuationSize) {
    throw new CoreError(
      'HDF5_WRITE',
      `No room for a continuation message in the object header at ${header.address}`,
    );
  }
  if (sb.endOfFileAddress !== sink.size) {
    throw new CoreError(
      'HDF5_WRITE',
      `The superblock's end of file (${sb.endOfFileAddress}) is not the file's length (${sink.size})`,
    );
  }
  const inNewChunk = own
    .filter((m) => evicted.includes(m))
    .map((m) => (m === self ? moved : packed(sink, header, m)));
  const chunkLength = 4 + inNewChunk.reduce((sum, m) => sum + headerSize + m.body.length, 0) + 4;
  const chunk = new Uint8Array(chunkLength);
  chunk.set([0x4f, 0x43, 0x48, 0x4b], 0); // "OCHK"
  serialise(chunk, 4, inNewChunk, headerSize);
  writeUint32(chunk, chunkLength - 4, lookup3(chunk.subarray(0, chunkLength - 4)));

  const address = sink.append(chunk);
  setEndOfFileAddress(sink, sb, address + chunkLength);
  const continuationHead = new Uint8Array(headerSize);
  continuationHead[0] = MSG_CONTINUATION;
  const continuation: PackedMessage = {
    head: continuationHead,
    body: Uint8Array.from([
      ...uintBytes(address, sb.sizeOfOffsets),
      ...uintBytes(chunkLength, sb.sizeOfLengths),
    ]),
  };
  repackChunk(sink, header, home, [...items(evicted), continuation]);
}
