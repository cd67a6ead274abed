// A download the browser refuses (as it does when it has no memory for the file's Blob) is reported
// with what to do next, and nothing the user loaded or measured is lost. `?h5sq-test-refuse-download`
// is a test hook (src/store/actions.ts saveBlob) that makes every download fail that way.
import { test, expect } from '@playwright/test';
import { fixture, rowFacts, uploadFixture, waitForSweepDone } from './helpers';

test('a refused download says what to do next and keeps the array and the results', async ({ page }) => {
  await page.goto('/?h5sq-test-refuse-download');
  await uploadFixture(page, fixture('shap', 'wine.npy'));
  await waitForSweepDone(page);
  const before = await rowFacts(page);
  expect([...before.values()].some((r) => r.status === 'done')).toBe(true);

  let downloads = 0;
  page.on('download', () => downloads++);
  await page.getByTestId('download-button').click();
  const banner = page.getByTestId('error-banner');
  await expect(banner).toContainText('refused to save');
  await expect(banner).toContainText('Your array and results are kept');
  expect(downloads).toBe(0);

  // Nothing lost: the same array, the same finished rows, and the app still works.
  await expect(page.getByTestId('array-summary')).toContainText('wine.npy');
  expect(await rowFacts(page)).toEqual(before);
  await page.getByTestId('tolerance-input').fill('0.0079');
  await page.getByTestId('tolerance-input').press('Enter');
  await waitForSweepDone(page);
  const after = await rowFacts(page);
  expect([...after.values()].every((r) => r.status === 'done' || r.status === 'skipped')).toBe(true);
});
