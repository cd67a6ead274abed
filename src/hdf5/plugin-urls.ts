// Browser-only (Vite): the plugin binaries as emitted asset URLs, and a loader that fetches them.
// Imported by the worker shell and the page's wasm compiler (wasm-module.ts) only, so Node code (tests,
// CLI) never meets a `?url` import.
// Vite needs each `?url` import spelled out; the Record over the registry's binaries (core/filters.ts)
// makes a plugin file added there a type error here until its import is added.
import { CoreError } from '../core/errors';
import bz2Url from 'h5wasm-plugins/plugins/libH5Zbz2.so?url';
import bloscUrl from 'h5wasm-plugins/plugins/libH5Zblosc.so?url';
import lz4Url from 'h5wasm-plugins/plugins/libH5Zlz4.so?url';
import bshufUrl from 'h5wasm-plugins/plugins/libH5Zbshuf.so?url';
import zfpUrl from 'h5wasm-plugins/plugins/libH5Zzfp.so?url';
import zstdUrl from 'h5wasm-plugins/plugins/libH5Zzstd.so?url';
import type { PluginFileName, PluginLoader } from './plugins';

export const PLUGIN_URLS: Record<PluginFileName, string> = {
  'libH5Zbz2.so': bz2Url,
  'libH5Zblosc.so': bloscUrl,
  'libH5Zlz4.so': lz4Url,
  'libH5Zbshuf.so': bshufUrl,
  'libH5Zzfp.so': zfpUrl,
  'libH5Zzstd.so': zstdUrl,
};

export const fetchPluginFile: PluginLoader = async (name) => {
  const response = await fetch(PLUGIN_URLS[name]);
  if (!response.ok)
    throw new CoreError('PLUGIN_LOAD', `GET ${PLUGIN_URLS[name]} answered ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
};
