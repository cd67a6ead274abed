// h5wasm initialises once per worker (or Node process): every adapter call goes through getH5().
// Files live in the module's in-memory FS (MEMFS) under one scratch directory per process, so two
// workers (or two test files) never see each other's files.

import { CoreError } from '../core/errors';
import h5wasm from 'h5wasm';
import { adjustMemfsStorage } from './memfs-storage';
import { protectBuffers } from '../core/release';

/** The initialised emscripten module h5wasm wraps (typed by h5wasm's own declarations). */
export type H5Module = Awaited<typeof h5wasm.ready>;
/** The emscripten in-memory file system of that module. */
export type H5FS = H5Module['FS'];

export interface H5Env {
  /** h5wasm's high-level API (File, Dataset, ...). */
  readonly h5: typeof h5wasm;
  /** The wasm module: low-level calls, heap, malloc/free. */
  readonly module: H5Module;
  readonly fs: H5FS;
  /** Absolute MEMFS directory for this process's files, e.g. `/h5squeeze-k3j9x2`. */
  readonly scratchDir: string;
}

let envPromise: Promise<H5Env> | undefined;
let readyEnv: H5Env | undefined;

async function init(): Promise<H5Env> {
  let module: H5Module;
  try {
    module = await h5wasm.ready;
  } catch (cause) {
    throw new CoreError('HDF5_INIT', 'Could not start the HDF5 (h5wasm) module', { cause });
  }
  // HDF5's default handler only prints; the throwing one turns library errors into JS exceptions.
  module.activate_throwing_error_handler();
  const fs = module.FS;
  adjustMemfsStorage(fs, () => module.HEAPU8);
  // Views of the heap are handed out (the reader's slabs): releasing one must never touch the heap.
  protectBuffers((buf) => buf === module.HEAPU8.buffer);
  const scratchDir = `/h5squeeze-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  fs.mkdirTree(scratchDir);
  readyEnv = { h5: h5wasm, module, fs, scratchDir };
  return readyEnv;
}

/** The h5wasm module, initialised once (memoised promise). A failed start is retried on the next call. */
export function getH5(): Promise<H5Env> {
  if (!envPromise) {
    envPromise = init().catch((e: unknown) => {
      envPromise = undefined;
      throw e;
    });
  }
  return envPromise;
}

/**
 * The initialised module for the synchronous adapter calls (write/read run inside one worker task).
 * Throws if `getH5()` has not resolved yet.
 */
export function requireH5(): H5Env {
  if (!readyEnv) throw new CoreError('INTERNAL', 'h5wasm is not initialised yet: await getH5() first');
  return readyEnv;
}

let scratchCounter = 0;

/** A fresh file path in the scratch directory; `stem` is kept (sanitised) for readable names. */
export function scratchPath(env: H5Env, stem = 'file', extension = '.h5'): string {
  scratchCounter += 1;
  const safe = stem.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'file';
  return `${env.scratchDir}/${safe}-${scratchCounter}${extension}`;
}
