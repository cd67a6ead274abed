import { useEffect, useRef } from 'react';
import type { MatrixView } from '../workers/quality-job';
import { elementError } from '../core/quality';
import { formatError, formatNumber } from './format';

type Rgb = [number, number, number];

/** Diverging (values): blue ← white → red, symmetric around 0. */
const NEG: Rgb = [37, 99, 235];
const MID: Rgb = [247, 247, 247];
const POS: Rgb = [220, 38, 38];
/** Sequential (error): white → amber → dark red. */
const ERR: Rgb[] = [
  [247, 247, 247],
  [253, 224, 71],
  [234, 88, 12],
  [127, 29, 29],
];
const NAN_COLOR: Rgb = [120, 120, 120];

function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

function diverging(x: number, scale: number): Rgb {
  if (x !== x) return NAN_COLOR;
  const t = scale > 0 ? Math.max(-1, Math.min(1, x / scale)) : 0;
  return t < 0 ? mix(MID, NEG, -t) : mix(MID, POS, t);
}

function sequential(e: number, scale: number): Rgb {
  if (e === Infinity) return ERR[3]!;
  const t = scale > 0 ? Math.min(1, e / scale) * (ERR.length - 1) : 0;
  const i = Math.min(ERR.length - 2, Math.floor(t));
  return mix(ERR[i]!, ERR[i + 1]!, t - i);
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

  useEffect(() => {
    draw(origRef.current, rows, cols, (i) => diverging(original[i]!, scale));
    draw(decRef.current, rows, cols, (i) => diverging(decoded[i]!, scale));
    draw(errRef.current, rows, cols, (i) => sequential(elementError(original[i]!, decoded[i]!), maxErr));
  }, [rows, cols, original, decoded, scale, maxErr]);

  const aspect = `${cols} / ${rows}`;
  return (
    <div className="heatmaps" data-testid="quality-heatmap" data-matrix={view.index}>
      <figure>
        <canvas ref={origRef} style={{ aspectRatio: aspect }} aria-label="original values" />
        <figcaption>
          original <span className="muted">±{formatNumber(scale)}</span>
        </figcaption>
      </figure>
      <figure>
        <canvas ref={decRef} style={{ aspectRatio: aspect }} aria-label="decoded values" />
        <figcaption>
          decoded <span className="muted">same scale</span>
        </figcaption>
      </figure>
      <figure>
        <canvas ref={errRef} style={{ aspectRatio: aspect }} aria-label="absolute error" />
        <figcaption>
          |error| <span className="muted">0 … {formatError(maxErr)}</span>
        </figcaption>
      </figure>
    </div>
  );
}
