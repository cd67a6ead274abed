// Thin worker shell: exposes the API object, nothing else.
import { api } from './sweep-api';
import { exposeApi } from './rpc';
import type { ApiShape } from './rpc';
import { setPluginLoader } from '../hdf5/plugins';
import { fetchPluginFile } from '../hdf5/plugin-urls';
import { receiveH5wasm, sharedPluginModules } from '../hdf5/wasm-module';

// h5wasm's wasm and the plugin codecs come from the page, compiled once for every worker
// (src/hdf5/wasm-module.ts); h5wasm's start-up waits for them, and reads the hook only after this
// script has run. A plugin the page could not compile is fetched from Vite's emitted assets
// (docs/ARCHITECTURE.md, h5wasm facts).
receiveH5wasm(self as unknown as DedicatedWorkerGlobalScope);
setPluginLoader(fetchPluginFile, sharedPluginModules);
exposeApi(api as unknown as ApiShape, self as unknown as DedicatedWorkerGlobalScope);
