// Screenshots of the tolerance, explore and recommendation states (light and dark, phone and desktop
// widths) for a person to look at; saved under test-results/screens. Each asserts what it must show.
import { test, expect } from '@playwright/test';
import type { Page } from '@playwright/test';
import { fixture, uploadFixture, waitForSweepDone } from './helpers';

const OUT = 'test-results/screens';
const WINE = fixture('shap', 'wine.npy');

/** The whole page, and a close-up from the controls to the recommendation card. */
async function shoot(page: Page, name: string): Promise<void> {
  // Page coordinates (boundingBox() is relative to the window).
  const [top, bottom] = await page.evaluate(() =>
    ['.controls', '[data-testid="recommendation"]'].map((sel) => {
      const r = document.querySelector(sel)!.getBoundingClientRect();
      return { y: r.top + window.scrollY, height: r.height };
    }),
  );
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: `${OUT}/${name}-${scheme}.png`, fullPage: true });
    if (top && bottom)
      await page.screenshot({
        path: `${OUT}/${name}-${scheme}-closeup.png`,
        fullPage: true,
        clip: {
          x: 0,
          y: top.y - 8,
          width: page.viewportSize()!.width,
          height: bottom.y + bottom.height - top.y + 16,
        },
      });
  }
}

for (const width of [390, 1440]) {
  test(`tolerance states at ${width} px`, async ({ page }) => {
    await page.setViewportSize({ width, height: 900 });
    await page.goto('/#tol=0.0079&tm=abs&follow=eps,d&layout=both');
    await uploadFixture(page, WINE);
    await waitForSweepDone(page);
    await expect(page.getByTestId('link-notice')).toBeVisible();
    await expect(page.getByTestId('recommendation')).not.toHaveAttribute('data-strategy-id', '');
    await shoot(page, `tol-following-${width}`);

    // ε set by hand, a bad tolerance typed, a row selected.
    await page.getByRole('button', { name: 'Dismiss the link notice' }).click();
    await page.getByTestId('error-bound-input').fill('0.02');
    await expect(page.getByText('set by hand')).toBeVisible();
    await page.getByTestId('tolerance-input').fill('-1');
    await expect(page.getByTestId('tolerance-message')).toContainText('negative');
    await page.getByTestId('result-row').first().click();
    await expect(page.getByTestId('selection-bar')).toBeVisible();
    await shoot(page, `tol-by-hand-${width}`);
    // The selection bar is pinned to the window's bottom: a window-sized shot shows it over the table.
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByTestId('tradeoff-chart').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${OUT}/tol-selection-${width}-light.png` });

    // Relative mode, wider than the data.
    await page.getByTestId('tolerance-input').fill('2');
    await page.getByTestId('tolerance-mode').selectOption('rel');
    await expect(page.getByTestId('tolerance-message')).toContainText('whole range');
    await shoot(page, `tol-wide-${width}`);

    // τ = 0: lossless only, ε and D off.
    await page.getByTestId('tolerance-mode').selectOption('abs');
    await page.getByTestId('tolerance-input').fill('0');
    await expect(page.getByTestId('tolerance-message')).toContainText('lossless only');
    await waitForSweepDone(page);
    await shoot(page, `tol-zero-${width}`);
  });
}
