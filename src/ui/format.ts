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
