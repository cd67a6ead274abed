import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useStore } from '../store/store';
import { cancelFull, downloadRow, runFull } from '../store/actions';
import { absTolerance, doneResults, recommendedResult } from '../store/selectors';
import { formatError, formatMB, formatMs } from './format';

/**
 * Fixed cost of a streamed run besides twice the output: slabs, the wasm heap, the worker's code.
 * From the big-file journeys' browser PSS: +1143 MB for a 341 MB output (2.5 GB input) and +273–522 MB
 * for a 43 MB output, i.e. about 2 × output + 0.2–0.5 GB; the upper end is used.
 */
const STREAM_OVERHEAD_BYTES = 500e6;

/** What the browser says it can give this tab, when it says anything (Chromium does). */
function memoryLimitBytes(): number | null {
  const perf = performance as Performance & { memory?: { jsHeapSizeLimit: number } };
  if (perf.memory?.jsHeapSizeLimit) return perf.memory.jsHeapSizeLimit;
  const device = (navigator as Navigator & { deviceMemory?: number }).deviceMemory;
  return device ? (device * 2 ** 30) / 2 : null;
}

/**
 * For big files swept on a sample: a pre-flight estimate, then the chosen strategy on the whole
 * file, streamed in a worker, with progress, ETA and cancel; the measured size and error replace
 * the sample's estimate.
 */
export function FullRunPanel() {
  const { input, rows, rowOrder, selectedId, tolerance, fullRun } = useStore(
    useShallow((s) => ({
      input: s.input,
      rows: s.rows,
      rowOrder: s.rowOrder,
      selectedId: s.selectedId,
      tolerance: absTolerance(s),
      fullRun: s.fullRun,
    })),
  );
  const allowPlugins = useStore((s) => s.allowPlugins);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (fullRun?.status !== 'running') return;
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [fullRun?.status]);
  if (!input?.sample) return null;
  const sample = input.sample;
  const results = doneResults(rows, rowOrder);
  const chosen =
    (selectedId && rows[selectedId]?.result) || recommendedResult(results, tolerance, allowPlugins);
  const scale = sample.totalRows / sample.rows;
  const estBytes = chosen ? chosen.bytes * scale : 0;
  const estMs = chosen ? (chosen.encodeMs + chosen.verifyMs) * scale : 0;
  const needBytes = estBytes * 2 + STREAM_OVERHEAD_BYTES;
  const limit = memoryLimitBytes();
  const tooBig = limit !== null && needBytes > limit;
  const streamable = chosen && chosen.readableBy !== 'numpy' && chosen.readableBy !== 'zarr';
  const running = fullRun?.status === 'running';
  const elapsed = fullRun ? now - fullRun.startedAt : 0;
  const eta =
    running && fullRun.progress > 0.02 ? (elapsed * (1 - fullRun.progress)) / fullRun.progress : null;

  return (
    <section className="card full-run" aria-label="Run on the full file" data-testid="full-run-panel">
      <p className="note">
        This file is big: the table shows a <strong>sample</strong> of {sample.rows.toLocaleString()} of{' '}
        {sample.totalRows.toLocaleString()} matrices (evenly spaced). Sizes and errors there are estimates for
        the full file; run your pick on the whole file to measure them.
      </p>
      {chosen && (
        <div className="full-run-row">
          <span>
            <strong>{chosen.label}</strong> {chosen.paramsLabel} · {chosen.layout}
          </span>
          <span className="muted">
            estimate: ≈ {formatMB(estBytes)}, ≈ {formatMs(estMs)}, needs ≈ {formatMB(needBytes)} of memory
            {limit !== null ? ` (this tab may use ${formatMB(limit)})` : ''}
          </span>
          {!running && (
            <button
              type="button"
              className="primary"
              data-testid="run-full-button"
              disabled={!streamable || tooBig}
              onClick={() => void runFull(chosen.id)}
            >
              Run on the full file
            </button>
          )}
        </div>
      )}
      {chosen && !streamable && (
        <p className="muted">
          {chosen.readableBy === 'zarr'
            ? 'Zarr stores are built in memory here; for the full file use the Dask recipe.'
            : 'The .npy strategies store the file you already have.'}
        </p>
      )}
      {tooBig && (
        <p className="fail" role="alert">
          Not started: this run would need about {formatMB(needBytes)}, more than the {formatMB(limit!)} this
          browser gives the tab. Pick a smaller result (higher tolerance, triangle layout) or use the Python
          recipe.
        </p>
      )}
      {fullRun && (
        <div className="full-run-status" data-testid="full-run-status" data-state={fullRun.status}>
          {running && (
            <>
              <progress max={1} value={fullRun.progress} aria-label="Full-file run progress" />
              <span>
                {Math.round(fullRun.progress * 100)}% · {formatMs(elapsed)} elapsed
                {eta !== null ? ` · about ${formatMs(eta)} left` : ''}
              </span>
              <button type="button" onClick={cancelFull}>
                Cancel
              </button>
            </>
          )}
          {fullRun.status === 'done' && fullRun.result && (
            <>
              <span
                data-testid="full-result"
                data-bytes={fullRun.result.bytes}
                data-max-abs-error={fullRun.result.maxAbsError}
              >
                Full file measured: <strong>{formatMB(fullRun.result.bytes)}</strong>, max error{' '}
                <strong>{formatError(fullRun.result.maxAbsError)}</strong> in{' '}
                {formatMs(fullRun.result.encodeMs + fullRun.result.verifyMs)}
              </span>
              <button type="button" className="primary" onClick={() => downloadRow(fullRun.rowId)}>
                Download {fullRun.result.fileName}
              </button>
            </>
          )}
          {fullRun.status === 'failed' && (
            <span className="fail">The full-file run failed: {fullRun.reason}</span>
          )}
        </div>
      )}
    </section>
  );
}
