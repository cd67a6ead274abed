// Async actions: load/generate an input, run and re-run the sweep, download. They own the worker pool
// and write only small facts into the store.
import { getState, setState } from './store';
import type { InputInfo, RowState, State } from './store';
import { cacheResult, cachedFile, cachedResult, clearCaches } from './file-cache';
import { SweepPool, generateInWorker, loadNpyInWorker, runFullInWorker } from '../workers/client';
import type { NpyHeader } from '../core/npy';
import type { InputFacts } from '../strategies/types';
import { blobOf } from './file-cache';
import type { LoadedArray } from '../workers/load';
import { isAbortError } from '../workers/rpc';
import { buildSweep, resultIdOf, specKeyOf } from '../strategies/sweep';
import type { SweepSettings } from '../strategies/sweep';
import type { StrategySpec } from '../strategies/types';
import { DTYPE_BYTES, sizeOf } from '../core/ndarray';
import { describeError } from './messages';
import { layoutOf } from '../layouts/registry';
import { absTolerance, factsOfInput } from './selectors';
import { describePatch, isEmptyPatch, parseSettingsHash, settingsToHash } from './settings-url';
import type { SettingsPatch } from './settings-url';

let pool: SweepPool | null = null;
let inputCounter = 0;
let loadAbort: AbortController | null = null;
const rowAborts = new Map<string, AbortController>();

/** Starts the worker pool (and h5wasm in each worker) before the user picks a file. */
export function warmUp(): void {
  getPool().warm();
}

function getPool(): SweepPool {
  pool ??= new SweepPool();
  return pool;
}

/**
 * Row updates from workers arrive as separate tasks; applying each at once would re-render the table
 * and chart dozens of times a second. They are queued and applied together every FLUSH_MS, and only
 * to the row still running that spec (a patch for a replaced spec is dropped).
 */
const FLUSH_MS = 100;
const pendingPatches = new Map<string, { specKey: string; patch: Partial<RowState> }>();
let flushTimer: ReturnType<typeof setTimeout> | null = null;

function patchRow(id: string, specKey: string, patch: Partial<RowState>): void {
  const prev = pendingPatches.get(id);
  pendingPatches.set(id, {
    specKey,
    patch: prev && prev.specKey === specKey ? { ...prev.patch, ...patch } : patch,
  });
  flushTimer ??= setTimeout(flushPatches, FLUSH_MS);
}

function flushPatches(): void {
  flushTimer = null;
  if (pendingPatches.size > 0) {
    const patches = [...pendingPatches];
    pendingPatches.clear();
    setState((s) => {
      const rows = { ...s.rows };
      for (const [id, { specKey, patch }] of patches) {
        const row = rows[id];
        if (row && row.specKey === specKey) rows[id] = { ...row, ...patch };
      }
      return { rows };
    });
  }
  updateSweepStatus();
}

function updateSweepStatus(): void {
  const { rows, rowOrder, sweepStatus } = getState();
  if (rowOrder.length === 0) return;
  const busy = rowOrder.some((id) => rows[id]?.status === 'queued' || rows[id]?.status === 'running');
  const next: State['sweepStatus'] = busy ? 'running' : 'done';
  if (next !== sweepStatus) setState({ sweepStatus: next });
}

/** The file behind the current input (kept for the streamed full-file run), never in the store. */
let currentSource: { file: Blob; header: NpyHeader; facts: InputFacts } | null = null;
let fullAbort: AbortController | null = null;

async function adoptInput(loaded: LoadedArray, source: Blob | null): Promise<void> {
  const inputId = ++inputCounter;
  for (const c of rowAborts.values()) c.abort();
  rowAborts.clear();
  pendingPatches.clear();
  clearCaches();
  floorCache.clear();
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
  // Start the workers after the explorer's first render has painted: on a 2-core machine two busy
  // workers would otherwise stretch that render (~100 ms of CPU) into a 200+ ms main-thread task.
  afterNextPaint(runSweep);
}

/** Loads a `.npy` chosen or dropped by the user. A failure keeps the previous input and results. */
export async function loadFile(file: File): Promise<void> {
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

function startRow(spec: StrategySpec, inputId: number): void {
  const id = resultIdOf(spec);
  const key = specKeyOf(spec);
  rowAborts.get(id)?.abort();
  const hit = cachedResult(key);
  if (hit) {
    patchRow(id, key, { spec, status: 'done', progress: 1, result: hit, reason: undefined });
    return;
  }
  const ctrl = new AbortController();
  rowAborts.set(id, ctrl);
  let lastProgress = -1;
  patchRow(id, key, { spec, status: 'queued', progress: 0, result: undefined, reason: undefined });
  getPool()
    .run(spec, {
      signal: ctrl.signal,
      onProgress: (f) => {
        // Re-render the table for visible steps only (every 10 %), not for every slab.
        if (ctrl.signal.aborted || (f - lastProgress < 0.1 && f < 1)) return;
        lastProgress = f;
        patchRow(id, key, { status: 'running', progress: f });
      },
    })
    .then(
      ({ result, file }) => {
        if (ctrl.signal.aborted || getState().input?.inputId !== inputId) return;
        cacheResult(key, result, file);
        patchRow(id, key, { status: 'done', progress: 1, result });
      },
      (e: unknown) => {
        if (ctrl.signal.aborted || isAbortError(e) || getState().input?.inputId !== inputId) return;
        const code = (e as { code?: string }).code;
        patchRow(id, key, {
          status: code === 'UNSUPPORTED' ? 'skipped' : 'failed',
          progress: 1,
          reason: e instanceof Error ? e.message : String(e),
        });
      },
    )
    .finally(() => {
      if (rowAborts.get(id) === ctrl) rowAborts.delete(id);
      flushTimer ??= setTimeout(flushPatches, FLUSH_MS);
    });
}

/** A rough rank of a job's cost (measured in the benchmark: gzip and plugin coders dominate). */
function jobCostRank(spec: StrategySpec): number {
  const kind =
    spec.strategyId === 'hdf5-gzip' || spec.params.codec === 'gzip'
      ? 4
      : spec.strategyId === 'hdf5-codec'
        ? 3
        : spec.strategyId === 'npy' || spec.strategyId === 'hdf5-native'
          ? 2
          : 1;
  return kind * 2 + (spec.layout === 'full' ? 1 : 0);
}

function afterNextPaint(fn: () => void): void {
  if (typeof requestAnimationFrame === 'undefined') return void setTimeout(fn, 0);
  requestAnimationFrame(() => setTimeout(fn, 0));
}

/** (Re)runs the sweep for the current settings; rows whose spec did not change keep their result. */
export function runSweep(): void {
  const state = getState();
  const { input, settings, rows } = state;
  if (!input) return;
  const specs = buildSweep({ shape: input.shape, facts: factsOfInput(input) }, settings, absTolerance(state));
  const ids = specs.map(resultIdOf);
  const nextRows: Record<string, RowState> = {};
  const changed: StrategySpec[] = [];
  specs.forEach((spec, i) => {
    const id = ids[i]!;
    const key = specKeyOf(spec);
    const old = rows[id];
    if (old && old.specKey === key && old.status !== 'failed') nextRows[id] = old;
    else {
      nextRows[id] = { id, spec, specKey: key, status: 'queued', progress: 0 };
      changed.push(spec);
    }
  });
  // Rows that left the sweep (layout toggled off) stop working.
  for (const [id, ctrl] of rowAborts) if (!nextRows[id]) ctrl.abort();
  setState({ rows: nextRows, rowOrder: ids, sweepStatus: 'running' });
  // Cheap jobs first, so the chart fills in quickly; the slow entropy coders run last.
  const byCost = [...changed].sort((a, b) => jobCostRank(a) - jobCostRank(b));
  for (const spec of byCost) startRow(spec, input.inputId);
  updateSweepStatus();
  requestFloor(input.inputId, specs);
}

let floorAbort: AbortController | null = null;
const floorCache = new Map<string, State['floor']>();

/** The entropy floor at the ε the quantized rows run with (one cheap pass in a worker), for the chart. */
function requestFloor(inputId: number, specs: readonly StrategySpec[]): void {
  const quantized = specs.filter((s) => s.strategyId === 'hdf5-quantized');
  const eps = quantized[0]?.params.eps;
  const layouts = [...new Set(quantized.map((s) => s.layout))].filter((l) => !layoutOf(l).reorderOf);
  floorAbort?.abort();
  if (typeof eps !== 'number' || layouts.length === 0) {
    if (getState().floor !== null) setState({ floor: null });
    return;
  }
  const key = `${inputId}|${eps}|${layouts.join(',')}`;
  if (floorCache.has(key)) return setState({ floor: floorCache.get(key) ?? null });
  const ctrl = new AbortController();
  floorAbort = ctrl;
  getPool()
    .call('floor', { layouts, eps }, { signal: ctrl.signal })
    .then(
      (r) => {
        const floor = r ? { tau: eps, bytes: r.bytes, layout: r.layout } : null;
        floorCache.set(key, floor);
        if (!ctrl.signal.aborted && getState().input?.inputId === inputId) setState({ floor });
      },
      () => {
        // The floor is a guide line on the chart; without it the results still stand.
      },
    );
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

/** Mirrors the settings into the URL hash, so the address can be shared (replaces, no history entry). */
function writeSettingsHash(): void {
  if (typeof window === 'undefined') return;
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
  const blob = cachedFile(row.specKey);
  if (blob) return saveBlob(blob, row.result.fileName);
  // Big files were not kept: the worker writes the same bytes again (deterministic) for this download.
  const fileName = row.result.fileName;
  setState({ preparingDownload: fileName });
  getPool()
    .run(row.spec, { wantFile: true })
    .then(
      ({ file }) => {
        if (file) saveBlob(new Blob([file as Uint8Array<ArrayBuffer>]), fileName);
      },
      (e: unknown) => {
        if (!isAbortError(e)) setState({ errorMessage: `Could not prepare ${fileName}: ${String(e)}` });
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

export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Whether the recommendation may pick files that need hdf5plugin (part of the shareable settings). */
export function setAllowPlugins(allowPlugins: boolean): void {
  setState({ allowPlugins });
  writeSettingsHash();
}
