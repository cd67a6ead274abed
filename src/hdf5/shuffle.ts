// Stacked filters [shuffle, deflate] although h5wasm 0.10.3 sets exactly one filter per dataset.
//
// The writer (write.ts) byte-shuffles every *complete* chunk in JS before handing it to h5wasm,
// which deflates it as the only filter. After the file is closed, patchShuffleDeflate rewrites the
// dataset's metadata to what HDF5 itself writes for `shuffle=True, compression='gzip'`:
// - the filter pipeline message becomes [shuffle (id 2, cd_values [element size]), deflate (id 1,
//   cd_values [level])], both flagged optional: byte for byte the version-2 message h5py writes.
//   It is 10 bytes longer than the deflate-only one: the header chunk's messages are repacked into
//   its free (NIL) space, or the message moves to another chunk with room, or (common: h5wasm
//   leaves no free space once the contract attributes are written) to a new continuation chunk
//   appended to the file (object-header.ts, replaceMessageBody);
// - a chunk that extends past the dataspace (the last one along axis 0 when shape[0] % chunk[0]
//   != 0) cannot be pre-shuffled: HDF5 shuffles the whole chunk buffer, out-of-extent fill included,
//   and only the in-extent rows can be written. It is stored plain, and bit 0 (the shuffle filter's
//   index in the pipeline) of its filter mask in the chunk index is set: "optional filter 0 was not
//   applied to this chunk", a state HDF5 itself produces when an optional filter fails, so every
//   reader skips the unshuffle for that chunk only.
// Handled: version-2 object headers (checksummed; what h5wasm writes), a version-2 pipeline message
// holding deflate alone, and layout message version 3 with its version-1 B-tree chunk index (h5wasm's
// files have low bound v1.8, so no fixed/extensible-array or single-chunk indexes). Anything else
// throws before a byte is written.

import { CoreError } from '../core/errors';
import type { ByteSink, ByteSource, HeaderMessage, Superblock } from './object-header';
import {
  MSG_DATASPACE,
  MSG_FILTER_PIPELINE,
  MSG_LAYOUT,
  allMessages,
  locateDataset,
  replaceMessageBody,
} from './object-header';
import { FILTERS } from '../core/filters';
import { shuffleBytes } from '../core/byte-shuffle';

export const FILTER_DEFLATE = FILTERS.deflate.id;
export const FILTER_SHUFFLE = FILTERS.shuffle.id;
/** H5Z_FLAG_OPTIONAL, as h5py's set_shuffle and set_deflate use. */
const FLAG_OPTIONAL = 1;

/**
 * Copies rows [r0, r0 + src rows) of a dataset whose chunks are [chunkRows, ...whole trailing axes]
 * into `dst`, byte-shuffling each complete chunk (r0 must be a multiple of chunkRows). A chunk cut
 * short by the end of the dataset (row `rows`) is copied as is.
 */
export function shuffleChunkRows(
  src: Uint8Array,
  dst: Uint8Array,
  r0: number,
  rows: number,
  chunkRows: number,
  rowBytes: number,
  elementSize: number,
): void {
  if (r0 % chunkRows !== 0)
    throw new CoreError('BAD_PARAMS', `Slab start ${r0} is not a multiple of the chunk rows ${chunkRows}`);
  if (dst.length < src.length || src.length % rowBytes !== 0)
    throw new CoreError('BAD_PARAMS', 'Bad slab for shuffling');
  const r1 = r0 + src.length / rowBytes;
  for (let s = r0; s < r1; s += chunkRows) {
    const e = Math.min(s + chunkRows, r1);
    const from = (s - r0) * rowBytes;
    const to = (e - r0) * rowBytes;
    if (s + chunkRows <= rows) {
      if (e !== s + chunkRows) throw new CoreError('BAD_PARAMS', `Slab ends inside the chunk at row ${s}`);
      shuffleBytes(src.subarray(from, to), dst.subarray(from, to), elementSize);
    } else {
      dst.set(src.subarray(from, to), from);
    }
  }
}

/** The version-2 filter pipeline message body h5py writes for shuffle=True, compression='gzip'. */
export function shuffleDeflatePipelineBody(elementSize: number, level: number): Uint8Array {
  const out = new Uint8Array(2 + 2 * 10);
  const v = new DataView(out.buffer);
  out[0] = 2; // version
  out[1] = 2; // number of filters
  let p = 2;
  for (const [id, cd] of [
    [FILTER_SHUFFLE, elementSize],
    [FILTER_DEFLATE, level],
  ] as const) {
    // Ids below 256 carry no name in version 2: id, flags, number of cd_values, cd_values.
    v.setUint16(p, id, true);
    v.setUint16(p + 2, FLAG_OPTIONAL, true);
    v.setUint16(p + 4, 1, true);
    v.setUint32(p + 6, cd, true);
    p += 10;
  }
  return out;
}

interface PipelineFilter {
  id: number;
  flags: number;
  cdValues: number[];
}

/** Decodes a version-2 filter pipeline message (the only version h5wasm writes here). */
function decodePipelineV2(body: Uint8Array): PipelineFilter[] {
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  if (body[0] !== 2)
    throw new CoreError('HDF5_READ', `Unsupported filter pipeline message version ${body[0]} (expected 2)`);
  const filters: PipelineFilter[] = [];
  let p = 2;
  for (let i = 0; i < body[1]!; i++) {
    const id = v.getUint16(p, true);
    p += 2;
    const nameLength = id >= 256 ? v.getUint16(p, true) : 0;
    if (id >= 256) p += 2;
    const flags = v.getUint16(p, true);
    const n = v.getUint16(p + 2, true);
    p += 4 + nameLength;
    const cdValues: number[] = [];
    for (let k = 0; k < n; k++, p += 4) cdValues.push(v.getUint32(p, true));
    filters.push({ id, flags, cdValues });
  }
  if (p !== body.length) throw new CoreError('HDF5_READ', 'Filter pipeline message has trailing bytes');
  return filters;
}

function bodyOf(src: ByteSource, m: HeaderMessage): Uint8Array {
  return src.read(m.dataOffset, m.size);
}

function onlyMessage(messages: HeaderMessage[], type: number, what: string): HeaderMessage {
  const found = messages.filter((m) => m.type === type);
  if (found.length !== 1)
    throw new CoreError('HDF5_READ', `Expected one ${what} message in /data, found ${found.length}`);
  return found[0]!;
}

function readUintLE(bytes: Uint8Array, offset: number, size: number): number {
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = v * 256 + bytes[offset + i]!;
  return v;
}

/** Current dimensions from a dataspace message (versions 1 and 2). */
function dataspaceDims(body: Uint8Array, sb: Superblock): number[] {
  const version = body[0]!;
  const rank = body[1]!;
  let p: number;
  if (version === 1) p = 8;
  else if (version === 2) {
    if (body[3] !== 1) throw new CoreError('HDF5_READ', `/data's dataspace is not simple (type ${body[3]})`);
    p = 4;
  } else throw new CoreError('HDF5_READ', `Unsupported dataspace message version ${version}`);
  return Array.from({ length: rank }, (_, i) => readUintLE(body, p + i * sb.sizeOfLengths, sb.sizeOfLengths));
}

interface ChunkedLayout {
  btreeAddress: number;
  /** Chunk dimensions with the element size appended (rank + 1 entries). */
  dims: number[];
}

/** A layout message version 3, chunked class (v1 B-tree index); anything else is refused. */
function chunkedLayoutV3(body: Uint8Array, sb: Superblock): ChunkedLayout {
  if (body[0] !== 3 || body[1] !== 2) {
    throw new CoreError(
      'HDF5_READ',
      `/data's layout message is version ${body[0]} class ${body[1]}; only version 3 chunked ` +
        '(v1 B-tree chunk index) is handled',
    );
  }
  const n = body[2]!;
  const btreeAddress = readUintLE(body, 3, sb.sizeOfOffsets);
  const p = 3 + sb.sizeOfOffsets;
  const dims = Array.from({ length: n }, (_, i) => readUintLE(body, p + 4 * i, 4));
  return { btreeAddress, dims };
}

export interface ChunkKey {
  /** Absolute offset of the key's filter mask field. */
  maskOffset: number;
  filterMask: number;
  nbytes: number;
  /** Chunk offset in elements (rank entries) followed by the element-size dimension's 0. */
  offset: number[];
  /** B-tree level of the node holding it (0 = leaf) and whether it describes a child (not a right bound). */
  level: number;
  isChildKey: boolean;
  /** The child's address (a chunk's, in a leaf), for child keys. */
  childAddress: number | null;
}

/**
 * Every key of a version-1 B-tree of raw-data chunks: node "TREE", type 1, level,
 * entries used, siblings, then key, child, key, ..., key. A key is the chunk size (4 bytes), the
 * filter mask (4), and rank + 1 offsets (8 each). No checksums in this structure.
 */
export function readChunkBtreeKeys(src: ByteSource, sb: Superblock, root: number, ndims: number): ChunkKey[] {
  const O = sb.sizeOfOffsets;
  const keySize = 8 + 8 * ndims;
  const keys: ChunkKey[] = [];
  const seen = new Set<number>();
  const visit = (address: number, expectedLevel: number | null): void => {
    if (seen.has(address))
      throw new CoreError('HDF5_READ', `Chunk B-tree node at ${address} is referenced twice`);
    seen.add(address);
    const head = src.read(address, 8 + 2 * O);
    const sig = String.fromCharCode(head[0]!, head[1]!, head[2]!, head[3]!);
    if (sig !== 'TREE' || head[4] !== 1)
      throw new CoreError('HDF5_READ', `No chunk B-tree node ("TREE", type 1) at ${address}`);
    const level = head[5]!;
    if (expectedLevel !== null && level !== expectedLevel) {
      throw new CoreError(
        'HDF5_READ',
        `Chunk B-tree node at ${address} has level ${level}, expected ${expectedLevel}`,
      );
    }
    const entries = head[6]! | (head[7]! << 8);
    const start = address + 8 + 2 * O;
    const stride = keySize + O;
    const bytes = src.read(start, entries * stride + keySize);
    for (let i = 0; i <= entries; i++) {
      const k = i * stride;
      const childAddress = i < entries ? readUintLE(bytes, k + keySize, O) : null;
      keys.push({
        maskOffset: start + k + 4,
        nbytes: readUintLE(bytes, k, 4),
        filterMask: readUintLE(bytes, k + 4, 4),
        offset: Array.from({ length: ndims }, (_, d) => readUintLE(bytes, k + 8 + 8 * d, 8)),
        level,
        isChildKey: i < entries,
        childAddress,
      });
      if (level > 0 && childAddress !== null) visit(childAddress, level - 1);
    }
  };
  visit(root, null);
  return keys;
}

/**
 * Turns `/data` of a closed file, written with deflate alone over pre-shuffled complete chunks (see
 * the file comment), into a [shuffle, deflate] dataset. Idempotent. Validates everything it relies
 * on before writing; throws on any file it does not recognise.
 */
export function patchShuffleDeflate(sink: ByteSink): void {
  const { superblock: sb, dataset } = locateDataset(sink);
  const messages = allMessages(dataset);
  const dims = dataspaceDims(bodyOf(sink, onlyMessage(messages, MSG_DATASPACE, 'dataspace')), sb);
  const layout = chunkedLayoutV3(bodyOf(sink, onlyMessage(messages, MSG_LAYOUT, 'layout')), sb);
  if (layout.dims.length !== dims.length + 1) {
    throw new CoreError(
      'HDF5_WRITE',
      `/data's layout has ${layout.dims.length} dimensions for a rank-${dims.length} dataspace`,
    );
  }
  const elementSize = layout.dims[dims.length]!;
  const chunk = layout.dims.slice(0, dims.length);

  const pipelineMessage = onlyMessage(messages, MSG_FILTER_PIPELINE, 'filter pipeline');
  const pipeline = decodePipelineV2(bodyOf(sink, pipelineMessage));
  let level: number;
  if (pipeline.length === 1 && pipeline[0]!.id === FILTER_DEFLATE && pipeline[0]!.cdValues.length === 1) {
    level = pipeline[0]!.cdValues[0]!;
  } else if (
    pipeline.length === 2 &&
    pipeline[0]!.id === FILTER_SHUFFLE &&
    pipeline[0]!.cdValues.join() === String(elementSize) &&
    pipeline[1]!.id === FILTER_DEFLATE &&
    pipeline[1]!.cdValues.length === 1
  ) {
    level = -1; // already patched
  } else {
    throw new CoreError(
      'HDF5_WRITE',
      `/data's filter pipeline is [${pipeline.map((f) => f.id).join(', ')}], expected deflate alone`,
    );
  }

  // Chunks that reach past the dataspace were stored unshuffled: mark shuffle as skipped for them.
  const keys = readChunkBtreeKeys(sink, sb, layout.btreeAddress, layout.dims.length);
  const leaves = keys.filter((k) => k.level === 0 && k.isChildKey);
  for (const k of leaves) {
    const ok =
      k.offset[dims.length] === 0 && chunk.every((c, d) => k.offset[d]! % c === 0 && k.offset[d]! < dims[d]!);
    if (!ok || k.nbytes === 0)
      throw new CoreError('HDF5_WRITE', `Unexpected chunk key at offset [${k.offset.join(', ')}]`);
  }
  const partial = new Set(
    leaves.filter((k) => chunk.some((c, d) => k.offset[d]! + c > dims[d]!)).map((k) => k.offset.join()),
  );
  // Copies of a chunk's key in inner nodes (and right bounds) are kept consistent with the leaf's.
  const toMark = keys.filter((k) => partial.has(k.offset.join()) && (k.filterMask & 1) === 0);

  if (level >= 0) {
    replaceMessageBody(sink, sb, dataset, pipelineMessage, shuffleDeflatePipelineBody(elementSize, level));
  }
  for (const k of toMark) {
    const mask = new Uint8Array(4);
    new DataView(mask.buffer).setUint32(0, (k.filterMask | 1) >>> 0, true);
    sink.write(k.maskOffset, mask);
  }
}
