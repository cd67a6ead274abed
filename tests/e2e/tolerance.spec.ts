// Tolerance first: the user types the max-abs error they accept, every error-bounded row runs again
// for it, and Download gives the smallest plain-h5py/numpy file within it, which Python restores.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import type { Page } from '@playwright/test';
import { fixture, rowFacts, uploadFixture, waitForSweepDone } from './helpers';

const WINE = fixture('shap', 'wine.npy');
const STATS = JSON.parse(readFileSync(fixture('shap', 'stats.json'), 'utf8')) as {
  fixtures: Record<string, { max_abs: number; shape: number[] }>;
};
const WINE_MAX_ABS = STATS.fixtures.wine!.max_abs;

interface ExportedResult {
  id: string;
  params: Record<string, unknown>;
  layout: string;
  fileName: string;
  bytes: number;
  maxAbsError: number;
  readableBy: string;
}

let dir: string;
test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'h5sq-tol-'));
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function exportedResults(page: Page): Promise<ExportedResult[]> {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  const path = join(dir, `results-${Date.now()}.json`);
  await d.saveAs(path);
  return (JSON.parse(readFileSync(path, 'utf8')) as { results: ExportedResult[] }).results;
}

/** The smallest result within τ that plain h5py or numpy opens (ties: the smaller error). */
function expectedPick(results: readonly ExportedResult[], tau: number): ExportedResult {
  const ok = results
    .filter((r) => r.readableBy !== 'h5py+hdf5plugin' && r.readableBy !== 'zarr' && r.maxAbsError <= tau)
    .sort((a, b) => a.bytes - b.bytes || a.maxAbsError - b.maxAbsError);
  expect(ok.length).toBeGreaterThan(0);
  return ok[0]!;
}

/** Types a tolerance and waits until the sweep has run for it (the address carries it once applied). */
async function typeTolerance(page: Page, text: string): Promise<void> {
  await page.getByTestId('tolerance-input').fill(text);
  await expect(page).toHaveURL(new RegExp(`[#&]tol=${text.replace('.', '\\.')}(&|$)`));
  await waitForSweepDone(page);
}

/**
 * Runs the file's own `restore_python` snippet (or np.load for a .npy) in the download folder and
 * compares what it gives back with the original array.
 */
function restoreWithSnippet(original: string, file: string) {
  const script = `
import contextlib, io, json, os, sys
import numpy as np
orig = np.load(sys.argv[1])
path = sys.argv[2]
os.chdir(os.path.dirname(path))
attrs = {}
if path.endswith(".npy"):
    a = np.load(path)
else:
    import h5py
    with h5py.File(path, "r") as f:
        snippet = f.attrs["restore_python"]
        snippet = snippet.decode() if isinstance(snippet, bytes) else str(snippet)
        for k, v in f["data"].attrs.items():
            v = v.decode() if isinstance(v, bytes) else v
            attrs[k] = v.tolist() if hasattr(v, "tolist") else v
    ns = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(snippet, ns)
    a = ns["a"]
err = float(np.max(np.abs(a.astype(np.float64) - orig.astype(np.float64)))) if a.shape == orig.shape else None
print(json.dumps({"shape": list(a.shape), "dtype": str(a.dtype), "maxAbsError": err, "attrs": attrs}, default=str))
`;
  return JSON.parse(
    execFileSync('/usr/bin/python3', ['-c', script, original, file], { encoding: 'utf8' }),
  ) as {
    shape: number[];
    dtype: string;
    maxAbsError: number | null;
    attrs: Record<string, unknown>;
  };
}

async function downloadRecommended(page: Page): Promise<string> {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-button').click()]);
  const saved = join(dir, d.suggestedFilename());
  await d.saveAs(saved);
  return saved;
}

test('τ = 0.0079 on real SHAP values: the sweep runs at it and Download gives the smallest file within it', async ({
  page,
}) => {
  const tau = 0.0079;
  await page.goto('/');
  await uploadFixture(page, WINE);
  await waitForSweepDone(page);
  await typeTolerance(page, '0.0079');

  // ε follows the tolerance, visibly, and shows the value the sweep uses.
  const eps = page.getByTestId('error-bound-input');
  await expect(eps).toHaveValue('0.0079');
  await expect(eps).toHaveAttribute('data-auto', 'true');
  await expect(page.locator('#eps-state')).toHaveText(/follows tolerance/);
  await expect(page.getByTestId('scaleoffset-slider')).toHaveAttribute('data-auto', 'true');
  await expect(page.getByTestId('tolerance-abs')).toHaveAttribute('data-tau', String(tau));

  // Every quantized row ran at ε = τ: the exported params, the row's own text.
  const results = await exportedResults(page);
  const quantized = results.filter(
    (r) =>
      r.id.startsWith('hdf5-quantized:') ||
      (r.id.startsWith('hdf5-codec:') && r.params.values === 'quantized'),
  );
  expect(quantized.length).toBeGreaterThanOrEqual(6);
  for (const r of quantized) {
    expect(r.params.eps, r.id).toBe(tau);
    expect(r.maxAbsError, r.id).toBeLessThanOrEqual(tau);
  }
  const qRows = page.locator('[data-testid="result-row"][data-strategy-id^="hdf5-quantized:"]');
  expect(await qRows.count()).toBeGreaterThanOrEqual(3);
  for (const row of await qRows.all()) await expect(row).toContainText('ε = 7.9e-3');

  // The recommendation is the smallest done row within τ among plain h5py/numpy files.
  const facts = await rowFacts(page);
  const pick = expectedPick(results, tau);
  const rec = page.getByTestId('recommendation');
  await expect(rec).toHaveAttribute('data-strategy-id', pick.id);
  const recRow = facts.get(pick.id)!;
  expect(recRow.status).toBe('done');
  expect(recRow.err).toBeLessThanOrEqual(tau);
  for (const [id, r] of facts) {
    const readable = results.find((x) => x.id === id)?.readableBy;
    if (r.status === 'done' && r.err <= tau && readable !== 'h5py+hdf5plugin' && readable !== 'zarr')
      expect(recRow.bytes, id).toBeLessThanOrEqual(r.bytes);
  }
  await expect(page.getByTestId('download-button')).toContainText(pick.fileName);

  // The downloaded file is exactly that one, and its own snippet restores shape and dtype within τ.
  const saved = await downloadRecommended(page);
  expect(saved.endsWith(pick.fileName)).toBe(true);
  expect(readFileSync(saved).byteLength).toBe(pick.bytes);
  const restored = restoreWithSnippet(WINE, saved);
  expect(restored.shape).toEqual([178, 14, 14]);
  expect(restored.dtype).toBe('float32');
  expect(restored.maxAbsError).not.toBeNull();
  expect(restored.maxAbsError!).toBeLessThanOrEqual(tau);
  expect(restored.maxAbsError!).toBe(pick.maxAbsError);
  const strategy = JSON.parse(String(restored.attrs.strategy)) as { params: { eps?: number } };
  if (pick.id.startsWith('hdf5-quantized:')) expect(strategy.params.eps).toBe(tau);

  // A quantized row's own file says it ran at ε = τ too.
  const qId = quantized.find((r) => r.id.startsWith('hdf5-quantized:') && r.readableBy === 'h5py')!.id;
  const [d2] = await Promise.all([
    page.waitForEvent('download'),
    page.locator(`[data-testid="result-row"][data-strategy-id="${qId}"]`).getByTestId('row-download').click(),
  ]);
  const saved2 = join(dir, d2.suggestedFilename());
  await d2.saveAs(saved2);
  const q = restoreWithSnippet(WINE, saved2);
  expect((JSON.parse(String(q.attrs.strategy)) as { params: { eps: number } }).params.eps).toBe(tau);
  expect(q.dtype).toBe('float32');
  expect(q.maxAbsError!).toBeLessThanOrEqual(tau);
});

test('relative tolerance: a fraction of max|value|, shown as the absolute τ it means', async ({ page }) => {
  await page.goto('/');
  await uploadFixture(page, WINE);
  await waitForSweepDone(page);
  await page.getByTestId('tolerance-mode').selectOption('rel');
  await typeTolerance(page, '0.003');
  const tau = 0.003 * WINE_MAX_ABS;
  await expect(page).toHaveURL(/[#&]tm=rel(&|$)/);
  await expect(page.getByTestId('tolerance-abs')).toHaveAttribute('data-tau', String(tau));
  await expect(page.getByTestId('tolerance-abs')).toContainText('= 0.003 × max|value| (2.5107)');
  await expect(page.getByTestId('error-bound-input')).toHaveValue(String(Number(tau.toPrecision(5))));

  const results = await exportedResults(page);
  const quantized = results.filter((r) => r.id.startsWith('hdf5-quantized:'));
  expect(quantized.length).toBeGreaterThanOrEqual(3);
  for (const r of quantized) expect(r.params.eps, r.id).toBe(tau);
  const pick = expectedPick(results, tau);
  await expect(page.getByTestId('recommendation')).toHaveAttribute('data-strategy-id', pick.id);
  const restored = restoreWithSnippet(WINE, await downloadRecommended(page));
  expect(restored.dtype).toBe('float32');
  expect(restored.maxAbsError!).toBeLessThanOrEqual(tau);

  // Back to absolute: the same number now means itself.
  await page.getByTestId('tolerance-mode').selectOption('abs');
  await expect(page.getByTestId('tolerance-abs')).toHaveAttribute('data-tau', '0.003');
  await expect(page.getByTestId('error-bound-input')).toHaveValue('0.003');
  await waitForSweepDone(page);
  const back = await exportedResults(page);
  for (const r of back.filter((x) => x.id.startsWith('hdf5-quantized:')))
    expect(r.params.eps, r.id).toBe(0.003);
});

test('τ = 0 means lossless only: no error-bounded rows, and the recommendation restores exactly', async ({
  page,
}) => {
  await page.goto('/');
  await uploadFixture(page, WINE);
  await waitForSweepDone(page);
  await typeTolerance(page, '0');
  await expect(page.getByTestId('tolerance-message')).toContainText('lossless only');
  await expect(page.getByTestId('error-bound-input')).toHaveValue('');
  await expect(page.getByTestId('error-bound-input')).toHaveAttribute('placeholder', /off/);
  const facts = await rowFacts(page);
  expect(
    [...facts.keys()].some((id) => id.startsWith('hdf5-quantized:') || id.startsWith('hdf5-scaleoffset:')),
  ).toBe(false);
  const results = await exportedResults(page);
  const pick = expectedPick(results, 0);
  expect(pick.maxAbsError).toBe(0);
  await expect(page.getByTestId('recommendation')).toHaveAttribute('data-strategy-id', pick.id);
  const restored = restoreWithSnippet(WINE, await downloadRecommended(page));
  expect(restored.shape).toEqual([178, 14, 14]);
  expect(restored.dtype).toBe('float32');
  expect(restored.maxAbsError).toBe(0);
});

test('a bad tolerance says why and changes nothing; a huge one says any file qualifies', async ({ page }) => {
  await page.goto('/');
  await uploadFixture(page, WINE);
  await waitForSweepDone(page);
  const input = page.getByTestId('tolerance-input');
  const message = page.getByTestId('tolerance-message');
  await expect(input).toHaveAttribute('aria-describedby', /tolerance-message/);
  await expect(message).toHaveAttribute('aria-live', 'polite');
  const before = await rowFacts(page);
  const recBefore = await page.getByTestId('recommendation').getAttribute('data-strategy-id');
  const hashBefore = await page.evaluate(() => location.hash);

  for (const [text, why] of [
    ['-0.01', /can’t be negative/],
    ['abc', /“abc” is not a number/],
    ['', /Type a tolerance/],
    ['1e400', /finite/],
  ] as const) {
    await input.fill(text);
    await expect(message, text).toHaveText(why);
    await expect(message, text).toContainText('still use τ = 0.0001');
    await expect(input).toHaveAttribute('aria-invalid', 'true');
    await input.press('Enter');
    await input.blur();
  }
  // Nothing was applied: past the typing debounce, the address, rows and recommendation are as before.
  await page.waitForTimeout(800);
  expect(await page.evaluate(() => location.hash)).toBe(hashBefore);
  await expect(page.getByTestId('sweep-status')).toHaveAttribute('data-state', 'done');
  expect(await rowFacts(page)).toEqual(before);
  await expect(page.getByTestId('recommendation')).toHaveAttribute('data-strategy-id', recBefore!);

  // Wider than the data's range: said plainly (the data run -1.76 … 2.51).
  await typeTolerance(page, '5');
  await expect(input).toHaveAttribute('aria-invalid', 'false');
  await expect(message).toContainText('wider than the data’s whole range', { ignoreCase: true });
  await expect(message).toContainText('any file qualifies, even all zeros');
});

test('a link carries every setting: by-hand knobs, unit, layout, hdf5plugin files; a notice says what it applied', async ({
  page,
}) => {
  await page.goto('/#tol=0.002&tm=abs&follow=d&eps=0.0005&gz=6&layout=full&plugins=1');
  await uploadFixture(page, WINE);
  const notice = page.getByTestId('link-notice');
  await expect(notice).toContainText('Settings from the link applied');
  await expect(notice).toContainText('ε set by hand: 0.0005');
  await expect(notice).toContainText('layout full');
  await expect(page.getByTestId('tolerance-input')).toHaveValue('0.002');
  await expect(page.getByTestId('error-bound-input')).toHaveValue('0.0005');
  await expect(page.getByTestId('error-bound-input')).toHaveAttribute('data-auto', 'false');
  await expect(page.getByTestId('scaleoffset-slider')).toHaveAttribute('data-auto', 'true');
  await expect(page.locator('#gzip-level')).toHaveValue('6');
  await expect(page.getByTestId('allow-plugins')).toBeChecked();
  await waitForSweepDone(page);
  const ids = [...(await rowFacts(page)).keys()];
  for (const id of ids) expect(id.split(':')[1]).toBe('full');
  const results = await exportedResults(page);
  for (const r of results.filter((x) => x.id.startsWith('hdf5-quantized:')))
    expect(r.params.eps, r.id).toBe(0.0005);
  // With hdf5plugin files allowed, the pick is the smallest of all within τ.
  const all = results.filter((r) => r.maxAbsError <= 0.002).sort((a, b) => a.bytes - b.bytes);
  await expect(page.getByTestId('recommendation')).toHaveAttribute('data-strategy-id', all[0]!.id);
  await page.getByRole('button', { name: 'Dismiss the link notice' }).click();
  await expect(notice).toHaveCount(0);

  // The settings file carries the same, and importing it restores them.
  await page.getByTestId('tolerance-mode').selectOption('rel');
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId('settings-export').click()]);
  const saved = join(dir, d.suggestedFilename());
  await d.saveAs(saved);
  expect(JSON.parse(readFileSync(saved, 'utf8'))).toMatchObject({
    kind: 'h5squeeze-settings',
    tolerance: 0.002,
    toleranceMode: 'rel',
    epsAuto: false,
    eps: 0.0005,
    decimalsAuto: true,
    gzipLevel: 6,
    layouts: 'full',
    allowPlugins: true,
  });
  await page.getByTestId('tolerance-mode').selectOption('abs');
  await page.getByRole('button', { name: 'ε: follow tolerance' }).click();
  await page.getByTestId('allow-plugins').uncheck();
  await page.getByTestId('settings-import').setInputFiles(saved);
  await expect(page.getByTestId('tolerance-mode')).toHaveValue('rel');
  await expect(page.getByTestId('error-bound-input')).toHaveValue('0.0005');
  await expect(page.getByTestId('allow-plugins')).toBeChecked();
  await expect(page).toHaveURL(
    /#tol=0\.002&tm=rel&follow=d&eps=0\.0005&gz=6&layout=full&codecs=[^&]*&plugins=1$/,
  );
});

test('an older link (no `follow`) keeps ε and D following its tolerance', async ({ page }) => {
  await page.goto('/#d=2&eps=0.001&gz=6&layout=full&tol=0.004');
  await uploadFixture(page, WINE);
  await expect(page.getByTestId('link-notice')).toContainText('ε follows the tolerance');
  await expect(page.getByTestId('tolerance-input')).toHaveValue('0.004');
  await expect(page.getByTestId('error-bound-input')).toHaveValue('0.004');
  await expect(page.getByTestId('error-bound-input')).toHaveAttribute('data-auto', 'true');
  await expect(page.getByTestId('scaleoffset-slider')).toHaveAttribute('data-auto', 'true');
  await expect(page.locator('#gzip-level')).toHaveValue('6');
  // The address is rewritten in the current form.
  await expect(page).toHaveURL(/#tol=0\.004&tm=abs&follow=eps%2Cd&gz=6&layout=full&/);
  await waitForSweepDone(page);
  const results = await exportedResults(page);
  for (const r of results.filter((x) => x.id.startsWith('hdf5-quantized:')))
    expect(r.params.eps, r.id).toBe(0.004);
  for (const r of results.filter((x) => x.id.startsWith('hdf5-scaleoffset:')))
    expect(r.maxAbsError).toBeLessThanOrEqual(0.004);
});

test('Copy link gives an address that opens with the same settings', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/');
  await uploadFixture(page, WINE);
  await waitForSweepDone(page);
  await page.getByTestId('tolerance-mode').selectOption('rel');
  await typeTolerance(page, '0.002');
  await page.getByTestId('scaleoffset-slider').fill('6');
  await expect(page.getByTestId('scaleoffset-slider')).toHaveAttribute('data-auto', 'false');
  await expect(page).toHaveURL(/[#&]d=6(&|$)/);
  await page.getByTestId('settings-copy-link').click();
  await expect(page.locator('.settings-share [role="status"]')).toHaveText(/Link copied/);
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toMatch(/#tol=0\.002&tm=rel&follow=eps&d=6&/);

  const other = await context.newPage();
  await other.goto(link);
  await uploadFixture(other, WINE);
  await expect(other.getByTestId('link-notice')).toContainText('D set by hand: 6');
  await expect(other.getByTestId('tolerance-input')).toHaveValue('0.002');
  await expect(other.getByTestId('tolerance-mode')).toHaveValue('rel');
  await expect(other.getByTestId('scaleoffset-slider')).toHaveValue('6');
  await expect(other.getByTestId('scaleoffset-slider')).toHaveAttribute('data-auto', 'false');
  await expect(other.getByTestId('error-bound-input')).toHaveAttribute('data-auto', 'true');
  await waitForSweepDone(other);
  const so = (await rowFacts(other)).get('hdf5-scaleoffset:full:float64')!;
  // D = 6: 10⁻⁶, plus at most half a float32 ulp of 2.51 for the cast back to the loaded dtype.
  expect(so.err).toBeLessThanOrEqual(1e-6 + 1.2e-7);
  expect(so.err).toBeGreaterThan(1e-7);
});
