// Memory while a .npy loads: the summed PSS of Chromium's process tree, read as fast as it can be
// (~every 30 ms; the bench reads PSS once a second, too seldom for a load that takes ~0.3 s), from the
// moment the file is chosen until `ms` later. The loader reads the file in 64 MiB slabs with
// Blob.arrayBuffer(), buffers the browser makes and frees only when collected; the load runs in a
// worker of its own, terminated when it has handed the array on, which frees them at once. This
// prints the peak before the first row runs (the load is over then) and the peak after it (the
// sweep's start, within `ms`).
//   npx vite build --outDir /tmp/dist-probe && npx tsx bench/load-memory.mts /tmp/dist-probe [rows] [ms]
import { chromium } from '@playwright/test';
import { preview } from 'vite';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateNotebookArray } from '../src/core/generator';
import { writeNpy } from '../src/core/npy';
import { CHROMIUM_ARGS } from '../playwright.config';
import { chromiumChildren, processTree, pssOf, roleOf } from './process-memory';

const root = resolve(import.meta.dirname, '..');
const rows = Number(process.argv[3] ?? 1000);
const windowMs = Number(process.argv[4] ?? 2500);
const npy = join(tmpdir(), `h5squeeze-load-memory-${rows}.npy`);
const bytes = writeNpy(generateNotebookArray({ n: rows, m: 141, seed: 0 }));
writeFileSync(npy, bytes);
const server = await preview({
  root,
  preview: { port: 4189, strictPort: true, host: '127.0.0.1' },
  build: { outDir: resolve(process.argv[2] ?? join(root, 'dist')) },
  logLevel: 'warn',
});
const before = new Set(chromiumChildren());
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
try {
  const browserPid = chromiumChildren().find((pid) => !before.has(pid));
  if (browserPid === undefined) throw new Error('could not find the Chromium process Playwright started');
  /** PSS of each process of the browser's tree by role, MiB. */
  const byRole = () => {
    const roles = new Map<string, number>();
    for (const pid of processTree(browserPid)) {
      const role = roleOf(pid);
      roles.set(role, (roles.get(role) ?? 0) + pssOf(pid) / 2 ** 20);
    }
    return roles;
  };
  const pss = (roles = byRole()) => [...roles.values()].reduce((a, b) => a + b, 0);
  const page = await browser.newPage();
  await page.goto('http://127.0.0.1:4189/');
  await page.getByTestId('file-input').waitFor({ state: 'attached' });
  await page.waitForTimeout(3000); // both sweep workers started and warmed up
  // In the page: when the file input changes, and when the first row starts running (the load is over).
  await page.evaluate(() => {
    const w = window as unknown as { __chosen?: number; __sweeping?: number };
    document.querySelector('[data-testid="file-input"]')!.addEventListener('change', () => {
      w.__chosen = performance.now();
    });
    new MutationObserver(() => {
      if (
        w.__chosen !== undefined &&
        w.__sweeping === undefined &&
        document.querySelector('[data-testid="result-row"]:is([data-status="running"], [data-status="done"])')
      )
        w.__sweeping = performance.now();
    }).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-status'],
    });
  });
  const idleRoles = byRole();
  const idle = pss(idleRoles);
  const series: { t: number; over: number; roles: Map<string, number> }[] = [];
  const t0 = performance.now();
  const chosen = page.getByTestId('file-input').setInputFiles(npy);
  while (performance.now() - t0 < windowMs) {
    const roles = byRole();
    series.push({ t: performance.now() - t0, over: pss(roles) - idle, roles });
    await new Promise((r) => setTimeout(r, 5));
  }
  await chosen;
  const { chosen: chosenAt, sweeping } = await page.evaluate(() => {
    const w = window as unknown as { __chosen?: number; __sweeping?: number };
    return { chosen: w.__chosen, sweeping: w.__sweeping };
  });
  if (chosenAt === undefined || sweeping === undefined) throw new Error(`no row ran within ${windowMs} ms`);
  // The page's clock and ours differ by when setInputFiles reached the page: close enough at ~30 ms
  // per sample, and the load is over once the first row runs.
  const loadMs = sweeping - chosenAt;
  let loadEnd = series.findIndex((s) => s.t > loadMs);
  if (loadEnd < 0) loadEnd = series.length;
  let max = -Infinity;
  let atMax = series[0]!;
  for (const s of series.slice(0, loadEnd))
    if (s.over > max) {
      max = s.over;
      atMax = s;
    }
  const after = series.slice(loadEnd).map((s) => s.over);
  const peakAfter = after.length ? `+${Math.max(...after).toFixed(0)} MiB` : '(not reached: give more ms)';
  const mib = bytes.length / 2 ** 20;
  console.log(`input ${rows}×141×141 float64, ${mib.toFixed(0)} MiB; idle PSS ${idle.toFixed(0)} MiB`);
  console.log(
    `load: peak +${max.toFixed(0)} MiB over idle (${(max / mib).toFixed(2)} × the input), ` +
      `load ${loadMs.toFixed(0)} ms (file chosen → first row running); then, sweep running, peak ${peakAfter}`,
  );
  const roleGrowth = [...atMax.roles].map(([role, v]) => {
    const grew = Math.round(v - (idleRoles.get(role) ?? 0));
    return `${role} ${grew >= 0 ? '+' : ''}${grew}`;
  });
  console.log(`at the load's peak, over idle by role (MiB): ${roleGrowth.join(', ')}`);
  console.log(series.map((s) => `${s.t.toFixed(0)}:${s.over.toFixed(0)}`).join(' '));
} finally {
  await browser.close();
  await server.close();
}
