// Screenshots of the key states (empty, finished sweep on the notebook's array, dark theme) for a
// person to look at; saved under test-results/screens. Asserts the parts each screenshot must show.
import { test, expect } from '@playwright/test';
import { waitForSweepDone } from './helpers';

const OUT = 'test-results/screens';

test('empty state, light', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/');
  await expect(page.getByTestId('drop-zone')).toBeVisible();
  await page.screenshot({ path: `${OUT}/empty-light.png`, fullPage: true });
});

test('finished sweep on the notebook array (small N), light and dark', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/');
  await page.getByLabel('N', { exact: true }).fill(process.env.H5SQ_SCREEN_N ?? '100');
  await page.getByTestId('generate-button').click();
  await waitForSweepDone(page, 110_000);
  await expect(page.getByTestId('tradeoff-chart').locator('svg').first()).toBeVisible();
  await page.screenshot({ path: `${OUT}/sweep-light.png`, fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: `${OUT}/sweep-dark.png`, fullPage: true });
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.screenshot({ path: `${OUT}/sweep-dark-1920.png`, fullPage: true });
});
