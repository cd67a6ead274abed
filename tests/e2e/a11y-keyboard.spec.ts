// The results table by keyboard: one tab stop for the rows (roving tabindex), arrows between rows,
// Enter selects, a skip link past the table, column explanations on focus; and the error column
// relative to the input's largest |value|.
import { execFileSync } from 'node:child_process';
import { test, expect } from '@playwright/test';
import type { Page } from '@playwright/test';
import { fixture, rowFacts, uploadFixture, waitForSweepDone } from './helpers';

const STACK = fixture('npy', 'stack_near_sym_f8.npy');
const focusedRowId = (page: Page) =>
  page.evaluate(() => document.activeElement?.getAttribute('data-strategy-id') ?? null);
const inTable = (page: Page) =>
  page.evaluate(() => document.activeElement?.closest('table.results') !== null);

test.beforeEach(async ({ page }) => {
  await page.goto('/');
  await uploadFixture(page, STACK);
  await waitForSweepDone(page);
});

test('rows are one tab stop; arrows move, Enter selects, Tab leaves after the row’s download', async ({
  page,
}) => {
  const rows = page.getByTestId('result-row');
  const ids = await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-strategy-id')!));
  await expect(page.locator('[data-testid="result-row"][tabindex="0"]')).toHaveCount(1);
  // From the last column header, Tab lands on the first row.
  await page.getByRole('button', { name: /^readable by/ }).focus();
  await page.keyboard.press('Tab');
  expect(await focusedRowId(page)).toBe(ids[0]);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  expect(await focusedRowId(page)).toBe(ids[2]);
  await expect(rows.nth(2)).toHaveAttribute('tabindex', '0');
  await expect(page.locator('[data-testid="result-row"][tabindex="0"]')).toHaveCount(1);
  await page.keyboard.press('ArrowUp');
  expect(await focusedRowId(page)).toBe(ids[1]);
  await page.keyboard.press('End');
  expect(await focusedRowId(page)).toBe(ids[ids.length - 1]);
  await page.keyboard.press('Home');
  expect(await focusedRowId(page)).toBe(ids[0]);
  await page.keyboard.press('PageDown');
  expect(await focusedRowId(page)).toBe(ids[Math.min(10, ids.length - 1)]);
  const chosen = (await focusedRowId(page))!;
  await page.keyboard.press('Enter');
  await expect(page.locator(`[data-testid="result-row"][data-strategy-id="${chosen}"]`)).toHaveAttribute(
    'aria-selected',
    'true',
  );
  // Tab: the row's own download button (when it has a file), then out of the table.
  await page.keyboard.press('Tab');
  if (await inTable(page)) {
    await expect(page.locator(':focus')).toHaveAttribute('data-testid', 'row-download');
    await page.keyboard.press('Tab');
  }
  expect(await inTable(page)).toBe(false);
  // Shift+Tab comes back to the same row, not the first one.
  await page.keyboard.press('Shift+Tab');
  if ((await page.locator(':focus').getAttribute('data-testid')) === 'row-download')
    await page.keyboard.press('Shift+Tab');
  expect(await focusedRowId(page)).toBe(chosen);
});

test('the skip link jumps past the table, and every header explains its column on focus', async ({
  page,
}) => {
  const skip = page.getByTestId('skip-results');
  await skip.focus();
  await expect(skip).toBeVisible();
  await expect(skip).toHaveText('Skip past the results table');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('results-end')).toBeFocused();
  await page.keyboard.press('Tab');
  expect(await inTable(page)).toBe(false);
  // Skipping needs 2 key presses; walking through takes the headers, one row and one button.
  for (const name of [
    'strategy',
    'layout',
    'file size',
    'max abs error',
    'error ÷ max|x|',
    'RMSE',
    'encode / verify',
    'readable by',
  ]) {
    const button = page.getByRole('button', { name: new RegExp(`^${name.replace(/[|/÷]/g, '.')}`) });
    await button.focus();
    const help = page.locator(`#${(await button.getAttribute('aria-describedby'))!}`);
    await expect(help).toBeVisible();
    expect(((await help.textContent()) ?? '').length).toBeGreaterThan(20);
  }
  await page.mouse.move(0, 0);
  await page.locator('body').focus();
  await page.getByRole('button', { name: /^RMSE/ }).hover();
  await expect(page.locator('#col-help-rmse')).toBeVisible();
});

test('the relative error is the max abs error over the input’s largest |value|', async ({ page }) => {
  const maxAbs = Number(
    execFileSync(
      '/usr/bin/python3',
      ['-c', 'import sys, numpy as np; print(repr(float(np.abs(np.load(sys.argv[1])).max())))', STACK],
      {
        encoding: 'utf8',
      },
    ),
  );
  const facts = await rowFacts(page);
  let checked = 0;
  for (const [id, f] of facts) {
    if (f.status !== 'done') continue;
    const cell = page.locator(
      `[data-testid="result-row"][data-strategy-id="${id}"] [data-testid="rel-error"]`,
    );
    await expect(cell).toHaveText(f.err === 0 ? '0' : (f.err / maxAbs).toExponential(1));
    checked++;
  }
  expect(checked).toBeGreaterThan(10);
  // Quantized rows: about ε / max|x|, no longer a huge ratio from dividing by values near zero.
  const q = facts.get('hdf5-quantized:full:gzip')!;
  expect(q.err / maxAbs).toBeLessThan(1e-3);
});
