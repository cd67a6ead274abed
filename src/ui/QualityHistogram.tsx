import { useMemo, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';
import type { ErrorHistogram } from '../core/quality';
import { formatCountShort } from './format';
import { useWidth } from './useWidth';

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
/** Width of an 11px label in px (digits and most letters are about 6.5px wide). */
const labelWidth = (text: string) => text.length * 6.5 + 2;

const HEIGHT = 220;
const MARGIN = { right: 8, bottom: 18, left: 8 };
const Y_AXIS_WIDTH = 48;
const X_AXIS_HEIGHT = 30;
const TICK = 6;
/** Gap on each side of a bar, as a share of its slot. */
const BAR_GAP = 0.1;

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

/** Whole-number ticks from 0 past `max`, about `count` of them, on 1-2-5 steps. */
export function countTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / Math.max(1, count - 1);
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  // 2.5 only where it is a whole number (25, 250, …): counts are integers.
  const nice = m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 && p >= 10 ? 2.5 : m <= 5 ? 5 : 10;
  const step = Math.max(1, Math.round(nice * p));
  const ticks: number[] = [];
  for (let v = 0; v < max + step; v += step) ticks.push(v);
  return ticks;
}

/**
 * Which x labels to draw: the first and the last always, the others when they clear their kept
 * neighbours (`centres` and `widths` in px, `gap` between labels).
 */
export function visibleLabels(centres: number[], widths: number[], gap = 4): boolean[] {
  const n = centres.length;
  const keep = centres.map((_, i) => i === 0 || i === n - 1);
  const right = (i: number) => centres[i]! + widths[i]! / 2;
  const left = (i: number) => centres[i]! - widths[i]! / 2;
  let last = 0;
  for (let i = 1; i < n - 1; i++) {
    if (left(i) >= right(last) + gap && right(i) + gap <= left(n - 1)) {
      keep[i] = true;
      last = i;
    }
  }
  return keep;
}

/** Tooltip width (px): set on the tooltip and used to keep it inside the chart. */
const TIP_WIDTH = 190;

/** The tooltip's left edge: beside the hovered bar, on the side with more room, inside the chart. */
function tipX(centre: number, slot: number, width: number): number {
  const x = centre < width / 2 ? centre + slot / 2 + 6 : centre - slot / 2 - 6 - TIP_WIDTH;
  return Math.max(0, Math.min(x, width - TIP_WIDTH));
}

/**
 * Counts of |decoded − original| on log-spaced bins (2 per decade), with exact and non-finite bars,
 * drawn as plain SVG: a count on every bar (small bins next to big ones are otherwise invisible),
 * and the bar's range and share under the pointer.
 */
export function QualityHistogram({ histogram, total }: { histogram: ErrorHistogram; total: number }) {
  const bars = useMemo(() => histogramBars(histogram), [histogram]);
  const ref = useRef<HTMLDivElement>(null);
  const width = useWidth(ref) ?? 0;
  const [hovered, setHovered] = useState<number | null>(null);
  const counts = bars.map((b) => formatCountShort(b.count));
  // Labels lie flat when the widest fits its bar's slot, else all stand upright (same for all).
  const widest = Math.max(0, ...counts.map(labelWidth));
  const plotW = Math.max(1, width - MARGIN.left - MARGIN.right - Y_AXIS_WIDTH);
  const slot = plotW / Math.max(1, bars.length);
  const rotate = width > 0 && widest > slot - 2;
  const top = rotate ? widest + 8 : 18;
  const x0 = MARGIN.left + Y_AXIS_WIDTH;
  const plotH = Math.max(1, HEIGHT - top - MARGIN.bottom - X_AXIS_HEIGHT);
  const bottom = top + plotH;
  const ticks = countTicks(Math.max(0, ...bars.map((b) => b.count)));
  const yMax = ticks[ticks.length - 1]!;
  const sy = (v: number) => bottom - (v / yMax) * plotH;
  const centre = (i: number) => x0 + (i + 0.5) * slot;
  const labels = visibleLabels(
    bars.map((_, i) => centre(i)),
    bars.map((b) => labelWidth(b.label)),
  );
  const tip = hovered !== null ? bars[hovered] : undefined;
  // The keyboard reaches the same tooltip: focus shows the first bar, arrows step, Escape hides it.
  const onKeyDown = (e: KeyboardEvent) => {
    const last = bars.length - 1;
    const i = hovered ?? 0;
    const next: Record<string, number | null> = {
      ArrowRight: Math.min(last, i + 1),
      ArrowDown: Math.min(last, i + 1),
      ArrowLeft: Math.max(0, i - 1),
      ArrowUp: Math.max(0, i - 1),
      Home: 0,
      End: last,
      Escape: null,
    };
    if (!(e.key in next)) return;
    e.preventDefault();
    setHovered(next[e.key]!);
  };
  return (
    <div
      className="quality-histogram"
      data-testid="quality-histogram"
      data-bars={bars.length}
      data-labels={rotate ? 'upright' : 'flat'}
      ref={ref}
      // A slider over the bars for the keyboard and screen readers: its value is the bar shown.
      tabIndex={0}
      role="slider"
      aria-label="Histogram bar (arrow keys step through the bars)"
      aria-valuemin={0}
      aria-valuemax={Math.max(0, bars.length - 1)}
      aria-valuenow={hovered ?? 0}
      aria-valuetext={
        tip ? `|error| ${tip.range}: ${tip.count.toLocaleString()} values` : `${bars.length} bars`
      }
      onMouseLeave={() => setHovered(null)}
      onFocus={() => setHovered((h) => h ?? 0)}
      onBlur={() => setHovered(null)}
      onKeyDown={onKeyDown}
    >
      {width > 0 && (
        <svg width={width} height={HEIGHT} aria-hidden="true">
          <g className="chart-grid" aria-hidden="true">
            {ticks.map((v) => (
              <line key={v} x1={x0} x2={x0 + plotW} y1={sy(v)} y2={sy(v)} />
            ))}
          </g>
          {tip && hovered !== null && (
            <rect className="hist-cursor" x={x0 + hovered * slot} y={top} width={slot} height={plotH} />
          )}
          <g className="chart-axis hist-axis" aria-hidden="true">
            <line x1={x0} x2={x0 + plotW} y1={bottom} y2={bottom} />
            {bars.map(
              (b, i) =>
                labels[i] && (
                  <g key={i}>
                    <line x1={centre(i)} x2={centre(i)} y1={bottom} y2={bottom + TICK} />
                    <text x={centre(i)} y={bottom + TICK + 2} dy="0.71em" textAnchor="middle">
                      {b.label}
                    </text>
                  </g>
                ),
            )}
            <text x={x0 + plotW / 2} y={HEIGHT - 4} textAnchor="middle">
              |error| (bin start)
            </text>
            <line x1={x0} x2={x0} y1={top} y2={bottom} />
            {ticks.map((v) => (
              <g key={v}>
                <line x1={x0 - TICK} x2={x0} y1={sy(v)} y2={sy(v)} />
                <text x={x0 - TICK - 2} y={sy(v)} dy="0.355em" textAnchor="end">
                  {formatCountShort(v)}
                </text>
              </g>
            ))}
          </g>
          {bars.map((b, i) => {
            const y = sy(b.count);
            const bx = x0 + i * slot + slot * BAR_GAP;
            const bw = slot * (1 - 2 * BAR_GAP);
            return (
              <g key={i} onMouseEnter={() => setHovered(i)}>
                {/* The whole slot answers the pointer, as a thin bar alone would be hard to hit. */}
                <rect x={x0 + i * slot} y={top} width={slot} height={plotH} fill="transparent" />
                <rect
                  className="hist-bar"
                  x={bx}
                  y={y}
                  width={bw}
                  height={bottom - y}
                  fill={BAR_COLORS[b.kind]}
                />
                {rotate ? (
                  <text
                    transform={`translate(${centre(i) + 4},${y - 4}) rotate(-90)`}
                    className="bar-label"
                    textAnchor="start"
                  >
                    {counts[i]}
                  </text>
                ) : (
                  <text x={centre(i)} y={y - 4} textAnchor="middle" className="bar-label">
                    {counts[i]}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
      )}
      {tip && hovered !== null && (
        <div
          className="chart-tooltip hist-tip"
          role="status"
          style={{
            width: TIP_WIDTH,
            transform: `translate(${tipX(centre(hovered), slot, width)}px, ${top}px)`,
          }}
        >
          |error| {tip.range}
          <div>
            {tip.count.toLocaleString()} values ({((100 * tip.count) / total).toPrecision(3)}%)
          </div>
        </div>
      )}
    </div>
  );
}
