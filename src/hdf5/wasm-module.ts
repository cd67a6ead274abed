// h5wasm's WebAssembly and the HDF5 plugin codecs compiled once per page, shared by every sweep worker.
//
// The production build serves h5wasm's wasm as a file of its own (tools/h5wasm-wasm-file.ts) and
// makes h5wasm ask `globalThis[H5WASM_ARGS_HOOK]` for its module settings before it starts. The page
// compiles that file and the plugin codecs' side modules once (off the main thread) and posts the
// `WebAssembly.Module`s to each sweep worker it creates. The engine shares a compiled module between
// the workers it is posted to (code compiled or optimised for one serves the others), where each
// worker used to decode and compile its own copy of h5wasm's 3.5 MB binary from its script and of
// every plugin it loaded.
//
// Outside a build (dev server, Vitest, Node) the URL is null and h5wasm starts as published: the hook
// is never called, nothing is posted, and the plugins are compiled where they are loaded.
import wasmUrl from 'virtual:h5wasm-wasm-url';
import { H5WASM_ARGS_HOOK } from './wasm-hook';
import { PLUGIN_URLS } from './plugin-urls';
import type { PluginFileName } from './plugins';

/** The key of the one message that carries the modules to a worker (its only non-request message). */
const HANDOFF_KEY = 'h5squeezeH5wasm';

interface Handoff {
  /** h5wasm's compiled module, or null when the page could not compile it (the worker then tries). */
  module: WebAssembly.Module | null;
  url: string;
  /** The plugin side modules the page compiled (one that failed is left out: the worker loads it). */
  plugins: Partial<Record<PluginFileName, WebAssembly.Module>>;
}

/** What emscripten's `instantiateWasm` setting is called with. */
type InstantiateWasm = (
  imports: WebAssembly.Imports,
  receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
) => object;

async function compile(url: string): Promise<WebAssembly.Module> {
  // Compiled while it downloads when served as application/wasm (a .so file never is).
  if (url.endsWith('.wasm')) {
    try {
      return await WebAssembly.compileStreaming(fetch(url));
    } catch {
      // a host with another type for .wasm: compiled from the bytes below
    }
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not fetch ${url} (${response.status})`);
  return WebAssembly.compile(await response.arrayBuffer());
}

let compiled: Promise<Omit<Handoff, 'url'>> | undefined;

async function compileAll(url: string): Promise<Omit<Handoff, 'url'>> {
  const names = Object.keys(PLUGIN_URLS) as PluginFileName[];
  const [module, ...plugins] = await Promise.all([
    compile(url).catch(() => null),
    ...names.map((name) => compile(PLUGIN_URLS[name]).catch(() => null)),
  ]);
  const shared: Handoff['plugins'] = {};
  names.forEach((name, i) => {
    if (plugins[i]) shared[name] = plugins[i];
  });
  // A failure is tried again for the next worker; this one compiles what is missing for itself.
  if (!module) compiled = undefined;
  return { module: module ?? null, plugins: shared };
}

/** Page side: sends a new sweep worker the compiled modules (nothing outside a build). */
export function handH5wasmTo(worker: Worker): void {
  if (!wasmUrl) return;
  const url = wasmUrl;
  compiled ??= compileAll(url);
  void compiled.then((modules) => {
    const handoff: Handoff = { ...modules, url };
    worker.postMessage({ [HANDOFF_KEY]: handoff });
  });
}

let received: Promise<Handoff> | undefined;

/**
 * Worker side, before anything else runs: takes the handoff message (no other listener sees it) and
 * installs the hook h5wasm calls, which waits for it. The instance is created synchronously, so a
 * module that does not fit its imports fails h5wasm's start-up (an HDF5_INIT error) instead of
 * leaving it waiting.
 */
export function receiveH5wasm(scope: DedicatedWorkerGlobalScope): void {
  received = new Promise<Handoff>((resolve) => {
    const onMessage = (e: MessageEvent) => {
      const data = (e.data as Record<string, unknown> | null)?.[HANDOFF_KEY] as Handoff | undefined;
      if (!data) return;
      e.stopImmediatePropagation();
      scope.removeEventListener('message', onMessage);
      resolve(data);
    };
    scope.addEventListener('message', onMessage);
  });
  const handoff = received;
  const hook = async (): Promise<{ instantiateWasm: InstantiateWasm }> => {
    const { module, url } = await handoff;
    const wasm = module ?? (await compile(url));
    return {
      instantiateWasm: (imports, receive) => {
        receive(new WebAssembly.Instance(wasm, imports), wasm);
        return {};
      },
    };
  };
  (globalThis as Record<string, unknown>)[H5WASM_ARGS_HOOK] = hook;
}

/**
 * Worker side: the plugin side modules the page compiled, by file name (empty outside a build's
 * sweep worker, where each plugin is compiled as it is loaded).
 */
export async function sharedPluginModules(): Promise<Handoff['plugins']> {
  return received ? (await received).plugins : {};
}
