import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import { fixture, pythonRestore, rowFacts, saveDownload, uploadFixture, waitForSweepDone } from './helpers';

const STACK = fixture('npy', 'stack_near_sym_f8.npy');

test.describe('explorer', () => {
  let dir: string;
  test.beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'h5sq-e2e-'));
  });
  test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('explore knobs by hand and back, tolerance, the recommended download and a row’s own actions', async ({
    page,
  }) => {
    await page.goto('/');
    await uploadFixture(page, STACK);
    await expect(page.getByTestId('result-row').first()).toBeVisible();
    await waitForSweepDone(page);
    const before = await rowFacts(page);
    expect(before.size).toBeGreaterThanOrEqual(14);
    for (const [id, r] of before) expect(['done', 'skipped'], id).toContain(r.status);
    expect(before.get('hdf5-float16:upper-triangle-rowmajor')?.status).toBe('done');

    // D follows the tolerance until the slider moves it; only scaleoffset rows re-run. The slider shows
    // the triangle's D: 10⁻⁵ plus the near-symmetric stack's asymmetry fits τ = 10⁻⁴, 10⁻⁴ doesn't.
    const slider = page.getByTestId('scaleoffset-slider');
    await expect(slider).toHaveValue('5');
    await expect(slider).toHaveAttribute('title', /triangle layout/);
    await expect(slider).toHaveAttribute('data-auto', 'true');
    await slider.fill('2');
    await expect(slider).toHaveAttribute('data-auto', 'false');
    await expect(page.locator('#decimals-state')).toContainText('set by hand');
    await expect(page).toHaveURL(/[#&]follow=eps&.*d=2/);
    await expect
      .poll(async () => (await rowFacts(page)).get('hdf5-scaleoffset:full:float32')?.err ?? 0)
      .toBeGreaterThan(1e-4);
    await waitForSweepDone(page);
    const after = await rowFacts(page);
    for (const [id, r] of after) {
      const old = before.get(id)!;
      if (id.startsWith('hdf5-scaleoffset')) {
        expect(r.err, id).toBeLessThanOrEqual(1e-2 * 1.01);
        expect(r.err, id).toBeGreaterThan(1e-4);
        expect(r.bytes, id).toBeLessThanOrEqual(old.bytes);
      } else {
        expect(r, id).toEqual(old);
      }
    }
    // One click back to following: the earlier results come back as they were.
    await page.getByRole('button', { name: 'D: follow tolerance' }).click();
    await expect(slider).toHaveValue('5');
    await expect(slider).toHaveAttribute('data-auto', 'true');
    await waitForSweepDone(page);
    expect(await rowFacts(page)).toEqual(before);

    // ε by hand stays put when the tolerance moves; following again takes τ.
    const eps = page.getByTestId('error-bound-input');
    await expect(eps).toHaveValue('0.0001');
    await eps.fill('0.0005');
    await eps.blur();
    await expect(eps).toHaveAttribute('data-auto', 'false');
    await expect(page.locator('#eps-state')).toContainText('set by hand');
    const tolerance = page.getByTestId('tolerance-input');
    await tolerance.fill('1e-3');
    await expect(page).toHaveURL(/[#&]tol=0\.001&.*eps=0\.0005/);
    await waitForSweepDone(page);
    await expect(eps).toHaveValue('0.0005');
    await expect(
      page.locator('[data-testid="result-row"][data-strategy-id="hdf5-quantized:full:gzip"]'),
    ).toContainText('ε = 5.0e-4');
    await page.getByRole('button', { name: 'ε: follow tolerance' }).click();
    await expect(eps).toHaveValue('0.001');
    await expect(eps).toHaveAttribute('data-auto', 'true');
    await waitForSweepDone(page);
    await expect(
      page.locator('[data-testid="result-row"][data-strategy-id="hdf5-quantized:full:gzip"]'),
    ).toContainText('ε = 1.0e-3');

    // The recommendation is the smallest file within the tolerance; Download gives exactly it.
    const facts = await rowFacts(page);
    const rec = page.getByTestId('recommendation');
    const recId = (await rec.getAttribute('data-strategy-id'))!;
    expect(recId).toBeTruthy();
    const recRow = facts.get(recId)!;
    expect(recRow.err).toBeLessThanOrEqual(1e-3);
    // Among files plain h5py / numpy open (plugin files and Zarr stores need more than that).
    const plain = (id: string) => !id.startsWith('hdf5-codec:') && !id.startsWith('zarr:');
    for (const [id, r] of facts)
      if (plain(id) && r.status === 'done' && r.err <= 1e-3)
        expect(recRow.bytes).toBeLessThanOrEqual(r.bytes);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('download-button').click(),
    ]);
    const saved = join(dir, download.suggestedFilename());
    await download.saveAs(saved);
    expect(readFileSync(saved).byteLength).toBe(recRow.bytes);
    const restored = pythonRestore(STACK, saved);
    expect(restored.maxAbsError).not.toBeNull();
    expect(Math.abs(restored.maxAbsError! - recRow.err)).toBeLessThanOrEqual(1e-12 + 1e-9 * recRow.err);

    // Selecting a row gives it its own bar of actions; Download in the card stays the recommended file.
    const f16Id = 'hdf5-float16:upper-triangle-rowmajor';
    await page.locator(`[data-testid="result-row"][data-strategy-id="${f16Id}"]`).click();
    const bar = page.getByTestId('selection-bar');
    await expect(bar).toHaveAttribute('data-strategy-id', f16Id);
    await expect(bar).toContainText('HDF5, cast to float16 · triangle');
    await expect(rec).toHaveAttribute('data-strategy-id', recId);
    await expect(page.getByTestId('download-button')).toContainText(download.suggestedFilename());
    await expect(rec.getByTestId('recipe-export')).toHaveCount(0);
    await expect(bar.getByTestId('recipe-export')).toBeVisible();
    const [d2] = await Promise.all([
      page.waitForEvent('download'),
      bar.getByTestId('selected-download').click(),
    ]);
    expect(d2.suggestedFilename()).toContain('float16-triangle');
    const saved2 = join(dir, d2.suggestedFilename());
    await d2.saveAs(saved2);
    const r2 = pythonRestore(STACK, saved2);
    expect(r2.dtype).toBe('float16');
    expect(Math.abs(r2.maxAbsError! - facts.get(f16Id)!.err)).toBeLessThan(1e-12);
    await bar.getByRole('button', { name: 'Clear the selection' }).click();
    await expect(bar).toHaveCount(0);

    // The JSON export matches the table.
    const [d3] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
    const jsonPath = join(dir, 'results.json');
    await d3.saveAs(jsonPath);
    const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as {
      input: { shape: number[] };
      results: { id: string; bytes: number; maxAbsError: number }[];
    };
    expect(json.input.shape).toEqual([6, 12, 12]);
    const done = [...facts].filter(([, r]) => r.status === 'done');
    expect(json.results.map((r) => r.id).sort()).toEqual(done.map(([id]) => id).sort());
    for (const r of json.results) {
      expect(r.bytes).toBe(facts.get(r.id)!.bytes);
      expect(r.maxAbsError).toBe(facts.get(r.id)!.err);
    }
  });

  test('layout choices: the ones that don’t apply are off, with the reason', async ({ page }) => {
    await page.goto('/');
    await uploadFixture(page, STACK);
    await waitForSweepDone(page);
    const layoutsOf = async () => new Set([...(await rowFacts(page)).keys()].map((id) => id.split(':')[1]));
    expect(await layoutsOf()).toEqual(new Set(['full', 'upper-triangle-rowmajor']));
    // Every pair is used in this random stack: the used-pairs choice doesn't pay and is off.
    const pairs = page.getByRole('radio', { name: 'pairs', exact: true });
    await expect(pairs).toBeDisabled();
    await expect(page.locator('#layout-explain')).toContainText('Off here: pairs');
    await page.getByRole('radio', { name: 'triangle', exact: true }).check();
    await expect(page).toHaveURL(/[#&]layout=triangle(&|$)/);
    await waitForSweepDone(page);
    expect(await layoutsOf()).toEqual(new Set(['upper-triangle-rowmajor']));
    await page.getByRole('radio', { name: 'all', exact: true }).check();
    await waitForSweepDone(page);
    expect(await layoutsOf()).toEqual(
      new Set(['full', 'upper-triangle-rowmajor', 'used-pairs', 'used-pairs-pair-major']),
    );
    await expect(page.locator('#layout-explain')).toContainText('Runs full + triangle + pairs');
  });

  test('the main thread never freezes during a sweep (smoke; the goal lives in the bench)', async ({
    page,
  }) => {
    await page.goto('/');
    await page.evaluate(() => {
      const w = window as unknown as { __longTasks: number[] };
      w.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__longTasks.push(e.duration);
      }).observe({ type: 'longtask', buffered: false });
    });
    await page.getByLabel('N', { exact: true }).fill('150');
    await page.getByTestId('generate-button').click();
    await waitForSweepDone(page, 110_000);
    const longest = await page.evaluate(() =>
      Math.max(0, ...(window as unknown as { __longTasks: number[] }).__longTasks),
    );
    console.log(`longest main-thread task during a 150×141×141 sweep: ${longest.toFixed(0)} ms`);
    // A smoke limit a loaded CI machine passes by a wide margin: the page never freezes. The real
    // goal (< 50 ms) is measured and printed by `npm run bench`, not asserted here.
    expect(longest).toBeLessThan(3000);
  });
});

test('switching on a plugin codec adds its rows and lands in the shareable link', async ({ page }) => {
  await page.goto('/');
  await uploadFixture(page, fixture('npy', 'stack_sym_f8.npy'));
  await waitForSweepDone(page);
  const before = await rowFacts(page);
  expect(
    [...before.keys()].some((id) => id.includes('lz4-quantized') && id.startsWith('hdf5-codec:full:lz4')),
  ).toBe(false);
  await page.locator('.codec-picker summary').click();
  await page.locator('[data-testid="codec-toggle"][value="lz4-quantized"]').check();
  await expect(
    page.locator('[data-testid="result-row"][data-strategy-id="hdf5-codec:full:lz4-quantized"]'),
  ).toBeVisible();
  await waitForSweepDone(page);
  const after = await rowFacts(page);
  expect(after.get('hdf5-codec:full:lz4-quantized')?.status).toBe('done');
  expect(after.get('hdf5-codec:upper-triangle-rowmajor:lz4-quantized')?.status).toBe('done');
  // Rows that were there keep their measured results.
  for (const [id, r] of before) expect(after.get(id), id).toEqual(r);
  await expect.poll(() => page.evaluate(() => decodeURIComponent(location.hash))).toContain('lz4-quantized');
  // So does "include files that need hdf5plugin".
  await expect(page).toHaveURL(/[#&]plugins=0(&|$)/);
  await page.getByTestId('allow-plugins').check();
  await expect(page).toHaveURL(/[#&]plugins=1(&|$)/);
});

test('a file too big to keep on the main thread is written again for its download', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'h5sq-rebuild-'));
  try {
    await page.goto('/');
    // 430×141×141 float64 = 68.4 MB: its .npy is above the 48 MiB a worker sends back with the summary,
    // and the input is above 64 MiB, so the Zarr rows use the browser's own zlib (level 6).
    await page.getByLabel('N', { exact: true }).fill('430');
    await page.getByTestId('generate-button').click();
    await waitForSweepDone(page, 110_000);
    const row = page.locator('[data-testid="result-row"][data-strategy-id="npy:full"]');
    const bytes = Number(await row.getAttribute('data-bytes'));
    expect(bytes).toBeGreaterThan(48 * 2 ** 20);
    const saved = await saveDownload(page, () => row.getByTestId('row-download').click(), dir);
    expect(readFileSync(saved).byteLength).toBe(bytes);
    const shape = execFileSync(
      '/usr/bin/python3',
      ['-c', `import numpy as np; print(np.load("${saved}").shape)`],
      {
        encoding: 'utf8',
      },
    );
    expect(shape.trim()).toBe('(430, 141, 141)');

    // The Zarr store written with the browser's CompressionStream: Python's zarr reads it, the .zarray
    // says level 6 (and so does each chunk's zlib header), and its restore snippet gives the original
    // back within the error the app measured.
    const zarrRow = page.locator(
      '[data-testid="result-row"][data-strategy-id="zarr:full:zlib-byte-quantized"]',
    );
    await expect(zarrRow).toHaveAttribute('data-status', 'done');
    const zarrErr = Number(await zarrRow.getAttribute('data-max-abs-error'));
    const zarrPath = await saveDownload(page, () => zarrRow.getByTestId('row-download').click(), dir);
    // The last line: the snippet prints what it restored.
    const seen = JSON.parse(
      execFileSync(
        '/usr/bin/python3',
        [
          '-c',
          `import json, sys, zipfile, numpy as np, zarr
o = np.load(sys.argv[1])
z = zarr.open(zarr.ZipStore(sys.argv[2], mode="r"), mode="r")
zf = zipfile.ZipFile(sys.argv[2])
chunk = next(n for n in zf.namelist() if n.startswith("data/") and not n.split("/")[-1].startswith("."))
ns = {}
exec(z.attrs["restore_python"], ns)
r = ns["a"]
print(json.dumps({"level": z["data"].compressor.level, "header": list(zf.read(chunk)[:2]),
  "shape": list(r.shape), "dtype": str(r.dtype), "err": float(np.abs(r - o).max())}))`,
          saved,
          zarrPath,
        ],
        { encoding: 'utf8', cwd: dir },
      )
        .trim()
        .split('\n')
        .pop()!,
    ) as { level: number; header: number[]; shape: number[]; dtype: string; err: number };
    expect(seen.level).toBe(6);
    expect(seen.header).toEqual([0x78, 0x9c]);
    expect(seen.shape).toEqual([430, 141, 141]);
    expect(seen.dtype).toBe('float64');
    expect(seen.err).toBe(zarrErr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('keyboard: tab to a result row and select it with Enter', async ({ page }) => {
  await page.goto('/');
  await uploadFixture(page, fixture('npy', 'stack_sym_f8.npy'));
  await waitForSweepDone(page);
  const recommended = await page.getByTestId('download-button').textContent();
  const row = page.locator('[data-testid="result-row"][data-strategy-id="hdf5-float16:full"]');
  await row.focus();
  await page.keyboard.press('Enter');
  await expect(row).toHaveAttribute('aria-selected', 'true');
  const bar = page.getByTestId('selection-bar');
  await expect(bar.getByTestId('selected-download')).toHaveAttribute('title', /hdf5-float16-full/);
  await expect(page.getByTestId('download-button')).toHaveText(recommended!);
  // Controls have accessible names.
  await expect(page.getByRole('textbox', { name: 'Max error you accept' })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Tolerance unit' })).toBeVisible();
  await expect(page.getByRole('slider', { name: /scaleoffset decimals/ })).toBeVisible();
  await expect(page.getByRole('textbox', { name: /quantization bound/ })).toBeVisible();
  await expect(page.getByRole('group', { name: /Actions for HDF5, cast to float16/ })).toBeVisible();
});
