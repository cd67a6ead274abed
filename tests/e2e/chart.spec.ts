// The size/error chart read point by point: every mark's tooltip names its own result (the same
// strategy, params, layout, size and error as the table row with that id), by mouse, keyboard and
// touch; marks never hide each other; table and chart highlight each other's hovered result.
import { test, expect } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { fixture, uploadFixture, waitForSweepDone } from './helpers';

const STACK = fixture('npy', 'stack_near_sym_f8.npy');
const WINE = fixture('shap', 'wine.npy');
const tooltip = (page: Page) => page.locator('.recharts-tooltip-wrapper [data-testid="chart-tooltip"]');
const rowOf = (page: Page, id: string) =>
  page.locator(`[data-testid="result-row"][data-strategy-id="${id}"]`);
const pointOf = (page: Page, id: string) =>
  page.locator(`[data-testid="tradeoff-chart"] [data-point-id="${id}"]`);

/** What the table shows for a row: strategy label, params, layout, size and max abs error as printed. */
async function tableFacts(row: Locator) {
  return row.evaluate((tr) => {
    const num = tr.querySelectorAll('td.num');
    const cells = tr.querySelectorAll('td');
    return {
      label: tr.querySelector('.label')?.textContent?.trim() ?? '',
      params: tr.querySelector('td:first-child > div.muted.small')?.textContent?.trim() ?? '',
      layout: cells[1]?.textContent?.trim() ?? '',
      size: num[0]?.firstChild?.textContent?.trim() ?? '',
      error: num[1]?.firstChild?.textContent?.trim() ?? '',
    };
  });
}

/** Hovers every mark and checks its tooltip against the table row with the same id. */
async function hoverEveryPoint(page: Page): Promise<number> {
  const symbols = page.locator('[data-testid="tradeoff-chart"] .recharts-scatter-symbol');
  const n = await symbols.count();
  for (let i = 0; i < n; i++) {
    const symbol = symbols.nth(i);
    const id = (await symbol.locator('[data-point-id]').getAttribute('data-point-id'))!;
    await symbol.hover();
    const tip = tooltip(page);
    await expect(tip).toBeVisible();
    await expect(tip).toHaveAttribute('data-result-id', id);
    const facts = await tableFacts(rowOf(page, id));
    const text = (await tip.textContent()) ?? '';
    expect(text, id).toContain(facts.label);
    expect(text, id).toContain(facts.params);
    expect(text, id).toContain(`layout: ${facts.layout}`);
    expect(text, id).toContain(`size: ${facts.size}`);
    expect(text, id).toContain(`max abs error: ${facts.error}`);
    // The chart's hover highlights the table row (and only that one).
    await expect(rowOf(page, id)).toHaveAttribute('data-hovered', 'true');
    await expect(page.locator('[data-testid="result-row"][data-hovered="true"]')).toHaveCount(1);
  }
  return n;
}

/** Centres of every mark, in page pixels. */
async function markCentres(page: Page) {
  return page.locator('[data-testid="tradeoff-chart"] [data-point-id]').evaluateAll((els) =>
    els.map((el) => {
      const b = el.querySelector('path')!.getBoundingClientRect();
      return { id: el.getAttribute('data-point-id')!, x: b.x + b.width / 2, y: b.y + b.height / 2 };
    }),
  );
}

test('every point’s tooltip names its own result, on a linear and a log size axis', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.goto('/');
  await uploadFixture(page, STACK);
  await waitForSweepDone(page);
  const done = await page.locator('[data-testid="result-row"][data-status="done"]').count();
  const chart = page.getByTestId('tradeoff-chart');
  await expect(chart.locator('.recharts-scatter-symbol')).toHaveCount(done);
  await chart.scrollIntoViewIfNeeded();
  expect(await hoverEveryPoint(page)).toBe(done);

  // No mark hides another: centres at least a mark apart (results at one spot are drawn side by side).
  const centres = await markCentres(page);
  for (let i = 0; i < centres.length; i++)
    for (let j = i + 1; j < centres.length; j++) {
      const [a, b] = [centres[i]!, centres[j]!];
      expect(Math.hypot(a.x - b.x, a.y - b.y), `${a.id} vs ${b.id}`).toBeGreaterThanOrEqual(12);
    }

  await page.getByTestId('chart-scale-log').click();
  await expect(chart).toHaveAttribute('data-x-scale', 'log');
  expect(await hoverEveryPoint(page)).toBe(done);
});

test('keyboard: one tab stop into the points, arrows move, the tooltip follows, Enter selects', async ({
  page,
}) => {
  await page.goto('/');
  await uploadFixture(page, STACK);
  await waitForSweepDone(page);
  // From the size-axis switch, Tab lands on a point (the recommended one first).
  await page.getByTestId('chart-scale-log').focus();
  await page.keyboard.press('Tab');
  const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-point-id') ?? null);
  const first = await focused();
  expect(first).not.toBeNull();
  await expect(rowOf(page, first!)).toHaveClass(/recommended/);
  await expect(tooltip(page)).toHaveAttribute('data-result-id', first!);
  // Only one point is in the tab order.
  await expect(page.locator('[data-testid="tradeoff-chart"] [data-point-id][tabindex="0"]')).toHaveCount(1);
  await page.keyboard.press('ArrowRight');
  const second = await focused();
  expect(second).not.toBe(first);
  await expect(tooltip(page)).toHaveAttribute('data-result-id', second!);
  // Keyboard focus highlights the point's row too.
  await expect(rowOf(page, second!)).toHaveAttribute('data-hovered', 'true');
  await page.keyboard.press('Enter');
  await expect(rowOf(page, second!)).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Escape');
  await expect(tooltip(page)).toHaveCount(0);
  await page.keyboard.press('End');
  const last = await focused();
  await expect(tooltip(page)).toHaveAttribute('data-result-id', last!);
  // Sizes only grow from the first point to the last in arrow order.
  const bytes = async (id: string) => Number(await rowOf(page, id).getAttribute('data-bytes'));
  expect(await bytes(last!)).toBeGreaterThanOrEqual(await bytes(second!));
});

test('hovering a table row highlights its point', async ({ page }) => {
  await page.goto('/');
  await uploadFixture(page, STACK);
  await waitForSweepDone(page);
  for (const id of ['hdf5-gzip:full', 'npy:upper-triangle-rowmajor', 'hdf5-float16:full']) {
    await rowOf(page, id).hover();
    await expect(pointOf(page, id)).toHaveAttribute('data-highlighted', 'true');
    await expect(page.locator('[data-testid="tradeoff-chart"] [data-highlighted="true"]')).toHaveCount(1);
    // A ring is drawn around it.
    const ring = await page.locator('.hover-ring').boundingBox();
    const mark = await pointOf(page, id).locator('path').first().boundingBox();
    expect(Math.abs(ring!.x + ring!.width / 2 - (mark!.x + mark!.width / 2))).toBeLessThan(2);
    expect(Math.abs(ring!.y + ring!.height / 2 - (mark!.y + mark!.height / 2))).toBeLessThan(2);
  }
  await page.getByRole('heading', { name: 'File size vs max error' }).hover();
  await expect(page.locator('[data-testid="tradeoff-chart"] [data-highlighted="true"]')).toHaveCount(0);
});

test.describe('touch', () => {
  test.use({ hasTouch: true, isMobile: true, viewport: { width: 390, height: 844 } });

  test('tapping a point shows its tooltip, selects its row and keeps it until a tap elsewhere', async ({
    page,
  }) => {
    await page.goto('/');
    await uploadFixture(page, STACK);
    await waitForSweepDone(page);
    const id = 'hdf5-float16:full';
    await pointOf(page, id).scrollIntoViewIfNeeded();
    await pointOf(page, id).tap();
    await expect(tooltip(page)).toHaveAttribute('data-result-id', id);
    await expect(rowOf(page, id)).toHaveAttribute('aria-selected', 'true');
    // The tooltip stays inside the chart on a phone.
    const chart = (await page.getByTestId('tradeoff-chart').boundingBox())!;
    const tip = (await tooltip(page).boundingBox())!;
    expect(tip.x).toBeGreaterThanOrEqual(chart.x);
    expect(tip.x + tip.width).toBeLessThanOrEqual(chart.x + chart.width);
    // A tap on an empty corner of the plot lets it go.
    const grid = (await page.locator('[data-testid="tradeoff-chart"] .chart-grid').boundingBox())!;
    await page.touchscreen.tap(grid.x + 4, grid.y + 4);
    await expect(tooltip(page)).toHaveCount(0);
  });
});

test('lines and marks: tolerance, entropy floor, recommended ring, Pareto labels; controls off the plot', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.goto('/');
  await uploadFixture(page, WINE);
  await waitForSweepDone(page, 110_000);
  const chart = page.getByTestId('tradeoff-chart');
  await expect(chart.getByTestId('chart-tau-line')).toBeVisible();
  await expect(chart.getByTestId('chart-tau-line')).toContainText('tolerance τ = ');
  // The entropy floor at τ, once measured.
  await expect(chart.getByTestId('chart-floor-line')).toBeVisible({ timeout: 30_000 });
  await expect(chart.getByTestId('chart-floor-legend')).toContainText('entropy floor at τ');
  await expect(chart.getByTestId('chart-floor-legend')).toContainText(
    'no coder of independent values gets below this',
  );
  // The recommended row's point wears the ring.
  const recId = (await page
    .locator('[data-testid="result-row"].recommended')
    .getAttribute('data-strategy-id'))!;
  const ring = (await chart.locator('.rec-ring').first().boundingBox())!;
  const mark = (await pointOf(page, recId).locator('path').first().boundingBox())!;
  expect(Math.abs(ring.x + ring.width / 2 - (mark.x + mark.width / 2))).toBeLessThan(2);
  expect(Math.abs(ring.y + ring.height / 2 - (mark.y + mark.height / 2))).toBeLessThan(2);
  // One label per Pareto point, and one for the recommended point (on the front or not) saying so.
  const labelled = await page
    .locator('[data-testid="result-row"]')
    .filter({ has: page.locator('.badge.pareto, .badge.rec') })
    .count();
  await expect(chart.locator('.point-label')).toHaveCount(labelled);
  await expect(chart.locator('.point-label.rec')).toContainText('recommended');
  // The axis switch sits outside the plot area.
  const grid = (await chart.locator('.chart-grid').boundingBox())!;
  const menu = (await chart.getByRole('group', { name: 'Size axis' }).boundingBox())!;
  expect(menu.y + menu.height <= grid.y || menu.y >= grid.y + grid.height).toBe(true);
  // Every codec family, kind and layout drawn has a legend entry.
  await expect(chart.getByTestId('chart-legend')).toContainText('fill = layout');
  await expect(chart.getByTestId('chart-legend')).toContainText('mark = codec');
});
