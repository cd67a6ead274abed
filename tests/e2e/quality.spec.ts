import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import type { Locator } from '@playwright/test';
import { fixture, pythonRestore, rowFacts, saveDownload, uploadFixture, waitForSweepDone } from './helpers';

const STACK = fixture('npy', 'stack_near_sym_f8.npy');
const WINE = fixture('shap', 'wine.npy');
const row = (id: string) => `[data-testid="result-row"][data-strategy-id="${id}"]`;

/** The ranking verdict says exactly what happened: same order, same set reordered, or a changed set. */
async function expectHonestVerdict(panel: Locator) {
  const ranking = panel.getByTestId('quality-ranking');
  const verdict = (await panel.getByTestId('quality-top-verdict').textContent()) ?? '';
  const sameSet = (await ranking.getAttribute('data-top-unchanged')) === 'true';
  const sameOrder = (await ranking.getAttribute('data-top-order-unchanged')) === 'true';
  const swaps = Number(await ranking.getAttribute('data-top-swaps'));
  if (sameOrder) expect(verdict).toMatch(/^top \d+ unchanged ✓$/);
  else if (sameSet) expect(verdict).toBe(`same top 10, ${swaps} swap${swaps === 1 ? '' : 's'}`);
  else expect(verdict).toMatch(/^top \d+ changed ✗: \d+ left \(.+\), \d+ entered \(.+\)/);
}

test.describe('quality, recipe and shared settings', () => {
  let dir: string;
  test.beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'h5sq-quality-'));
  });
  test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a selected row shows where its error goes', async ({ page }, testInfo) => {
    await page.goto('/');
    await uploadFixture(page, STACK);
    await waitForSweepDone(page);
    const id = 'hdf5-float16:upper-triangle-rowmajor';
    await page.locator(row(id)).click();
    const panel = page.getByTestId('quality-panel');
    await expect(panel).toHaveAttribute('data-strategy-id', id);
    await expect(panel).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
    // Histogram bars (exact values + log bins), and the bars of the chart are drawn.
    const hist = panel.getByTestId('quality-histogram');
    expect(Number(await hist.getAttribute('data-bars'))).toBeGreaterThan(2);
    await expect(hist.locator('.hist-bar').first()).toBeVisible();
    // Ranking stability on the 6 × 12 × 12 stack: ρ is a number, the top 10 is judged.
    const rho = Number(await panel.getByTestId('quality-spearman').textContent());
    expect(rho).toBeGreaterThan(0.9);
    expect(rho).toBeLessThanOrEqual(1);
    await expect(panel.getByTestId('quality-ranking')).toHaveAttribute('data-top-unchanged', /true|false/);
    await expectHonestVerdict(panel);
    // No exact zeros in this array: said so. Square matrices: the additivity error is shown, within
    // M × the max error.
    await expect(panel.getByTestId('quality-zeros')).toHaveAttribute('data-original', '0');
    await expect(panel.getByTestId('quality-zeros')).toContainText('no exact zeros');
    const drift = Number(await panel.getByTestId('quality-additivity').getAttribute('data-max-error'));
    expect(drift).toBeGreaterThan(0);
    expect(drift).toBeLessThanOrEqual(12 * (await rowFacts(page)).get(id)!.err);
    // Worst matrices: the first one's error is the row's max abs error.
    const facts = await rowFacts(page);
    const firstWorst = panel.getByTestId('quality-worst-matrices').locator('tbody tr').first();
    await expect(firstWorst).toContainText(facts.get(id)!.err.toExponential(1));
    await expect(panel.getByTestId('quality-worst-features').locator('tbody tr')).toHaveCount(10);
    // The heatmap starts on the worst matrix; the picker moves it.
    const heat = panel.getByTestId('quality-heatmap');
    await expect(heat.locator('canvas')).toHaveCount(3);
    await panel.getByTestId('quality-matrix-input').fill('3');
    await expect(heat).toHaveAttribute('data-matrix', '3');
    await panel.scrollIntoViewIfNeeded();
    await panel.screenshot({ path: testInfo.outputPath('quality-panel.png') });
    // A quantized result: exact zeros get their own bar.
    await page.locator(row('hdf5-quantized:full:gzip')).click();
    await expect(panel).toHaveAttribute('data-strategy-id', 'hdf5-quantized:full:gzip');
    await expect(panel).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
    await panel.screenshot({ path: testInfo.outputPath('quality-panel-quantized.png') });
  });

  test('zeros kept and the additivity error agree with numpy on the downloaded file', async ({ page }) => {
    // Real SHAP interaction values (a third of them exact zeros), float16 in the full layout: the
    // file's /data is the array itself, so numpy reads it back without knowing any layout.
    await page.goto('/');
    await uploadFixture(page, WINE);
    await waitForSweepDone(page, 110_000);
    const id = 'hdf5-float16:full';
    await page.locator(row(id)).click();
    const panel = page.getByTestId('quality-panel');
    await expect(panel).toHaveAttribute('data-strategy-id', id);
    await expect(panel).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
    const file = await saveDownload(
      page,
      () => page.locator(row(id)).getByTestId('row-download').click(),
      dir,
    );
    const numpy = JSON.parse(
      execFileSync(
        '/usr/bin/python3',
        [
          '-c',
          [
            'import json, sys, h5py, numpy as np',
            'o = np.load(sys.argv[1]).astype(np.float64)',
            'd = h5py.File(sys.argv[2], "r")["data"][...].astype(np.float64)',
            'z = o == 0',
            'e = np.abs(d.sum(axis=-1) - o.sum(axis=-1))',
            'k = int(np.argmax(e))',
            'print(json.dumps({"zeros": int(z.sum()), "kept": int((z & (d == 0)).sum()),',
            '  "drift": float(e.max()), "matrix": k // o.shape[-1], "row": k % o.shape[-1]}))',
          ].join('\n'),
          WINE,
          file,
        ],
        { encoding: 'utf8' },
      ),
    ) as { zeros: number; kept: number; drift: number; matrix: number; row: number };
    const zeros = panel.getByTestId('quality-zeros');
    await expect(zeros).toHaveAttribute('data-original', String(numpy.zeros));
    await expect(zeros).toHaveAttribute('data-kept', String(numpy.kept));
    await expect(zeros).toContainText(
      `${numpy.kept.toLocaleString('en-US')} of ${numpy.zeros.toLocaleString('en-US')}`,
    );
    const add = panel.getByTestId('quality-additivity');
    const drift = Number(await add.getAttribute('data-max-error'));
    // numpy sums pairwise, the app in order: the same up to rounding of the row sums.
    expect(Math.abs(drift - numpy.drift)).toBeLessThanOrEqual(1e-12 * 20);
    await expect(add).toHaveAttribute('data-matrix', String(numpy.matrix));
    await expect(add).toHaveAttribute('data-row', String(numpy.row));
    await expect(add).toContainText(drift.toExponential(1));
    await expectHonestVerdict(panel);
  });

  test('the recipe script reproduces the selected file with h5py', async ({ page }) => {
    await page.goto('/');
    await uploadFixture(page, STACK);
    await waitForSweepDone(page);
    const id = 'hdf5-quantized:upper-triangle-rowmajor:scaleoffset';
    await page.locator(row(id)).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('recipe-export').click(),
    ]);
    expect(download.suggestedFilename()).toBe('stack_near_sym_f8-hdf5-quantized-triangle-scaleoffset.py');
    const script = join(dir, download.suggestedFilename());
    await download.saveAs(script);
    const out = join(dir, 'from-recipe.h5');
    const printed = JSON.parse(
      execFileSync('/usr/bin/python3', [script, STACK, out], { encoding: 'utf8' }),
    ) as { bytes: number; max_abs_error: number };
    const facts = (await rowFacts(page)).get(id)!;
    expect(printed.bytes).toBe(readFileSync(out).byteLength);
    expect(printed.max_abs_error).toBe(facts.err);
    // h5py opens it and the file contract restores the array within the app's error.
    const restored = pythonRestore(STACK, out);
    expect(restored.maxAbsError).toBe(facts.err);
    expect(Math.abs(printed.bytes - facts.bytes) / facts.bytes).toBeLessThan(0.15);
  });

  test('a link with settings in its hash restores the controls', async ({ page }) => {
    // ε and D set by hand (`follow=none`), so the link's values hold whatever the tolerance.
    await page.goto('/#tol=0.001&tm=abs&follow=none&d=2&eps=0.001&gz=6&layout=full');
    await uploadFixture(page, STACK);
    await expect(page.getByTestId('scaleoffset-slider')).toHaveValue('2');
    await expect(page.getByTestId('error-bound-input')).toHaveValue('0.001');
    await expect(page.getByTestId('tolerance-input')).toHaveValue('0.001');
    await expect(page.locator('#gzip-level')).toHaveValue('6');
    await waitForSweepDone(page);
    const ids = [...(await rowFacts(page)).keys()];
    expect(ids.length).toBeGreaterThan(5);
    for (const id of ids) expect(id).toContain(':full');
    const so = (await rowFacts(page)).get('hdf5-scaleoffset:full:float32')!;
    expect(so.err).toBeGreaterThan(1e-4);
    expect(so.err).toBeLessThanOrEqual(1.01e-2);
    // Moving the slider updates the address (shareable as it is).
    await page.getByTestId('scaleoffset-slider').fill('5');
    await expect(page).toHaveURL(
      /#tol=0\.001&tm=abs&follow=none&eps=0\.001&d=5&gz=6&layout=full&codecs=[^&]*&plugins=0$/,
    );
    // Editing the hash by hand moves the controls too.
    await page.evaluate(() => {
      window.location.hash = 'tol=0.001&tm=abs&follow=none&d=3&eps=0.0002&gz=6&layout=full';
    });
    await expect(page.getByTestId('scaleoffset-slider')).toHaveValue('3');
    await expect(page.getByTestId('error-bound-input')).toHaveValue('0.0002');
    // The settings file round-trips through export and import.
    const saved = await saveDownload(page, () => page.getByTestId('settings-export').click(), dir);
    expect(JSON.parse(readFileSync(saved, 'utf8'))).toMatchObject({ decimals: 3, eps: 0.0002, gzipLevel: 6 });
    await page.getByTestId('scaleoffset-slider').fill('6');
    await expect(page).toHaveURL(/[#&]d=6&/);
    await page.getByTestId('settings-import').setInputFiles(saved);
    await expect(page.getByTestId('scaleoffset-slider')).toHaveValue('3');
  });
});
