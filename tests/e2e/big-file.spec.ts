// Big files: a .npy above the sampling threshold (256 MiB) is analysed in one streamed pass, swept on
// an evenly spaced sample, then the chosen strategy runs on the whole file, streamed; h5py restores
// the downloaded file within the reported error. The 2.5 GB variant is tagged @large (README).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import { pythonRestore, rowFacts, uploadFixture, waitForSweepDone } from './helpers';
import { RssSampler, chromiumChildren } from '../../bench/process-memory';

function makeNpy(path: string, n: number): void {
  // The notebook's recipe, written by numpy in chunks so the test machine never holds it twice.
  execFileSync('/usr/bin/python3', [
    '-c',
    `
import numpy as np, sys
n, m = ${n}, 141
out = np.lib.format.open_memmap(sys.argv[1], mode="w+", dtype="<f8", shape=(n, m, m))
rng = np.random.default_rng(0)
for i in range(0, n, 500):
    a = rng.random((min(500, n - i), m, m))
    a[:, 4:14] += 10
    out[i:i + len(a)] = a + np.swapaxes(a, 1, 2)
out.flush()
`,
    path,
  ]);
}

for (const { n, tag, timeout } of [
  { n: 2000, tag: '', timeout: 240_000 },
  { n: 16_000, tag: ' @large', timeout: 1_800_000 },
]) {
  test(`a ${n}×141×141 float64 file: sample sweep, then the full file${tag}`, async ({ page }) => {
    test.setTimeout(timeout);
    const dir = mkdtempSync(join(tmpdir(), 'h5sq-big-'));
    try {
      const npy = join(dir, `big-${n}.npy`);
      makeNpy(npy, n);
      const inputBytes = statSync(npy).size;
      await page.goto('/');
      const t0 = Date.now();
      await uploadFixture(page, npy);
      await expect(page.getByTestId('summary-shape')).toHaveText(`${n} × 141 × 141`, { timeout });
      await expect(page.getByTestId('full-run-panel')).toContainText('sample');
      await waitForSweepDone(page, timeout);
      console.log(
        `${n}: sample sweep done ${((Date.now() - t0) / 1000).toFixed(1)} s after choosing the file`,
      );

      // Pick the quantized triangle (scaleoffset-int) row and run it on the whole file.
      const id = 'hdf5-quantized:upper-triangle-rowmajor:scaleoffset';
      await page.locator(`[data-testid="result-row"][data-strategy-id="${id}"]`).click();

      // A full run cancelled mid-way loses nothing: the sample's results and the array stay, no row
      // fails, and a new full run starts afresh.
      const sampleRows = await rowFacts(page);
      await page.getByTestId('run-full-button').click();
      const running = page.getByTestId('full-run-status');
      await expect(running).toHaveAttribute('data-state', 'running');
      await expect(running.locator('progress')).toBeVisible();
      await running.getByRole('button', { name: 'Cancel' }).click();
      await expect(page.getByTestId('full-run-status')).toHaveCount(0);
      await expect(page.getByTestId('summary-shape')).toHaveText(`${n} × 141 × 141`);
      expect(await rowFacts(page)).toEqual(sampleRows);
      await expect(page.getByTestId('run-full-button')).toBeEnabled();
      // Memory of the whole browser (all Chromium processes: PSS splits shared pages fairly).
      const sampler = new RssSampler(chromiumChildren()[0] ?? process.pid, 500);
      const before = sampler.sample();
      sampler.start();
      const t1 = Date.now();
      await page.getByTestId('run-full-button').click();
      const status = page.getByTestId('full-run-status');
      await expect(status).toHaveAttribute('data-state', 'done', { timeout });
      sampler.stop();
      const full = page.getByTestId('full-result');
      const bytes = Number(await full.getAttribute('data-bytes'));
      const err = Number(await full.getAttribute('data-max-abs-error'));
      console.log(
        `${n}: full run ${((Date.now() - t1) / 1000).toFixed(1)} s, ${(inputBytes / 1e6).toFixed(0)} MB → ${(bytes / 1e6).toFixed(1)} MB, max error ${err}`,
      );
      await page.screenshot({ path: `test-results/screens/big-file-${n}.png`, fullPage: false });
      const peakPss = sampler.peakPss?.totalPssBytes ?? 0;
      const basePss = before.totalPssBytes ?? 0;
      console.log(
        `${n}: browser memory (PSS) ${(basePss / 1e6).toFixed(0)} MB before the full run, peak ${(peakPss / 1e6).toFixed(0)} MB ` +
          `(+${((peakPss - basePss) / 1e6).toFixed(0)} MB; output ${(bytes / 1e6).toFixed(0)} MB)`,
      );
      // A check, not a benchmark: the streamed run must not hold the input (3× output + 1 GB fixed).
      expect(peakPss - basePss).toBeLessThan(3 * bytes + 1e9);
      expect(err).toBeLessThanOrEqual(1e-4);
      expect(bytes).toBeLessThan(inputBytes / 4);

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        status.getByRole('button', { name: /Download/ }).click(),
      ]);
      const saved = join(dir, download.suggestedFilename());
      await download.saveAs(saved);
      expect(statSync(saved).size).toBe(bytes);
      const restored = pythonRestore(npy, saved);
      expect(Math.abs(restored.maxAbsError! - err)).toBeLessThanOrEqual(1e-12);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
