// Thin worker shell: exposes the API object, nothing else.
import { api } from './sweep-api';
import { exposeApi } from './rpc';
import type { ApiShape } from './rpc';

exposeApi(api as unknown as ApiShape, self as unknown as DedicatedWorkerGlobalScope);
