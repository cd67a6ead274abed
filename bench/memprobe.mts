// Where a sweep's memory is, by JS realm (page, each worker), sampled with the browser's own
// performance.measureUserAgentSpecificMemory() while the 1000×141×141 example is swept, with the rows
// running at each sample. It counts allocated buffers (wasm heaps, MEMFS files, typed arrays), not
// resident pages, so it overstates what the bench's PSS sees; use it to find who holds what.
//   npx vite build --outDir /tmp/dist-probe && npx tsx bench/memprobe.mts /tmp/dist-probe
import { chromium } from '@playwright/test';
import { preview } from 'vite';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateNotebookArray } from '../src/core/generator';
import { writeNpy } from '../src/core/npy';
import { CHROMIUM_ARGS } from '../playwright.config';

interface Breakdown {
  bytes: number;
  breakdown: { bytes: number; types: string[]; attribution: { scope: string; url?: string }[] }[];
}

const root = resolve(import.meta.dirname, '..');
const npy = join(tmpdir(), 'h5squeeze-memprobe-1000.npy');
writeFileSync(npy, writeNpy(generateNotebookArray({ n: 1000, m: 141, seed: 0 })));
const server = await preview({
  root,
  preview: { port: 4186, strictPort: true, host: '127.0.0.1' },
  build: { outDir: resolve(process.argv[2] ?? join(root, 'dist')) },
  logLevel: 'warn',
});
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage();
  await page.goto('http://127.0.0.1:4186/');
  await page.getByTestId('file-input').setInputFiles(npy);
  const t0 = Date.now();
  let peak = 0;
  for (;;) {
    const state = await page.getByTestId('sweep-status').getAttribute('data-state');
    const m = await page.evaluate(() =>
      (
        performance as unknown as { measureUserAgentSpecificMemory(): Promise<Breakdown> }
      ).measureUserAgentSpecificMemory(),
    );
    const running = await page.evaluate(() =>
      [...document.querySelectorAll('[data-testid=result-row][data-status=running]')].map((e) =>
        e.getAttribute('data-strategy-id'),
      ),
    );
    const parts = m.breakdown
      .filter((x) => x.bytes > 2 ** 20)
      .map(
        (x) =>
          `${(x.bytes / 2 ** 20).toFixed(0)} MiB ${x.attribution.map((a) => a.scope + ' ' + (a.url ?? '').split('/').pop()).join(',')}`,
      );
    peak = Math.max(peak, m.bytes);
    console.log(
      `${((Date.now() - t0) / 1000).toFixed(1)} s  total ${(m.bytes / 2 ** 20).toFixed(0)} MiB | ${parts.join(' | ')} | running: ${running.join(' ')}`,
    );
    if (state === 'done' || Date.now() - t0 > 180_000) break;
  }
  console.log(`peak ${(peak / 2 ** 20).toFixed(0)} MiB (allocated, not resident)`);
} finally {
  await browser.close();
  server.httpServer.close();
}
