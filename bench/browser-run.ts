// One run of the app's default sweep in headless Chromium, driven through the docs/ARCHITECTURE.md UI test
// contract (file-input, sweep-status, result-row, export-json; the user's interactions also use
// scaleoffset-slider, tolerance-input and the "D: follow tolerance" button): what a user's automation sees.
import { readFileSync } from 'node:fs';
import type { Browser, Page } from '@playwright/test';
import { chromium } from '@playwright/test';
import type { MemorySample } from './process-memory';
import { RssSampler, chromiumChildren } from './process-memory';
import { CHROMIUM_ARGS } from '../playwright.config';

const BENCH_CHROMIUM_ARGS = [
  ...CHROMIUM_ARGS,
  // Unquantised performance.memory (otherwise rounded and updated only every ~20 min).
  '--enable-precise-memory-info',
];

/** The subset of the results JSON export (docs/ARCHITECTURE.md) the bench reads. */
export interface ExportedResult {
  id: string;
  layout: string;
  params: Record<string, unknown>;
  bytes: number;
  maxAbsError: number | string;
  encodeMs: number;
  verifyMs: number;
}

export interface RowFact {
  id: string;
  status: string;
  bytes: number;
  maxAbsError: number;
}

export interface TimelineEntry {
  id: string;
  /** ms after the file was chosen when the row was first seen `running` (null: never seen). */
  startMs: number | null;
  /** ms after the file was chosen when the row reached a final status. */
  endMs: number | null;
  status: string;
}

export interface LongTask {
  startMs: number;
  durationMs: number;
}

/** One thing the bench did as a user would, in ms after the file was chosen. */
export interface Interaction {
  name: string;
  /** 'sweep': while the first sweep ran; 'after': once it was done (and its results exported). */
  phase: 'sweep' | 'after';
  startMs: number;
  /** When the page had settled after it (a re-run it started included). */
  endMs: number;
}

export interface BrowserRun {
  /** file chosen (the input's change event) → sweep-status `done`, measured in the page. */
  wallMs: number;
  /** The same span measured from Node (setInputFiles call → done observed), a cross-check. */
  nodeWallMs: number;
  /** file chosen → sweep-status first `running` (loading + analysis of the .npy). */
  loadMs: number | null;
  /** file chosen → first result-row with data-status=done. */
  firstResultMs: number | null;
  longTasks: LongTask[];
  longestTaskMs: number;
  /** The longest task between the file being chosen and done, outside the interactions' windows. */
  longestSweepTaskMs: number;
  /** Long tasks that started while an interaction (or what it set off) was under way. */
  interactionLongTasks: LongTask[];
  longestInteractionTaskMs: number;
  interactions: Interaction[];
  peakRssBytes: number;
  peakRssBreakdown: { role: string; pid: number; rssBytes: number }[];
  /** Summed PSS at its peak (sampled every ~1 s): shared pages counted once overall. */
  peakPssBytes: number;
  peakPssBreakdown: { role: string; pid: number; pssBytes: number }[];
  idleRssBytes: number;
  idlePssBytes: number;
  /** Summed RSS every ~1 s (downsampled) from just before the file was chosen, for a memory plot. */
  rssSeries: { t: number; bytes: number }[];
  /** Summed PSS at every PSS sample (~1 s apart), ms after the file was chosen. */
  pssSeries: { t: number; bytes: number }[];
  /** When the PSS peak was sampled (ms after the file was chosen) and the rows running then. */
  peakPssAtMs: number | null;
  runningAtPeakPss: string[];
  peakMainHeapBytes: number;
  /** CPU ms of the Chromium processes between the file being chosen and done, by process role. */
  cpuMsByRole: Record<string, number>;
  cpuMs: number;
  /** The same by `role/thread name`: the page's main thread is `renderer/main`. */
  cpuMsByThread: Record<string, number>;
  cdpMetrics: Record<string, number>;
  rows: RowFact[];
  exported: ExportedResult[];
  timeline: TimelineEntry[];
  userAgent: string;
  consoleErrors: string[];
}

/** What the init script keeps on `window.__bench`. */
interface Probe {
  chosenAt: number | null;
  runningAt: number | null;
  doneAt: number | null;
  firstDoneAt: number | null;
  longTasks: { start: number; duration: number }[];
  maxHeap: number;
  rows: Record<string, { start: number | null; end: number | null; status: string }>;
}

/**
 * Runs in the page before any app script (page.addInitScript): records long tasks, the moment the
 * file is chosen, row and sweep state transitions (MutationObserver, so the times are React's commit
 * times, not polling times) and the main thread's JS heap. Must be self-contained: it is serialised.
 */
function instrumentPage(): void {
  const probe: Probe = {
    chosenAt: null,
    runningAt: null,
    doneAt: null,
    firstDoneAt: null,
    longTasks: [],
    maxHeap: 0,
    rows: {},
  };
  (window as unknown as { __bench: Probe }).__bench = probe;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) probe.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    // longtask is Chromium-only; the bench only runs Chromium.
  }
  document.addEventListener(
    'change',
    (ev) => {
      const el = ev.target as Element | null;
      if (el?.getAttribute('data-testid') === 'file-input' && probe.chosenAt === null)
        probe.chosenAt = performance.now();
    },
    true,
  );
  const FINAL = ['done', 'failed', 'skipped'];
  let lastState = '';
  const check = (): void => {
    const now = performance.now();
    const state = document.querySelector('[data-testid="sweep-status"]')?.getAttribute('data-state') ?? '';
    if (state !== lastState) {
      if (state === 'running' && probe.runningAt === null && probe.chosenAt !== null) probe.runningAt = now;
      // The last transition into `done` counts, in case the status flickers while rows are added.
      if (state === 'done' && probe.chosenAt !== null) probe.doneAt = now;
      lastState = state;
    }
    for (const row of document.querySelectorAll('[data-testid="result-row"]')) {
      const id = row.getAttribute('data-strategy-id') ?? '';
      const status = row.getAttribute('data-status') ?? '';
      const r = (probe.rows[id] ??= { start: null, end: null, status });
      if (status === 'running' && r.start === null) r.start = now;
      if (FINAL.includes(status) && r.end === null) r.end = now;
      r.status = status;
      if (status === 'done' && probe.firstDoneAt === null) probe.firstDoneAt = now;
    }
  };
  const observe = (): void => {
    new MutationObserver(check).observe(document.documentElement, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-state', 'data-status'],
    });
  };
  if (document.documentElement) observe();
  else document.addEventListener('DOMContentLoaded', observe);
  setInterval(() => {
    const mem = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
    if (mem) probe.maxHeap = Math.max(probe.maxHeap, mem.usedJSHeapSize);
  }, 200);
}

/** True when the sweep is done and every row has a final status. */
function sweepFinished(): boolean {
  const status = document.querySelector('[data-testid="sweep-status"]');
  if (status?.getAttribute('data-state') === 'error') return true;
  if (status?.getAttribute('data-state') !== 'done') return false;
  const rows = [...document.querySelectorAll('[data-testid="result-row"]')];
  return (
    rows.length > 0 &&
    rows.every((r) => ['done', 'failed', 'skipped'].includes(r.getAttribute('data-status') ?? ''))
  );
}

async function readRows(page: Page): Promise<RowFact[]> {
  return page.getByTestId('result-row').evaluateAll((els) =>
    els.map((el) => ({
      id: el.getAttribute('data-strategy-id') ?? '',
      status: el.getAttribute('data-status') ?? '',
      bytes: Number(el.getAttribute('data-bytes')),
      maxAbsError: Number(el.getAttribute('data-max-abs-error')),
    })),
  );
}

async function exportJson(page: Page): Promise<ExportedResult[]> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-json').click(),
  ]);
  const path = await download.path();
  const json = JSON.parse(readFileSync(path, 'utf8')) as { results: ExportedResult[] };
  return json.results;
}

function downsample(samples: MemorySample[], everyMs: number): { t: number; bytes: number }[] {
  const out: { t: number; bytes: number }[] = [];
  let next = -Infinity;
  let bucketMax = 0;
  for (const s of samples) {
    bucketMax = Math.max(bucketMax, s.totalRssBytes);
    if (s.t >= next) {
      out.push({ t: Math.round(s.t), bytes: bucketMax });
      bucketMax = 0;
      next = s.t + everyMs;
    }
  }
  return out;
}

const SETTLE_MS = 700;

async function now(page: Page): Promise<number> {
  return page.evaluate(() => performance.now());
}

function sweepState(page: Page): Promise<string | null> {
  return page.getByTestId('sweep-status').getAttribute('data-state');
}

async function doneRows(page: Page): Promise<number> {
  return page.locator('[data-testid="result-row"][data-status="done"]').count();
}

/** Clicks the k-th finished row (in the table's order). */
async function clickDoneRow(page: Page, k: number): Promise<void> {
  const rows = page.locator('[data-testid="result-row"][data-status="done"]');
  const n = await rows.count();
  if (n > 0) await rows.nth(Math.min(k, n - 1)).click();
}

/**
 * Moves the scaleoffset slider by keyboard (`steps` arrow presses, negative = left) and, after the
 * debounce, lets D follow the tolerance again (so the sweep's specs end where they started).
 */
async function nudgeSlider(page: Page, steps: number): Promise<void> {
  const slider = page.getByTestId('scaleoffset-slider');
  await slider.focus();
  for (let i = 0; i < Math.abs(steps); i++) await page.keyboard.press(steps < 0 ? 'ArrowLeft' : 'ArrowRight');
}

async function followTolerance(page: Page): Promise<void> {
  // A CSS query, not getByRole: Playwright's role query computes accessible names over the whole page
  // on the main thread (a ~50 ms task the bench would count against the app).
  const follow = page.locator('button[aria-label="D: follow tolerance"]');
  if ((await follow.count()) > 0) await follow.click();
}

async function typeTolerance(page: Page, text: string): Promise<void> {
  const input = page.getByTestId('tolerance-input');
  await input.click();
  await input.fill(text);
  await input.press('Enter');
}

/** Waits until the sweep is done again (after a change that re-runs rows). */
async function settled(page: Page, timeoutMs: number): Promise<void> {
  await page.waitForTimeout(SETTLE_MS);
  await page.waitForFunction(sweepFinished, null, { timeout: timeoutMs, polling: 100 });
  await page.waitForTimeout(SETTLE_MS);
}

/**
 * What a user does while the first results arrive: picks rows and tries the slider. Each step waits
 * for enough finished rows and is skipped once the sweep is done.
 */
async function interactDuringSweep(page: Page, log: Interaction[], timeoutMs: number): Promise<void> {
  const steps: { after: number; name: string; run: () => Promise<void> }[] = [
    { after: 2, name: 'click a row', run: () => clickDoneRow(page, 0) },
    { after: 4, name: 'click a row', run: () => clickDoneRow(page, 3) },
    {
      after: 6,
      name: 'slider ← → (keyboard), then D follows τ',
      run: async () => {
        await nudgeSlider(page, -1);
        await nudgeSlider(page, 1);
        await page.waitForTimeout(SETTLE_MS);
        await followTolerance(page);
      },
    },
    { after: 9, name: 'click a row', run: () => clickDoneRow(page, 7) },
  ];
  // The sweep starts once the file is loaded and analysed.
  await page
    .getByTestId('sweep-status')
    .and(page.locator('[data-state="running"]'))
    .waitFor({ timeout: timeoutMs });
  for (const step of steps) {
    await page
      .waitForFunction(
        ([n]) =>
          document.querySelectorAll('[data-testid="result-row"][data-status="done"]').length >= n! ||
          document.querySelector('[data-testid="sweep-status"]')?.getAttribute('data-state') !== 'running',
        [step.after],
        { timeout: timeoutMs, polling: 50 },
      )
      .catch(() => undefined);
    if ((await sweepState(page)) !== 'running') return;
    const startMs = await now(page);
    await step.run();
    await page.waitForTimeout(SETTLE_MS);
    log.push({ name: step.name, phase: 'sweep', startMs, endMs: await now(page) });
  }
}

/** Once the sweep is done: rows, the slider and the tolerance, each waited out (re-runs included). */
async function interactAfterSweep(page: Page, log: Interaction[], timeoutMs: number): Promise<void> {
  const step = async (name: string, run: () => Promise<void>) => {
    const startMs = await now(page);
    await run();
    await settled(page, timeoutMs);
    log.push({ name, phase: 'after', startMs, endMs: await now(page) });
  };
  for (const k of [1, 5, 11]) await step('click a row', () => clickDoneRow(page, k));
  await step('slider ← (keyboard)', () => nudgeSlider(page, -1));
  await step('slider → (keyboard)', () => nudgeSlider(page, 1));
  await step('D follows τ again', () => followTolerance(page));
  const tolerance = await page.getByTestId('tolerance-input').inputValue();
  await step('type a new tolerance', () => typeTolerance(page, String(Number(tolerance) * 2)));
  await step('type the tolerance back', () => typeTolerance(page, tolerance));
  if ((await doneRows(page)) > 0) await step('click a row', () => clickDoneRow(page, 2));
}

/**
 * `settleMs`: how long the page sits before the idle sample and the file choice (default 0: the file
 * is chosen as soon as the input exists, before the workers have booted or warmed up). A user takes
 * seconds to drop or pick a file; `--settle 3000` measures what they see.
 */
export async function runInBrowser(
  url: string,
  npyPath: string,
  timeoutMs: number,
  settleMs = 0,
): Promise<BrowserRun> {
  const before = new Set(chromiumChildren());
  const browser: Browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: BENCH_CHROMIUM_ARGS,
  });
  let sampler: RssSampler | null = null;
  try {
    const browserPid = chromiumChildren().find((pid) => !before.has(pid));
    if (browserPid === undefined) throw new Error('could not find the Chromium process Playwright started');
    const context = await browser.newContext({ acceptDownloads: true });
    // As source text, with esbuild's `__name` helper defined: tsx compiles with keepNames, which wraps
    // named inner functions in `__name(...)` calls that would not exist in the page.
    await context.addInitScript({ content: `var __name = (f) => f; (${instrumentPage.toString()})();` });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await page.goto(url);
    await page.getByTestId('file-input').waitFor({ state: 'attached' });
    if (settleMs > 0) await page.waitForTimeout(settleMs);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');

    sampler = new RssSampler(browserPid, 200);
    sampler.start();
    const idleRssBytes = sampler.samples[0]!.totalRssBytes;
    const idlePssBytes = sampler.samples[0]!.totalPssBytes ?? 0;
    const t0 = performance.now();
    const interactions: Interaction[] = [];
    await page.getByTestId('file-input').setInputFiles(npyPath);
    const during = interactDuringSweep(page, interactions, timeoutMs);
    await page.waitForFunction(sweepFinished, null, { timeout: timeoutMs, polling: 100 });
    await during;
    // A step near the end may have re-queued a row: done means done after it.
    await page.waitForFunction(sweepFinished, null, { timeout: timeoutMs, polling: 100 });
    const nodeWallMs = performance.now() - t0;
    sampler.stop();

    const state = await page.getByTestId('sweep-status').getAttribute('data-state');
    const probe = await page.evaluate(() => (window as unknown as { __bench: Probe }).__bench);
    const metrics = (await cdp.send('Performance.getMetrics')).metrics;
    const rows = await readRows(page);
    if (state !== 'done') {
      const banner = await page
        .getByTestId('error-banner')
        .textContent({ timeout: 1000 })
        .catch(() => null);
      throw new Error(`sweep-status is '${state}'${banner ? `: ${banner}` : ''}`);
    }
    const exported = await exportJson(page);
    const userAgent = await page.evaluate(() => navigator.userAgent);
    // After the export, so the results and the sweep's figures above are the first sweep's.
    await interactAfterSweep(page, interactions, timeoutMs);
    const allTasks = await page.evaluate(() => (window as unknown as { __bench: Probe }).__bench.longTasks);
    await context.close();

    const chosen = probe.chosenAt;
    if (chosen === null || probe.doneAt === null)
      throw new Error('the page never saw the file chosen / sweep done');
    const rel = (t: number | null): number | null => (t === null ? null : t - chosen);
    const longTasks = probe.longTasks
      .filter((t) => t.start + t.duration >= chosen && t.start <= probe.doneAt!)
      .map((t) => ({ startMs: t.start - chosen, durationMs: t.duration }));
    const windows = interactions.map((w) => ({ ...w, startMs: w.startMs - chosen, endMs: w.endMs - chosen }));
    const inWindow = (t: LongTask) =>
      windows.some((w) => t.startMs + t.durationMs >= w.startMs && t.startMs <= w.endMs);
    const interactionLongTasks = allTasks
      .map((t) => ({ startMs: t.start - chosen, durationMs: t.duration }))
      .filter(inWindow);
    const longest = (ts: LongTask[]) => ts.reduce((a, t) => Math.max(a, t.durationMs), 0);
    const peak = sampler.peak!;
    const cpu = sampler.cpuMsByRole();
    // The sampler's clock started before t0; the page's clock is aligned to the choice of file.
    const sinceChosen = (sampleT: number) => Math.round(sampleT - (t0 - sampler!.t0));
    const timeline = Object.entries(probe.rows).map(([id, r]) => ({
      id,
      startMs: rel(r.start),
      endMs: rel(r.end),
      status: r.status,
    }));
    const peakPssAtMs = sampler.peakPss ? sinceChosen(sampler.peakPss.t) : null;
    return {
      wallMs: probe.doneAt - chosen,
      nodeWallMs,
      loadMs: rel(probe.runningAt),
      firstResultMs: rel(probe.firstDoneAt),
      longTasks,
      longestTaskMs: longest(longTasks),
      longestSweepTaskMs: longest(longTasks.filter((t) => !inWindow(t))),
      interactionLongTasks,
      longestInteractionTaskMs: longest(interactionLongTasks),
      interactions: windows,
      peakRssBytes: peak.totalRssBytes,
      peakRssBreakdown: [...peak.processes]
        .sort((a, b) => b.rssBytes - a.rssBytes)
        .map((p) => ({ role: p.role, pid: p.pid, rssBytes: p.rssBytes })),
      peakPssBytes: sampler.peakPss?.totalPssBytes ?? 0,
      peakPssBreakdown: (sampler.peakPss?.processes ?? [])
        .map((p) => ({ role: p.role, pid: p.pid, pssBytes: p.pssBytes ?? 0 }))
        .sort((a, b) => b.pssBytes - a.pssBytes),
      idleRssBytes,
      idlePssBytes,
      rssSeries: downsample(sampler.samples, 1000),
      pssSeries: sampler.samples
        .filter((x) => x.totalPssBytes !== null)
        .map((x) => ({ t: sinceChosen(x.t), bytes: x.totalPssBytes! })),
      peakPssAtMs,
      runningAtPeakPss:
        peakPssAtMs === null
          ? []
          : timeline
              .filter(
                (r) => r.startMs !== null && r.startMs <= peakPssAtMs && (r.endMs ?? Infinity) >= peakPssAtMs,
              )
              .map((r) => r.id),
      peakMainHeapBytes: probe.maxHeap,
      cpuMsByRole: cpu,
      cpuMs: Object.values(cpu).reduce((a, b) => a + b, 0),
      cpuMsByThread: Object.fromEntries(
        Object.entries(sampler.cpuMsByThread())
          .filter(([, ms]) => ms >= 50)
          .sort((a, b) => b[1] - a[1]),
      ),
      cdpMetrics: Object.fromEntries(metrics.map((m) => [m.name, m.value])),
      rows,
      exported,
      timeline,
      userAgent,
      consoleErrors,
    };
  } finally {
    sampler?.stop();
    await browser.close();
  }
}
