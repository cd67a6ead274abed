import { startTransition, useEffect, useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useStore } from '../store/store';
import { requestQuality, requestQualityMatrix } from '../store/actions';
import { absTolerance, doneResults, recommendedResult } from '../store/selectors';
import { isAbortError } from '../workers/rpc';
import type { IndexedError, QualitySummary } from '../core/quality';
import type { MatrixView } from '../workers/quality-job';
import { QualityHistogram } from './QualityHistogram';
import { MatrixHeatmap } from './MatrixHeatmap';
import { formatError } from './format';
import { LAYOUT_SHORT } from '../strategies/sweep';
import './quality.css';

/** Typed arrays stay here (component state), never in the store. */
interface Report {
  key: string;
  summary: QualitySummary;
  view: MatrixView | null;
}

function WorstTable({
  title,
  unit,
  items,
  onPick,
  testId,
}: {
  title: string;
  unit: string;
  items: IndexedError[];
  onPick?: (index: number) => void;
  testId: string;
}) {
  return (
    <table className="worst" data-testid={testId}>
      <caption>{title}</caption>
      <thead>
        <tr>
          <th>{unit}</th>
          <th className="num">max |error|</th>
        </tr>
      </thead>
      <tbody>
        {items.map((it) => (
          <tr key={it.index}>
            <td>
              {onPick ? (
                <button type="button" className="link-button" onClick={() => onPick(it.index)}>
                  {it.index}
                </button>
              ) : (
                it.index
              )}
            </td>
            <td className="num">{formatError(it.maxError)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Feature lists with the entries that moved (or entered/left) in bold. */
function FeatureList({ list, other }: { list: number[]; other: number[] }) {
  return (
    <>
      {list.map((f, i) => (
        <span key={f}>
          {i > 0 && ', '}
          {other[i] === f ? f : <strong className="moved">{f}</strong>}
        </span>
      ))}
    </>
  );
}

/** Honest words for what happened to the top features: same order, same set reordered, or changed. */
function rankingVerdict(r: NonNullable<QualitySummary['ranking']>): {
  text: string;
  tone: 'ok' | 'warn';
} {
  const n = r.topBefore.length;
  if (r.topOrderUnchanged) return { text: `top ${n} unchanged ✓`, tone: 'ok' };
  const swaps = `${r.topSwaps} swap${r.topSwaps === 1 ? '' : 's'}`;
  if (r.topUnchanged) return { text: `same top ${n}, ${swaps}`, tone: 'warn' };
  const parts = [
    `${r.topLeft.length} left (${r.topLeft.join(', ')})`,
    `${r.topEntered.length} entered (${r.topEntered.join(', ')})`,
  ];
  if (r.topSwaps > 0) parts.push(swaps);
  return { text: `top ${n} changed ✗: ${parts.join(', ')}`, tone: 'warn' };
}

function Ranking({ summary }: { summary: QualitySummary }) {
  const r = summary.ranking;
  if (!r) return null;
  const rho = Number.isNaN(r.spearman) ? 'n/a' : r.spearman.toFixed(4);
  const verdict = rankingVerdict(r);
  return (
    <div
      className="ranking"
      data-testid="quality-ranking"
      data-spearman={r.spearman}
      data-top-unchanged={r.topUnchanged}
      data-top-order-unchanged={r.topOrderUnchanged}
      data-top-swaps={r.topSwaps}
    >
      <h4>Feature ranking by mean |value|</h4>
      <p>
        Spearman ρ = <strong data-testid="quality-spearman">{rho}</strong>
      </p>
      <p>
        <span className={verdict.tone} data-testid="quality-top-verdict">
          {verdict.text}
        </span>
      </p>
      <p className="muted small">
        before: <FeatureList list={r.topBefore} other={r.topAfter} />
        <br />
        after: <FeatureList list={r.topAfter} other={r.topBefore} />
      </p>
      {r.topSwaps > 0 && (
        <p className="muted small">
          A swap is a pair of features whose order flipped; moved ones are in bold.
        </p>
      )}
    </div>
  );
}

/** Exact zeros kept and, for square matrices, how far a row sum (a SHAP main effect) drifts. */
function Structure({ summary, maxAbsError }: { summary: QualitySummary; maxAbsError: number }) {
  const z = summary.zeros;
  const a = summary.additivity;
  const share = z.original > 0 ? (100 * z.kept) / z.original : 0;
  return (
    <div className="structure">
      <h4>Structure kept</h4>
      <dl>
        <dt>exact zeros kept</dt>
        <dd data-testid="quality-zeros" data-kept={z.kept} data-original={z.original}>
          {z.original === 0 ? (
            <span className="muted">the original has no exact zeros</span>
          ) : (
            <>
              <strong>{z.kept.toLocaleString()}</strong> of {z.original.toLocaleString()}{' '}
              <span className={z.kept === z.original ? 'ok' : 'warn'}>
                ({share === 100 ? 'all' : `${share < 99.95 ? share.toFixed(1) : '>99.9'}%`})
              </span>
            </>
          )}
        </dd>
        {a && (
          <>
            <dt>
              additivity error <span className="muted">(row-sum drift)</span>
            </dt>
            <dd
              data-testid="quality-additivity"
              data-max-error={a.maxError}
              data-matrix={a.matrix}
              data-row={a.row}
            >
              <strong>{formatError(a.maxError)}</strong>
              {a.maxError > 0 && (
                <span className="muted">
                  {' '}
                  at matrix {a.matrix}, row {a.row}
                </span>
              )}
              <div className="muted small">
                max over matrices and rows of |Σⱼ decoded[i,j] − Σⱼ original[i,j]|: how far a SHAP main effect
                moves. Errors can add up to {a.rowLength} × {formatError(maxAbsError)} ={' '}
                {formatError(a.rowLength * maxAbsError)} along a row; less means they cancel.
              </div>
            </dd>
          </>
        )}
      </dl>
    </div>
  );
}

/** Error histogram, worst matrices/features, ranking stability and one matrix as heatmaps. */
export function QualityPanel() {
  const { rows, rowOrder, tolerance, selectedId, inputId, sample, sweeping } = useStore(
    useShallow((s) => ({
      rows: s.rows,
      rowOrder: s.rowOrder,
      tolerance: absTolerance(s),
      selectedId: s.selectedId,
      inputId: s.input?.inputId ?? null,
      sample: s.input?.sample ?? null,
      sweeping: s.sweepStatus === 'running',
    })),
  );
  const results = useMemo(() => doneResults(rows, rowOrder), [rows, rowOrder]);
  const allowPlugins = useStore((s) => s.allowPlugins);
  const recommendedId = recommendedResult(results, tolerance, allowPlugins)?.id;
  const chosen = selectedId && rows[selectedId]?.result ? selectedId : recommendedId;
  const row = chosen ? rows[chosen] : undefined;
  const ready = row?.status === 'done' && row.result ? row : undefined;
  // The quality run writes the file again: it waits for the sweep, so it never competes with it
  // (and a recommendation that changes while results arrive doesn't start and cancel runs).
  const key = ready && inputId !== null && !sweeping ? `${inputId}|${ready.specKey}` : null;

  const [report, setReport] = useState<Report | null>(null);
  const [failure, setFailure] = useState<{ key: string; message: string } | null>(null);
  const [picked, setPicked] = useState<{ key: string; view: MatrixView | null; loading: boolean } | null>(
    null,
  );
  const [matrixText, setMatrixText] = useState('');
  const latestPick = useRef(0);

  useEffect(() => {
    if (!key || !ready) return;
    const ctrl = new AbortController();
    requestQuality(ready.spec, null, ctrl.signal).then(
      (r) =>
        // The panel's charts mount in a background render: a click never waits for them.
        startTransition(() => {
          setReport({ key, summary: r.summary, view: r.view });
          setMatrixText(r.view ? String(r.view.index) : '');
        }),
      (e: unknown) => {
        if (ctrl.signal.aborted || isAbortError(e)) return;
        setFailure({ key, message: e instanceof Error ? e.message : String(e) });
      },
    );
    return () => ctrl.abort();
    // The spec is identified by `key`; a new row object for the same spec needs no new run.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  if (!ready) return null;
  const current = report?.key === key ? report : null;
  const error = failure?.key === key ? failure.message : null;
  const view = picked?.key === key ? picked.view : (current?.view ?? null);

  function pick(index: number) {
    if (!key || !ready || !current?.view) return;
    const max = current.summary.matrixCount - 1;
    const i = Math.min(Math.max(0, Math.floor(index)), max);
    setMatrixText(String(i));
    setPicked((p) => ({ key, view: p?.key === key ? p.view : current.view, loading: true }));
    const ticket = ++latestPick.current;
    requestQualityMatrix(ready.spec, i).then(
      (v) => {
        if (ticket === latestPick.current) setPicked({ key, view: v, loading: false });
      },
      () => {
        if (ticket === latestPick.current) setPicked((p) => (p ? { ...p, loading: false } : p));
      },
    );
  }

  const s = current?.summary;
  const square = s?.matrixShape && s.matrixShape[0] === s.matrixShape[1];
  return (
    <section
      className="card quality-panel"
      data-testid="quality-panel"
      data-strategy-id={ready.id}
      data-state={current ? 'done' : error ? 'error' : 'running'}
      aria-label="Quality of the selected result"
    >
      <h3>
        Where the error goes — {ready.result!.label}
        {ready.result!.paramsLabel ? ` · ${ready.result!.paramsLabel}` : ''} ·{' '}
        {LAYOUT_SHORT[ready.spec.layout]}
      </h3>
      {sample && (
        <p className="muted small">
          Computed on the sample ({sample.rows} of {sample.totalRows} rows) the sweep runs on.
        </p>
      )}
      {error && <p className="fail small">Could not measure the quality: {error}</p>}
      {!current && !error && (
        <p className="muted">
          {sweeping
            ? 'Waits for the sweep to finish, then reads this file back and measures every value.'
            : 'Reading the file back and measuring every value…'}
        </p>
      )}
      {s && (
        <>
          <div className="quality-grid">
            <div className="quality-hist">
              <h4>|error| of each value</h4>
              <QualityHistogram histogram={s.histogram} total={s.count} />
              <p className="muted small">
                {s.histogram.zero.toLocaleString()} of {s.count.toLocaleString()} values exact
                {s.histogram.nonFinite > 0 && (
                  <> · {s.histogram.nonFinite.toLocaleString()} NaN/Inf not kept</>
                )}
              </p>
              <Structure summary={s} maxAbsError={ready.result!.maxAbsError} />
            </div>
            {s.matrixCount > 1 && (
              <WorstTable
                title="Worst matrices"
                unit="matrix"
                items={s.worstMatrices}
                onPick={current.view ? pick : undefined}
                testId="quality-worst-matrices"
              />
            )}
            {s.matrixShape &&
              (square ? (
                <WorstTable
                  title="Worst features"
                  unit="feature (row/col)"
                  items={s.worstFeatures}
                  testId="quality-worst-features"
                />
              ) : (
                <>
                  <WorstTable
                    title="Worst rows"
                    unit="row"
                    items={s.worstRows}
                    testId="quality-worst-features"
                  />
                  <WorstTable
                    title="Worst columns"
                    unit="column"
                    items={s.worstColumns}
                    testId="quality-worst-columns"
                  />
                </>
              ))}
            <Ranking summary={s} />
          </div>
          {view ? (
            <div className="matrix-view">
              <div className="matrix-picker">
                <label htmlFor="quality-matrix">
                  matrix <span className="muted">(0 … {s.matrixCount - 1})</span>
                </label>
                <input
                  id="quality-matrix"
                  data-testid="quality-matrix-input"
                  type="number"
                  min={0}
                  max={s.matrixCount - 1}
                  step={1}
                  value={matrixText}
                  onChange={(e) => {
                    setMatrixText(e.target.value);
                    const v = Number(e.target.value);
                    if (e.target.value.trim() !== '' && Number.isInteger(v)) pick(v);
                  }}
                />
                {picked?.key === key && picked.loading && <span className="muted small">loading…</span>}
                {view.index === s.worstMatrices[0]?.index && <span className="badge">worst</span>}
              </div>
              <MatrixHeatmap view={view} />
            </div>
          ) : (
            s.matrixShape && <p className="muted small">The matrices are too large to draw here.</p>
          )}
        </>
      )}
    </section>
  );
}
