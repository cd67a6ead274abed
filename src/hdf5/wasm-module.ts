// h5wasm's WebAssembly compiled once per page and shared by every sweep worker.
//
// The production build serves h5wasm's wasm as a file of its own (tools/h5wasm-wasm-file.ts) and
// makes h5wasm ask `globalThis[H5WASM_ARGS_HOOK]` for its module settings before it starts. The page
// compiles the file once (`compileStreaming`: compiled while it downloads, off the main thread) and
// posts the `WebAssembly.Module` to each sweep worker it creates; the engine shares one compiled
// module between them (code compiled or optimised for one worker serves the others), where each
// worker used to decode and compile its own copy of the 3.5 MB binary from its script.
//
// Outside a build (dev server, Vitest, Node) the URL is null and h5wasm starts as published: the hook
// is never called and nothing is posted.
import wasmUrl from 'virtual:h5wasm-wasm-url';
import { H5WASM_ARGS_HOOK } from './wasm-hook';
/** The key of the one message that carries the module to a worker (its only non-request message). */
const HANDOFF_KEY = 'h5squeezeH5wasm';

interface Handoff {
  /** The compiled module, or null when the page could not compile it (the worker then tries). */
  module: WebAssembly.Module | null;
  url: string;
}

/** What emscripten's `instantiateWasm` setting is called with. */
type InstantiateWasm = (
  imports: WebAssembly.Imports,
  receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
) => object;

async function compile(url: string): Promise<WebAssembly.Module> {
  try {
    return await WebAssembly.compileStreaming(fetch(url));
  } catch {
    // A host that serves .wasm without the application/wasm type: compile from the bytes.
    const response = await fetch(url);
    if (!response.ok) throw new Error(`could not fetch h5wasm's wasm (${response.status} ${url})`);
    return WebAssembly.compile(await response.arrayBuffer());
  }
}

let compiled: Promise<WebAssembly.Module | null> | undefined;

/** Page side: the compiled module (memoised; null outside a build, or if compiling failed). */
export function compiledH5wasm(): Promise<WebAssembly.Module | null> {
  if (!wasmUrl) return Promise.resolve(null);
  compiled ??= compile(wasmUrl).catch(() => {
    compiled = undefined; // the next worker tries again; this one compiles for itself
    return null;
  });
  return compiled;
}

/** Page side: sends a new sweep worker the compiled module (nothing outside a build). */
export function handH5wasmTo(worker: Worker): void {
  if (!wasmUrl) return;
  const url = wasmUrl;
  void compiledH5wasm().then((module) => {
    const handoff: Handoff = { module, url };
    worker.postMessage({ [HANDOFF_KEY]: handoff });
  });
}

/**
 * Worker side, before anything else runs: takes the handoff message (no other listener sees it) and
 * installs the hook h5wasm calls, which waits for it. The instance is created synchronously, so a
 * module that does not fit its imports fails h5wasm's start-up (an HDF5_INIT error) instead of
 * leaving it waiting.
 */
export function receiveH5wasm(scope: DedicatedWorkerGlobalScope): void {
  const handoff = new Promise<Handoff>((resolve) => {
    const onMessage = (e: MessageEvent) => {
      const data = (e.data as Record<string, unknown> | null)?.[HANDOFF_KEY] as Handoff | undefined;
      if (!data) return;
      e.stopImmediatePropagation();
      scope.removeEventListener('message', onMessage);
      resolve(data);
    };
    scope.addEventListener('message', onMessage);
  });
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
