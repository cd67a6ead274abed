// How a result is told apart in the chart and the table: a colour per strategy kind (CSS variables in
// styles.css, one set per theme), a mark shape per codec family and a fill per layout.
import type { Layout, Params, StrategyId, StrategyKind } from '../strategies/types';

/** One colour per strategy kind (hues far apart; each has a light- and a dark-theme value). */
export const KIND_COLORS: Record<StrategyKind, string> = {
  baseline: 'var(--kind-baseline)',
  cast: 'var(--kind-cast)',
  lossless: 'var(--kind-lossless)',
  scaleoffset: 'var(--kind-scaleoffset)',
  quantized: 'var(--kind-quantized)',
  plugin: 'var(--kind-plugin)',
};

export const KIND_LABELS: Record<StrategyKind, string> = {
  baseline: 'baseline',
  cast: 'float cast',
  lossless: 'lossless compression',
  scaleoffset: 'scaleoffset',
  quantized: 'quantized ε',
  plugin: 'plugin codec',
};

export const KIND_ORDER: readonly StrategyKind[] = [
  'baseline',
  'cast',
  'lossless',
  'scaleoffset',
  'quantized',
  'plugin',
];

/** The compressor behind a file, whatever the values were turned into first. */
export type CodecFamily =
  | 'none'
  | 'gzip'
  | 'shuffle-gzip'
  | 'scaleoffset'
  | 'blosc'
  | 'bitshuffle'
  | 'zstd'
  | 'lz4'
  | 'bzip2'
  | 'zfp';

export const FAMILY_LABELS: Record<CodecFamily, string> = {
  none: 'no compression',
  gzip: 'gzip',
  'shuffle-gzip': 'shuffle + gzip',
  scaleoffset: 'scaleoffset',
  blosc: 'blosc',
  bitshuffle: 'bitshuffle',
  zstd: 'zstd',
  lz4: 'lz4',
  bzip2: 'bzip2',
  zfp: 'zfp',
};

export const FAMILY_ORDER = Object.keys(FAMILY_LABELS) as CodecFamily[];

/** A codec family from a compressor's name ("blosc-zstd", "zlib", "bz2", …); 'none' when unknown. */
function familyFromName(name: string): CodecFamily {
  const c = name.toLowerCase();
  if (c.includes('blosc')) return 'blosc';
  if (c.includes('bitshuffle')) return 'bitshuffle';
  if (c.includes('zfp')) return 'zfp';
  if (c.includes('zstd')) return 'zstd';
  if (c.includes('lz4')) return 'lz4';
  if (c.includes('bz2') || c.includes('bzip2')) return 'bzip2';
  if (c.includes('shuffle') && (c.includes('gzip') || c.includes('zlib'))) return 'shuffle-gzip';
  if (c.includes('gzip') || c.includes('zlib') || c.includes('deflate')) return 'gzip';
  if (c.includes('scaleoffset')) return 'scaleoffset';
  return 'none';
}

export function codecFamily(strategyId: StrategyId, params: Params): CodecFamily {
  switch (strategyId) {
    case 'npy':
    case 'hdf5-native':
    case 'hdf5-float32':
    case 'hdf5-float16':
      return 'none';
    case 'hdf5-gzip':
      return 'gzip';
    case 'hdf5-scaleoffset':
      return 'scaleoffset';
    case 'hdf5-quantized':
      return familyFromName(String(params.codec ?? 'scaleoffset'));
    default:
      // Plugin codecs and any other container: by the name of its compressor.
      return familyFromName(String(params.codec ?? params.compressor ?? ''));
  }
}

type Shape =
  | 'circle'
  | 'square'
  | 'pentagon'
  | 'triangle'
  | 'diamond'
  | 'triangle-down'
  | 'star'
  | 'hexagon'
  | 'plus'
  | 'x';

const FAMILY_SHAPES: Record<CodecFamily, Shape> = {
  none: 'circle',
  gzip: 'square',
  'shuffle-gzip': 'pentagon',
  scaleoffset: 'triangle',
  blosc: 'diamond',
  bitshuffle: 'triangle-down',
  zstd: 'star',
  lz4: 'hexagon',
  bzip2: 'plus',
  zfp: 'x',
};

function polygon(n: number, r: number, rotation: number): string {
  const pts: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = rotation + (2 * Math.PI * i) / n;
    pts.push(`${(r * Math.cos(a)).toFixed(2)},${(r * Math.sin(a)).toFixed(2)}`);
  }
  return `M${pts.join('L')}Z`;
}

function star(r: number): string {
  const pts: string[] = [];
  for (let i = 0; i < 10; i++) {
    const a = -Math.PI / 2 + (Math.PI * i) / 5;
    const rr = i % 2 === 0 ? r : r * 0.45;
    pts.push(`${(rr * Math.cos(a)).toFixed(2)},${(rr * Math.sin(a)).toFixed(2)}`);
  }
  return `M${pts.join('L')}Z`;
}

function cross(r: number, turn: number): string {
  const w = r * 0.36;
  const arm: [number, number][] = [
    [-w, -r],
    [w, -r],
    [w, -w],
    [r, -w],
    [r, w],
    [w, w],
    [w, r],
    [-w, r],
    [-w, w],
    [-r, w],
    [-r, -w],
    [-w, -w],
  ];
  const c = Math.cos(turn);
  const s = Math.sin(turn);
  return `M${arm.map(([x, y]) => `${(x * c - y * s).toFixed(2)},${(x * s + y * c).toFixed(2)}`).join('L')}Z`;
}

/** An SVG path for a family's mark centred on (0, 0), about `r` in radius (shapes of similar area). */
export function markPath(family: CodecFamily, r: number): string {
  switch (FAMILY_SHAPES[family]) {
    case 'circle':
      return `M${r},0A${r},${r} 0 1,1 ${-r},0A${r},${r} 0 1,1 ${r},0Z`;
    case 'square': {
      const h = r * 0.86;
      return `M${-h},${-h}H${h}V${h}H${-h}Z`;
    }
    case 'pentagon':
      return polygon(5, r * 1.02, -Math.PI / 2);
    case 'triangle':
      return polygon(3, r * 1.25, -Math.PI / 2);
    case 'triangle-down':
      return polygon(3, r * 1.25, Math.PI / 2);
    case 'diamond':
      return polygon(4, r * 1.2, 0);
    case 'star':
      return star(r * 1.35);
    case 'hexagon':
      return polygon(6, r * 1.02, 0);
    case 'plus':
      return cross(r * 1.15, 0);
    case 'x':
      return cross(r * 1.15, Math.PI / 4);
  }
}

/** How a layout fills the mark: solid, hollow, or half filled (lower half / left half). */
export type LayoutFill = 'solid' | 'hollow' | 'lower' | 'left';

export const LAYOUT_FILLS: Record<Layout, LayoutFill> = {
  full: 'solid',
  'upper-triangle-rowmajor': 'hollow',
  'used-pairs': 'lower',
  'used-pairs-pair-major': 'left',
};

/** Ids of the clip paths (in objectBoundingBox units) the half-filled marks use; see ChartDefs. */
export const HALF_CLIP_IDS = { lower: 'h5sq-clip-lower', left: 'h5sq-clip-left' } as const;
