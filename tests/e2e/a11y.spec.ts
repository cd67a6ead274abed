// Accessibility journey: axe (every rule, the experimental ones too — e.g. label-content-name-mismatch)
// on the empty page and after a sweep with the quality panel open, in the light and the dark theme,
// with the chart's tooltip and a column header's explanation showing. Zero violations.
import { test, expect } from '@playwright/test';
import type { Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import axe from 'axe-core';
import { fixture, uploadFixture, waitForSweepDone } from './helpers';

const EXPERIMENTAL = axe.getRules(['experimental']).map((r) => r.ruleId);

async function violations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page })
    .options({ rules: Object.fromEntries(EXPERIMENTAL.map((id) => [id, { enabled: true }])) })
    .analyze();
  // One readable line per failing element: rule, element, and what axe says to fix.
  return result.violations.flatMap((v) =>
    v.nodes.map(
      (n) =>
        `${v.id} (${v.impact}) at ${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ')}`,
    ),
  );
}

for (const scheme of ['light', 'dark'] as const) {
  test.describe(`${scheme} theme`, () => {
    test.beforeEach(async ({ page }) => {
      await page.emulateMedia({ colorScheme: scheme });
    });

    test('the empty page', async ({ page }) => {
      await page.goto('/');
      await expect(page.getByTestId('drop-zone')).toBeVisible();
      expect(await violations(page)).toEqual([]);
    });

    test('after a sweep, quality panel open, tooltip and header help showing', async ({ page }) => {
      await page.goto('/');
      await uploadFixture(page, fixture('npy', 'stack_near_sym_f8.npy'));
      await waitForSweepDone(page);
      await page.locator('[data-testid="result-row"][data-strategy-id="hdf5-float16:full"]').click();
      const panel = page.getByTestId('quality-panel');
      await expect(panel).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
      await expect(panel.getByTestId('quality-heatmap')).toBeVisible();
      // With the chart's tooltip showing (keyboard focus on a point)…
      await page.locator('[data-testid="tradeoff-chart"] [data-point-id][tabindex="0"]').focus();
      await expect(page.getByTestId('chart-tooltip')).toBeVisible();
      const found = await violations(page);
      // …and with a column's explanation showing (keyboard focus on its header).
      await page.getByRole('button', { name: /^max abs error/ }).focus();
      await expect(page.locator('#col-help-maxAbsError')).toBeVisible();
      found.push(...(await violations(page)));
      expect(found).toEqual([]);
    });
  });
}
