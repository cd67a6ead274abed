// The built scripts hold only Latin-1 characters (others are \u escapes, vite.config.ts latin1Source):
// V8 then keeps each script's source at one byte per character. The sweep worker's bundle was 4.6 M
// characters (with h5wasm's wasm in it); with a single ε in it, every copy of its source took 9.2 MB
// instead of 4.6 MB per worker.
// That the escaped text still reads as written is shown by the journeys that match it on screen
// (explorer.spec.ts: a row labelled `ε = 5.0e-4`; summary-shape `6 × 12 × 12`).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';

const ASSETS = join(process.cwd(), 'dist', 'assets');

test('every built script is Latin-1 only, the workers’ included', () => {
  const scripts = readdirSync(ASSETS).filter((f) => f.endsWith('.js'));
  expect(scripts.some((f) => f.startsWith('sweep.worker'))).toBe(true);
  for (const f of scripts) {
    const text = readFileSync(join(ASSETS, f), 'utf8');
    const wide = [...text].filter((c) => c.codePointAt(0)! > 0xff);
    expect(wide, `${f} has characters beyond Latin-1`).toEqual([]);
  }
});

// h5wasm's wasm is a file of its own (tools/h5wasm-wasm-file.ts): the page compiles it once for every
// sweep worker, and no script carries it as a 4 M-character string any more.
test('h5wasm’s wasm is one file of valid wasm, and the sweep worker no longer embeds it', () => {
  const files = readdirSync(ASSETS);
  const wasm = files.filter((f) => /^hdf5_util-.*\.wasm$/.test(f));
  expect(wasm).toHaveLength(1);
  const bytes = readFileSync(join(ASSETS, wasm[0]!));
  expect(WebAssembly.validate(bytes)).toBe(true);
  expect(bytes.length).toBeGreaterThan(1_000_000);
  const worker = files.find((f) => f.startsWith('sweep.worker') && f.endsWith('.js'))!;
  expect(readFileSync(join(ASSETS, worker)).length).toBeLessThan(1_000_000);
});
