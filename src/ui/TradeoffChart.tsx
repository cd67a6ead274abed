import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import {
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ReferenceLine,
  ResponsiveContainer,
  Scatter,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { useStore } from '../store/store';
import { selectRow } from '../store/actions';
import { doneResults, paretoIds } from '../store/selectors';
import { strategyOf } from '../strategies/registry';
import type { Layout, StrategyKind } from '../strategies/types';
import { LAYOUT_SHORT } from '../strategies/sweep';
import { KIND_COLORS, KIND_LABELS } from './colors';
import { formatError, formatMB, formatPercent } from './format';

interface Point {
  id: string;
  mb: number;
  err: number;
  trueErr: number;
  label: string;
  kind: StrategyKind;
  layout: Layout;
  ratio: number;
  bytes: number;
}

function decadeTicks(floor: number, top: number): number[] {
  const ticks: number[] = [];
  const lo = Math.round(Math.log10(floor));
  const hi = Math.round(Math.log10(top));
  const step = Math.max(1, Math.ceil((hi - lo) / 8));
  for (let k = lo; k <= hi; k += step) ticks.push(10 ** k);
  return ticks;
}

const SHAPES: Record<Layout, 'circle' | 'triangle' | 'diamond' | 'square'> = {
  full: 'circle',
  'upper-triangle-rowmajor': 'triangle',
  'used-pairs': 'square',
  'used-pairs-pair-major': 'diamond',
};

function ChartTooltip({
  active,
  payload,
  inputBytes,
}: {
  active?: boolean;
  payload?: { payload: Point }[];
  inputBytes: number;
}) {
  const p = payload?.[0]?.payload;
  if (!active || !p || !p.id) return null;
  return (
    <div className="chart-tooltip">
      <strong>{p.label}</strong> · {LAYOUT_SHORT[p.layout]}
      <div>
        {formatMB(p.bytes)} ({formatPercent(p.bytes, inputBytes)}, {p.ratio.toFixed(2)}× smaller)
      </div>
      <div>max abs error {formatError(p.trueErr)}</div>
    </div>
  );
}

export function TradeoffChart() {
  // Only finished results matter here: progress ticks of running rows don't re-render the chart.
  const results = useStore(useShallow((s) => doneResults(s.rows, s.rowOrder)));
  const selectedId = useStore((s) => s.selectedId);
  const inputBytes = useStore((s) => s.input?.bytes ?? 0);
  const { groups, front, floor, maxMb, top } = useMemo(() => {
    const finite = results.filter((r) => Number.isFinite(r.maxAbsError));
    const positive = finite.map((r) => r.maxAbsError).filter((e) => e > 0);
    // Lossless results (error 0) sit on a floor line a decade below the smallest real error.
    const minPos = positive.length ? Math.min(...positive) : 1e-6;
    const floor = 10 ** Math.floor(Math.log10(minPos) - 1);
    const points: Point[] = finite.map((r) => {
      const def = strategyOf(r.strategyId);
      return {
        id: r.id,
        mb: r.bytes / 1e6,
        err: r.maxAbsError > 0 ? r.maxAbsError : floor,
        trueErr: r.maxAbsError,
        label: `${def.label}${r.paramsLabel ? ` (${r.paramsLabel})` : ''}`,
        kind: def.kind,
        layout: r.layout,
        ratio: r.ratio,
        bytes: r.bytes,
      };
    });
    const ids = paretoIds(results);
    const front = points.filter((p) => ids.has(p.id)).sort((a, b) => a.mb - b.mb);
    const groups = new Map<string, Point[]>();
    for (const p of points) {
      const key = `${p.kind}|${p.layout}`;
      groups.set(key, [...(groups.get(key) ?? []), p]);
    }
    const maxMb = Math.max(inputBytes / 1e6, ...points.map((p) => p.mb)) * 1.05;
    // A decade of headroom above the worst error keeps every point (and its marker) inside the plot.
    const top = 10 ** Math.ceil(Math.log10(Math.max(floor * 10, ...points.map((p) => p.err))) + 0.5);
    return { groups, front, floor, maxMb, top };
  }, [results, inputBytes]);
  const selected = results.find((r) => r.id === selectedId);

  return (
    <section
      className="card chart-card"
      data-testid="tradeoff-chart"
      aria-label="File size against max error"
    >
      <h3>File size vs max error</h3>
      {results.length === 0 ? (
        <div className="chart-empty muted">Points appear here as strategies finish.</div>
      ) : (
        <ResponsiveContainer width="100%" height={380}>
          <ComposedChart margin={{ top: 10, right: 24, bottom: 8, left: 16 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
            <XAxis
              type="number"
              dataKey="mb"
              domain={[0, maxMb]}
              // Each tick also says what share of the original it is.
              tickFormatter={(v: number) =>
                v === 0 ? '0' : `${v.toFixed(v < 10 ? 1 : 0)} (${Math.round((100 * v * 1e6) / inputBytes)}%)`
              }
              label={{
                value: 'file size, MB (% of the original)',
                position: 'insideBottom',
                offset: -16,
                fill: 'var(--muted)',
              }}
              stroke="var(--muted)"
            />
            <YAxis
              type="number"
              dataKey="err"
              scale="log"
              domain={[floor / 2, top]}
              // One tick per decade (recharts' log ticks otherwise add 4e-5-style steps).
              ticks={decadeTicks(floor, top)}
              allowDataOverflow
              tickFormatter={(v: number) => (v <= floor * 1.0001 ? '0' : v.toExponential(0))}
              label={{
                value: 'max abs error (log)',
                angle: -90,
                position: 'insideLeft',
                offset: 0,
                fill: 'var(--muted)',
              }}
              stroke="var(--muted)"
              width={72}
            />
            <Tooltip content={<ChartTooltip inputBytes={inputBytes} />} cursor={{ strokeDasharray: '3 3' }} />
            <ReferenceLine
              y={floor}
              stroke="var(--muted)"
              strokeDasharray="4 4"
              label={{
                value: 'lossless (0)',
                position: 'insideTopRight',
                fill: 'var(--muted)',
                fontSize: 12,
              }}
            />
            <ReferenceLine
              x={inputBytes / 1e6}
              stroke="var(--muted)"
              strokeDasharray="2 4"
              label={{ value: 'original', position: 'insideTopRight', fill: 'var(--muted)', fontSize: 12 }}
            />
            <Line
              data={front}
              dataKey="err"
              type="stepAfter"
              stroke="var(--accent)"
              strokeWidth={2}
              dot={false}
              isAnimationActive={false}
              name="Pareto front"
              legendType="plainline"
            />
            {[...groups.entries()].map(([key, pts]) => {
              const p0 = pts[0]!;
              return (
                <Scatter
                  key={key}
                  data={pts}
                  name={`${KIND_LABELS[p0.kind]} · ${LAYOUT_SHORT[p0.layout]}`}
                  fill={KIND_COLORS[p0.kind]}
                  shape={SHAPES[p0.layout]}
                  isAnimationActive={false}
                  onClick={(d: unknown) => {
                    const id =
                      (d as { payload?: Point; id?: string }).payload?.id ?? (d as { id?: string }).id;
                    if (id) selectRow(id);
                  }}
                  cursor="pointer"
                />
              );
            })}
            {selected && Number.isFinite(selected.maxAbsError) && (
              <ReferenceLine
                x={selected.bytes / 1e6}
                stroke="var(--accent)"
                strokeOpacity={0.5}
                ifOverflow="extendDomain"
              />
            )}
            <Legend verticalAlign="bottom" wrapperStyle={{ fontSize: 12, paddingTop: 28 }} />
          </ComposedChart>
        </ResponsiveContainer>
      )}
    </section>
  );
}
