// Which strategy specs a sweep runs, and the ids results are known by (DESIGN.md §4).
import { isSquareStack } from '../core/ndarray';
import type { Layout, Params, StrategyId, StrategySpec } from './types';
import { STRATEGIES, strategyOf } from './registry';
import type { CodecParams } from './hdf5-codec';

export type LayoutChoice = 'full' | 'triangle' | 'both';

/** The user-facing knobs of a sweep; everything else uses each strategy's defaults. */
export interface SweepSettings {
  decimals: number;
  eps: number;
  gzipLevel: number;
  layouts: LayoutChoice;
}

export const DEFAULT_SWEEP_SETTINGS: SweepSettings = {
  decimals: 4,
  eps: 1e-4,
  gzipLevel: 4,
  layouts: 'both',
};

export const LAYOUT_SHORT: Record<Layout, string> = { full: 'full', 'upper-triangle-rowmajor': 'triangle' };

export function resultIdOf(spec: StrategySpec): string {
  const variant = strategyOf(spec.strategyId).variantKey(spec.params);
  return [spec.strategyId, spec.layout, variant].filter((s) => s !== '').join(':');
}

/** A stable key for a spec including its params: results for it can be cached and reused. */
export function specKeyOf(spec: StrategySpec): string {
  const keys = Object.keys(spec.params).sort();
  return `${resultIdOf(spec)}|${keys.map((k) => `${k}=${spec.params[k]}`).join(',')}`;
}

/** Why the triangle layout is off for this shape, or null when it applies. */
export function triangleProblem(shape: readonly number[]): string | null {
  if (shape.length < 2) return `triangle packing needs matrices; this array has rank ${shape.length}`;
  if (!isSquareStack(shape))
    return `triangle packing needs square matrices; the last two axes are ${shape[shape.length - 2]} × ${shape[shape.length - 1]}`;
  return null;
}

export function layoutsFor(shape: readonly number[], choice: LayoutChoice): Layout[] {
  const triangleOk = triangleProblem(shape) === null;
  if (!triangleOk) return ['full'];
  if (choice === 'full') return ['full'];
  if (choice === 'triangle') return ['upper-triangle-rowmajor'];
  return ['full', 'upper-triangle-rowmajor'];
}

/**
 * Plugin codecs in the default sweep: a few that sat on or near the Pareto front for the notebook's
 * array, not all of them. Levels: blosc 5 (hdf5plugin's default), zstd 9 (as in DESIGN.md §6).
 * float16 gets blosc zstd (15.1 MB for the notebook's triangle, below shuffle+gzip's 16.5; blosc
 * lz4 gave 18.8). Plain zstd-9 is left out of the default: it cost a quarter of the whole sweep's worker
 * time in the benchmark (35 s on the notebook array) for files no smaller than bitshuffle+zstd's, and
 * Debian's hdf5plugin can't open them.
 */
const DEFAULT_CODEC_SWEEP: readonly Partial<CodecParams>[] = [
  { codec: 'bitshuffle-zstd', shuffle: 'none', values: 'quantized', level: 9 },
  { codec: 'blosc-zstd', shuffle: 'bit', values: 'quantized', level: 5 },
  { codec: 'bitshuffle-lz4', shuffle: 'none', values: 'quantized' },
  { codec: 'blosc-zstd', shuffle: 'byte', values: 'float16', level: 5 },
  { codec: 'blosc-zstd', shuffle: 'byte', values: 'native', level: 5 },
];

function paramsFor(id: StrategyId, s: SweepSettings): Params[] {
  switch (id) {
    case 'hdf5-gzip':
      return [{ level: s.gzipLevel }];
    case 'hdf5-scaleoffset':
      return [
        { decimals: s.decimals, base: 'float32' },
        { decimals: s.decimals, base: 'float64' },
      ];
    case 'hdf5-quantized':
      return [
        { eps: s.eps, codec: 'scaleoffset', level: s.gzipLevel },
        { eps: s.eps, codec: 'gzip', level: s.gzipLevel },
      ];
    case 'hdf5-codec':
      return DEFAULT_CODEC_SWEEP.map((c) => ({ ...STRATEGIES[id].defaults, ...c, eps: s.eps }));
    default:
      return [{ ...STRATEGIES[id].defaults }];
  }
}

export function buildSweep(shape: readonly number[], settings: SweepSettings): StrategySpec[] {
  const specs: StrategySpec[] = [];
  for (const layout of layoutsFor(shape, settings.layouts)) {
    for (const id of Object.keys(STRATEGIES) as StrategyId[]) {
      for (const params of paramsFor(id, settings)) specs.push({ strategyId: id, layout, params });
    }
  }
  return specs;
}
