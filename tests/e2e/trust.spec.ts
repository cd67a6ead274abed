import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect } from '@playwright/test';
import { cspHeader, cspMeta } from '../../src/security/csp';
import { fixture, rowFacts, uploadFixture, waitForSweepDone } from './helpers';

const STACK = fixture('npy', 'stack_near_sym_f8.npy');
const row = (id: string) => `[data-testid="result-row"][data-strategy-id="${id}"]`;

interface Violation {
  directive: string;
  blocked: string;
  source: string;
  sample: string;
}

/**
 * Collects every CSP violation the page (securitypolicyviolation events) and its workers (console
 * reports) see, and every console error and uncaught exception, from before the first script runs.
 */
async function watchForTrouble(page: Page): Promise<{ problems(): Promise<string[]> }> {
  const messages: string[] = [];
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: Violation[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      w.__csp.push({
        directive: e.effectiveDirective,
        blocked: e.blockedURI,
        source: `${e.sourceFile}:${e.lineNumber}`,
        sample: e.sample,
      }),
    );
  });
  page.on('console', (m) => {
    if (m.type() === 'error') messages.push(`console error: ${m.text()}`);
  });
  page.on('worker', (w) =>
    w.on('console', (m) => {
      if (m.type() === 'error') messages.push(`worker console error: ${m.text()}`);
    }),
  );
  page.on('pageerror', (e) => messages.push(`uncaught: ${e.message}`));
  return {
    async problems() {
      const csp = await page.evaluate(() => (window as unknown as { __csp: Violation[] }).__csp);
      return [
        ...csp.map((v) => `CSP ${v.directive} blocked ${v.blocked} at ${v.source} ${v.sample}`),
        ...messages,
      ];
    },
  };
}

test.describe('trust by construction', () => {
  let dir: string;
  test.beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'h5sq-trust-'));
  });
  test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the whole app runs under its Content-Security-Policy without one violation, and nothing can leave the page', async ({
    page,
  }) => {
    const trouble = await watchForTrouble(page);
    const response = await page.goto('/');
    // The policy arrives both ways: the server's header and the built page's <meta> (for static hosts).
    expect(response!.headers()['content-security-policy']).toBe(cspHeader());
    await expect(page.locator('meta[http-equiv="Content-Security-Policy"]')).toHaveAttribute(
      'content',
      cspMeta(),
    );
    expect(cspHeader()).toContain("connect-src 'self'");
    expect(cspMeta()).not.toContain('frame-ancestors');

    // Load a .npy and sweep every strategy (plugin codecs included: their .so files are fetched).
    await uploadFixture(page, STACK);
    await waitForSweepDone(page);
    const facts = await rowFacts(page);
    expect(facts.size).toBeGreaterThanOrEqual(14);
    for (const [id, r] of facts) expect(['done', 'skipped'], id).toContain(r.status);
    expect([...facts.keys()].some((id) => id.startsWith('hdf5-codec'))).toBe(true);

    // Move the slider: the scaleoffset rows re-run.
    await page.getByTestId('scaleoffset-slider').fill('3');
    await expect(page.getByTestId('scaleoffset-slider')).toHaveAttribute('data-auto', 'false');
    await waitForSweepDone(page);

    // Downloads: the recommended file, a row's own file, the results JSON.
    for (const click of [
      () => page.getByTestId('download-button').click(),
      () => page.getByTestId('export-json').click(),
    ]) {
      const [d] = await Promise.all([page.waitForEvent('download'), click()]);
      const saved = join(dir, d.suggestedFilename());
      await d.saveAs(saved);
      expect(readFileSync(saved).byteLength).toBeGreaterThan(0);
    }

    // Quality panel (histogram, heatmap canvases) and the recipe of a selected row.
    const id = 'hdf5-float16:upper-triangle-rowmajor';
    await page.locator(row(id)).click();
    const panel = page.getByTestId('quality-panel');
    await expect(panel).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
    await expect(panel.getByTestId('quality-heatmap').locator('canvas')).toHaveCount(3);
    await panel.getByTestId('quality-matrix-input').fill('2');
    await expect(panel.getByTestId('quality-heatmap')).toHaveAttribute('data-matrix', '2');
    const bar = page.getByTestId('selection-bar');
    for (const button of ['selected-download', 'recipe-export']) {
      const [d] = await Promise.all([page.waitForEvent('download'), bar.getByTestId(button).click()]);
      const saved = join(dir, d.suggestedFilename());
      await d.saveAs(saved);
      expect(readFileSync(saved).byteLength, button).toBeGreaterThan(0);
    }

    // Settings export and import.
    const [s] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('settings-export').click(),
    ]);
    const settings = join(dir, s.suggestedFilename());
    await s.saveAs(settings);
    await page.getByTestId('scaleoffset-slider').fill('6');
    await page.getByTestId('settings-import').setInputFiles(settings);
    await expect(page).toHaveURL(/[#&]d=3(&|$)/);
    await waitForSweepDone(page);

    expect(await trouble.problems()).toEqual([]);

    // The policy bites: a request to any other origin (an upload) is refused by the browser.
    const upload = await page.evaluate(async () => {
      try {
        await fetch('http://127.0.0.2:9/upload', { method: 'POST', body: 'data' });
        return 'sent';
      } catch (e) {
        return `refused: ${String(e)}`;
      }
    });
    expect(upload).toMatch(/^refused/);
    const after = await trouble.problems();
    expect(after.some((p) => p.startsWith('CSP connect-src blocked http://127.0.0.2:9/upload'))).toBe(true);
  });
});
