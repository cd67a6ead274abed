import { startTransition, useMemo, useState } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  LabelList,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { ErrorHistogram } from '../core/quality';
import { formatCountShort } from './format';

interface BarDatum {
  label: string;
  range: string;
  count: number;
  kind: 'zero' | 'bin' | 'inf';
}

const BAR_COLORS: Record<BarDatum['kind'], string> = {
  zero: 'var(--kind-quantized)',
  bin: 'var(--kind-lossless)',
  inf: 'var(--fail)',
};
/** Width of a count label in px (11px digits are about 6.5px wide). */
const labelWidth = (count: number) => formatCountShort(count).length * 6.5 + 2;

function edge(x: number): string {
  if (x === 0) return '0';
  const e = Math.log10(x);
  return Number.isInteger(e) ? `1e${e}` : x.toExponential(0);
}

export function histogramBars(h: ErrorHistogram): BarDatum[] {
  const bars: BarDatum[] = [];
  if (h.zero > 0) bars.push({ label: '0', range: 'exactly 0', count: h.zero, kind: 'zero' });
  for (const b of h.bins)
    bars.push({
      label: edge(b.lo),
      range: b.lo === 0 ? `below ${edge(b.hi)}` : `${edge(b.lo)} – ${edge(b.hi)}`,
      count: b.count,
      kind: 'bin',
    });
  if (h.nonFinite > 0) bars.push({ label: '∞', range: 'NaN/Inf not kept', count: h.nonFinite, kind: 'inf' });
  return bars;
}

function BarTip({
  active,
  payload,
  total,
}: {
  active?: boolean;
  payload?: { payload: BarDatum }[];
  total: number;
}) {
  const d = payload?.[0]?.payload;
  if (!active || !d) return null;
  return (
    <div className="chart-tooltip">
      |error| {d.range}
      <div>
        {d.count.toLocaleString()} values ({((100 * d.count) / total).toPrecision(3)}%)
      </div>
    </div>
  );
}

interface CountLabelProps {
  x?: number | string;
  y?: number | string;
  width?: number | string;
  value?: number | string;
  rotate: boolean;
}

/** A bar's count: compact ("12k"), above the bar, turned upright when bars are too narrow for it. */
function CountLabel({ x, y, width, value, rotate }: CountLabelProps) {
  const [bx, by, w] = [Number(x), Number(y), Number(width)];
  if (!Number.isFinite(bx) || !Number.isFinite(by)) return null;
  const text = formatCountShort(Number(value));
  if (rotate)
    return (
      <text
        transform={`translate(${bx + w / 2 + 4},${by - 4}) rotate(-90)`}
        className="bar-label"
        textAnchor="start"
      >
        {text}
      </text>
    );
  return (
    <text x={bx + w / 2} y={by - 4} textAnchor="middle" className="bar-label">
      {text}
    </text>
  );
}

// Props handed to recharts keep their identity across renders: a new object makes it register the axis
// again in its store and re-render the whole chart after it.
const AXIS_TICK = { fontSize: 11, fill: 'var(--muted)' };
const X_LABEL = {
  value: '|error| (bin start)',
  position: 'insideBottom' as const,
  offset: -12,
  fontSize: 11,
  fill: 'var(--muted)',
};
const BAR_CURSOR = { fill: 'var(--accent-soft)' };
const countTick = (v: number) => formatCountShort(v);

/** Counts of |decoded − original| on log-spaced bins (2 per decade), with exact and non-finite bars. */
export function QualityHistogram({ histogram, total }: { histogram: ErrorHistogram; total: number }) {
  const bars = useMemo(() => histogramBars(histogram), [histogram]);
  const [width, setWidth] = useState(0);
  // Labels lie flat when the widest fits its bar's slot, else all stand upright (same for all).
  const widest = Math.max(0, ...bars.map((b) => labelWidth(b.count)));
  const slot = width > 0 ? (width - 64) / Math.max(1, bars.length) : 0;
  const rotate = width > 0 && widest > slot - 2;
  const top = rotate ? widest + 8 : 18;
  const margin = useMemo(() => ({ top, right: 8, bottom: 18, left: 8 }), [top]);
  const tip = useMemo(() => <BarTip total={total} />, [total]);
  return (
    <div
      className="quality-histogram"
      data-testid="quality-histogram"
      data-bars={bars.length}
      data-labels={rotate ? 'upright' : 'flat'}
    >
      <ResponsiveContainer
        width="100%"
        height={220}
        // The labels' orientation can wait for a background render.
        onResize={(w) => startTransition(() => setWidth(w))}
      >
        <BarChart data={bars} margin={margin}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" vertical={false} />
          <XAxis
            dataKey="label"
            tick={AXIS_TICK}
            stroke="var(--muted)"
            interval="preserveStartEnd"
            label={X_LABEL}
          />
          <YAxis
            tick={AXIS_TICK}
            stroke="var(--muted)"
            width={48}
            allowDecimals={false}
            tickFormatter={countTick}
          />
          <Tooltip content={tip} cursor={BAR_CURSOR} />
          <Bar dataKey="count" isAnimationActive={false}>
            {bars.map((b, i) => (
              <Cell key={i} fill={BAR_COLORS[b.kind]} />
            ))}
            {/* Counts on the bars: small bins next to big ones are otherwise invisible. */}
            <LabelList dataKey="count" content={<CountLabel rotate={rotate} />} />
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
