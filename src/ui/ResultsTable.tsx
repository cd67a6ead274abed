import { memo, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useStore } from '../store/store';
import type { RowState } from '../store/store';
import { downloadRow, selectRow } from '../store/actions';
import { absTolerance, doneResults, paretoIds, recommendedResult } from '../store/selectors';
import { strategyOf } from '../strategies/registry';
import { LAYOUT_SHORT } from '../strategies/sweep';
import { formatError, formatMB, formatMs, formatPercent } from './format';
import { KIND_COLORS } from './colors';

type SortKey = 'order' | 'bytes' | 'maxAbsError' | 'maxRelError' | 'rmse' | 'encodeMs';

const COLUMNS: { key: SortKey; label: string }[] = [
  { key: 'bytes', label: 'file size' },
  { key: 'maxAbsError', label: 'max abs error' },
  { key: 'maxRelError', label: 'max rel error' },
  { key: 'rmse', label: 'RMSE' },
  { key: 'encodeMs', label: 'encode / verify' },
];

function sortValue(row: RowState, key: SortKey, index: number): number {
  if (key === 'order' || !row.result) return key === 'order' ? index : Infinity;
  return row.result[key];
}

export function ResultsTable() {
  const { rows, rowOrder, selectedId, tolerance, inputBytes } = useStore(
    useShallow((s) => ({
      rows: s.rows,
      rowOrder: s.rowOrder,
      selectedId: s.selectedId,
      tolerance: absTolerance(s),
      inputBytes: s.input?.bytes ?? 0,
    })),
  );
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: 'order', dir: 1 });
  const results = useMemo(() => doneResults(rows, rowOrder), [rows, rowOrder]);
  const front = useMemo(() => paretoIds(results), [results]);
  const allowPlugins = useStore((s) => s.allowPlugins);
  const recommendedId = recommendedResult(results, tolerance, allowPlugins)?.id;
  const ordered = useMemo(() => {
    const list = rowOrder.map((id, i) => ({ row: rows[id]!, i })).filter((x) => x.row);
    list.sort(
      (a, b) => sort.dir * (sortValue(a.row, sort.key, a.i) - sortValue(b.row, sort.key, b.i)) || a.i - b.i,
    );
    return list.map((x) => x.row);
  }, [rows, rowOrder, sort]);

  const header = (key: SortKey, label: string) => (
    <th
      key={key}
      aria-sort={sort.key === key ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'}
      className="num"
    >
      <button
        type="button"
        className="sort"
        onClick={() => setSort((s) => ({ key, dir: s.key === key ? (-s.dir as 1 | -1) : 1 }))}
      >
        {label}
        {sort.key === key ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}
      </button>
    </th>
  );

  return (
    <section className="card table-card" aria-label="Results">
      <table className="results">
        <thead>
          <tr>
            <th>
              <button type="button" className="sort" onClick={() => setSort({ key: 'order', dir: 1 })}>
                strategy
              </button>
            </th>
            <th>layout</th>
            {COLUMNS.map((c) => header(c.key, c.label))}
            <th>readable by</th>
            <th>
              <span className="visually-hidden">download</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {ordered.map((row) => (
            <ResultRow
              key={row.id}
              row={row}
              selected={row.id === selectedId}
              recommended={row.id === recommendedId}
              onFront={front.has(row.id)}
              inputBytes={inputBytes}
            />
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** One row; memoised so a progress tick re-renders only the row that moved. */
const ResultRow = memo(function ResultRow({
  row,
  selected,
  recommended,
  onFront,
  inputBytes,
}: {
  row: RowState;
  selected: boolean;
  recommended: boolean;
  onFront: boolean;
  inputBytes: number;
}) {
  const def = strategyOf(row.spec.strategyId);
  const r = row.result;
  const classes = [
    'result-row',
    row.status,
    selected ? 'selected' : '',
    recommended ? 'recommended' : '',
  ].join(' ');
  return (
    <tr
      key={row.id}
      className={classes}
      data-testid="result-row"
      data-strategy-id={row.id}
      data-status={row.status}
      data-bytes={r?.bytes}
      data-max-abs-error={r?.maxAbsError}
      aria-selected={selected}
      onClick={() => selectRow(row.id)}
      // Rows are keyboard-selectable too: Tab to a row, Enter or Space picks it.
      tabIndex={0}
      onKeyDown={(e) => {
        if (e.target !== e.currentTarget || (e.key !== 'Enter' && e.key !== ' ')) return;
        e.preventDefault();
        selectRow(row.id);
      }}
    >
      <td>
        <span className="swatch" style={{ background: KIND_COLORS[def.kind] }} aria-hidden="true" />
        <span className="label" title={def.description}>
          {def.label}
        </span>
        {onFront && (
          <span
            className="badge pareto"
            title="On the Pareto front: nothing is both smaller and more accurate"
          >
            Pareto
          </span>
        )}
        {recommended && <span className="badge rec">recommended</span>}
        <div className="muted small">{def.describeParams({ ...def.defaults, ...row.spec.params })}</div>
        {r && r.warnings.length > 0 && <div className="warn small">{r.warnings.join('; ')}</div>}
        {row.reason && (
          <div className={row.status === 'failed' ? 'fail small' : 'muted small'}>
            {row.status === 'failed' ? 'failed: ' : 'skipped: '}
            {row.reason}
          </div>
        )}
      </td>
      <td>{LAYOUT_SHORT[row.spec.layout]}</td>
      {r ? (
        <>
          <td className="num">
            {formatMB(r.bytes)} <span className="muted">{formatPercent(r.bytes, inputBytes)}</span>
          </td>
          <td className="num" title={`promised ≤ ${formatError(r.errorBound)}`}>
            {formatError(r.maxAbsError)}
            {r.nanMismatch > 0 && <div className="fail small">{r.nanMismatch} NaN changed</div>}
          </td>
          <td className="num">{formatError(r.maxRelError)}</td>
          <td className="num">{formatError(r.rmse)}</td>
          <td className="num">
            {formatMs(r.encodeMs)} / {formatMs(r.verifyMs)}
          </td>
          <td>
            <span className={`badge reader ${r.readableBy.replace('+', '-')}`}>{r.readableBy}</span>
          </td>
          <td>
            <button
              type="button"
              data-testid="row-download"
              aria-label={`Download ${r.fileName}`}
              onClick={(e) => {
                e.stopPropagation();
                downloadRow(row.id);
              }}
            >
              ⤓
            </button>
          </td>
        </>
      ) : (
        <td colSpan={7}>
          {row.status === 'queued' || row.status === 'running' ? (
            <progress max={1} value={row.progress} aria-label={`${def.label} progress`} />
          ) : null}
        </td>
      )}
    </tr>
  );
});
