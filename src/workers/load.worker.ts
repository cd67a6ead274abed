// Thin worker shell: exposes the loader API object, nothing else.
import { loadApi } from './load-api';
import { exposeApi } from './rpc';
import type { ApiShape } from './rpc';

exposeApi(loadApi as unknown as ApiShape, self as unknown as DedicatedWorkerGlobalScope);
