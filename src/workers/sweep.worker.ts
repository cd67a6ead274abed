// Thin worker shell: exposes the API object, nothing else.
import { api } from './sweep-api';
import { exposeApi } from './rpc';
import type { ApiShape } from './rpc';
import { setPluginLoader } from '../hdf5/plugins';
import { fetchPluginFile } from '../hdf5/plugin-urls';
import { receiveH5wasm } from '../hdf5/wasm-module';

// In the browser the HDF5 plugin binaries are fetched from Vite's emitted assets (docs/ARCHITECTURE.md, h5wasm facts).
// h5wasm's wasm comes from the page, compiled once for every worker (src/hdf5/wasm-module.ts); its
// start-up waits for it, and reads this hook only after this script has run.
receiveH5wasm(self as unknown as DedicatedWorkerGlobalScope);
setPluginLoader(fetchPluginFile);
exposeApi(api as unknown as ApiShape, self as unknown as DedicatedWorkerGlobalScope);
