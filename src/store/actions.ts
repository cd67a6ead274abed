// Async actions: load/generate an input, run and re-run the sweep, download. They own the worker pool
// and write only small facts into the store.
import { getState, setState } from './store';
import type { InputInfo } from './store';
import { blobOf, cacheResult, cachedResult, clearCaches } from './result-cache';
import { SweepController } from './sweep-controller';
import { SweepPool, generateInWorker, loadNpyInWorker, runFullInWorker } from '../workers/client';
import type { NpyHeader } from '../core/npy';
import type { InputFacts } from '../strategies/types';
import type { LoadedArray } from '../workers/load';
import { isAbortError } from '../workers/rpc';
import type { SweepSettings } from '../strategies/sweep';
import type { StrategySpec } from '../strategies/types';
import { DTYPE_BYTES, sizeOf } from '../core/ndarray';
import { describeError } from './messages';
import { absTolerance } from './selectors';
import { describePatch, isEmptyPatch, parseSettingsHash, settingsToHash } from './settings-url';
import type { SettingsPatch } from './settings-url';

let pool: SweepPool | null = null;
let inputCounter = 0;
let loadAbort: AbortController | null = null;

/** Starts the worker pool (and h5wasm in each worker) before the user picks a file. */
export function warmUp(): void {
  getPool().warm();
}

function getPool(): SweepPool {
  pool ??= new SweepPool();
  return pool;
}

const controller = new SweepController(
  () => getPool(),
  { get: getState, set: setState },
  { get: cachedResult, put: cacheResult },
  { isAbort: isAbortError },
);

/** The file behind the current input (kept for the streamed full-file run), never in the store. */
let currentSource: { file: Blob; header: NpyHeader; facts: InputFacts } | null = null;
let fullAbort: AbortController | null = null;

async function adoptInput(loaded: LoadedArray, source: Blob | null): Promise<void> {
  const inputId = ++inputCounter;
  controller.reset();
  clearCaches();
  currentSource =
    loaded.header && source ? { file: source, header: loaded.header, facts: loaded.facts } : null;
  fullAbort?.abort();
  const info: InputInfo = {
    inputId,
    sample: loaded.sample
      ? {
          rows: loaded.sample.rows,
          totalRows: loaded.sample.totalRows,
          fullShape: [...loaded.header!.shape],
          fullBytes: loaded.header!.dataBytes,
        }
      : null,
    name: loaded.name,
    dtype: loaded.dtype,
    sourceDescr: loaded.sourceDescr,
    fortranOrder: loaded.fortranOrder,
    shape: loaded.shape,
    bytes: sizeOf(loaded.shape) * DTYPE_BYTES[loaded.dtype],
    summary: loaded.summary,
  };
  // Results on a sample carry it in their file names, so a sample file is never mistaken for the full one.
  const poolName = loaded.sample
    ? `${loaded.name.replace(/\.npy$/i, '')}-sample${loaded.sample.rows}of${loaded.sample.totalRows}.npy`
    : loaded.name;
  getPool().setInput({ ...loaded, name: poolName }, inputId);
  setState({
    input: info,
    loadStatus: 'ready',
    loadProgress: 1,
    loadingName: null,
    errorMessage: null,
    rows: {},
    rowOrder: [],
    selectedId: null,
    sweepStatus: 'idle',
    fullRun: null,
    floor: null,
  });
  // The jobs start now, before the explorer renders: the first result is what the user waits for.
  // The explorer mounts in a background render (App defers it), so the busy workers don't turn that
  // render into one long main-thread task.
  runSweep();
}

/** Loads a `.npy` chosen or dropped by the user. A failure keeps the previous input and results. */
export async function loadFile(file: File): Promise<void> {
  getPool().stopWarmUp();
  loadAbort?.abort();
  const ctrl = new AbortController();
  loadAbort = ctrl;
  const previous = getState().loadStatus === 'ready' ? 'ready' : 'empty';
  setState({ loadStatus: 'loading', loadProgress: 0, loadingName: file.name, errorMessage: null });
  try {
    const loaded = await loadNpyInWorker(file, file.name, (f) => setState({ loadProgress: f }), ctrl.signal);
    if (ctrl.signal.aborted) return;
    await adoptInput(loaded, file);
  } catch (e) {
    if (isAbortError(e) || ctrl.signal.aborted) return;
    setState({ loadStatus: previous, loadingName: null, errorMessage: describeError(e, file.name) });
  }
}

export async function generate(params: { n: number; m: number; seed: number }): Promise<void> {
  getPool().stopWarmUp();
  loadAbort?.abort();
  const ctrl = new AbortController();
  loadAbort = ctrl;
  const previous = getState().loadStatus === 'ready' ? 'ready' : 'empty';
  setState({
    loadStatus: 'loading',
    loadProgress: 0,
    loadingName: 'the notebook’s array',
    errorMessage: null,
  });
  try {
    const loaded = await generateInWorker(params, (f) => setState({ loadProgress: f }), ctrl.signal);
    if (ctrl.signal.aborted) return;
    await adoptInput(loaded, null);
  } catch (e) {
    if (isAbortError(e) || ctrl.signal.aborted) return;
    setState({ loadStatus: previous, loadingName: null, errorMessage: describeError(e, 'the generator') });
  }
}

export function cancelLoad(): void {
  loadAbort?.abort();
  loadAbort = null;
  setState((s) => ({ loadStatus: s.input ? 'ready' : 'empty', loadingName: null }));
}

/** (Re)runs the sweep for the current settings; rows whose spec did not change keep their result. */
export function runSweep(): void {
  controller.run();
}

export function updateSettings(patch: Partial<SweepSettings>): void {
  setState((s) => ({ settings: { ...s.settings, ...patch } }));
  writeSettingsHash();
  runSweep();
}

/**
 * Sets the tolerance (the value as typed, absolute or relative). Error-bounded rows that follow it
 * re-run for the new τ; rows whose spec did not change keep their result. A negative or non-finite
 * value changes nothing (the field says why).
 */
export function setTolerance(tolerance: number, mode?: 'abs' | 'rel'): void {
  if (!Number.isFinite(tolerance) || tolerance < 0) return;
  const s = getState();
  if (s.tolerance === tolerance && (mode === undefined || mode === s.toleranceMode)) return;
  setState({ tolerance, toleranceMode: mode ?? s.toleranceMode });
  writeSettingsHash();
  runSweep();
}

let hashWrite: ReturnType<typeof setTimeout> | null = null;

/**
 * Mirrors the settings into the URL hash, so the address can be shared (replaces, no history entry).
 * In a task of its own, after the change has rendered: history.replaceState costs the main thread
 * several ms (more when the machine is busy), and a burst of changes needs only the last address.
 */
function writeSettingsHash(): void {
  if (typeof window === 'undefined') return;
  hashWrite ??= setTimeout(() => {
    hashWrite = null;
    writeSettingsHashNow();
  }, 0);
}

function writeSettingsHashNow(): void {
  const { settings, tolerance, toleranceMode, allowPlugins } = getState();
  const hash = `#${settingsToHash({ settings, tolerance, toleranceMode, allowPlugins })}`;
  if (window.location.hash !== hash) window.history.replaceState(null, '', hash);
}

/** Applies shared settings (from the URL hash or an imported file); re-runs the sweep if they changed. */
export function applySettings(patch: SettingsPatch): void {
  const before = getState();
  const tauBefore = absTolerance(before);
  const settingsChanged = (Object.keys(patch.settings) as (keyof SweepSettings)[]).some(
    (k) => patch.settings[k] !== before.settings[k],
  );
  setState((s) => ({
    settings: settingsChanged ? { ...s.settings, ...patch.settings } : s.settings,
    tolerance: patch.tolerance ?? s.tolerance,
    toleranceMode: patch.toleranceMode ?? s.toleranceMode,
    allowPlugins: patch.allowPlugins ?? s.allowPlugins,
  }));
  writeSettingsHash();
  if (settingsChanged || absTolerance(getState()) !== tauBefore) runSweep();
}

/**
 * What the last link applied, for a brief notice ("Settings from the link applied: …"); null once
 * dismissed. Outside the store: it is about the page's address, not the sweep.
 */
let linkNotice: readonly string[] | null = null;
const linkNoticeListeners = new Set<() => void>();

function setLinkNotice(items: readonly string[] | null): void {
  linkNotice = items;
  for (const fn of linkNoticeListeners) fn();
}

export function subscribeLinkNotice(fn: () => void): () => void {
  linkNoticeListeners.add(fn);
  return () => linkNoticeListeners.delete(fn);
}

export function getLinkNotice(): readonly string[] | null {
  return linkNotice;
}

export function dismissLinkNotice(): void {
  setLinkNotice(null);
}

/** At startup and on `hashchange`: settings named in the URL hash win over the defaults. */
export function restoreSettingsFromUrl(): void {
  if (typeof window === 'undefined') return;
  const read = () => {
    const patch = parseSettingsHash(window.location.hash);
    if (isEmptyPatch(patch)) return;
    applySettings(patch);
    setLinkNotice(describePatch(patch));
  };
  read();
  window.addEventListener('hashchange', read);
}

/** Quality summaries of a finished result (its job runs again in a pool worker) + one matrix. */
export function requestQuality(spec: StrategySpec, matrix: number | null, signal?: AbortSignal) {
  return getPool().call('quality', { spec, matrix }, { signal });
}

/** Another matrix of the same result for the quality heatmap. */
export function requestQualityMatrix(spec: StrategySpec, matrix: number, signal?: AbortSignal) {
  return getPool().call('qualityMatrix', { spec, matrix }, { signal });
}

export function selectRow(id: string | null): void {
  setState({ selectedId: id });
}

export function dismissError(): void {
  setState({ errorMessage: null });
}

/** Saves a finished row's real file under its meaningful name (the full-file run's, when there is one). */
export function downloadRow(id: string): void {
  const { rows, fullRun } = getState();
  const row = rows[id];
  if (!row?.result) return;
  if (fullRun?.rowId === id && fullRun.specKey === row.specKey && fullRun.result) {
    const full = fullFiles.get(row.specKey);
    if (full) return saveBlob(full, fullRun.result.fileName);
  }
  // A file a worker kept comes over at once; others are written again (the bytes are deterministic).
  const fileName = row.result.fileName;
  const spec = row.spec;
  const pool = getPool();
  setState({ preparingDownload: fileName });
  pool
    .heldFile(spec)
    .then((held) => held ?? pool.run(spec, { wantFile: true }).then(({ file }) => file))
    .then(
      (file) => {
        if (file) saveBlob(new Blob([file as Uint8Array<ArrayBuffer>]), fileName);
      },
      (e: unknown) => {
        if (!isAbortError(e))
          setState({
            errorMessage: `Could not prepare ${fileName}: ${e instanceof Error ? e.message : String(e)}. Your array and results are kept; try the download again, or a smaller result.`,
          });
      },
    )
    .finally(() => setState({ preparingDownload: null }));
}

/** Files of full-file runs, by spec key (outside the store: they can be gigabytes). */
const fullFiles = new Map<string, Blob>();

/** Runs the row's strategy on the whole big file, streamed in a worker, with progress and cancel. */
export async function runFull(id: string): Promise<void> {
  const row = getState().rows[id];
  const src = currentSource;
  const input = getState().input;
  if (!row || !src || !input) return;
  fullAbort?.abort();
  const ctrl = new AbortController();
  fullAbort = ctrl;
  const base = { rowId: id, specKey: row.specKey, startedAt: Date.now() };
  setState({ fullRun: { ...base, status: 'running', progress: 0 } });
  try {
    const { result, parts } = await runFullInWorker(
      { file: src.file, header: src.header, name: input.name, facts: src.facts, spec: row.spec },
      (f) => {
        if (!ctrl.signal.aborted) setState({ fullRun: { ...base, status: 'running', progress: f } });
      },
      ctrl.signal,
    );
    if (ctrl.signal.aborted) return;
    fullFiles.set(
      row.specKey,
      new Blob(
        parts.map((p) => blobOf(p)),
        { type: 'application/x-hdf5' },
      ),
    );
    setState({ fullRun: { ...base, status: 'done', progress: 1, result } });
  } catch (e) {
    if (ctrl.signal.aborted || isAbortError(e)) return;
    setState({
      fullRun: { ...base, status: 'failed', progress: 1, reason: e instanceof Error ? e.message : String(e) },
    });
  }
}

export function cancelFull(): void {
  fullAbort?.abort();
  fullAbort = null;
  setState({ fullRun: null });
}

/**
 * TEST HOOK, inert unless the page address carries `?h5sq-test-refuse-download`: every download is
 * refused as a browser out of memory would refuse it (tests/e2e/bad-day-download.spec.ts).
 */
function refuseDownloadsForTest(): boolean {
  return (
    typeof location !== 'undefined' && new URLSearchParams(location.search).has('h5sq-test-refuse-download')
  );
}

/**
 * Hands a file to the browser's download. A refusal (no memory for the Blob or its URL) is reported
 * with what to do next; the array and the results stay.
 */
export function saveBlob(blob: Blob | (() => Blob), fileName: string): void {
  try {
    if (refuseDownloadsForTest()) throw new Error('refused by the test hook');
    const url = URL.createObjectURL(typeof blob === 'function' ? blob() : blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = fileName;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch (e) {
    setState({
      errorMessage: `The browser refused to save ${fileName} (${e instanceof Error ? e.message : String(e)}). Your array and results are kept: close other tabs to free memory and try again, or export the Python script and write the file on your own machine.`,
    });
  }
}

/** Whether the recommendation may pick files that need hdf5plugin (part of the shareable settings). */
export function setAllowPlugins(allowPlugins: boolean): void {
  setState({ allowPlugins });
  writeSettingsHash();
}
