// h5wasm's wasm is fetched and compiled once by the page and shared by every sweep worker
// (src/hdf5/wasm-module.ts): requests from the page and its workers are counted while a sweep runs.
import { expect, test } from '@playwright/test';
import { fixture, rowFacts, uploadFixture, waitForSweepDone } from './helpers';

// Without the service worker every fetch reaches the network, where it is counted.
test.use({ serviceWorkers: 'block' });

test('one fetch of h5wasm’s wasm serves both sweep workers through a whole sweep', async ({
  page,
  context,
}) => {
  const wasmRequests: string[] = [];
  context.on('request', (r) => {
    if (/\/hdf5_util-[^/]*\.wasm$/.test(r.url())) wasmRequests.push(r.url());
  });
  await page.goto('/');
  await uploadFixture(page, fixture('shap', 'wine.npy'));
  await waitForSweepDone(page);
  const rows = [...(await rowFacts(page)).values()];
  expect(rows.length).toBeGreaterThan(20);
  expect(rows.filter((r) => r.status !== 'done')).toEqual([]);
  expect(wasmRequests).toHaveLength(1);
});
