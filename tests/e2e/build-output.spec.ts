// The built scripts hold only Latin-1 characters (others are \u escapes, vite.config.ts latin1Source):
// V8 then keeps each script's source at one byte per character. The sweep worker's bundle is 4.6 M
// characters; with a single ε in it, every copy of its source took 9.2 MB instead of 4.6 MB per worker.
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
