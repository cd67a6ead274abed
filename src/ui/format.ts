// Number formatting for people: sizes in MB with a percentage, errors in compact scientific form.

export function formatMB(bytes: number): string {
  const mb = bytes / 1e6;
  if (mb >= 100) return `${mb.toFixed(1)} MB`;
  if (mb >= 1) return `${mb.toFixed(2)} MB`;
  if (bytes >= 1000) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} B`;
}

export function formatPercent(part: number, whole: number): string {
  if (!(whole > 0)) return '–';
  const p = (100 * part) / whole;
  return p >= 10 ? `${p.toFixed(0)}%` : `${p.toFixed(1)}%`;
}

export function formatError(e: number): string {
  if (e === 0) return '0 (lossless)';
  if (!Number.isFinite(e)) return Number.isNaN(e) ? 'NaN' : '∞';
  return e.toExponential(1).replace('e', 'e');
}

export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) return x.toExponential(3);
  return x.toPrecision(5).replace(/\.?0+$/, '');
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

export function formatShape(shape: readonly number[]): string {
  return shape.length === 0 ? '() scalar' : shape.join(' × ');
}

/** A size for an axis tick: two significant digits at most ("12 kB", "1.5 MB", "570 MB"). */
export function formatSizeShort(bytes: number): string {
  if (bytes === 0) return '0';
  const units: [number, string][] = [
    [1e9, 'GB'],
    [1e6, 'MB'],
    [1e3, 'kB'],
  ];
  for (const [scale, unit] of units) if (bytes >= scale) return `${trimNumber(bytes / scale)} ${unit}`;
  return `${trimNumber(bytes)} B`;
}

function trimNumber(x: number): string {
  const s = x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** A count in at most four characters or so ("950", "12k", "1.2M"), for labels on small bars. */
export function formatCountShort(n: number): string {
  if (n < 1000) return String(n);
  for (const [scale, unit] of [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const) {
    if (n >= scale) {
      const v = n / scale;
      return `${v >= 10 ? Math.round(v) : Number(v.toFixed(1))}${unit}`;
    }
  }
  return String(n);
}

/** How many times smaller than the original ("3.4× smaller", or "1.2× larger"). */
export function formatRatio(bytes: number, original: number): string {
  if (!(bytes > 0) || !(original > 0)) return '';
  const r = original / bytes;
  if (r >= 1) return `${r >= 10 ? r.toFixed(0) : r.toFixed(1)}× smaller`;
  const l = bytes / original;
  return `${l >= 10 ? l.toFixed(0) : l.toFixed(1)}× larger`;
}
