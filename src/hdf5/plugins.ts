// Hard constraint: HDF5 finds filter plugins only as `lib*.so` files in a directory of the wasm
// module's own file system (MEMFS), so the binaries shipped by h5wasm-plugins are copied there once
// per worker, before the first plugin-filtered dataset is written or read (docs/ARCHITECTURE.md, h5wasm facts).
// The package's own install_plugins() fetches relative to its import.meta.url, which under Vite
// silently fetches index.html, so the bytes come from a loader instead: in a Vite worker each `.so`
// is imported with `?url` and fetched (plugin-urls.ts, registered by the worker shell); in Node they
// are read from node_modules through process.getBuiltinModule, a plain call that bundlers don't
// follow, so node:fs never reaches the browser bundle.

import { CoreError } from '../core/errors';
import type * as NodeFs from 'node:fs';
import type * as NodeModule from 'node:module';
import { getH5 } from './h5wasm-init';
import { FILTERS, PLUGIN_FILE_NAMES, isPluginFilter } from '../core/filters';
import type { PluginFileName } from '../core/filters';

/** HDF5 registered filter ids of the plugin filters (from the filter registry, core/filters.ts). */
export const PLUGIN_FILTER = {
  BZIP2: FILTERS.bzip2.id,
  BLOSC: FILTERS.blosc.id,
  LZ4: FILTERS.lz4.id,
  BITSHUFFLE: FILTERS.bitshuffle.id,
  ZFP: FILTERS.zfp.id,
  ZSTD: FILTERS.zstd.id,
} as const;

export type { PluginFileName };
/** The h5wasm-plugins binaries the registry's plugin filters need (blosc2, jpeg, lzf, bitgroom/round unused). */
export { PLUGIN_FILE_NAMES, isPluginFilter };

/** Returns the bytes of one plugin binary. */
export type PluginLoader = (fileName: PluginFileName) => Promise<Uint8Array>;

/** Plugin side modules compiled elsewhere (by the page, for every worker), by file name. */
export type PluginModules = () => Promise<Partial<Record<PluginFileName, WebAssembly.Module>>>;

let configuredLoader: PluginLoader | undefined;
let configuredModules: PluginModules | undefined;

/**
 * Sets where plugin bytes come from (the browser worker registers its `?url` fetcher) and, optionally,
 * where compiled plugin modules come from (the sweep worker: the ones the page compiled once).
 */
export function setPluginLoader(loader: PluginLoader, modules?: PluginModules): void {
  configuredLoader = loader;
  configuredModules = modules;
}

/** What emscripten's file system offers for preloading a side module (typed here, not by h5wasm). */
interface PreloadingFs {
  preloadFile(
    parent: string,
    name: string,
    data: WebAssembly.Module,
    canRead: boolean,
    canWrite: boolean,
    dontCreateFile: boolean,
  ): Promise<void>;
}

/**
 * A placeholder for a plugin whose compiled module was preloaded: HDF5 finds plugins by listing the
 * directory and dlopens each file, and emscripten's dlopen takes a preloaded module by its path
 * without reading the file. (If it ever read it, the plugin would fail to load, loudly: the journeys
 * run every plugin codec.)
 */
const PRELOADED = new Uint8Array(0);

/** Reads the binaries from node_modules when running in Node (tests, CLI); undefined elsewhere. */
export function nodePluginLoader(): PluginLoader | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof proc?.getBuiltinModule !== 'function') return undefined;
  const fs = proc.getBuiltinModule('node:fs') as typeof NodeFs | undefined;
  const mod = proc.getBuiltinModule('node:module') as typeof NodeModule | undefined;
  if (!fs || !mod) return undefined;
  const require = mod.createRequire(import.meta.url);
  return async (name) => {
    const bytes = await fs.promises.readFile(require.resolve(`h5wasm-plugins/plugins/${name}`));
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d]; // "\0asm": every emscripten side module starts so

/** Throws unless `bytes` look like a wasm side module (a dev server's index.html does not). */
export function assertWasmModule(name: string, bytes: Uint8Array): void {
  if (bytes.length < 8 || WASM_MAGIC.some((b, i) => bytes[i] !== b)) {
    const head = new TextDecoder().decode(bytes.subarray(0, 40)).replace(/\s+/g, ' ');
    throw new CoreError(
      'PLUGIN_LOAD',
      `HDF5 plugin ${name} is not a wasm module (${bytes.length} bytes starting "${head}")`,
    );
  }
}

let installPromise: Promise<string> | undefined;

async function install(): Promise<string> {
  const env = await getH5();
  const load = configuredLoader ?? nodePluginLoader();
  if (!load)
    throw new CoreError('PLUGIN_LOAD', 'No HDF5 plugin loader: the worker must call setPluginLoader() first');
  const dir = env.module.get_plugin_search_paths()[0];
  if (!dir) throw new CoreError('PLUGIN_LOAD', 'h5wasm reports no plugin search path');
  const compiled = (await configuredModules?.()) ?? {};
  env.fs.mkdirTree(dir);
  const binaries = await Promise.all(
    PLUGIN_FILE_NAMES.map(async (name) => {
      try {
        const module = compiled[name];
        if (module) {
          // Instantiated from the shared module now, under the path HDF5 will dlopen.
          await (env.fs as unknown as PreloadingFs).preloadFile(dir, name, module, true, false, true);
          return { name, bytes: PRELOADED };
        }
        const bytes = await load(name);
        assertWasmModule(name, bytes);
        return { name, bytes };
      } catch (cause) {
        throw new CoreError('PLUGIN_LOAD', `Could not load the HDF5 plugin ${name}`, { cause });
      }
    }),
  );
  for (const { name, bytes } of binaries) env.fs.writeFile(`${dir}/${name}`, bytes);
  return dir;
}

/**
 * Installs the plugin binaries into h5wasm's plugin directory, once per worker (memoised promise;
 * a failure is retried on the next call). Resolves to that directory.
 */
export function ensurePlugins(): Promise<string> {
  if (!installPromise) {
    installPromise = install().catch((e: unknown) => {
      installPromise = undefined;
      throw e;
    });
  }
  return installPromise;
}
