// The build step that serves h5wasm's wasm as a file: run on the published h5wasm scripts, the
// stripped module starts from a separately compiled WebAssembly.Module handed in through the hook
// and writes and reads a real HDF5 file; without the hook it refuses to start, with a clear message.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { extractH5wasmBinary, hookH5wasmStart, stripH5wasmBinary } from '../../../tools/h5wasm-wasm-file';
import { H5WASM_ARGS_HOOK } from '../../../src/hdf5/wasm-hook';

const ESM = join(process.cwd(), 'node_modules', 'h5wasm', 'dist', 'esm');
const util = readFileSync(join(ESM, 'hdf5_util.js'), 'utf8');
const hl = readFileSync(join(ESM, 'hdf5_hl.js'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'h5sq-wasm-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Hooked = typeof globalThis & { [H5WASM_ARGS_HOOK]?: () => Promise<object> };

describe("h5wasm's wasm as a file of its own", () => {
  it('extracts the embedded binary: valid wasm, a dynamic-linking main module', () => {
    const bytes = extractH5wasmBinary(util);
    expect(WebAssembly.validate(bytes)).toBe(true);
    expect(bytes.length).toBeGreaterThan(1_000_000);
    const module = new WebAssembly.Module(bytes);
    expect(WebAssembly.Module.customSections(module, 'dylink.0')).toHaveLength(1);
  });

  it('the stripped scripts start from the module handed to the hook and write a real HDF5 file', async () => {
    const stripped = stripH5wasmBinary(util);
    expect(stripped.length).toBeLessThan(util.length / 4);
    writeFileSync(join(dir, 'hdf5_util.js'), stripped);
    writeFileSync(join(dir, 'hdf5_hl.js'), hookH5wasmStart(hl));
    const module = new WebAssembly.Module(extractH5wasmBinary(util));
    let instantiated = 0;
    (globalThis as Hooked)[H5WASM_ARGS_HOOK] = async () => ({
      instantiateWasm: (
        imports: WebAssembly.Imports,
        receive: (i: WebAssembly.Instance, m: WebAssembly.Module) => void,
      ) => {
        instantiated++;
        receive(new WebAssembly.Instance(module, imports), module);
        return {};
      },
    });
    try {
      const h5 = (await import(/* @vite-ignore */ pathToFileURL(join(dir, 'hdf5_hl.js')).href)) as {
        ready: Promise<{ FS: { readFile(p: string): Uint8Array } }>;
        File: new (
          path: string,
          mode: string,
        ) => {
          create_dataset(o: { name: string; data: Float64Array; shape: number[] }): unknown;
          get(name: string): { value: unknown; shape: number[] };
          close(): void;
        };
      };
      const mod = await h5.ready;
      expect(instantiated).toBe(1);
      const data = Float64Array.from({ length: 12 }, (_, i) => i * 0.5 - 1);
      const w = new h5.File('/check.h5', 'w');
      w.create_dataset({ name: 'x', data, shape: [3, 4] });
      w.close();
      const bytes = mod.FS.readFile('/check.h5');
      expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
      const r = new h5.File('/check.h5', 'r');
      const x = r.get('x');
      expect(x.shape).toEqual([3, 4]);
      expect([...(x.value as Float64Array)]).toEqual([...data]);
      r.close();
    } finally {
      delete (globalThis as Hooked)[H5WASM_ARGS_HOOK];
    }
  });

  it('without a module handed in, the stripped script refuses to start and says why', async () => {
    writeFileSync(join(dir, 'alone.mjs'), stripH5wasmBinary(util));
    const factory = (await import(/* @vite-ignore */ pathToFileURL(join(dir, 'alone.mjs')).href)) as {
      default: (o: object) => Promise<unknown>;
    };
    await expect(factory.default({ noInitialRun: true })).rejects.toThrow(/serves its wasm as a file/);
  });

  it('fails loudly on scripts it does not recognise (an h5wasm upgrade must be looked at)', () => {
    expect(() => extractH5wasmBinary('export default 1;')).toThrow(/expected one/);
    expect(() => hookH5wasmStart('const ready = somethingElse();')).toThrow(/expected one/);
  });
});
