import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useStore } from '../store/store';
import type { InputInfo, RowState } from '../store/store';
import { downloadRow, saveBlob, selectRow, setAllowPlugins } from '../store/actions';
import { absTolerance, doneResults, recommendedResult } from '../store/selectors';
import { resultsJson } from '../store/results-json';
import { LAYOUT_SHORT } from '../strategies/sweep';
import { strategyOf } from '../strategies/registry';
import type { StrategyResult } from '../workers/job';
import { formatError, formatMB, formatPercent } from './format';
import { shortNumber } from './SweepControls';
import { RecipeButton } from './RecipeButton';

const READERS: Record<StrategyResult['readableBy'], string> = {
  numpy: 'opens with numpy',
  h5py: 'opens with plain h5py',
  'h5py+hdf5plugin': 'needs hdf5plugin',
  zarr: 'opens with zarr / xarray',
};

/** "HDF5 quantized · used pairs (pair-major)": what a result is, in one line. */
function nameOf(r: Pick<StrategyResult, 'label' | 'layout'>): string {
  return `${r.label} · ${LAYOUT_SHORT[r.layout]}`;
}

/**
 * The recommended file (the smallest whose measured max error is within τ) and the one button that
 * downloads exactly it; then, apart from it, the actions of the selected row.
 */
export function Recommendation() {
  const { tau, input, sweepStatus, preparing, fullRun, allowPlugins } = useStore(
    useShallow((s) => ({
      tau: absTolerance(s),
      input: s.input,
      sweepStatus: s.sweepStatus,
      preparing: s.preparingDownload,
      fullRun: s.fullRun,
      allowPlugins: s.allowPlugins,
    })),
  );
  // Finished results only: progress ticks of running rows don't re-render this card.
  const results = useStore(useShallow((s) => doneResults(s.rows, s.rowOrder)));
  if (!input) return null;
  const recommended = recommendedResult(results, tau, allowPlugins);
  const withPlugins = !allowPlugins && !recommended ? recommendedResult(results, tau, true) : null;
  // For a sampled big file, the full-file run's file replaces the sample's once it exists.
  const full = fullRun?.status === 'done' && fullRun.rowId === recommended?.id ? fullRun.result : undefined;
  const sampleScale = input.sample ? input.sample.totalRows / input.sample.rows : 1;
  const who = allowPlugins
    ? 'any file, including those that need hdf5plugin or zarr'
    : 'files plain h5py or numpy open';

  return (
    <>
      <section
        className="card recommendation"
        aria-labelledby="recommendation-title"
        data-testid="recommendation"
        data-strategy-id={recommended?.id ?? ''}
      >
        <div className="rec-main">
          <h2 id="recommendation-title" className="eyebrow">
            Recommended file
            <span className="muted">
              {' '}
              · {tau > 0 ? `the smallest with max error ≤ ${shortNumber(tau)}` : 'the smallest lossless file'}
              , among {who}
            </span>
          </h2>
          {recommended ? (
            <div className="rec-pick">
              <button
                type="button"
                className="link-button rec-name"
                title="Show this row in the table"
                onClick={() => selectRow(recommended.id)}
              >
                {nameOf(recommended)}
              </button>
              <span className="muted rec-params">{recommended.paramsLabel}</span>
              <div className="rec-figures">
                <span className="big">
                  {input.sample && !full ? '≈ ' : ''}
                  {formatMB(full ? full.bytes : recommended.bytes * sampleScale)}
                </span>
                <span className="muted">
                  {formatPercent(recommended.bytes, input.bytes)} of the original · max error{' '}
                  {formatError(full ? full.maxAbsError : recommended.maxAbsError)}
                  {input.sample && !full ? ' (measured on the sample)' : ''} ·{' '}
                  {READERS[recommended.readableBy]}
                </span>
              </div>
            </div>
          ) : (
            <p className="muted rec-none">
              {sweepStatus === 'running'
                ? 'Measuring…'
                : `No file meets τ = ${shortNumber(tau)}${withPlugins ? ' yet among plain h5py/numpy files: one that needs hdf5plugin or zarr does (tick the box below).' : '.'}`}
            </p>
          )}
        </div>
        <div className="rec-download">
          <button
            type="button"
            className="primary"
            data-testid="download-button"
            disabled={!recommended}
            title={
              recommended ? `The recommended file: ${full ? full.fileName : recommended.fileName}` : undefined
            }
            onClick={() => recommended && downloadRow(recommended.id)}
          >
            <span aria-hidden="true">⤓ </span>
            Download{' '}
            {recommended
              ? full
                ? full.fileName
                : `${input.sample ? 'sample ' : ''}${recommended.fileName}`
              : 'the recommended file'}
          </button>
          {preparing && recommended && preparing === recommended.fileName && (
            <span className="muted small" role="status">
              Writing {preparing} again for the download…
            </span>
          )}
        </div>
        <div className="rec-footer">
          <label className="plugins-toggle">
            <input
              type="checkbox"
              data-testid="allow-plugins"
              checked={allowPlugins}
              onChange={(e) => setAllowPlugins(e.target.checked)}
            />
            include files that need hdf5plugin or zarr
          </label>
          <button
            type="button"
            className="small-button"
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
            Export all results (JSON)
          </button>
        </div>
      </section>
      <SelectionBar input={input} recommendedId={recommended?.id ?? null} />
    </>
  );
}

/**
 * The selected row's own actions, in a bar pinned to the bottom of the window (rows are picked in
 * the table and chart further down). It names the row it acts on.
 */
function SelectionBar({ input, recommendedId }: { input: InputInfo; recommendedId: string | null }) {
  const { row, preparing } = useStore(
    useShallow((s) => ({
      row: s.selectedId ? (s.rows[s.selectedId] as RowState | undefined) : undefined,
      preparing: s.preparingDownload,
    })),
  );
  const [copied, setCopied] = useState<string | null>(null);
  if (!row) return null;
  const r = row.status === 'done' ? row.result : undefined;
  const def = strategyOf(row.spec.strategyId);
  const name = nameOf({ label: def.label, layout: row.spec.layout });
  const params = r?.paramsLabel ?? def.describeParams({ ...def.defaults, ...row.spec.params });
  return (
    <section
      className="selection-bar"
      aria-label={`Selected row: ${name}`}
      data-testid="selection-bar"
      data-strategy-id={row.id}
    >
      <div className="selection-what">
        <span className="eyebrow">
          Selected row{row.id === recommendedId ? ' · the recommended file' : ''}
        </span>
        <span className="selection-name">
          <strong>{name}</strong> <span className="muted">{params}</span>
        </span>
        <span className="muted small">
          {r
            ? `${formatMB(r.bytes)} · ${formatPercent(r.bytes, input.bytes)} · max error ${formatError(r.maxAbsError)} · ${READERS[r.readableBy]}`
            : row.status === 'failed' || row.status === 'skipped'
              ? `${row.status}: ${row.reason ?? ''}`
              : 'still measuring…'}
        </span>
      </div>
      <div className="selection-actions" role="group" aria-label={`Actions for ${name}`}>
        <button
          type="button"
          data-testid="selected-download"
          disabled={!r}
          title={r ? r.fileName : undefined}
          onClick={() => downloadRow(row.id)}
        >
          Download this row’s file
        </button>
        <button
          type="button"
          data-testid="selected-copy-snippet"
          disabled={!r}
          title="The numpy + h5py lines that restore the original array from this row’s file"
          onClick={() => {
            if (!r) return;
            void navigator.clipboard?.writeText(r.restorePython).then(() => {
              setCopied(row.id);
              setTimeout(() => setCopied(null), 1500);
            });
          }}
        >
          {copied === row.id ? 'Copied ✓' : 'Copy its Python snippet'}
        </button>
        <RecipeButton result={r ?? null} inputName={input.name} />
        <button
          type="button"
          className="ghost"
          aria-label="Clear the selection"
          title="Clear the selection"
          onClick={() => selectRow(null)}
        >
          ×
        </button>
      </div>
      {r && preparing === r.fileName && (
        <span className="muted small" role="status">
          Writing {preparing} again for the download…
        </span>
      )}
    </section>
  );
}
