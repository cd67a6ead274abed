// File size against max error, one mark per finished result. Colour = strategy kind, mark shape =
// codec family, fill = layout. The tooltip is driven by our own hover/focus/tap state (not recharts'
// nearest-index guess), so it always names the point under the pointer or the keyboard focus.
// Points that would hide each other are nudged apart on screen, with a thin leader back to their
// true position.
import {
  createContext,
  memo,
  startTransition,
  useContext,
  useDeferredValue,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import type { CSSProperties, KeyboardEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useStore } from '../store/store';
import { selectRow } from '../store/actions';
import { absTolerance, doneResults, paretoIds, recommendedResult } from '../store/selectors';
import { strategyOf } from '../strategies/registry';
import type { Layout, StrategyKind } from '../strategies/types';
import { LAYOUT_SHORT } from '../strategies/sweep';
import type { StrategyResult } from '../workers/job';
import {
  FAMILY_LABELS,
  FAMILY_ORDER,
  HALF_CLIP_IDS,
  KIND_COLORS,
  KIND_LABELS,
  KIND_ORDER,
  LAYOUT_FILLS,
  codecFamily,
  markPath,
} from './colors';
import type { CodecFamily, LayoutFill } from './colors';
import { clearHovered, setHovered, useHover } from './hover';
import { useWidth } from './useWidth';
import { formatError, formatMB, formatPercent, formatRatio, formatSizeShort } from './format';

type AxisScale = 'linear' | 'log';

interface Point {
  id: string;
  bytes: number;
  /** Plotted error: lossless results sit on the "0" line below the smallest real error. */
  err: number;
  trueErr: number;
  label: string;
  params: string;
  layout: Layout;
  kind: StrategyKind;
  family: CodecFamily;
  /** A zipped Zarr store rather than an HDF5 or .npy file. */
  zarr: boolean;
  /** A few words for the on-chart label of a Pareto point. */
  short: string;
  pareto: boolean;
  recommended: boolean;
  withinTau: boolean;
  /** Screen offset (px) of the mark from its true position, when it had to make room. */
  dx: number;
  dy: number;
}

interface Area {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

interface PlacedLabel {
  id: string;
  text: string;
  x: number;
  y: number;
  anchor: 'start' | 'middle' | 'end';
  recommended: boolean;
  /** A thin line from the mark to a label placed further out. */
  leader: { x1: number; y1: number; x2: number; y2: number } | null;
}

const MARGIN = { top: 12, right: 28, bottom: 4, left: 4 };
/** Width of the error axis (ticks and its rotated label) left of the plot. */
const Y_AXIS_WIDTH = 58;
/** Height of the size axis (two-line ticks and its label) below the plot. */
const X_AXIS_HEIGHT = 52;
/** Length of an axis tick mark (px). */
const TICK = 6;

/** Mark radius (px). */
const R = 6;
const LABEL_FONT = 11;

function shortLabel(r: StrategyResult): string {
  const p = r.params;
  let s: string;
  switch (r.strategyId) {
    case 'npy':
      s = '.npy';
      break;
    case 'hdf5-native':
      s = 'HDF5';
      break;
    case 'hdf5-float32':
      s = 'float32';
      break;
    case 'hdf5-float16':
      s = 'float16';
      break;
    case 'hdf5-gzip':
      s = 'gzip';
      break;
    case 'hdf5-scaleoffset':
      s = `scaleoffset D=${String(p.decimals)}`;
      break;
    case 'hdf5-quantized':
      s = `quantized + ${p.codec === 'shuffle-gzip' ? 'shuffle+gzip' : String(p.codec)}`;
      break;
    case 'hdf5-codec':
      s = `${String(p.values)} + ${String(p.codec)}`;
      break;
    case 'zarr':
      s = `Zarr ${String(p.values)} + ${String(p.codec)}`;
      break;
    default:
      s = r.paramsLabel ? `${r.label} (${r.paramsLabel})` : r.label;
  }
  return `${s} · ${LAYOUT_SHORT[r.layout]}`;
}

function scaleOf(kind: AxisScale, [d0, d1]: readonly [number, number], [r0, r1]: readonly [number, number]) {
  if (kind === 'log') {
    const l0 = Math.log(d0);
    const span = Math.log(d1) - l0;
    return (v: number) => r0 + ((Math.log(v) - l0) / span) * (r1 - r0);
  }
  return (v: number) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
}

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * p;
}

/** Linear size ticks from 0 (and the domain's end on the last tick). */
function linearTicks(max: number, count: number): { domain: [number, number]; ticks: number[] } {
  const step = niceStep(max / Math.max(2, count));
  const top = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let v = 0; v <= top + step / 2; v += step) ticks.push(v);
  return { domain: [0, top], ticks };
}

/** Log size ticks: 1-2-5 per decade, or fewer when the plot is narrow. */
function logTicks(lo: number, hi: number, count: number): number[] {
  for (const mantissas of [[1, 2, 5], [1, 3], [1]]) {
    const ticks: number[] = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++)
      for (const m of mantissas) {
        const v = m * 10 ** e;
        if (v >= lo && v <= hi) ticks.push(v);
      }
    if (ticks.length <= count || mantissas.length === 1) {
      // Keep every k-th decade when even one tick per decade is too many.
      const k = Math.max(1, Math.ceil(ticks.length / Math.max(1, count)));
      return ticks.filter((_, i) => i % k === 0);
    }
  }
  return [];
}

function decadeTicks(bottom: number, top: number, count: number): number[] {
  const lo = Math.round(Math.log10(bottom));
  const hi = Math.round(Math.log10(top));
  const step = Math.max(1, Math.ceil((hi - lo) / Math.max(2, count)));
  const ticks: number[] = [];
  for (let k = lo; k <= hi; k += step) ticks.push(10 ** k);
  return ticks;
}

function floorText(plotWidth: number): string {
  return plotWidth < 420 ? 'floor at τ' : 'entropy floor at τ';
}

let measureCtx: CanvasRenderingContext2D | null | undefined;
function textWidth(text: string, bold = false): number {
  if (measureCtx === undefined) measureCtx = document.createElement('canvas').getContext('2d');
  if (!measureCtx) return text.length * LABEL_FONT * 0.58;
  measureCtx.font = `${bold ? '600 ' : ''}${LABEL_FONT}px ${getComputedStyle(document.body).fontFamily}`;
  return measureCtx.measureText(text).width;
}

function overlap(a: Box, b: Box): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * Screen layout: nudges marks that would cover each other onto rings around their true position,
 * then places the Pareto labels where they cover the fewest marks, lines' labels and other labels.
 */
function placeAll(
  points: Point[],
  sx: (v: number) => number,
  sy: (v: number) => number,
  area: Area,
  fixed: Box[],
  compact: boolean,
): { offsets: Map<string, { dx: number; dy: number }>; labels: PlacedLabel[] } {
  const minD = 2 * R + 4;
  const order = [...points].sort(
    (a, b) => Number(b.recommended) - Number(a.recommended) || Number(b.pareto) - Number(a.pareto),
  );
  const truePos = new Map(points.map((p) => [p.id, { x: sx(p.bytes), y: sy(p.err) }]));
  const placed: { id: string; x: number; y: number }[] = [];
  const offsets = new Map<string, { dx: number; dy: number }>();
  const inside = (x: number, y: number) =>
    x >= area.x + R && x <= area.x + area.width - R && y >= area.y + R && y <= area.y + area.height - R;
  for (const p of order) {
    const t = truePos.get(p.id)!;
    let spot = { x: t.x, y: t.y };
    search: for (let k = 0; k <= 10; k++) {
      const n = k === 0 ? 1 : 6 * k;
      for (let i = 0; i < n; i++) {
        const a = -Math.PI / 2 + (2 * Math.PI * i) / n;
        const c = { x: t.x + k * minD * Math.cos(a), y: t.y + k * minD * Math.sin(a) };
        if (k > 0 && !inside(c.x, c.y)) continue;
        if (placed.every((q) => Math.hypot(q.x - c.x, q.y - c.y) >= minD)) {
          spot = c;
          break search;
        }
      }
    }
    placed.push({ id: p.id, ...spot });
    offsets.set(p.id, { dx: spot.x - t.x, dy: spot.y - t.y });
  }

  const obstacles: Box[] = [
    ...fixed,
    ...placed.map((q) => ({ x1: q.x - R - 1, y1: q.y - R - 1, x2: q.x + R + 1, y2: q.y + R + 1 })),
  ];
  const labels: PlacedLabel[] = [];
  const byId = new Map(placed.map((q) => [q.id, q]));
  // Pareto points are labelled, and the recommended one even when a file it can't beat is smaller
  // (one that needs hdf5plugin, say).
  // On a narrow plot only the recommended point is labelled, with one word (the tooltip says more).
  const labelled = points
    .filter((p) => (compact ? p.recommended : p.pareto || p.recommended))
    .sort((a, b) => a.bytes - b.bytes);
  for (const p of labelled) {
    const q = byId.get(p.id)!;
    const text = compact ? 'recommended' : p.recommended ? `${p.short} — recommended` : p.short;
    const w = textWidth(text, p.recommended);
    const h = LABEL_FONT + 2;
    const g = R + 4;
    // Beside the mark first (right, left, above, below), then further out with a leader line when
    // everything close by is taken: each step out costs a little, covering anything costs more.
    const candidates: { box: Box; x: number; y: number; anchor: PlacedLabel['anchor']; cost: number }[] = [];
    const side = (dir: 1 | -1, dy: number, dx: number, cost: number) => {
      const x = q.x + dir * (g + dx);
      const y = q.y + dy;
      candidates.push({
        x,
        y: y + 4,
        anchor: dir === 1 ? 'start' : 'end',
        cost,
        box: { x1: dir === 1 ? x : x - w, y1: y - h / 2, x2: dir === 1 ? x + w : x, y2: y + h / 2 },
      });
    };
    side(1, 0, 0, 0);
    side(-1, 0, 0, 0);
    for (const dir of [1, -1] as const) {
      const anchor = dir === 1 ? 'start' : 'end';
      for (const up of [-1, 1]) {
        const y1 = up < 0 ? q.y - g - h : q.y + g;
        candidates.push({
          x: q.x + dir * 2,
          y: up < 0 ? q.y - g - 2 : q.y + g + h - 2,
          anchor,
          cost: 1,
          box: {
            x1: dir === 1 ? q.x + 2 : q.x - 2 - w,
            y1,
            x2: dir === 1 ? q.x + 2 + w : q.x - 2,
            y2: y1 + h,
          },
        });
      }
    }
    for (let k = 1; k <= 4; k++)
      for (const up of [-1, 1])
        for (const dir of [1, -1] as const) side(dir, up * k * (h + 6), 10 + 4 * k, 20 * k);
    let best = candidates[0]!;
    let bestScore = Infinity;
    for (const c of candidates) {
      const b = c.box;
      let score = c.cost;
      // Leaving the plot costs like covering a whole label.
      const out =
        Math.max(0, area.x - b.x1) +
        Math.max(0, b.x2 - (area.x + area.width)) +
        Math.max(0, area.y - b.y1) +
        Math.max(0, b.y2 - (area.y + area.height));
      score += out * h * 4;
      for (const o of obstacles) score += overlap(b, o);
      if (score < bestScore) {
        bestScore = score;
        best = c;
      }
    }
    obstacles.push(best.box);
    // A leader from the mark's edge to the label when the label stands off.
    const far = best.cost >= 20;
    const lx = best.anchor === 'start' ? best.box.x1 - 2 : best.box.x2 + 2;
    const ly = (best.box.y1 + best.box.y2) / 2;
    const d = Math.hypot(lx - q.x, ly - q.y);
    labels.push({
      id: p.id,
      text,
      x: best.x,
      y: best.y,
      anchor: best.anchor,
      recommended: p.recommended,
      leader:
        far && d > R
          ? { x1: q.x + ((lx - q.x) * (R + 2)) / d, y1: q.y + ((ly - q.y) * (R + 2)) / d, x2: lx, y2: ly }
          : null,
    });
  }
  return { offsets, labels };
}

/**
 * Where the tooltip box goes: beside the mark (right, else left), else above or below it, always
 * inside the chart and never over the mark itself.
 */
function tipPlacement(
  cx: number,
  cy: number,
  tip: { w: number; h: number },
  wrap: { w: number; h: number },
): { x: number; y: number } {
  const gap = R + 10;
  const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(v, Math.max(lo, hi)));
  const y = clamp(cy - tip.h / 2, 0, wrap.h - tip.h);
  if (cx + gap + tip.w <= wrap.w) return { x: cx + gap, y };
  if (cx - gap - tip.w >= 0) return { x: cx - gap - tip.w, y };
  const x = clamp(cx - tip.w / 2, 0, wrap.w - tip.w);
  if (cy - gap - tip.h >= 0) return { x, y: cy - gap - tip.h };
  return { x, y: cy + gap };
}

function describePoint(p: Point, inputBytes: number): string {
  return [
    `${p.label}${p.params ? ` (${p.params})` : ''}, ${LAYOUT_SHORT[p.layout]} layout`,
    `${formatMB(p.bytes)}, ${formatPercent(p.bytes, inputBytes)} of the original`,
    `max abs error ${formatError(p.trueErr)}`,
    p.recommended ? 'recommended' : p.pareto ? 'on the Pareto front' : '',
  ]
    .filter((s) => s !== '')
    .join('; ');
}

/** The same mark the chart draws, for the legend and the tooltip. */
function MarkGlyph({
  family,
  fill,
  color,
  zarr = false,
  size = 16,
}: {
  family: CodecFamily;
  fill: LayoutFill;
  color: string;
  zarr?: boolean;
  size?: number;
}) {
  return (
    <svg width={size} height={size} viewBox="-9 -9 18 18" aria-hidden="true" className="mark-glyph">
      <MarkShape family={family} fill={fill} color={color} zarr={zarr} />
    </svg>
  );
}

/** The mark itself; a Zarr store (not an HDF5 or .npy file) gets a hollow dot in its middle. */
function MarkShape({
  family,
  fill,
  color,
  zarr,
}: {
  family: CodecFamily;
  fill: LayoutFill;
  color: string;
  zarr: boolean;
}) {
  const d = markPath(family, R);
  const dot = zarr && <circle r={2.2} fill="var(--card)" stroke={color} strokeWidth={1.2} />;
  if (fill === 'solid')
    return (
      <>
        <path d={d} fill={color} stroke="var(--card)" strokeWidth={1} />
        {dot}
      </>
    );
  return (
    <>
      <path d={d} fill="var(--card)" stroke={color} strokeWidth={1.8} />
      {fill !== 'hollow' && <path d={d} fill={color} clipPath={`url(#${HALF_CLIP_IDS[fill]})`} />}
      {dot}
    </>
  );
}

interface PointHandlers {
  activeId: string | null;
  inputBytes: number;
  onFocus(id: string): void;
  onBlur(id: string): void;
  onKeyDown(e: KeyboardEvent, id: string): void;
  onPick(id: string, pointerType: string): void;
}

const PointCtx = createContext<PointHandlers | null>(null);

interface PointMarkProps {
  /** The true position (px); the mark is drawn at it plus the point's nudge. */
  cx: number;
  cy: number;
  payload: Point;
}

/** One result's mark: focusable (roving tabindex), hoverable, tappable. */
function PointMark({ cx, cy, payload: p }: PointMarkProps) {
  const ctx = useContext(PointCtx);
  const highlighted = useHover((s) => s.id !== null && s.id === p.id);
  const pointerType = useRef('mouse');
  if (!ctx) return null;
  const color = KIND_COLORS[p.kind];
  return (
    <g
      className="chart-point"
      data-point-id={p.id}
      data-highlighted={highlighted}
      transform={`translate(${cx + p.dx},${cy + p.dy})${highlighted ? ' scale(1.3)' : ''}`}
      tabIndex={ctx.activeId === p.id ? 0 : -1}
      role="button"
      aria-label={describePoint(p, ctx.inputBytes)}
      onMouseEnter={() => setHovered(p.id, 'chart')}
      onMouseLeave={() => clearHovered(p.id, 'chart')}
      onFocus={() => ctx.onFocus(p.id)}
      onBlur={() => ctx.onBlur(p.id)}
      onKeyDown={(e) => ctx.onKeyDown(e, p.id)}
      onPointerDown={(e) => {
        pointerType.current = e.pointerType;
      }}
      onClick={(e) => {
        e.stopPropagation();
        ctx.onPick(p.id, pointerType.current);
      }}
    >
      {/* A slightly larger invisible target, so the edge of a small mark still counts. */}
      <circle r={R + 2} fill="transparent" />
      <MarkShape family={p.family} fill={LAYOUT_FILLS[p.layout]} color={color} zarr={p.zarr} />
    </g>
  );
}

/**
 * The marks, each in its own group (`.recharts-scatter-symbol`: the class tools outside the app find
 * a result's mark by, kept from when recharts drew them). Memoised: a hover re-renders only the two
 * marks it changes (each reads the hover store), not the layer.
 */
const PointsLayer = memo(function PointsLayer({
  points,
  pos,
}: {
  points: Point[];
  pos: Map<string, { x: number; y: number }>;
}) {
  return (
    <g className="chart-points">
      {points.map((p) => {
        const q = pos.get(p.id);
        return (
          q && (
            <g key={p.id} className="recharts-scatter-symbol">
              <PointMark cx={q.x} cy={q.y} payload={p} />
            </g>
          )
        );
      })}
    </g>
  );
});

/** The dashed grid behind the marks, at the axes' ticks. */
function Grid({ area, xs, ys }: { area: Area; xs: number[]; ys: number[] }) {
  const bottom = area.y + area.height;
  const right = area.x + area.width;
  return (
    <g className="chart-grid" aria-hidden="true">
      {/* The plot's frame: the grid's box is the plot area even where no line runs. */}
      <rect x={area.x} y={area.y} width={area.width} height={area.height} fill="none" />
      {xs.map((x) => (
        <line key={`x${x}`} x1={x} x2={x} y1={area.y} y2={bottom} />
      ))}
      {ys.map((y) => (
        <line key={`y${y}`} x1={area.x} x2={right} y1={y} y2={y} />
      ))}
    </g>
  );
}

/** A size tick's label: the size, and below it the share of the original. */
function SizeTick({
  x,
  y,
  value: v,
  inputBytes,
}: {
  x: number;
  y: number;
  value: number;
  inputBytes: number;
}) {
  return (
    <text x={x} y={y + 12} textAnchor="middle" className="chart-tick">
      <tspan x={x}>{formatSizeShort(v)}</tspan>
      {v > 0 && inputBytes > 0 && (
        <tspan x={x} dy={13} className="chart-tick-sub">
          {formatPercent(v, inputBytes)}
        </tspan>
      )}
    </text>
  );
}

function ChartTooltip({
  point,
  inputBytes,
  tau,
  onSize,
}: {
  point: Point | null;
  inputBytes: number;
  tau: number;
  onSize(w: number, h: number): void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (el) onSize(el.offsetWidth, el.offsetHeight);
  });
  if (!point) return null;
  const p = point;
  return (
    <div className="chart-tooltip" data-testid="chart-tooltip" data-result-id={p.id} ref={ref}>
      <div className="tip-title">
        <MarkGlyph
          family={p.family}
          fill={LAYOUT_FILLS[p.layout]}
          color={KIND_COLORS[p.kind]}
          zarr={p.zarr}
          size={14}
        />
        <strong>{p.label}</strong>
      </div>
      {p.params && <div className="muted">{p.params}</div>}
      <div>
        layout: <strong>{LAYOUT_SHORT[p.layout]}</strong>
      </div>
      <div>
        size: <strong>{formatMB(p.bytes)}</strong> ({formatPercent(p.bytes, inputBytes)} of the original,{' '}
        {formatRatio(p.bytes, inputBytes)})
      </div>
      <div>
        max abs error: <strong>{formatError(p.trueErr)}</strong>
        {tau > 0 && (
          <span className={p.withinTau ? 'ok' : 'muted'}>
            {p.withinTau ? ' ≤ τ' : ' > τ'} ({formatError(tau)})
          </span>
        )}
      </div>
      {(p.recommended || p.pareto) && (
        <div>
          {p.recommended && <span className="badge rec">recommended</span>}
          {p.pareto && <span className="badge pareto">Pareto</span>}
        </div>
      )}
      {(p.dx !== 0 || p.dy !== 0) && (
        <div className="muted small">Nudged aside: its true spot is the small dot.</div>
      )}
    </div>
  );
}

/** Document-wide clip paths for the half-filled marks (objectBoundingBox units fit any shape). */
function ChartDefs() {
  return (
    <svg width={0} height={0} style={{ position: 'absolute' }} aria-hidden="true" focusable="false">
      <defs>
        <clipPath id={HALF_CLIP_IDS.lower} clipPathUnits="objectBoundingBox">
          <rect x={0} y={0.5} width={1} height={0.5} />
        </clipPath>
        <clipPath id={HALF_CLIP_IDS.left} clipPathUnits="objectBoundingBox">
          <rect x={0} y={0} width={0.5} height={1} />
        </clipPath>
      </defs>
    </svg>
  );
}

function Legend({
  points,
  floor,
  tau,
  nudged,
}: {
  points: Point[];
  floor: { bytes: number; layout: string } | null;
  tau: number;
  nudged: boolean;
}) {
  const kinds = KIND_ORDER.filter((k) => points.some((p) => p.kind === k));
  const families = FAMILY_ORDER.filter((f) => points.some((p) => p.family === f));
  const layouts = (Object.keys(LAYOUT_FILLS) as Layout[]).filter((l) => points.some((p) => p.layout === l));
  return (
    <div className="chart-legend" data-testid="chart-legend">
      <div className="legend-row">
        <span className="legend-key">colour = kind</span>
        <span className="legend-items">
          {kinds.map((k) => (
            <span key={k} className="legend-item">
              <span className="swatch" style={{ background: KIND_COLORS[k] }} aria-hidden="true" />
              {KIND_LABELS[k]}
            </span>
          ))}
        </span>
      </div>
      <div className="legend-row">
        <span className="legend-key">mark = codec</span>
        <span className="legend-items">
          {families.map((f) => (
            <span key={f} className="legend-item">
              <MarkGlyph family={f} fill="solid" color="var(--muted)" />
              {FAMILY_LABELS[f]}
            </span>
          ))}
        </span>
      </div>
      <div className="legend-row">
        <span className="legend-key">fill = layout</span>
        <span className="legend-items">
          {layouts.map((l) => (
            <span key={l} className="legend-item">
              <MarkGlyph family="none" fill={LAYOUT_FILLS[l]} color="var(--muted)" />
              {LAYOUT_SHORT[l]}
            </span>
          ))}
        </span>
      </div>
      {points.some((p) => p.zarr) && (
        <div className="legend-row">
          <span className="legend-key">inner dot</span>
          <span className="legend-items">
            <span className="legend-item">
              <MarkGlyph family="none" fill="solid" color="var(--muted)" />
              HDF5 or .npy file
            </span>
            <span className="legend-item">
              <MarkGlyph family="none" fill="solid" color="var(--muted)" zarr />
              Zarr store (zip)
            </span>
          </span>
        </div>
      )}
      <div className="legend-row">
        <span className="legend-key">lines</span>
        <span className="legend-items">
          <span className="legend-item">
            <svg width={22} height={10} aria-hidden="true">
              <path d="M1,2H11V8H21" className="pareto-line" />
            </svg>
            Pareto front (nothing is both smaller and more accurate)
          </span>
          {tau > 0 && (
            <span className="legend-item">
              <svg width={22} height={10} aria-hidden="true">
                <path d="M1,5H21" className="tau-line" />
              </svg>
              your tolerance τ = {formatError(tau)}
            </span>
          )}
          {floor && (
            <span className="legend-item" data-testid="chart-floor-legend">
              <svg width={10} height={14} aria-hidden="true">
                <path d="M5,1V13" className="floor-line" />
              </svg>
              entropy floor at τ ({formatMB(floor.bytes)},{' '}
              {LAYOUT_SHORT[floor.layout as Layout] ?? floor.layout}): no coder of independent values gets
              below this
            </span>
          )}
          <span className="legend-item">
            <svg width={18} height={18} viewBox="-9 -9 18 18" aria-hidden="true">
              <circle r={7} className="rec-ring" />
            </svg>
            recommended
          </span>
          {nudged && (
            <span className="legend-item">
              <svg width={22} height={10} aria-hidden="true">
                <circle cx={3} cy={5} r={1.8} className="true-dot" />
                <path d="M3,5H19" className="leader" />
              </svg>
              nudged mark, dot = true position
            </span>
          )}
        </span>
      </div>
    </div>
  );
}

interface ChartView {
  selectedId: string | null;
  inputBytes: number;
  tau: number;
  allowPlugins: boolean;
  floor: { tau: number; bytes: number; layout: string } | null;
}

/**
 * The chart follows the store through deferred values: a finished row (while the sweep runs), a
 * selection or a hover in the table commits at once, and the chart re-renders afterwards in a
 * background render React can interrupt, so no store update waits for the chart.
 */
export function TradeoffChart() {
  // Only finished results matter here: progress ticks of running rows don't re-render the chart.
  const liveResults = useStore(useShallow((s) => doneResults(s.rows, s.rowOrder)));
  const liveView = useStore(
    useShallow((s): ChartView => ({
      selectedId: s.selectedId,
      inputBytes: s.input?.bytes ?? 0,
      tau: absTolerance(s),
      allowPlugins: s.allowPlugins,
      floor: s.floor,
    })),
  );
  const liveHover = useHover();
  // The sweep status defers its `done` the same way (SweepStatus), so the marks are final by the
  // commit that shows `done`.
  const results = useDeferredValue(liveResults);
  const view = useDeferredValue(liveView);
  const hover = useDeferredValue(liveHover);
  return <ChartCard results={results} view={view} hover={hover} />;
}

/** Plot height (px): a little lower when the plot is narrow (a phone). */
function plotHeight(areaWidth: number | null): number {
  return areaWidth !== null && areaWidth < 420 ? 380 : 420;
}

/** Horizontal space the y axis and the margins take from the plot's width. */
const AREA_INSET = MARGIN.left + MARGIN.right + Y_AXIS_WIDTH;

/** The plot area (px, in the svg) for a chart `width` × `height`. */
function plotArea(width: number, height: number): Area {
  return {
    x: MARGIN.left + Y_AXIS_WIDTH,
    y: MARGIN.top,
    width: Math.max(1, width - AREA_INSET),
    height: Math.max(1, height - MARGIN.top - MARGIN.bottom - X_AXIS_HEIGHT),
  };
}

const ChartCard = memo(function ChartCard({
  results,
  view,
  hover,
}: {
  results: StrategyResult[];
  view: ChartView;
  hover: { id: string | null; source: string | null };
}) {
  const { selectedId, inputBytes, tau, allowPlugins, floor } = view;
  const [scale, setScale] = useState<AxisScale>('linear');
  const [activeId, setActiveId] = useState<string | null>(null);
  const [focusedId, setFocusedId] = useState<string | null>(null);
  const [pinnedId, setPinnedId] = useState<string | null>(null);
  const [dismissedId, setDismissedId] = useState<string | null>(null);
  const [tipSize, setTipSize] = useState<{ w: number; h: number } | null>(null);
  const onTipSize = useMemo(
    () => (w: number, h: number) =>
      startTransition(() =>
        setTipSize((s) => (s && s.w === w && s.h === h ? s : w > 0 && h > 0 ? { w, h } : s)),
      ),
    [],
  );
  const wrapRef = useRef<HTMLDivElement>(null);
  // The card's width, measured before the first result, so the first marks are drawn in place.
  const headRef = useRef<HTMLDivElement>(null);
  const plotWidth = useWidth(headRef);
  const height = plotHeight(plotWidth !== null ? plotWidth - AREA_INSET : null);
  const wrapSize = useMemo(
    () => (plotWidth !== null && plotWidth > 0 ? { w: plotWidth, h: height } : null),
    [plotWidth, height],
  );
  const area = useMemo(
    () => (plotWidth !== null && plotWidth > 0 ? plotArea(plotWidth, height) : null),
    [plotWidth, height],
  );

  const base = useMemo(() => {
    const finite = results.filter((r) => Number.isFinite(r.maxAbsError));
    const positive = finite.map((r) => r.maxAbsError).filter((e) => e > 0);
    // Lossless results (error 0) sit on a "0" line a decade below the smallest real error (and τ).
    const minPos = Math.min(positive.length ? Math.min(...positive) : 1e-6, tau > 0 ? tau : Infinity);
    const zeroLine = 10 ** Math.floor(Math.log10(minPos) - 1);
    const front = paretoIds(finite);
    const rec = recommendedResult(finite, tau, allowPlugins)?.id;
    const points: Point[] = finite.map((r) => {
      const def = strategyOf(r.strategyId);
      return {
        id: r.id,
        bytes: r.bytes,
        err: r.maxAbsError > 0 ? r.maxAbsError : zeroLine,
        trueErr: r.maxAbsError,
        label: def.label,
        params: r.paramsLabel,
        layout: r.layout,
        kind: def.kind,
        family: codecFamily(r.strategyId, r.params),
        zarr: r.strategyId === 'zarr',
        short: shortLabel(r),
        pareto: front.has(r.id),
        recommended: r.id === rec,
        withinTau: r.maxAbsError <= tau,
        dx: 0,
        dy: 0,
      };
    });
    const errs = points.map((p) => p.err);
    // Half a decade of headroom above the worst error (and τ) keeps marks and labels inside.
    const top = 10 ** Math.ceil(Math.log10(Math.max(zeroLine * 10, tau, ...errs)) + 0.5);
    const sizes = points.map((p) => p.bytes).filter((b) => b > 0);
    if (floor && floor.bytes > 0) sizes.push(floor.bytes);
    const minBytes = Math.min(...sizes);
    const maxBytes = Math.max(inputBytes, ...sizes);
    return { points, zeroLine, top, minBytes, maxBytes };
  }, [results, tau, allowPlugins, floor, inputBytes]);

  const tickCount = area ? Math.max(2, Math.floor(area.width / 90)) : 6;
  const x = useMemo(() => {
    if (scale === 'log' && base.minBytes > 0 && Number.isFinite(base.minBytes)) {
      const domain: [number, number] = [base.minBytes / 1.3, base.maxBytes * 1.3];
      return { domain, ticks: logTicks(domain[0], domain[1], tickCount) };
    }
    return linearTicks(base.maxBytes * 1.04, tickCount);
  }, [scale, base, tickCount]);
  const xScale: AxisScale =
    scale === 'log' && base.minBytes > 0 && Number.isFinite(base.minBytes) ? 'log' : 'linear';
  const yDomain = useMemo((): [number, number] => [base.zeroLine / 2, base.top], [base]);
  const yTickCount = area ? Math.floor(area.height / 30) : 8;
  const yTicks = useMemo(() => decadeTicks(base.zeroLine, base.top, yTickCount), [base, yTickCount]);
  const yTickText = (v: number) => (v <= base.zeroLine * 1.0001 ? '0' : v.toExponential(0));
  const xLabel = `file size${xScale === 'log' ? ' (log)' : ''}, % of the original below`;

  const layout = useMemo(() => {
    if (!area) return null;
    const sx = scaleOf(xScale, x.domain, [area.x, area.x + area.width]);
    const sy = scaleOf('log', yDomain, [area.y + area.height, area.y]);
    const fixed: Box[] = [];
    const right = area.x + area.width;
    const tauY = tau > 0 ? sy(tau) : null;
    let tauLabel: { x: number; y: number; text: string } | null = null;
    if (tauY !== null && tauY >= area.y && tauY <= area.y + area.height) {
      const text = area.width < 420 ? `τ = ${formatError(tau)}` : `tolerance τ = ${formatError(tau)}`;
      tauLabel = { x: right - 4, y: tauY - 5, text };
      fixed.push({ x1: right - 4 - textWidth(text), y1: tauY - 5 - LABEL_FONT, x2: right - 4, y2: tauY - 3 });
    }
    // The floor's label runs up along the line, on its left where nothing within τ can be (else right).
    let floorLine: { x: number; y1: number; y2: number; textX: number; textY: number } | null = null;
    if (floor && floor.bytes > 0) {
      const fx = sx(floor.bytes);
      if (fx >= area.x && fx <= right) {
        const y1 = tauY !== null ? Math.max(area.y, tauY) : area.y;
        const y2 = area.y + area.height;
        const w = textWidth(floorText(area.width));
        const left = fx - area.x > LABEL_FONT + 8;
        const textX = left ? fx - 4 : fx + 4 + LABEL_FONT;
        // Bottom of the text clear of the "0" line's label, or as low as the segment allows.
        const bottom = Math.min(y2, sy(base.zeroLine)) - 20;
        const textY = bottom - w >= y1 ? bottom : Math.max(y1 + w + 2, area.y + w);
        floorLine = { x: fx, y1, y2, textX, textY };
        fixed.push({ x1: textX - LABEL_FONT - 1, y1: textY - w, x2: textX + 1, y2: textY });
      }
    }
    const ox = inputBytes > 0 ? sx(inputBytes) : NaN;
    const original = ox >= area.x && ox <= right ? ox : null;
    if (original !== null)
      fixed.push({ x1: original - 50, y1: area.y, x2: original - 2, y2: area.y + LABEL_FONT + 2 });
    if (tauY !== null) fixed.push({ x1: area.x, y1: tauY - 1, x2: right, y2: tauY + 1 });
    // The Pareto front's steps: labels should not sit on them either.
    const front = base.points.filter((p) => p.pareto).sort((a, b) => a.bytes - b.bytes);
    for (let i = 1; i < front.length; i++) {
      const [ax, ay] = [sx(front[i - 1]!.bytes), sy(front[i - 1]!.err)];
      const [bx, by] = [sx(front[i]!.bytes), sy(front[i]!.err)];
      fixed.push({ x1: ax, y1: ay - 2, x2: bx, y2: ay + 2 });
      fixed.push({ x1: bx - 2, y1: Math.min(ay, by), x2: bx + 2, y2: Math.max(ay, by) });
    }
    const { offsets, labels } = placeAll(base.points, sx, sy, area, fixed, area.width < 420);
    const pos = new Map(base.points.map((p) => [p.id, { x: sx(p.bytes), y: sy(p.err) }]));
    return { sx, sy, offsets, labels, pos, tauY, tauLabel, floorLine, original };
    // yDomain is derived from base.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [area, base, x, xScale, tau, floor, inputBytes]);

  const points = useMemo(
    () =>
      base.points
        .map((p) => ({ ...p, ...(layout?.offsets.get(p.id) ?? {}) }))
        // Pareto and recommended marks on top.
        .sort((a, b) => Number(a.pareto) - Number(b.pareto) || Number(a.recommended) - Number(b.recommended)),
    [base, layout],
  );
  const byId = useMemo(() => new Map(points.map((p) => [p.id, p])), [points]);
  const keyOrder = useMemo(
    () => [...points].sort((a, b) => a.bytes - b.bytes || a.err - b.err).map((p) => p.id),
    [points],
  );
  const rovingId =
    activeId && byId.has(activeId)
      ? activeId
      : (points.find((p) => p.recommended)?.id ?? keyOrder[0] ?? null);

  // Stable while the marks' order and the tab stop stay: a new object would re-render every mark.
  const handlers = useMemo((): PointHandlers => {
    const focusPoint = (id: string) => {
      setActiveId(id);
      wrapRef.current?.querySelector<SVGGElement>(`[data-point-id="${CSS.escape(id)}"]`)?.focus();
    };
    return {
      activeId: rovingId,
      inputBytes,
      onFocus(id) {
        setActiveId(id);
        setFocusedId(id);
        setDismissedId(null);
        // Keyboard focus highlights the row too, as hovering does.
        setHovered(id, 'chart');
      },
      onBlur(id) {
        setFocusedId((f) => (f === id ? null : f));
        clearHovered(id, 'chart');
      },
      onKeyDown(e, id) {
        const i = keyOrder.indexOf(id);
        let next: number;
        switch (e.key) {
          case 'ArrowRight':
          case 'ArrowDown':
            next = Math.min(keyOrder.length - 1, i + 1);
            break;
          case 'ArrowLeft':
          case 'ArrowUp':
            next = Math.max(0, i - 1);
            break;
          case 'Home':
            next = 0;
            break;
          case 'End':
            next = keyOrder.length - 1;
            break;
          case 'Enter':
          case ' ':
            e.preventDefault();
            selectRow(id);
            return;
          case 'Escape':
            setDismissedId(id);
            setPinnedId(null);
            return;
          default:
            return;
        }
        e.preventDefault();
        focusPoint(keyOrder[next]!);
      },
      onPick(id, pointerType) {
        setActiveId(id);
        setDismissedId(null);
        setPinnedId(pointerType === 'mouse' ? null : id);
        selectRow(id);
      },
    };
  }, [rovingId, inputBytes, keyOrder]);

  const chartHover = hover.source === 'chart' ? hover.id : null;
  const candidate = focusedId ?? chartHover ?? pinnedId;
  const tipId = candidate && candidate !== dismissedId && byId.has(candidate) ? candidate : null;
  const tip = tipId ? byId.get(tipId)! : null;
  const tipPos = tip && layout ? layout.pos.get(tip.id) : undefined;
  let tipStyle: CSSProperties = { visibility: 'hidden' };
  if (tip && tipPos && tipSize && wrapSize) {
    const at = tipPlacement(tipPos.x + tip.dx, tipPos.y + tip.dy, tipSize, wrapSize);
    tipStyle = { visibility: 'visible', transform: `translate(${at.x}px, ${at.y}px)` };
  }
  const ringIds = new Set([hover.id, focusedId].filter((v): v is string => v !== null && byId.has(v)));
  const selected = selectedId ? byId.get(selectedId) : undefined;
  const nudged = points.some((p) => p.dx !== 0 || p.dy !== 0);
  const bottom = area ? area.y + area.height : 0;

  return (
    <section
      className="card chart-card"
      data-testid="tradeoff-chart"
      data-x-scale={xScale}
      aria-labelledby="chart-title"
    >
      <div className="chart-head" ref={headRef}>
        <h3 id="chart-title">File size vs max error</h3>
        {results.length > 0 && (
          <div className="chart-options" role="group" aria-label="Size axis">
            <span className="muted small" aria-hidden="true">
              size axis
            </span>
            {(['linear', 'log'] as const).map((s) => (
              <button
                key={s}
                type="button"
                className="seg"
                aria-pressed={scale === s}
                data-testid={`chart-scale-${s}`}
                onClick={() => setScale(s)}
              >
                {s}
              </button>
            ))}
          </div>
        )}
      </div>
      {results.length > 0 && (
        <p className="visually-hidden" id="chart-help">
          Each result is a button; Tab to the chart, then arrow keys move from point to point by file size,
          Enter selects one.
        </p>
      )}
      <div
        className="chart-plot"
        ref={wrapRef}
        style={{ minHeight: height }}
        onClick={() => setPinnedId(null)}
        aria-describedby={results.length > 0 ? 'chart-help' : undefined}
      >
        {results.length === 0 && (
          <div className="chart-empty muted">Points appear here as strategies finish.</div>
        )}
        {results.length > 0 && area && layout && plotWidth !== null && (
          <PointCtx.Provider value={handlers}>
            <svg className="chart-surface" width={plotWidth} height={height}>
              <Grid area={area} xs={x.ticks.map(layout.sx)} ys={yTicks.map(layout.sy)} />
              <g className="chart-axis" aria-hidden="true">
                <line x1={area.x} x2={area.x + area.width} y1={bottom} y2={bottom} />
                {x.ticks.map((v) => (
                  <g key={v}>
                    <line x1={layout.sx(v)} x2={layout.sx(v)} y1={bottom} y2={bottom + TICK} />
                    <SizeTick x={layout.sx(v)} y={bottom + TICK + 2} value={v} inputBytes={inputBytes} />
                  </g>
                ))}
                <text
                  x={area.x + area.width / 2}
                  y={height - MARGIN.bottom - 3}
                  textAnchor="middle"
                  className="axis-label"
                >
                  {xLabel}
                </text>
                <line x1={area.x} x2={area.x} y1={area.y} y2={bottom} />
                {yTicks.map((v) => (
                  <g key={v}>
                    <line x1={area.x - TICK} x2={area.x} y1={layout.sy(v)} y2={layout.sy(v)} />
                    <text
                      x={area.x - TICK - 2}
                      y={layout.sy(v)}
                      dy="0.355em"
                      textAnchor="end"
                      className="chart-tick"
                    >
                      {yTickText(v)}
                    </text>
                  </g>
                ))}
                <text
                  transform={`translate(${MARGIN.left + 8},${area.y + area.height / 2}) rotate(-90)`}
                  dy="0.355em"
                  textAnchor="middle"
                  className="axis-label"
                >
                  max abs error (log)
                </text>
              </g>
              <g className="chart-under" aria-hidden="true">
                <line
                  x1={area.x}
                  x2={area.x + area.width}
                  y1={layout.sy(base.zeroLine)}
                  y2={layout.sy(base.zeroLine)}
                  className="zero-line"
                />
                <text x={area.x + 4} y={layout.sy(base.zeroLine) - 4} className="line-label">
                  lossless (error 0)
                </text>
                {layout.original !== null && (
                  <>
                    <line
                      x1={layout.original}
                      x2={layout.original}
                      y1={area.y}
                      y2={area.y + area.height}
                      className="original-line"
                    />
                    <text
                      x={layout.original - 4}
                      y={area.y + LABEL_FONT}
                      textAnchor="end"
                      className="line-label"
                    >
                      original
                    </text>
                  </>
                )}
                {selected && (
                  <line
                    x1={layout.sx(selected.bytes)}
                    x2={layout.sx(selected.bytes)}
                    y1={area.y}
                    y2={area.y + area.height}
                    className="selected-line"
                  />
                )}
                {layout.tauLabel && layout.tauY !== null && (
                  <g data-testid="chart-tau-line">
                    <line
                      x1={area.x}
                      x2={area.x + area.width}
                      y1={layout.tauY}
                      y2={layout.tauY}
                      className="tau-line"
                    />
                    <text
                      x={layout.tauLabel.x}
                      y={layout.tauLabel.y}
                      textAnchor="end"
                      className="line-label tau-label"
                    >
                      {layout.tauLabel.text}
                    </text>
                  </g>
                )}
                {layout.floorLine && (
                  <g data-testid="chart-floor-line">
                    <line
                      x1={layout.floorLine.x}
                      x2={layout.floorLine.x}
                      y1={layout.floorLine.y1}
                      y2={layout.floorLine.y2}
                      className="floor-line"
                    />
                    <text
                      transform={`translate(${layout.floorLine.textX},${layout.floorLine.textY}) rotate(-90)`}
                      className="line-label floor-label"
                    >
                      {floorText(area.width)}
                    </text>
                  </g>
                )}
                <path
                  className="pareto-line"
                  d={points
                    .filter((p) => p.pareto)
                    .sort((a, b) => a.bytes - b.bytes)
                    .map((p, i, arr) => {
                      const q = layout.pos.get(p.id)!;
                      const prev = i > 0 ? layout.pos.get(arr[i - 1]!.id)! : null;
                      return prev ? `H${q.x}V${q.y}` : `M${q.x},${q.y}`;
                    })
                    .join('')}
                />
                {points
                  .filter((p) => p.dx !== 0 || p.dy !== 0)
                  .map((p) => {
                    const q = layout.pos.get(p.id)!;
                    return (
                      <g key={p.id}>
                        <line x1={q.x} y1={q.y} x2={q.x + p.dx} y2={q.y + p.dy} className="leader" />
                        <circle cx={q.x} cy={q.y} r={1.8} className="true-dot" />
                      </g>
                    );
                  })}
              </g>
              <PointsLayer points={points} pos={layout.pos} />
              <g className="chart-over" aria-hidden="true" pointerEvents="none">
                {points
                  .filter((p) => p.recommended || ringIds.has(p.id))
                  .map((p) => {
                    const q = layout.pos.get(p.id)!;
                    return (
                      <g key={p.id} transform={`translate(${q.x + p.dx},${q.y + p.dy})`}>
                        {p.recommended && <circle r={R + 5} className="rec-ring" />}
                        {ringIds.has(p.id) && <circle r={R + 9} className="hover-ring" />}
                      </g>
                    );
                  })}
                {layout.labels.map(
                  (l) =>
                    l.leader && (
                      <line
                        key={`leader-${l.id}`}
                        x1={l.leader.x1}
                        y1={l.leader.y1}
                        x2={l.leader.x2}
                        y2={l.leader.y2}
                        className="label-leader"
                      />
                    ),
                )}
                {layout.labels.map((l) => (
                  <text
                    key={l.id}
                    x={l.x}
                    y={l.y}
                    textAnchor={l.anchor}
                    className={`point-label${l.recommended ? ' rec' : ''}`}
                  >
                    {l.text}
                  </text>
                ))}
              </g>
            </svg>
            {/* `.recharts-tooltip-wrapper`: the class tools outside the app find the tooltip by. */}
            <div className="recharts-tooltip-wrapper chart-tip-wrap" style={tipStyle}>
              <ChartTooltip point={tip} inputBytes={inputBytes} tau={tau} onSize={onTipSize} />
            </div>
          </PointCtx.Provider>
        )}
      </div>
      {results.length > 0 && <Legend points={points} floor={floor} tau={tau} nudged={nudged} />}
      {/* Last, so the plot's own svg stays the card's first. */}
      <ChartDefs />
    </section>
  );
});
