// A Zarr row's "Export as Dask script" gives the Dask program that writes the same store on a cluster,
// and Python compiles it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import { fixture, uploadFixture, waitForSweepDone } from './helpers';

test('a Zarr row exports its Dask recipe', async ({ page }) => {
  await page.goto('/');
  await uploadFixture(page, fixture('shap', 'wine.npy'));
  await waitForSweepDone(page);
  const row = page
    .locator('[data-testid="result-row"][data-strategy-id^="zarr:"][data-status="done"]')
    .first();
  const id = await row.getAttribute('data-strategy-id');
  expect(id).toBeTruthy();
  await row.click();
  const button = page.getByTestId('selection-bar').getByTestId('recipe-export');
  await expect(button).toHaveText('Export as Dask script');
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  expect(download.suggestedFilename()).toMatch(/-dask\.py$/);
  const dir = mkdtempSync(join(tmpdir(), 'h5sq-dask-'));
  try {
    const path = join(dir, download.suggestedFilename());
    await download.saveAs(path);
    const script = readFileSync(path, 'utf8');
    expect(script).toContain('from dask.distributed import Client, LocalCluster');
    expect(script).toContain(`LAYOUT = "${id!.split(':')[1]}"`);
    // Python's own compiler accepts it.
    execFileSync('/usr/bin/python3', ['-m', 'py_compile', path]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
