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

function diverging(p: Palette, x: number, scale: number): Rgb {
  if (x !== x) return p.nan;
  const t = scale > 0 ? Math.max(-1, Math.min(1, x / scale)) : 0;
  return t < 0 ? mix(p.mid, p.neg, -t) : mix(p.mid, p.pos, t);
}

function sequential(p: Palette, e: number, scale: number): Rgb {
  const ramp = p.err;
  if (e === Infinity) return ramp[ramp.length - 1]!;
  const t = scale > 0 ? Math.min(1, e / scale) * (ramp.length - 1) : 0;
  const i = Math.min(ramp.length - 2, Math.floor(t));
  return mix(ramp[i]!, ramp[i + 1]!, t - i);
}

function draw(canvas: HTMLCanvasElement | null, rows: number, cols: number, color: (i: number) => Rgb): void {
  const ctx = canvas?.getContext('2d');
  if (!canvas || !ctx) return;
  canvas.width = cols;
  canvas.height = rows;
  const img = ctx.createImageData(cols, rows);
  for (let i = 0; i < rows * cols; i++) {
    const [r, g, b] = color(i);
    img.data[4 * i] = r;
    img.data[4 * i + 1] = g;
    img.data[4 * i + 2] = b;
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
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
    draw(origRef.current, rows, cols, (i) => diverging(p, original[i]!, scale));
    draw(decRef.current, rows, cols, (i) => diverging(p, decoded[i]!, scale));
    draw(errRef.current, rows, cols, (i) => sequential(p, elementError(original[i]!, decoded[i]!), maxErr));
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
