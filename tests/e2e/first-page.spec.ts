import { test, expect } from '@playwright/test';
import { fixture, uploadFixture } from './helpers';

test('upload a numpy-made .npy, see its summary; a broken file shows a banner and keeps the array', async ({
  page,
}) => {
  await page.goto('/');
  await expect(page.getByTestId('drop-zone')).toBeVisible();
  await expect(page.getByTestId('sweep-status')).toHaveAttribute('data-state', 'idle');

  await uploadFixture(page, fixture('npy', 'stack_sym_f8.npy'));
  const summary = page.getByTestId('array-summary');
  await expect(summary).toBeVisible();
  await expect(summary).toContainText('stack_sym_f8.npy');
  await expect(page.getByTestId('summary-shape')).toHaveText('6 × 12 × 12');
  await expect(page.getByTestId('summary-symmetric')).toHaveText('yes, exactly');
  await expect(summary).toContainText('<f8');

  await uploadFixture(page, fixture('bad', 'truncated.npy'));
  const banner = page.getByTestId('error-banner');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('truncated.npy');
  await expect(banner).toContainText(/truncated/);
  // Nothing the user loaded is lost.
  await expect(page.getByTestId('summary-shape')).toHaveText('6 × 12 × 12');

  await uploadFixture(page, fixture('bad', 'complex128.npy'));
  await expect(banner).toContainText(/c16|complex/);
  await uploadFixture(page, fixture('bad', 'png_signature.npy'));
  await expect(banner).toContainText(/not a \.npy/i);
  await expect(page.getByTestId('summary-shape')).toHaveText('6 × 12 × 12');
});

test('generate the notebook array from the form', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('N', { exact: true }).fill('20');
  await page.getByLabel('M', { exact: true }).fill('40');
  await page.getByTestId('generate-button').click();
  await expect(page.getByTestId('summary-shape')).toHaveText('20 × 40 × 40');
  await expect(page.getByTestId('summary-symmetric')).toHaveText('yes, exactly');
});
