// Build step: h5wasm's WebAssembly served as a file of its own, compiled once by the page.
//
// h5wasm ships its wasm inside its JavaScript (a 4.1 M-character string literal decoded at start-up)
// and creates its emscripten module when it is imported. So each sweep worker carried the string in
// its script, decoded it to a 3 MB binary and compiled that binary on its own: two or three
// compilations of the same module per page, each with its own code in memory. This plugin, in the
// production build only:
// - takes the binary out of h5wasm's script and emits it as an asset (`hdf5_util-<hash>.wasm`);
// - makes h5wasm ask for its module's settings before it starts (`H5WASM_ARGS_HOOK` on globalThis,
//   read after the worker's scripts have run), so the worker can instantiate the
//   `WebAssembly.Module` the page compiled once and posted to it (src/hdf5/wasm-module.ts);
// - gives the page the asset's address as `virtual:h5wasm-wasm-url` (null outside a build: dev
//   server and tests keep h5wasm as published).
// Each replacement checks that it found the code it expects, so an h5wasm upgrade that changes it
// fails the build instead of shipping a module that cannot start.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import vm from 'node:vm';
import type { Plugin } from 'vite';
import { H5WASM_ARGS_HOOK } from '../src/hdf5/wasm-hook';

const URL_MODULE = 'virtual:h5wasm-wasm-url';
const RESOLVED_URL_MODULE = '\0' + URL_MODULE;
const BINARY_FUNCTION = 'function findWasmBinary(){return binaryDecode(';
const FACTORY_CALL = 'const ready = ModuleFactory({ noInitialRun: true })';

/** The end (exclusive) of the JS string literal starting at `start` (a quote character). */
function literalEnd(code: string, start: number): number {
  const quote = code[start];
  for (let i = start + 1; i < code.length; i++) {
    if (code[i] === '\\') i++;
    else if (code[i] === quote) return i + 1;
  }
  throw new Error('h5wasm-wasm-file: unterminated string literal in hdf5_util.js');
}

/** Where the embedded binary's literal sits in hdf5_util.js, and the bytes it decodes to. */
function embeddedBinary(code: string): { start: number; end: number; bytes: Uint8Array<ArrayBuffer> } {
  const at = code.indexOf(BINARY_FUNCTION);
  if (at < 0 || code.indexOf(BINARY_FUNCTION, at + 1) >= 0)
    throw new Error(`h5wasm-wasm-file: expected one "${BINARY_FUNCTION}" in hdf5_util.js`);
  const start = at + BINARY_FUNCTION.length;
  const end = literalEnd(code, start);
  const text = vm.runInNewContext(code.slice(start, end)) as unknown;
  if (typeof text !== 'string') throw new Error('h5wasm-wasm-file: the embedded binary is not a string');
  // The decoding h5wasm does (binaryDecode): one byte per character.
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    bytes[i] = (~c >> 8) & c;
  }
  if (!WebAssembly.validate(bytes))
    throw new Error('h5wasm-wasm-file: the extracted binary is not valid wasm');
  return { start, end, bytes };
}

/** The wasm binary h5wasm's hdf5_util.js embeds. */
export function extractH5wasmBinary(utilCode: string): Uint8Array<ArrayBuffer> {
  return embeddedBinary(utilCode).bytes;
}

/** hdf5_util.js without its binary: it can then only start through `instantiateWasm`. */
export function stripH5wasmBinary(utilCode: string): string {
  const { start, end } = embeddedBinary(utilCode);
  return (
    utilCode.slice(0, start) +
    '(()=>{throw new Error("h5wasm: this build serves its wasm as a file (hdf5_util.wasm)")})()' +
    utilCode.slice(end)
  );
}

/**
 * hdf5_hl.js creating its module after the importing scripts have run, with the settings
 * `globalThis[H5WASM_ARGS_HOOK]()` gives (none when it is not defined).
 */
export function hookH5wasmStart(hlCode: string): string {
  if (hlCode.split(FACTORY_CALL).length !== 2)
    throw new Error(`h5wasm-wasm-file: expected one "${FACTORY_CALL}" in hdf5_hl.js`);
  return hlCode.replace(
    FACTORY_CALL,
    `const ready = Promise.resolve().then(() => globalThis.${H5WASM_ARGS_HOOK}?.()).then((args) => ModuleFactory({ noInitialRun: true, ...args }))`,
  );
}

export function h5wasmWasmFile(): Plugin {
  let build = false;
  let binary: Uint8Array | undefined;
  return {
    name: 'h5squeeze-h5wasm-wasm-file',
    enforce: 'pre',
    configResolved(config) {
      build = config.command === 'build';
    },
    resolveId(id) {
      return id === URL_MODULE ? RESOLVED_URL_MODULE : null;
    },
    async load(id) {
      if (id !== RESOLVED_URL_MODULE) return null;
      if (!build) return 'export default null;';
      // h5wasm's ESM entry, as the build resolves it; its wasm is in hdf5_util.js beside it.
      const entry = await this.resolve('h5wasm');
      if (!entry) throw new Error('h5wasm-wasm-file: cannot resolve h5wasm');
      const util = join(dirname(entry.id.split('?')[0]!), 'hdf5_util.js');
      binary ??= extractH5wasmBinary(readFileSync(util, 'utf8'));
      const ref = this.emitFile({ type: 'asset', name: 'hdf5_util.wasm', source: binary });
      return `export default new URL(import.meta.ROLLUP_FILE_URL_${ref}, import.meta.url).href;`;
    },
    transform(code, id) {
      if (!build) return null;
      const path = id.split('?')[0]!.replace(/\\/g, '/');
      if (!path.includes('/h5wasm/dist/esm/')) return null;
      if (path.endsWith('/hdf5_util.js')) return { code: stripH5wasmBinary(code), map: null };
      if (path.endsWith('/hdf5_hl.js')) return { code: hookH5wasmStart(code), map: null };
      return null;
    },
  };
}
