import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useStore } from '../store/store';
import { downloadRow, saveBlob, selectRow, setAllowPlugins, setTolerance } from '../store/actions';
import { doneResults, recommendedResult } from '../store/selectors';
import { resultsJson } from '../store/results-json';
import { formatError, formatMB, formatPercent } from './format';
import { RecipeButton } from './RecipeButton';

export function Recommendation() {
  const { tolerance, selectedId, input, sweepStatus, preparing, fullRun } = useStore(
    useShallow((s) => ({
      tolerance: s.tolerance,
      selectedId: s.selectedId,
      input: s.input,
      sweepStatus: s.sweepStatus,
      preparing: s.preparingDownload,
      fullRun: s.fullRun,
    })),
  );
  const [tolText, setTolText] = useState(String(tolerance));
  // The tolerance can change from outside (a shared link's hash, an imported settings file).
  const [seenTolerance, setSeenTolerance] = useState(tolerance);
  if (seenTolerance !== tolerance) {
    setSeenTolerance(tolerance);
    if (Number(tolText) !== tolerance) setTolText(String(tolerance));
  }
  const [copied, setCopied] = useState(false);
  // Finished results only: progress ticks of running rows don't re-render this card.
  const results = useStore(useShallow((s) => doneResults(s.rows, s.rowOrder)));
  const allowPlugins = useStore((s) => s.allowPlugins);
  const recommended = recommendedResult(results, tolerance, allowPlugins);
  const selected = results.find((r) => r.id === selectedId) ?? recommended;
  // For a sampled big file, the full-file run's file replaces the sample's once it exists.
  const full = fullRun?.status === 'done' && fullRun.rowId === selected?.id ? fullRun.result : undefined;
  const sampleScale = input?.sample ? input.sample.totalRows / input.sample.rows : 1;
  if (!input) return null;

  return (
    <section className="card recommendation" aria-label="Recommendation and download">
      <div className="tolerance">
        <label htmlFor="tolerance-input">Smallest file with max error ≤</label>
        <input
          id="tolerance-input"
          data-testid="tolerance-input"
          type="text"
          inputMode="decimal"
          value={tolText}
          onChange={(e) => {
            setTolText(e.target.value);
            const v = Number(e.target.value);
            if (Number.isFinite(v) && v >= 0) setTolerance(v);
          }}
        />
      </div>
      <label className="plugins-toggle">
        <input
          type="checkbox"
          data-testid="allow-plugins"
          checked={allowPlugins}
          onChange={(e) => setAllowPlugins(e.target.checked)}
        />
        include files that need hdf5plugin
      </label>
      <div className="pick" data-testid="recommendation" data-strategy-id={recommended?.id ?? ''}>
        {recommended ? (
          <>
            <button type="button" className="link-button" onClick={() => selectRow(recommended.id)}>
              {recommended.label} · {recommended.paramsLabel || recommended.layout}
            </button>
            <span className="big">
              {input.sample ? '≈ ' : ''}
              {formatMB(recommended.bytes * sampleScale)}
            </span>
            <span className="muted">
              {formatPercent(recommended.bytes, input.bytes)} of the original · max error{' '}
              {formatError(recommended.maxAbsError)}
              {input.sample ? ' (measured on the sample)' : ''}
            </span>
          </>
        ) : (
          <span className="muted">
            {sweepStatus === 'running' ? 'Measuring…' : 'No result meets this tolerance yet.'}
          </span>
        )}
      </div>
      <div className="actions">
        <button
          type="button"
          className="primary"
          data-testid="download-button"
          disabled={!selected}
          onClick={() => selected && downloadRow(selected.id)}
        >
          Download{' '}
          {full ? full.fileName : selected ? `${input.sample ? 'sample ' : ''}${selected.fileName}` : 'file'}
        </button>
        <RecipeButton result={selected} inputName={input.name} />
        <button
          type="button"
          disabled={!selected}
          onClick={() => {
            if (!selected) return;
            void navigator.clipboard?.writeText(selected.restorePython).then(() => {
              setCopied(true);
              setTimeout(() => setCopied(false), 1500);
            });
          }}
        >
          {copied ? 'Copied ✓' : 'Copy Python snippet'}
        </button>
        <button
          type="button"
          data-testid="export-json"
          disabled={results.length === 0}
          onClick={() => {
            const json = JSON.stringify(resultsJson(input, results), null, 2);
            saveBlob(
              new Blob([json], { type: 'application/json' }),
              `${input.name.replace(/\.npy$/i, '')}-results.json`,
            );
          }}
        >
          Export results JSON
        </button>
        {preparing && (
          <span className="muted" role="status">
            Writing {preparing} again for the download…
          </span>
        )}
      </div>
    </section>
  );
}
