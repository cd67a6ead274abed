// A STORED (uncompressed) zip of in-memory entries, byte for byte what fflate's zipSync writes with
// `level: 0` (the tests hold it to that), with each entry's CRC-32 from the crc-32 package
// (slice-by-16). zipSync computes the CRC a byte at a time: on the 159 MB example that was 128 ms of
// a 1.2 s Zarr job (two zips of a 33 MB store, Node), against 13 ms per 33 MB here. fflate's
// streaming Zip takes CRCs from its caller, but writes a 16-byte data descriptor after every entry,
// which made a small store (the stack_sym_f4 test fixture's) 1.8 % larger than Python's ZipStore
// writes it.
// No zip64: the caller checks the limits first (store.ts zipProblem).
import CRC32 from 'crc-32';

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;

/** MS-DOS date and time of `mtime` (local time, 2-second resolution), as zip headers store them. */
function dosDateTime(mtime: Date): number {
  const year = mtime.getFullYear() - 1980;
  if (year < 0 || year > 119) throw new RangeError('a zip date must be in 1980–2099');
  return (
    ((year << 25) |
      ((mtime.getMonth() + 1) << 21) |
      (mtime.getDate() << 16) |
      (mtime.getHours() << 11) |
      (mtime.getMinutes() << 5) |
      (mtime.getSeconds() >> 1)) >>>
    0
  );
}

/** The zip of `entries` in their order, every entry STORED with the same modification time. */
export function storedZip(entries: ReadonlyMap<string, Uint8Array>, mtime: Date): Uint8Array {
  const encoder = new TextEncoder();
  const files = [...entries].map(([name, data]) => {
    const nameBytes = encoder.encode(name);
    if (nameBytes.length > 0xffff) throw new RangeError(`a zip entry name is at most 65535 bytes: ${name}`);
    // Bit 11: the name is UTF-8 (set, as fflate does, only when it is not plain ASCII).
    const utf8 = nameBytes.length !== name.length;
    return { nameBytes, data, crc: CRC32.buf(data) >>> 0, flags: utf8 ? 0x0800 : 0 };
  });
  let localBytes = 0;
  let centralBytes = 0;
  for (const f of files) {
    localBytes += 30 + f.nameBytes.length + f.data.length;
    centralBytes += 46 + f.nameBytes.length;
  }
  const out = new Uint8Array(localBytes + centralBytes + 22);
  const view = new DataView(out.buffer);
  const time = dosDateTime(mtime);
  // The fields a local header and a central record share, from `at` (version needed to extract on).
  const common = (at: number, f: (typeof files)[number]) => {
    view.setUint16(at, 20, true); // version needed to extract: 2.0
    view.setUint16(at + 2, f.flags, true);
    view.setUint16(at + 4, 0, true); // STORED
    view.setUint32(at + 6, time, true);
    view.setUint32(at + 10, f.crc, true);
    view.setUint32(at + 14, f.data.length, true); // compressed size
    view.setUint32(at + 18, f.data.length, true); // uncompressed size
    view.setUint16(at + 22, f.nameBytes.length, true);
    view.setUint16(at + 24, 0, true); // extra field length
  };
  let at = 0;
  const offsets: number[] = [];
  for (const f of files) {
    offsets.push(at);
    view.setUint32(at, LOCAL, true);
    common(at + 4, f);
    out.set(f.nameBytes, at + 30);
    out.set(f.data, at + 30 + f.nameBytes.length);
    at += 30 + f.nameBytes.length + f.data.length;
  }
  files.forEach((f, i) => {
    view.setUint32(at, CENTRAL, true);
    view.setUint16(at + 4, 20, true); // version made by: 2.0, MS-DOS attributes (0)
    common(at + 6, f);
    // Comment length, disk number, internal and external attributes: 0.
    view.setUint32(at + 42, offsets[i]!, true);
    out.set(f.nameBytes, at + 46);
    at += 46 + f.nameBytes.length;
  });
  view.setUint32(at, END, true);
  view.setUint16(at + 8, files.length, true);
  view.setUint16(at + 10, files.length, true);
  view.setUint32(at + 12, centralBytes, true);
  view.setUint32(at + 16, localBytes, true);
  return out;
}
