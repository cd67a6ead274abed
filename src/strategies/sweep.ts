// Which strategy specs a sweep runs, and the ids results are known by (DESIGN.md §4).
import { isSquareStack } from '../core/ndarray';
import type { Layout, Params, StrategyId, StrategySpec } from './types';
import { STRATEGIES, strategyOf } from './registry';
import { LAYOUTS, LAYOUT_IDS } from '../layouts/registry';
import type { CodecParams } from './hdf5-codec';

export type LayoutChoice = 'full' | 'triangle' | 'both';

/** The user-facing knobs of a sweep; everything else uses each strategy's defaults. */
export interface SweepSettings {
  decimals: number;
  eps: number;
  gzipLevel: number;
  layouts: LayoutChoice;
  /** Plugin codec presets to run, by key (see CODEC_PRESETS). */
  codecs: readonly string[];
}

export const LAYOUT_SHORT = Object.fromEntries(LAYOUT_IDS.map((id) => [id, LAYOUTS[id].short])) as Record<
  Layout,
  string
>;

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
 * Plugin codec presets the user can switch on (each appears in the sweep once per layout). The
 * default ones sat on or near the Pareto front for the notebook's array. Levels: blosc 5
 * (hdf5plugin's default), zstd and bitshuffle+zstd 9 (as in DESIGN.md §6). float16 gets blosc zstd
 * (15.1 MB for the notebook's triangle, below shuffle+gzip's 16.5; blosc lz4 gave 18.8). Plain zstd-9
 * is off by default: it cost a quarter of the whole sweep's worker time in the benchmark (35 s on the
 * notebook array) for files no smaller than bitshuffle+zstd's, and Debian's hdf5plugin can't open them.
 */
const PRESET_PARAMS: readonly { params: Partial<CodecParams>; byDefault: boolean }[] = [
  { params: { codec: 'bitshuffle-zstd', shuffle: 'none', values: 'quantized', level: 9 }, byDefault: true },
  { params: { codec: 'blosc-zstd', shuffle: 'bit', values: 'quantized', level: 5 }, byDefault: true },
  { params: { codec: 'bitshuffle-lz4', shuffle: 'none', values: 'quantized' }, byDefault: true },
  { params: { codec: 'blosc-zstd', shuffle: 'byte', values: 'float16', level: 5 }, byDefault: true },
  { params: { codec: 'blosc-zstd', shuffle: 'byte', values: 'native', level: 5 }, byDefault: true },
  { params: { codec: 'zstd', shuffle: 'none', values: 'quantized', level: 9 }, byDefault: false },
  { params: { codec: 'lz4', shuffle: 'none', values: 'quantized' }, byDefault: false },
  { params: { codec: 'bzip2', shuffle: 'none', values: 'quantized', level: 9 }, byDefault: false },
  { params: { codec: 'blosc-lz4', shuffle: 'byte', values: 'quantized', level: 5 }, byDefault: false },
  { params: { codec: 'bitshuffle-lz4', shuffle: 'none', values: 'float16' }, byDefault: false },
  { params: { codec: 'blosc-lz4', shuffle: 'byte', values: 'float16', level: 5 }, byDefault: false },
  { params: { codec: 'zfp-rate', shuffle: 'none', values: 'float32', rate: 16 }, byDefault: false },
  { params: { codec: 'bzip2', shuffle: 'none', values: 'native', level: 9 }, byDefault: false },
];

export interface CodecPreset {
  /** The codec strategy's variant key, e.g. `bitshuffle-zstd-quantized` (also used in result ids). */
  key: string;
  label: string;
  params: CodecParams;
  byDefault: boolean;
}

export const CODEC_PRESETS: readonly CodecPreset[] = PRESET_PARAMS.map(({ params, byDefault }) => {
  const full = { ...STRATEGIES['hdf5-codec'].defaults, ...params };
  const def = STRATEGIES['hdf5-codec'];
  return {
    key: def.variantKey(full),
    label: def.describeParams(full).replace(/, quantized ε = .*$/, ', quantized'),
    params: full,
    byDefault,
  };
});

export const DEFAULT_SWEEP_SETTINGS: SweepSettings = {
  decimals: 4,
  eps: 1e-4,
  gzipLevel: 4,
  layouts: 'both',
  codecs: CODEC_PRESETS.filter((p) => p.byDefault).map((p) => p.key),
};

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
      return CODEC_PRESETS.filter((p) => s.codecs.includes(p.key)).map((p) => ({ ...p.params, eps: s.eps }));
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
