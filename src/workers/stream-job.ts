// The full-file run for inputs too big to hold: the original is read slab by slab (rows along axis
// 0), each slab is laid out and encoded with the input's global facts, and the HDF5 writer pulls the
// slabs as it goes; verification reads the file back slab by slab too. Peak memory is a few slabs
// plus the output file, whatever the input's size.
import type { DTypeCode, NdArray } from '../core/ndarray';
import { DTYPE_BYTES, sizeOf } from '../core/ndarray';
import type { NpyHeader } from '../core/npy';
import { decodeNpyData } from '../core/npy';
import { createErrorAccumulator } from '../core/metrics';
import type { InputFacts, LayoutValues, StrategySpec } from '../strategies/types';
import { strategyOf } from '../strategies/registry';
import { layoutOf as layoutDef } from '../layouts/registry';
import { restorePythonSnippet } from '../strategies/restore-python';
import { CHUNK_TARGET_BYTES } from '../strategies/common';
import { getH5, scratchPath } from '../hdf5/h5wasm-init';
import { readHdf5File } from '../hdf5/read';
import { readFileParts, removeFile } from '../hdf5/files';
import { setMaxAbsError } from '../hdf5/max-abs-error';
import { ensurePlugins, isPluginFilter } from '../hdf5/plugins';
import type { StrategyResult } from './job';
import {
  UnsupportedError,
  assertLayoutKeepsValues,
  buildLayoutValues,
  compareSlab,
  contractAttrs,
  fileNameFor,
  numericView,
  summarizeResult,
  throwIfAborted,
  writeHdf5OrExplain,
} from './job';

/** Rows [r0, r1) of the original array along axis 0, C order, little-endian. */
export interface RowReader {
  shape: readonly number[];
  dtype: DTypeCode;
  read(r0: number, r1: number): NdArray;
}

/** Reads rows of a C-order `.npy` Blob synchronously (FileReaderSync: workers only). */
export function npyBlobRowReader(blob: Blob, header: NpyHeader): RowReader {
  const rowShape = header.shape.slice(1);
  const rowBytes = sizeOf(rowShape) * DTYPE_BYTES[header.dtype];
  const reader = new FileReaderSync();
  return {
    shape: header.shape,
    dtype: header.dtype,
    read(r0, r1) {
      const start = header.dataOffset + r0 * rowBytes;
      const bytes = new Uint8Array(reader.readAsArrayBuffer(blob.slice(start, start + (r1 - r0) * rowBytes)));
      return decodeNpyData({ ...header, shape: [r1 - r0, ...rowShape], dataBytes: bytes.byteLength }, bytes);
    },
  };
}

/** Rows of an array already in memory (views, no copies): the same path, for tests and small inputs. */
export function memoryRowReader(array: NdArray): RowReader {
  const rowElems = sizeOf(array.shape.slice(1));
  return {
    shape: array.shape,
    dtype: array.dtype,
    read: (r0, r1) => ({
      dtype: array.dtype,
      shape: [r1 - r0, ...array.shape.slice(1)],
      data: array.data.subarray(r0 * rowElems, r1 * rowElems),
    }),
  };
}

/** Original bytes per verification slab. */
const VERIFY_SLAB_BYTES = 32 << 20;

export interface StreamJobOptions {
  signal?: AbortSignal;
  onProgress?: (fraction: number, phase: 'write' | 'verify') => void;
  /** Slab size for writing and verifying (tests use tiny slabs to cross many slab borders). */
  slabBytes?: number;
  /** Whether to copy the file's bytes out of the wasm FS (default yes); `parts` is empty otherwise. */
  keepFile?: (bytes: number) => boolean;
}

/** True when the streamed path can run this spec on an array of this shape. */
export function canStream(shape: readonly number[], spec: StrategySpec): boolean {
  const params = { ...strategyOf(spec.strategyId).defaults, ...spec.params };
  const readableBy = strategyOf(spec.strategyId).readableBy(params);
  // .npy files are the input as it is; Zarr stores are built whole in memory (src/zarr).
  if (readableBy === 'numpy' || readableBy === 'zarr') return false;
  if (shape.length < 2 || shape.includes(0)) return false;
  const layout = layoutDef(spec.layout);
  return layout.rowAligned && (spec.layout === 'full' || shape.length >= 3);
}

export async function runStreamingJob(
  input: { name: string; reader: RowReader; facts: InputFacts },
  spec: StrategySpec,
  opts: StreamJobOptions = {},
): Promise<{ result: StrategyResult; parts: Uint8Array[] }> {
  const { reader, facts } = input;
  const shape = reader.shape;
  if (shape.length < 2) throw new UnsupportedError('streaming needs an array with rows (rank ≥ 2)');
  if (spec.layout !== 'full' && shape.length < 3)
    throw new UnsupportedError('streaming a packed layout needs a stack of matrices (rank ≥ 3)');
  if (!layoutDef(spec.layout).rowAligned)
    throw new UnsupportedError(
      `the ${layoutDef(spec.layout).short} layout needs every matrix at once; it can't be streamed`,
    );
  const def = strategyOf(spec.strategyId);
  const params = { ...def.defaults, ...spec.params };
  if (def.readableBy(params) === 'numpy')
    throw new UnsupportedError(
      'the .npy strategies store your input as it is: the file you have is that file',
    );
  const rows = shape[0]!;
  const t0 = performance.now();

  const layoutOf = (array: NdArray): LayoutValues =>
    buildLayoutValues({ name: input.name, array, facts }, spec.layout, numericView(array));
  // A probe of ≥ 1 MiB of stored rows gives the same chunk shape as encoding the whole array would.
  const probe = layoutOf(
    reader.read(0, Math.min(rows, Math.ceil(CHUNK_TARGET_BYTES / sizeOf(shape.slice(1))) + 1)),
  );
  const storedShape = [rows, ...probe.shape.slice(1)];
  const whole: LayoutValues = { ...probe, shape: storedShape };
  assertLayoutKeepsValues(whole);
  const reason = def.unsupported(whole, params);
  if (reason) throw new UnsupportedError(reason);
  // Encoded with the whole stored shape, so chunk choices that depend on the row count match.
  const probePlan = def.encode(whole, params);
  if (probePlan.container !== 'hdf5') throw new UnsupportedError('only HDF5 strategies stream');

  const env = await getH5();
  if (probePlan.filter && isPluginFilter(probePlan.filter.id)) await ensurePlugins();
  const fileName = fileNameFor(input.name, spec);
  const restorePython = restorePythonSnippet(fileName, {
    hdf5plugin: def.readableBy(params) === 'h5py+hdf5plugin',
    layout: spec.layout,
  });
  const path = scratchPath(env, 'full');
  const acc = createErrorAccumulator();
  try {
    writeHdf5OrExplain(
      path,
      {
        data: probePlan.data,
        rowSource: (r0, r1) => {
          throwIfAborted(opts.signal);
          const plan = def.encode(layoutOf(reader.read(r0, r1)), params);
          return plan.data;
        },
        dtype: probePlan.dtype,
        shape: storedShape,
        chunks: probePlan.chunks,
        filter: probePlan.filter,
        shuffle: probePlan.shuffle,
        extraDatasets: layoutDef(spec.layout).extraDatasets(shape, facts),
        ...contractAttrs({ shape, dtype: reader.dtype }, spec, params, probePlan.attrs, restorePython, facts),
      },
      { onProgress: (f) => opts.onProgress?.(0.6 * f, 'write'), slabBytes: opts.slabBytes },
    );
    const encodeMs = performance.now() - t0;
    const t1 = performance.now();
    const step = Math.max(
      1,
      Math.floor((opts.slabBytes ?? VERIFY_SLAB_BYTES) / (sizeOf(shape.slice(1)) * 8)),
    );
    for (let r0 = 0; r0 < rows; r0 += step) {
      throwIfAborted(opts.signal);
      const r1 = Math.min(rows, r0 + step);
      // Decoding needs only the layout's metadata (`whole`): the slab is not laid out a second time.
      const slabInput = { name: input.name, array: reader.read(r0, r1), facts };
      const read = readHdf5File(path, { rows: [r0, r1] });
      compareSlab(
        acc,
        slabInput,
        numericView(slabInput.array),
        whole,
        def.decode(read, whole, params),
        0,
        r1 - r0,
      );
      opts.onProgress?.(0.6 + (0.4 * r1) / rows, 'verify');
    }
    const verifyMs = performance.now() - t1;
    const m = acc.result();
    const bytes = setMaxAbsError(path, m.maxAbsError);
    const parts = (opts.keepFile ?? (() => true))(bytes) ? readFileParts(path) : [];
    const originalBytes = sizeOf(shape) * DTYPE_BYTES[reader.dtype];
    return {
      result: summarizeResult({
        spec,
        params,
        values: whole,
        metrics: m,
        bytes,
        originalBytes,
        fileName,
        encodeMs,
        verifyMs,
        restorePython,
      }),
      parts,
    };
  } finally {
    removeFile(path);
  }
}

/** One buffer from the ≤ 512 MiB parts of a file (tests, and files small enough to send whole). */
export function joinParts(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.byteLength;
  }
  return out;
}
