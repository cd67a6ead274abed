import { useEffect, useRef, useState } from 'react';
import type { MatrixView } from '../workers/quality-job';
import { elementError } from '../core/quality';
import { formatError, formatNumber } from './format';

type Rgb = [number, number, number];

/** The colour ramps, from CSS variables in quality.css so they follow the light or dark theme. */
interface Palette {
  /** Diverging (values): negative ← middle (0) → positive. */
  neg: Rgb;
  mid: Rgb;
  pos: Rgb;
  /** Sequential (error), 0 first. */
  err: Rgb[];
  nan: Rgb;
}

const FALLBACK: Palette = {
  neg: [37, 99, 235],
  mid: [247, 247, 247],
  pos: [220, 38, 38],
  err: [
    [247, 247, 247],
    [253, 224, 71],
    [234, 88, 12],
    [127, 29, 29],
  ],
  nan: [120, 120, 120],
};

function parseHex(v: string, fallback: Rgb): Rgb {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(v.trim());
  return m ? [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)] : fallback;
}

function paletteOf(el: Element): Palette {
  const css = getComputedStyle(el);
  const get = (name: string, fallback: Rgb) => parseHex(css.getPropertyValue(name), fallback);
  return {
    neg: get('--heat-neg', FALLBACK.neg),
    mid: get('--heat-mid', FALLBACK.mid),
    pos: get('--heat-pos', FALLBACK.pos),
    err: FALLBACK.err.map((c, i) => get(`--heat-err-${i}`, c)),
    nan: get('--heat-nan', FALLBACK.nan),
  };
}

/** Bumps when the colour scheme changes, so the canvases are drawn again in the new palette. */
function useSchemeVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const mq = window.matchMedia('(prefers-color-scheme: dark)');
    const bump = () => setVersion((v) => v + 1);
    mq.addEventListener('change', bump);
    return () => mq.removeEventListener('change', bump);
  }, []);
  return version;
}

function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** Steps of a colour ramp: finer than a screen shows, and a pixel is a table lookup. */
const STEPS = 1024;

/** RGB of `STEPS + 1` evenly spaced points of a ramp through `stops`, then one more for NaN. */
function rampTable(stops: Rgb[], nan: Rgb): Uint8ClampedArray {
  const t = new Uint8ClampedArray(3 * (STEPS + 2));
  for (let k = 0; k <= STEPS; k++) {
    const x = (k / STEPS) * (stops.length - 1);
    const i = Math.min(stops.length - 2, Math.floor(x));
    t.set(mix(stops[i]!, stops[i + 1]!, x - i), 3 * k);
  }
  t.set(nan, 3 * (STEPS + 1));
  return t;
}

/**
 * Paints `rows × cols` pixels, each the ramp colour at `position(i)` in [0, 1] (NaN: the NaN colour).
 * One lookup per pixel, no allocation: with a colour array per pixel, drawing three 141 × 141 maps
 * showed as 48–82 ms of script in a profiled trace of a busy page.
 */
function draw(
  canvas: HTMLCanvasElement | null,
  rows: number,
  cols: number,
  table: Uint8ClampedArray,
  position: (i: number) => number,
): void {
  const ctx = canvas?.getContext('2d');
  if (!canvas || !ctx) return;
  canvas.width = cols;
  canvas.height = rows;
  const img = ctx.createImageData(cols, rows);
  const px = img.data;
  for (let i = 0; i < rows * cols; i++) {
    const t = position(i);
    const k = 3 * (t === t ? Math.round(Math.max(0, Math.min(1, t)) * STEPS) : STEPS + 1);
    px[4 * i] = table[k]!;
    px[4 * i + 1] = table[k + 1]!;
    px[4 * i + 2] = table[k + 2]!;
    px[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

/** Diverging position of a value: 0.5 is 0, 0 and 1 are ∓scale (and beyond). */
function divergingAt(x: number, scale: number): number {
  return scale > 0 ? 0.5 + 0.5 * Math.max(-1, Math.min(1, x / scale)) : 0.5;
}

/** Sequential position of an error: 0 is exact, 1 is `scale` or more (Inf too). */
function sequentialAt(e: number, scale: number): number {
  if (e === Infinity) return 1;
  return scale > 0 ? Math.min(1, e / scale) : 0;
}

function maxAbsFinite(a: Float64Array): number {
  let m = 0;
  for (const x of a) if (x - x === 0 && Math.abs(x) > m) m = Math.abs(x);
  return m;
}

/** One matrix side by side: original, decoded (same colour scale) and |error| (its own scale). */
export function MatrixHeatmap({ view }: { view: MatrixView }) {
  const origRef = useRef<HTMLCanvasElement>(null);
  const decRef = useRef<HTMLCanvasElement>(null);
  const errRef = useRef<HTMLCanvasElement>(null);
  const { rows, cols, original, decoded } = view;
  const scale = maxAbsFinite(original);
  let maxErr = 0;
  for (let i = 0; i < original.length; i++) {
    const e = elementError(original[i]!, decoded[i]!);
    if (e > maxErr && e !== Infinity) maxErr = e;
  }

  const scheme = useSchemeVersion();

  useEffect(() => {
    if (!origRef.current) return;
    const p = paletteOf(origRef.current);
    const values = rampTable([p.neg, p.mid, p.pos], p.nan);
    const errors = rampTable(p.err, p.nan);
    draw(origRef.current, rows, cols, values, (i) => divergingAt(original[i]!, scale));
    draw(decRef.current, rows, cols, values, (i) => divergingAt(decoded[i]!, scale));
    draw(errRef.current, rows, cols, errors, (i) =>
      sequentialAt(elementError(original[i]!, decoded[i]!), maxErr),
    );
  }, [rows, cols, original, decoded, scale, maxErr, scheme]);

  const aspect = `${cols} / ${rows}`;
  return (
    <div className="heatmaps" data-testid="quality-heatmap" data-matrix={view.index}>
      <figure>
        <canvas ref={origRef} style={{ aspectRatio: aspect }} aria-label="original values" />
        <div className="heat-scale diverging" aria-hidden="true" />
        <figcaption>
          original{' '}
          <span className="muted">
            −{formatNumber(scale)} … 0 … +{formatNumber(scale)}
          </span>
        </figcaption>
      </figure>
      <figure>
        <canvas ref={decRef} style={{ aspectRatio: aspect }} aria-label="decoded values" />
        <div className="heat-scale diverging" aria-hidden="true" />
        <figcaption>
          decoded <span className="muted">same scale</span>
        </figcaption>
      </figure>
      <figure>
        <canvas ref={errRef} style={{ aspectRatio: aspect }} aria-label="absolute error" />
        <div className="heat-scale sequential" aria-hidden="true" />
        <figcaption>
          |error| <span className="muted">0 … {formatError(maxErr)}</span>
        </figcaption>
      </figure>
    </div>
  );
}
