import { memo, useMemo, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useStore } from '../store/store';
import type { RowState } from '../store/store';
import { downloadRow, selectRow } from '../store/actions';
import { absTolerance, doneResults, paretoIds, recommendedResult } from '../store/selectors';
import { strategyOf } from '../strategies/registry';
import { LAYOUT_IDS } from '../layouts/registry';
import { LAYOUT_SHORT } from '../strategies/sweep';
import type { ReadableBy } from '../strategies/types';
import { formatError, formatMB, formatMs, formatPercent } from './format';
import { KIND_COLORS } from './colors';
import { clearHovered, setHovered, useHover } from './hover';

type SortKey = 'order' | 'layout' | 'bytes' | 'maxAbsError' | 'relError' | 'rmse' | 'encodeMs' | 'readableBy';

interface Column {
  key: SortKey;
  label: string;
  /** What the column means, shown on hover and keyboard focus of its header. */
  help: string;
  num?: boolean;
}

const COLUMNS: Column[] = [
  {
    key: 'order',
    label: 'strategy',
    help: 'How the file is written. “Pareto”: no other result is both smaller and more accurate.',
  },
  {
    key: 'layout',
    label: 'layout',
    help: 'Which values are stored: the full array, the upper triangle of each symmetric matrix, or only the pairs used anywhere.',
  },
  {
    key: 'bytes',
    label: 'file size',
    help: 'Bytes of the real file written here, and its share of the original array’s size.',
    num: true,
  },
  {
    key: 'maxAbsError',
    label: 'max abs error',
    help: 'Largest |decoded − original| over every value, measured by reading the file back.',
    num: true,
  },
  {
    key: 'relError',
    label: 'error ÷ max|x|',
    help: 'The max abs error divided by the largest |value| of the input: the error relative to the array’s scale.',
    num: true,
  },
  {
    key: 'rmse',
    label: 'RMSE',
    help: 'Root mean square of decoded − original over every value: the typical error, not the worst.',
    num: true,
  },
  {
    key: 'encodeMs',
    label: 'encode / verify',
    help: 'Time to write the file / to read it back and compare every value, in this browser.',
    num: true,
  },
  {
    key: 'readableBy',
    label: 'readable by',
    help: 'What opens the file: numpy alone, h5py, or h5py with the hdf5plugin package.',
  },
];

const READER_RANK: Partial<Record<ReadableBy, number>> = { numpy: 0, h5py: 1, 'h5py+hdf5plugin': 2 };

function sortValue(row: RowState, key: SortKey, index: number): number {
  if (key === 'order') return index;
  if (key === 'layout') return LAYOUT_IDS.indexOf(row.spec.layout) * 1e6 + index;
  const r = row.result;
  if (!r) return Infinity;
  switch (key) {
    case 'readableBy':
      return READER_RANK[r.readableBy] ?? 3;
    case 'relError':
      return r.maxAbsError;
    default:
      return r[key];
  }
}

/**
 * Arrow keys, Page Up/Down, Home and End move the focus between rows (in the order shown, so straight
 * through the DOM); Enter or Space on a row selects it. The focused row becomes the tab stop.
 */
function onRowKey(e: KeyboardEvent<HTMLTableRowElement>, id: string) {
  const tr = e.currentTarget;
  const onRow = e.target === tr;
  const step = (from: Element, n: number) => {
    let at = from;
    for (let i = 0; i < Math.abs(n); i++) {
      const next = n > 0 ? at.nextElementSibling : at.previousElementSibling;
      if (!next) break;
      at = next;
    }
    return at;
  };
  let target: Element | null;
  switch (e.key) {
    case 'ArrowDown':
      target = step(tr, 1);
      break;
    case 'ArrowUp':
      target = step(tr, -1);
      break;
    case 'PageDown':
      target = step(tr, 10);
      break;
    case 'PageUp':
      target = step(tr, -10);
      break;
    case 'Home':
      target = onRow ? (tr.parentElement?.firstElementChild ?? null) : null;
      break;
    case 'End':
      target = onRow ? (tr.parentElement?.lastElementChild ?? null) : null;
      break;
    case 'Enter':
    case ' ':
      if (!onRow) return;
      e.preventDefault();
      selectRow(id);
      return;
    default:
      return;
  }
  if (!(target instanceof HTMLElement)) return;
  e.preventDefault();
  target.focus();
}

/** The max abs error relative to the input's largest |value| ('–' when that is 0 or unknown). */
function formatRelError(maxAbsError: number, maxAbs: number): string {
  if (!(maxAbs > 0) || !Number.isFinite(maxAbs)) return '–';
  if (maxAbsError === 0) return '0';
  return formatError(maxAbsError / maxAbs);
}

export function ResultsTable() {
  const { rows, rowOrder, selectedId, tolerance, inputBytes, maxAbs } = useStore(
    useShallow((s) => ({
      rows: s.rows,
      rowOrder: s.rowOrder,
      selectedId: s.selectedId,
      tolerance: absTolerance(s),
      inputBytes: s.input?.bytes ?? 0,
      maxAbs: s.input?.summary.maxAbs ?? 0,
    })),
  );
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: 'order', dir: 1 });
  const [activeId, setActiveId] = useState<string | null>(null);
  const endRef = useRef<HTMLDivElement>(null);
  const chartHover = useHover((s) => (s.source === 'chart' ? s.id : null));
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
  // One tab stop for the whole body: the active row (the last one focused, else the selected one).
  const tabbableId =
    activeId && rows[activeId]
      ? activeId
      : selectedId && rows[selectedId]
        ? selectedId
        : (ordered[0]?.id ?? null);

  const header = (c: Column) => {
    const active = sort.key === c.key && !(c.key === 'order' && sort.dir === 1);
    return (
      <th
        key={c.key}
        aria-sort={sort.key === c.key ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'}
        className={c.num ? 'num' : undefined}
      >
        <button
          type="button"
          className="sort"
          aria-describedby={`col-help-${c.key}`}
          onClick={() =>
            setSort((s) =>
              c.key === 'order'
                ? { key: 'order', dir: 1 }
                : { key: c.key, dir: s.key === c.key ? (-s.dir as 1 | -1) : 1 },
            )
          }
        >
          {c.label}
          {active ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}
        </button>
        <span role="tooltip" id={`col-help-${c.key}`} className="col-help">
          {c.help}
        </span>
      </th>
    );
  };

  return (
    <section className="card table-card" aria-labelledby="results-title">
      <div className="table-head">
        <h3 id="results-title">Results</h3>
        <a
          href="#results-end"
          className="skip-link"
          data-testid="skip-results"
          onClick={(e) => {
            e.preventDefault();
            endRef.current?.focus();
          }}
        >
          Skip past the results table
        </a>
        <span className="muted small">
          ↑ ↓ move between rows, Enter selects. Hover a header for what it means.
        </span>
      </div>
      <div className="table-scroll">
        <table className="results" aria-labelledby="results-title">
          <thead>
            <tr>
              {COLUMNS.map(header)}
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
                hovered={row.id === chartHover}
                tabbable={row.id === tabbableId}
                inputBytes={inputBytes}
                maxAbs={maxAbs}
                onActivate={setActiveId}
              />
            ))}
          </tbody>
        </table>
      </div>
      <div id="results-end" ref={endRef} tabIndex={-1} className="results-end" data-testid="results-end">
        <span className="visually-hidden">End of the results table</span>
      </div>
    </section>
  );
}

/** One row; memoised so a progress tick re-renders only the row that moved. */
const ResultRow = memo(function ResultRow({
  row,
  selected,
  recommended,
  onFront,
  hovered,
  tabbable,
  inputBytes,
  maxAbs,
  onActivate,
}: {
  row: RowState;
  selected: boolean;
  recommended: boolean;
  onFront: boolean;
  hovered: boolean;
  tabbable: boolean;
  inputBytes: number;
  maxAbs: number;
  onActivate(id: string): void;
}) {
  const def = strategyOf(row.spec.strategyId);
  const r = row.result;
  const classes = [
    'result-row',
    row.status,
    selected ? 'selected' : '',
    recommended ? 'recommended' : '',
    hovered ? 'hovered' : '',
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
      data-hovered={hovered}
      aria-selected={selected}
      onClick={() => {
        onActivate(row.id);
        selectRow(row.id);
      }}
      // Roving tabindex: one row is in the tab order, arrow keys move between rows.
      tabIndex={tabbable ? 0 : -1}
      onFocus={(e) => {
        if (e.target === e.currentTarget) onActivate(row.id);
        setHovered(row.id, 'table');
      }}
      onBlur={() => clearHovered(row.id, 'table')}
      onMouseEnter={() => setHovered(row.id, 'table')}
      onMouseLeave={() => clearHovered(row.id, 'table')}
      onKeyDown={(e) => onRowKey(e, row.id)}
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
          <td className="num" data-testid="rel-error">
            {formatRelError(r.maxAbsError, maxAbs)}
          </td>
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
              // Only the active row's button is in the tab order (Tab from the row reaches it).
              tabIndex={tabbable ? 0 : -1}
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
