// Screenshots of the chart, table and quality panel in the states a person sees (hover, keyboard
// focus, log axis, header help, a quantized result's quality), light and dark, phone and desktop
// width, saved under test-results/screens for a person to look at. Asserts what each must show.
import { test, expect } from '@playwright/test';
import { fixture, uploadFixture, waitForSweepDone } from './helpers';

const OUT = 'test-results/screens';
const WINE = fixture('shap', 'wine.npy');

for (const width of [390, 1440]) {
  for (const scheme of ['light', 'dark'] as const) {
    test(`chart, table and quality panel at ${width} px, ${scheme}`, async ({ page }) => {
      const name = (what: string) => `${OUT}/${what}-${width}-${scheme}.png`;
      await page.setViewportSize({ width, height: 900 });
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto('/');
      await uploadFixture(page, WINE);
      await waitForSweepDone(page, 110_000);
      const chart = page.getByTestId('tradeoff-chart');
      await chart.scrollIntoViewIfNeeded();
      await expect(chart.locator('.recharts-scatter-symbol').first()).toBeVisible();
      await chart.screenshot({ path: name('chart') });

      // Hover the recommended point: its tooltip, its row highlighted.
      const recId = (await page
        .locator('[data-testid="result-row"].recommended')
        .getAttribute('data-strategy-id'))!;
      const rec = chart.locator(`[data-point-id="${recId}"]`);
      await rec.hover();
      await expect(page.getByTestId('chart-tooltip')).toHaveAttribute('data-result-id', recId);
      await chart.screenshot({ path: name('chart-hover') });

      // Keyboard: Tab to the points, arrow to the next one.
      await page.getByTestId('chart-scale-log').focus();
      await page.keyboard.press('Tab');
      await page.keyboard.press('ArrowRight');
      await expect(page.getByTestId('chart-tooltip')).toBeVisible();
      await chart.screenshot({ path: name('chart-keyboard') });

      await page.getByTestId('chart-scale-log').click();
      await expect(chart).toHaveAttribute('data-x-scale', 'log');
      await page.mouse.move(0, 0);
      await chart.screenshot({ path: name('chart-log') });

      // The table: a row hovered (its point highlighted), a header's explanation open.
      const table = page.locator('.table-card');
      const row = page.locator('[data-testid="result-row"]').nth(2);
      await row.hover();
      await page.getByRole('button', { name: /^file size/ }).focus();
      await expect(page.locator('#col-help-bytes')).toBeVisible();
      // The top of the table as it appears in the window (the whole table is many screens long).
      await table.locator('.table-head').scrollIntoViewIfNeeded();
      await page.screenshot({ path: name('table') });
      await page.getByTestId('skip-results').focus();
      await expect(page.getByTestId('skip-results')).toBeVisible();
      await page.screenshot({ path: name('skip-link') });

      // The quality panel of a quantized result.
      const quantized = page
        .locator('[data-testid="result-row"][data-strategy-id^="hdf5-quantized:"]')
        .first();
      await quantized.click();
      const panel = page.getByTestId('quality-panel');
      await expect(panel).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
      await expect(panel.getByTestId('quality-zeros')).toBeVisible();
      await expect(panel.getByTestId('quality-additivity')).toBeVisible();
      await panel.scrollIntoViewIfNeeded();
      await panel.screenshot({ path: name('quality') });
      // A histogram bar under the pointer names its range and share.
      await panel.locator('.hist-bar').last().hover();
      await expect(panel.locator('.hist-tip')).toContainText(/\|error\| .+ values \([\d.]+%\)/);
      await panel.screenshot({ path: name('quality-hover') });
      // And by keyboard: focus shows the first bar, End the last one, Escape hides it.
      const hist = panel.getByTestId('quality-histogram');
      await page.mouse.move(0, 0);
      await expect(panel.locator('.hist-tip')).toHaveCount(0);
      await hist.focus();
      await expect(panel.locator('.hist-tip')).toBeVisible();
      const first = await panel.locator('.hist-tip').textContent();
      await page.keyboard.press('End');
      await expect(panel.locator('.hist-tip')).not.toHaveText(first!);
      await page.keyboard.press('Escape');
      await expect(panel.locator('.hist-tip')).toHaveCount(0);
      await page.screenshot({ path: name('page'), fullPage: true });
    });
  }
}

test('empty page, light and dark, phone and desktop', async ({ page }) => {
  for (const width of [390, 1440])
    for (const scheme of ['light', 'dark'] as const) {
      await page.setViewportSize({ width, height: 800 });
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto('/');
      await expect(page.getByTestId('drop-zone')).toBeVisible();
      await page.screenshot({ path: `${OUT}/empty-${width}-${scheme}.png`, fullPage: true });
    }
});
