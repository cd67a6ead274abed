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

interface BarDatum {
  label: string;
  range: string;
  count: number;
  kind: 'zero' | 'bin' | 'inf';
}

const BAR_COLORS: Record<BarDatum['kind'], string> = { zero: '#16a34a', bin: '#2563eb', inf: '#b91c1c' };

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

/** Counts of |decoded − original| on log-spaced bins (2 per decade), with exact and non-finite bars. */
export function QualityHistogram({ histogram, total }: { histogram: ErrorHistogram; total: number }) {
  const bars = histogramBars(histogram);
  return (
    <div className="quality-histogram" data-testid="quality-histogram" data-bars={bars.length}>
      <ResponsiveContainer width="100%" height={200}>
        <BarChart data={bars} margin={{ top: 16, right: 8, bottom: 18, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" vertical={false} />
          <XAxis
            dataKey="label"
            tick={{ fontSize: 11 }}
            interval="preserveStartEnd"
            label={{ value: '|error| (bin start)', position: 'insideBottom', offset: -12, fontSize: 11 }}
          />
          <YAxis tick={{ fontSize: 11 }} width={48} allowDecimals={false} />
          <Tooltip content={<BarTip total={total} />} cursor={{ fill: 'var(--accent-soft)' }} />
          <Bar dataKey="count" isAnimationActive={false}>
            {bars.map((b, i) => (
              <Cell key={i} fill={BAR_COLORS[b.kind]} />
            ))}
            {/* Counts on the bars: small bins next to big ones are otherwise invisible. */}
            <LabelList dataKey="count" position="top" fontSize={10} fill="var(--muted)" />
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
