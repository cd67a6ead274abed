import type { Page } from '@playwright/test';
import { test, expect } from '@playwright/test';
import { fixture, rowFacts, uploadFixture, waitForSweepDone } from './helpers';

const STACK = fixture('npy', 'stack_near_sym_f8.npy');
const row = (id: string) => `[data-testid="result-row"][data-strategy-id="${id}"]`;

/** Live sweep workers of the page (the loader worker is a different script). */
function sweepWorkers(page: Page): number {
  return page.workers().filter((w) => w.url().includes('sweep.worker')).length;
}

/**
 * `?h5sq-test-oom=` (a test hook, see src/workers/client.ts) makes the first job with that id ask
 * for more wasm memory than a small cap allows: uncaught, its worker dies; with `caught:`, the
 * worker reports it as the job's error, the way h5wasm reports a failed allocation.
 */
for (const { mode, target } of [
  { mode: 'crash', target: 'hdf5-gzip:full' },
  { mode: 'caught', target: 'hdf5-float32:upper-triangle-rowmajor' },
] as const) {
  test(`a worker out of memory (${mode}) fails only its job, says what to do, and is replaced`, async ({
    page,
  }, testInfo) => {
    await page.goto(`/?h5sq-test-oom=${mode === 'caught' ? 'caught:' : ''}${target}`);
    await uploadFixture(page, STACK);
    await waitForSweepDone(page);

    // Only the job that ran out of memory failed; its row says so and what to do next.
    const facts = await rowFacts(page);
    const lost = [...facts].filter(([, r]) => r.status === 'failed').map(([id]) => id);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.startsWith(target)).toBe(true);
    const lostRow = page.locator(row(lost[0]!));
    await expect(lostRow).toContainText('ran out of memory');
    await expect(lostRow).toContainText(
      'The worker was replaced; your array and the other results are kept.',
    );
    await expect(lostRow).toContainText('Next:');
    for (const [id, r] of facts) if (id !== lost[0]) expect(['done', 'skipped'], id).toContain(r.status);

    // A notice says the same above the page; the array is still loaded.
    const notice = page.getByTestId('worker-loss-notice');
    await expect(notice).toBeVisible();
    await expect(notice).toHaveAttribute('data-kind', 'out-of-memory');
    await expect(notice).toContainText(target.replace(':', ' · '));
    await expect(page.getByTestId('array-summary')).toContainText('stack_near_sym_f8.npy');
    await page.screenshot({ path: testInfo.outputPath(`worker-lost-${mode}.png`) });

    // The pool is whole again: as many sweep workers as before, and the lost job re-runs on the
    // next change of a setting (the other rows keep their results).
    const poolSize = await page.evaluate(() => Math.max(2, Math.min(8, navigator.hardwareConcurrency || 2)));
    await expect.poll(() => sweepWorkers(page)).toBe(poolSize);
    await page.getByTestId('scaleoffset-slider').fill('3');
    await expect.poll(async () => (await rowFacts(page)).get(lost[0]!)?.status).toBe('done');
    await waitForSweepDone(page);
    const after = await rowFacts(page);
    for (const [id, r] of after) {
      expect(['done', 'skipped'], id).toContain(r.status);
      if (!id.startsWith('hdf5-scaleoffset') && id !== lost[0]) expect(r, id).toEqual(facts.get(id));
    }
    await notice.getByRole('button', { name: 'Dismiss' }).click();
    await expect(notice).toHaveCount(0);
  });
}
