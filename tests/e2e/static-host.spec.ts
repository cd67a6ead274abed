import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import { fixture, rowFacts, useDistCopy, uploadFixture, waitForSweepDone } from './helpers';

const STACK = fixture('npy', 'stack_near_sym_f8.npy');

test.describe('any static host', () => {
  const site = useDistCopy();

  test('without cross-origin isolation every strategy runs, with the same results as an isolated host', async ({
    page,
    browser,
  }, testInfo) => {
    // The reference: the same build with the isolation headers (vite preview).
    const isolated = await browser.newPage();
    await isolated.goto('/');
    expect(await isolated.evaluate(() => crossOriginIsolated)).toBe(true);
    await uploadFixture(isolated, STACK);
    await waitForSweepDone(isolated);
    await expect(isolated.getByTestId('copies-notice')).toHaveCount(0);
    const reference = await rowFacts(isolated);
    await isolated.close();

    await page.addInitScript(() => {
      const w = window as unknown as { __csp: string[] };
      w.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        w.__csp.push(`${e.effectiveDirective} ${e.blockedURI}`),
      );
    });
    const response = await page.goto(`${site().origin}/`);
    const headers = response!.headers();
    expect(headers['cross-origin-embedder-policy']).toBeUndefined();
    expect(headers['content-security-policy']).toBeUndefined();
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    expect(await page.evaluate(() => typeof SharedArrayBuffer)).toBe('undefined');
    // The policy still holds through the page's <meta> tag.
    await expect(page.locator('meta[http-equiv="Content-Security-Policy"]')).toHaveCount(1);

    await uploadFixture(page, STACK);
    await waitForSweepDone(page);
    const facts = await rowFacts(page);
    expect(facts.size).toBe(reference.size);
    for (const [id, r] of facts) {
      expect(['done', 'skipped'], id).toContain(r.status);
      expect(r, id).toEqual(reference.get(id));
    }

    // The memory the per-worker copies cost is stated.
    const notice = page.getByTestId('copies-notice');
    await expect(notice).toBeVisible();
    const workers = await page.evaluate(() => Math.max(2, Math.min(8, navigator.hardwareConcurrency || 2)));
    const inputBytes = readFileSync(STACK).byteLength - 128; // the fixture's .npy header is 128 bytes
    expect(Number(await notice.getAttribute('data-extra-bytes'))).toBe(workers * inputBytes);
    await expect(notice).toContainText(`Each of the ${workers} workers holds its own copy of the array`);
    await page.screenshot({ path: testInfo.outputPath('copies-notice.png') });

    // A download works the same way (a blob: link), and no policy violation happened.
    const [d] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('download-button').click(),
    ]);
    const saved = join(site().root, d.suggestedFilename());
    await d.saveAs(saved);
    expect(readFileSync(saved).byteLength).toBe(
      reference.get((await page.getByTestId('recommendation').getAttribute('data-strategy-id'))!)!.bytes,
    );
    expect(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([]);
  });
});
