// The one registry of HDF5 filters and plugin codecs: plain data and pure functions, no h5wasm, so
// the writer (hdf5/), the plugin loader (hdf5/plugins.ts), the codec strategy (strategies/hdf5-codec.ts),
// the Python recipe (strategies/recipe.ts) and the bench's h5py twins (bench/run.ts) all read the same
// facts. A new plugin codec is one PLUGIN_CODECS entry (plus a FILTERS entry when its filter is new)
// and a preset in CODEC_PRESETS (strategies/sweep.ts).
// Filter ids are HDF5's (built-ins below 256; plugins from the HDF Group's registered filter list).

import { CoreError } from './errors';

/** Who can read a file written with a filter: every h5py (built into libhdf5), or h5py + hdf5plugin. */
export type FilterReader = 'h5py' | 'h5py+hdf5plugin';

export interface FilterDef {
  id: number;
  name: string;
  readableBy: FilterReader;
  /** The h5wasm-plugins binary that provides the filter, or null for filters built into HDF5. */
  pluginFile: string | null;
  /** The filter's behaviour depends on the datatype (it cannot run on float16's placeholder type). */
  typeDependent: boolean;
}

/** Every HDF5 filter the app writes or recognises, by name. */
export const FILTERS = {
  deflate: { id: 1, name: 'deflate', readableBy: 'h5py', pluginFile: null, typeDependent: false },
  shuffle: { id: 2, name: 'shuffle', readableBy: 'h5py', pluginFile: null, typeDependent: false },
  nbit: { id: 5, name: 'nbit', readableBy: 'h5py', pluginFile: null, typeDependent: true },
  scaleoffset: { id: 6, name: 'scaleoffset', readableBy: 'h5py', pluginFile: null, typeDependent: true },
  bzip2: {
    id: 307,
    name: 'bzip2',
    readableBy: 'h5py+hdf5plugin',
    pluginFile: 'libH5Zbz2.so',
    typeDependent: false,
  },
  blosc: {
    id: 32001,
    name: 'blosc',
    readableBy: 'h5py+hdf5plugin',
    pluginFile: 'libH5Zblosc.so',
    typeDependent: false,
  },
  lz4: {
    id: 32004,
    name: 'lz4',
    readableBy: 'h5py+hdf5plugin',
    pluginFile: 'libH5Zlz4.so',
    typeDependent: false,
  },
  bitshuffle: {
    id: 32008,
    name: 'bitshuffle',
    readableBy: 'h5py+hdf5plugin',
    pluginFile: 'libH5Zbshuf.so',
    typeDependent: false,
  },
  // zfp compresses floats as floats.
  zfp: {
    id: 32013,
    name: 'zfp',
    readableBy: 'h5py+hdf5plugin',
    pluginFile: 'libH5Zzfp.so',
    typeDependent: true,
  },
  zstd: {
    id: 32015,
    name: 'zstd',
    readableBy: 'h5py+hdf5plugin',
    pluginFile: 'libH5Zzstd.so',
    typeDependent: false,
  },
} as const satisfies Record<string, FilterDef>;

export type FilterName = keyof typeof FILTERS;
export const FILTER_LIST: readonly FilterDef[] = Object.values(FILTERS);

/** The plugin binaries the app loads (one per plugin filter). */
export type PluginFileName = Exclude<(typeof FILTERS)[FilterName]['pluginFile'], null>;
export const PLUGIN_FILE_NAMES: readonly PluginFileName[] = [
  ...new Set(FILTER_LIST.flatMap((f) => (f.pluginFile ? [f.pluginFile as PluginFileName] : []))),
];

export function filterById(id: number): FilterDef | undefined {
  return FILTER_LIST.find((f) => f.id === id);
}

/** True for the filters that need a plugin binary (h5wasm-plugins) to be written or read. */
export function isPluginFilter(id: number): boolean {
  return filterById(id)?.pluginFile != null;
}

/** True for filters that depend on the datatype (nbit, scaleoffset, zfp). */
export function isTypeDependentFilter(id: number): boolean {
  return filterById(id)?.typeDependent ?? false;
}

// ---------------------------------------------------------------------------------------------------
// Plugin codecs: one filter with fixed options, as the codec strategy offers them.

/** Blosc's own pre-filter (blosc.h: 0 none, 1 byte shuffle, 2 bit shuffle). */
export type BloscShuffle = 'none' | 'byte' | 'bit';
const BLOSC_SHUFFLE_CODE: Record<BloscShuffle, number> = { none: 0, byte: 1, bit: 2 };
const BLOSC_SHUFFLE_PY: Record<BloscShuffle, string> = {
  none: 'hdf5plugin.Blosc.NOSHUFFLE',
  byte: 'hdf5plugin.Blosc.SHUFFLE',
  bit: 'hdf5plugin.Blosc.BITSHUFFLE',
};
/** Blosc compressor codes (blosc.h). 4 = zlib is never used: it aborts the wasm module. */
const BLOSC_LZ4 = 1;
const BLOSC_ZSTD = 5;
/** bitshuffle's compression codes (bshuf_h5filter.h). */
const BSHUF_LZ4 = 2;
const BSHUF_ZSTD = 3;
/** H5Z-ZFP generic interface: mode 1 = fixed rate, followed by the rate as a little-endian double. */
const ZFP_MODE_RATE = 1;

/** The codec options a cd_values builder reads (the codec strategy's params carry these). */
export interface CodecOptions {
  /** Compression level (only codecs with a `levels` range read it). */
  level: number;
  /** Blosc's pre-filter (only codecs with `bloscShuffle` read it). */
  shuffle: BloscShuffle;
  /** zfp's fixed rate in bits per value (only codecs with `rate` read it). */
  rate: number;
}

export interface PluginCodecDef {
  filter: FilterName;
  /** Short name for labels ("blosc zstd"). */
  label: string;
  /** The accepted compression levels, or absent when the codec has none. */
  levels?: readonly [number, number];
  /** Reads `shuffle` (blosc's own pre-filter). */
  bloscShuffle?: true;
  /** Reads `rate` (zfp's fixed rate). */
  rate?: true;
  /** HDF5 cd_values for these options (what h5wasm writes and the bench's h5py twin uses). */
  cdValues(o: CodecOptions): number[];
  /** The hdf5plugin constructor (Python source) that writes the same cd_values, for the recipe. */
  python(o: CodecOptions): string;
  /** The filter with its options, in words, for the recipe's header. */
  describe(o: CodecOptions): string;
  /**
   * What Debian's h5py + python3-hdf5plugin 4.0 (bookworm) cannot read, and why (recorded by
   * tests/interop/plugins-h5py.test.ts); absent when it reads the files. pip/conda hdf5plugin wheels
   * bundle every filter here.
   */
  debianReaderGap?: string;
  /**
   * The filter records its version in cd_values[0..1] when set on a dataset, and builds older than
   * this accept the options but ignore them (bitshuffle < 0.4 writes zstd requests uncompressed).
   */
  minFilterVersion?: readonly [number, number];
}

/** A float rate as Python source that parses back to the same double. */
function pyFloat(x: number): string {
  const s = String(x);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

function zfpRateCdValues(rate: number): number[] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, rate, true);
  return [ZFP_MODE_RATE, 0, view.getUint32(0, true), view.getUint32(4, true)];
}

function blosc(cname: 'lz4' | 'zstd', code: number): PluginCodecDef {
  return {
    filter: 'blosc',
    label: `blosc ${cname}`,
    levels: [1, 9],
    bloscShuffle: true,
    cdValues: (o) => [0, 0, 0, 0, o.level, BLOSC_SHUFFLE_CODE[o.shuffle], code],
    python: (o) =>
      `hdf5plugin.Blosc(cname="${cname}", clevel=${o.level}, shuffle=${BLOSC_SHUFFLE_PY[o.shuffle]})`,
    describe: (o) => `blosc ${cname} level ${o.level}, ${o.shuffle} shuffle`,
  };
}

/**
 * The plugin codecs the codec strategy offers (h5wasm sets one filter per dataset, so each is one
 * filter). Debian's hdf5plugin bundles no filters and relies on Debian's filter packages, which have no
 * zstd filter and bitshuffle 0.3.5 (lz4 only); its bitshuffle treats zstd chunks as uncompressed: a
 * read error, or silently wrong values when the compressed length happens to divide evenly (measured
 * on float16 and int16 data).
 */
export const PLUGIN_CODECS = {
  'blosc-lz4': blosc('lz4', BLOSC_LZ4),
  'blosc-zstd': blosc('zstd', BLOSC_ZSTD),
  zstd: {
    filter: 'zstd',
    label: 'zstd',
    levels: [1, 22],
    cdValues: (o) => [o.level],
    python: (o) => `hdf5plugin.Zstd(clevel=${o.level})`,
    describe: (o) => `zstd level ${o.level}`,
    debianReaderGap:
      'Debian’s hdf5plugin 4.0 cannot open this (Debian ships no zstd HDF5 filter); needs hdf5plugin ≥ 3.0 from pip/conda',
  },
  'bitshuffle-lz4': {
    filter: 'bitshuffle',
    label: 'bitshuffle + lz4',
    cdValues: () => [0, BSHUF_LZ4],
    python: () => 'hdf5plugin.Bitshuffle(nelems=0, cname="lz4")',
    describe: () => 'bitshuffle + lz4',
    debianReaderGap:
      'with Debian’s hdf5plugin 4.0, h5py also needs Debian’s bitshuffle package (the filter is not part of it)',
  },
  'bitshuffle-zstd': {
    filter: 'bitshuffle',
    label: 'bitshuffle + zstd',
    levels: [1, 22],
    cdValues: (o) => [0, BSHUF_ZSTD, o.level],
    python: (o) => `hdf5plugin.Bitshuffle(nelems=0, cname="zstd", clevel=${o.level})`,
    describe: (o) => `bitshuffle + zstd level ${o.level}`,
    debianReaderGap:
      'Debian’s hdf5plugin 4.0 cannot read this: with Debian’s bitshuffle 0.3.5 h5py fails or returns WRONG values without an error; needs hdf5plugin ≥ 4.0 from pip/conda',
    minFilterVersion: [0, 4],
  },
  lz4: {
    filter: 'lz4',
    label: 'lz4',
    cdValues: () => [0],
    python: () => 'hdf5plugin.LZ4(nbytes=0)',
    describe: () => 'lz4',
  },
  bzip2: {
    filter: 'bzip2',
    label: 'bzip2',
    levels: [1, 9],
    cdValues: (o) => [o.level],
    python: (o) => `hdf5plugin.BZip2(blocksize=${o.level})`,
    describe: (o) => `bzip2 blocksize ${o.level}`,
  },
  'zfp-rate': {
    filter: 'zfp',
    label: 'zfp fixed rate',
    rate: true,
    cdValues: (o) => zfpRateCdValues(o.rate),
    python: (o) => `hdf5plugin.Zfp(rate=${pyFloat(o.rate)})`,
    describe: (o) => `zfp fixed rate ${o.rate} bits/value`,
  },
} as const satisfies Record<string, PluginCodecDef>;

export type PluginCodec = keyof typeof PLUGIN_CODECS;
export const PLUGIN_CODEC_IDS = Object.keys(PLUGIN_CODECS) as PluginCodec[];

export function isPluginCodec(x: unknown): x is PluginCodec {
  return typeof x === 'string' && Object.hasOwn(PLUGIN_CODECS, x);
}

/** A codec's entry, or undefined for a name that is not one (e.g. from an old settings link). */
export function pluginCodecOf(codec: string): PluginCodecDef | undefined {
  return isPluginCodec(codec) ? PLUGIN_CODECS[codec] : undefined;
}

/** The single HDF5 filter (h5wasm can't stack filters) a codec writes, with its cd_values. */
export function pluginCodecFilter(codec: string, o: CodecOptions): { id: number; opts: number[] } {
  const def = pluginCodecOf(codec);
  if (!def) throw new CoreError('BAD_PARAMS', `unknown plugin codec ${codec}`);
  return { id: FILTERS[def.filter].id, opts: def.cdValues(o) };
}
