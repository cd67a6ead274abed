// Thin worker shell: exposes the API object, nothing else.
import { api } from './sweep-api';
import { exposeApi } from './rpc';
import type { ApiShape } from './rpc';
import { setPluginLoader } from '../hdf5/plugins';
import { fetchPluginFile } from '../hdf5/plugin-urls';

// In the browser the HDF5 plugin binaries are fetched from Vite's emitted assets (docs/ARCHITECTURE.md, h5wasm facts).
setPluginLoader(fetchPluginFile);
exposeApi(api as unknown as ApiShape, self as unknown as DedicatedWorkerGlobalScope);
