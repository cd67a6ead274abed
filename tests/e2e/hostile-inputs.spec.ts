// Every hostile fixture gets a clear message naming the file and the problem, and the app stays
// usable with the array that was already loaded. Odd but valid inputs load and sweep.
import { readFileSync } from 'node:fs';
import { test, expect } from '@playwright/test';
import { fixture, rowFacts, uploadFixture, waitForSweepDone } from './helpers';

const EXPECTED = JSON.parse(readFileSync(fixture('bad', 'expected.json'), 'utf8')) as Record<string, string>;

/** What the user must be told, per error code. */
const MESSAGE: Record<string, RegExp> = {
  NPY_BAD_MAGIC: /not a \.npy file/,
  NPY_BAD_VERSION: /version/,
  NPY_BAD_HEADER: /header is malformed/,
  NPY_TRUNCATED: /truncated/,
  NPY_UNSUPPORTED_DTYPE: /Unsupported dtype/,
  NPY_TOO_LARGE: /too large/,
  EMPTY_FILE: /empty \(0 bytes\)/,
};

test('hostile files: a clear banner each, the loaded array is kept', async ({ page }) => {
  await page.goto('/');
  await uploadFixture(page, fixture('npy', 'stack_sym_f8.npy'));
  await expect(page.getByTestId('summary-shape')).toHaveText('6 × 12 × 12');
  const banner = page.getByTestId('error-banner');
  for (const [name, code] of Object.entries(EXPECTED)) {
    await uploadFixture(page, fixture('bad', name));
    await expect(banner, name).toContainText(name);
    await expect(banner, name).toContainText(MESSAGE[code]!);
    await expect(page.getByTestId('summary-shape'), name).toHaveText('6 × 12 × 12');
  }
  await page.getByRole('button', { name: 'Dismiss error' }).click();
  await expect(banner).toHaveCount(0);
});

const ODD: { file: string; shape: string; note?: RegExp }[] = [
  { file: 'f8_be.npy', shape: '' },
  { file: 'f4_le_fortran_4d.npy', shape: '' },
  { file: 'f8_0d.npy', shape: '() scalar', note: /rank 0/ },
  { file: 'f8_1d.npy', shape: '', note: /rank 1/ },
  { file: 'stack_nonsquare_f8.npy', shape: '5 × 4 × 6', note: /square matrices/ },
  { file: 'f8_empty_3d.npy', shape: '0 × 5 × 5' },
  { file: 'stack_nan_inf_f8.npy', shape: '' },
  { file: 'i8_le.npy', shape: '' },
  { file: 'f2_le.npy', shape: '' },
  { file: 'b1_na.npy', shape: '' },
];

for (const odd of ODD) {
  test(`odd but valid: ${odd.file} loads and sweeps`, async ({ page }) => {
    await page.goto('/');
    await uploadFixture(page, fixture('npy', odd.file));
    await expect(page.getByTestId('array-summary')).toContainText(odd.file);
    if (odd.shape) await expect(page.getByTestId('summary-shape')).toHaveText(odd.shape);
    if (odd.note) await expect(page.getByTestId('array-summary')).toContainText(odd.note);
    await waitForSweepDone(page);
    const rows = await rowFacts(page);
    expect(rows.size).toBeGreaterThan(0);
    for (const [id, r] of rows) expect(r.status, id).not.toBe('failed');
    await expect(page.getByTestId('error-banner')).toHaveCount(0);
  });
}
