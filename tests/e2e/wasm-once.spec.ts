// h5wasm's wasm and the plugin codecs are fetched and compiled once by the page and shared by every
// sweep worker (src/hdf5/wasm-module.ts): requests from the page and its workers are counted while a
// sweep that runs the plugin codecs goes.
import { expect, test } from '@playwright/test';
import { fixture, rowFacts, uploadFixture, waitForSweepDone } from './helpers';

// Without the service worker every fetch reaches the network, where it is counted.
test.use({ serviceWorkers: 'block' });

test('one fetch of h5wasm’s wasm and of each plugin serves both sweep workers through a sweep', async ({
  page,
  context,
}) => {
  const wasmRequests: string[] = [];
  const pluginRequests: string[] = [];
  context.on('request', (r) => {
    if (/\/hdf5_util-[^/]*\.wasm$/.test(r.url())) wasmRequests.push(r.url());
    const plugin = /\/(libH5Z\w+)-[^/]*\.so$/.exec(r.url());
    if (plugin) pluginRequests.push(plugin[1]!);
  });
  await page.goto('/');
  await uploadFixture(page, fixture('shap', 'wine.npy'));
  await waitForSweepDone(page);
  const rows = [...(await rowFacts(page)).entries()];
  expect(rows.length).toBeGreaterThan(20);
  expect(rows.filter(([, r]) => r.status !== 'done')).toEqual([]);
  // The plugin codecs ran (in both workers: the sweep hands jobs to whichever is free).
  expect(rows.filter(([id]) => id.startsWith('hdf5-codec:')).length).toBeGreaterThan(4);
  expect(wasmRequests).toHaveLength(1);
  expect(pluginRequests.length).toBeGreaterThan(3);
  expect(pluginRequests.sort()).toEqual([...new Set(pluginRequests)].sort());
});
