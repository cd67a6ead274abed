// The loader worker's API object: reading a .npy (or generating the notebook's array) and analysing
// it. It imports no h5wasm, so its worker starts in a few milliseconds instead of instantiating a 3.5 MB
// wasm module just to read a file.
import type { CallContext } from './rpc';
import { generateArray, loadNpyFile } from './load';
import type { LoadedArray } from './load';

export const loadApi = {
  async loadNpy(arg: { file: Blob; name: string; shared: boolean }, ctx: CallContext): Promise<LoadedArray> {
    const loaded = await loadNpyFile(arg.file, arg.name, arg.shared, (f) => ctx.progress(f));
    if (!arg.shared) ctx.transfer([loaded.buffer as ArrayBuffer]);
    return loaded;
  },

  generate(arg: { n: number; m: number; seed: number; shared: boolean }, ctx: CallContext): LoadedArray {
    const loaded = generateArray(arg.n, arg.m, arg.seed, arg.shared);
    if (!arg.shared) ctx.transfer([loaded.buffer as ArrayBuffer]);
    return loaded;
  },
};

export type LoadApi = typeof loadApi;
