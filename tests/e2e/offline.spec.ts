import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect } from '@playwright/test';
import { fixture, rowFacts, useDistCopy, uploadFixture, waitForSweepDone } from './helpers';

const STACK = fixture('npy', 'stack_near_sym_f8.npy');

/** Resolves once the page's service worker is active (its precache of the build is complete). */
async function serviceWorkerActive(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const sw = (await navigator.serviceWorker.ready).active!;
    if (sw.state !== 'activated')
      await new Promise<void>((resolve) =>
        sw.addEventListener('statechange', () => sw.state === 'activated' && resolve()),
      );
    return sw.state;
  });
}

test('after one visit the app loads and runs a full sweep with the network off', async ({
  page,
  context,
}) => {
  await page.goto('/');
  expect(await serviceWorkerActive(page)).toBe('activated');
  await expect(page.getByTestId('offline-ready')).toBeVisible();

  await context.setOffline(true);
  // The check works: with the network off, nothing outside the precache can be fetched.
  expect(
    await page.evaluate(() =>
      fetch('/not-precached.txt').then(
        () => 'fetched',
        () => 'offline',
      ),
    ),
  ).toBe('offline');
  await page.reload();
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  // Served from the precache with its headers: still cross-origin isolated, so one shared copy.
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);

  await uploadFixture(page, STACK);
  await waitForSweepDone(page);
  const facts = await rowFacts(page);
  expect(facts.size).toBeGreaterThanOrEqual(14);
  for (const [id, r] of facts) expect(['done', 'skipped'], id).toContain(r.status);
  // Plugin codecs ran too: their .so files came from the precache.
  const codecs = [...facts].filter(([id, r]) => id.startsWith('hdf5-codec') && r.status === 'done');
  expect(codecs.length).toBeGreaterThan(0);

  // Nothing but the build is stored: no user data, no runtime cache.
  const cached = await page.evaluate(async () => {
    const urls: string[] = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const req of await cache.keys()) urls.push(new URL(req.url).pathname);
    }
    return { names: await caches.keys(), urls };
  });
  expect(cached.names).toHaveLength(1);
  expect(cached.names[0]).toMatch(/^workbox-precache/);
  for (const url of cached.urls)
    expect(url).toMatch(/^\/(index\.html|assets\/[\w.-]+|[\w-]+\.(png|svg|webmanifest))$/);
  await context.setOffline(false);
});

test.describe('a new build', () => {
  const site = useDistCopy();

  test('waits for the user: a notice offers the reload, which brings the new version', async ({
    page,
  }, testInfo) => {
    await page.goto(`${site().origin}/`);
    expect(await serviceWorkerActive(page)).toBe('activated');
    await page.reload();
    await expect(page.getByTestId('offline-ready')).toBeVisible();
    const firstWorker = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL);
    expect(firstWorker).toBe(`${site().origin}/sw.js`);

    // A new deploy: the service worker script changes (as it does whenever a precached file does).
    appendFileSync(join(site().root, 'sw.js'), '\n// build 2\n');
    await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration();
      await reg!.update();
    });
    const notice = page.getByTestId('update-notice');
    await expect(notice).toBeVisible();
    await expect(notice).toContainText('A new version of h5squeeze is ready');
    await page.screenshot({ path: testInfo.outputPath('update-notice.png') });
    // "Later" keeps the page as it is; the old version still controls it.
    await notice.getByRole('button', { name: 'Later' }).click();
    await expect(notice).toHaveCount(0);

    // The next check finds the waiting version again; Reload switches to it.
    await page.reload();
    await expect(page.getByTestId('update-notice')).toBeVisible();
    const reloaded = page.waitForEvent('framenavigated');
    await page.getByTestId('update-notice').getByRole('button', { name: 'Reload' }).click();
    await reloaded;
    await expect(page.getByTestId('update-notice')).toHaveCount(0);
    await expect
      .poll(() =>
        page.evaluate(async () => {
          const reg = await navigator.serviceWorker.getRegistration();
          return { waiting: reg?.waiting ?? null, controlled: navigator.serviceWorker.controller !== null };
        }),
      )
      .toEqual({ waiting: null, controlled: true });
  });
});
