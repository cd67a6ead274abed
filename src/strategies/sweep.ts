// Which strategy specs a sweep runs, and the ids results are known by (docs/ARCHITECTURE.md).
import type { InputFacts, Layout, LayoutValues, Params, StrategyId, StrategySpec } from './types';
import { ulp16, ulp32 } from './common';
import { DTYPE_BYTES, sizeOf } from '../core/ndarray';
import { squareStackProblem } from '../layouts/symmetric';
import { STRATEGIES, strategyOf } from './registry';
import { LAYOUTS, LAYOUT_IDS } from '../layouts/registry';
import type { CodecParams } from './hdf5-codec';
import { NATIVE_ZLIB_LEVEL } from '../zarr/types';

/**
 * Which layouts a sweep runs: `both` = the full array and the best packed layout for this input (the
 * used-pairs layouts where they pay, else the triangle); `all` = every layout that applies.
 */
export type LayoutChoice = 'full' | 'triangle' | 'pairs' | 'both' | 'all';

export const LAYOUT_CHOICES: readonly LayoutChoice[] = ['full', 'triangle', 'pairs', 'both', 'all'];

/** The user-facing knobs of a sweep; everything else uses each strategy's defaults. */
export interface SweepSettings {
  /** scaleoffset decimals when set by hand (`decimalsAuto` false). */
  decimals: number;
  /** Quantization ε when set by hand (`epsAuto` false). */
  eps: number;
  /** D follows the tolerance: the smallest D whose bound fits it. */
  decimalsAuto: boolean;
  /** ε follows the tolerance (the layout's own error is paid out of it). */
  epsAuto: boolean;
  gzipLevel: number;
  layouts: LayoutChoice;
  /** Plugin codec presets to run, by key (see CODEC_PRESETS). */
  codecs: readonly string[];
}

/** What the user accepts: a max-abs error, absolute or as a fraction of the largest |value|. */
export interface Tolerance {
  mode: 'abs' | 'rel';
  value: number;
}

/** The absolute tolerance τ for an input whose largest finite |value| is `maxAbs`. */
export function absoluteTolerance(t: Tolerance, maxAbs: number): number {
  return t.mode === 'abs' ? t.value : t.value * maxAbs;
}

export const LAYOUT_SHORT = Object.fromEntries(LAYOUT_IDS.map((id) => [id, LAYOUTS[id].short])) as Record<
  Layout,
  string
>;

export function resultIdOf(spec: StrategySpec): string {
  const variant = strategyOf(spec.strategyId).variantKey(spec.params);
  return [spec.strategyId, spec.layout, variant].filter((s) => s !== '').join(':');
}

/** The params a spec runs with, defaults filled in and unused ones dropped (StrategyDef.canonical). */
export function canonicalParams(spec: StrategySpec): Params {
  const def = strategyOf(spec.strategyId);
  const full = { ...def.defaults, ...spec.params };
  return (def.canonical?.(full) ?? full) as Params;
}

/** A stable key for a spec including its params: results for it can be cached and reused. */
export function specKeyOf(spec: StrategySpec): string {
  const params = canonicalParams(spec);
  const keys = Object.keys(params).sort();
  return `${resultIdOf(spec)}|${keys.map((k) => `${k}=${params[k]}`).join(',')}`;
}

/** Why the triangle layout is off for this shape, or null when it applies. */
export function triangleProblem(shape: readonly number[]): string | null {
  return squareStackProblem(shape);
}

/** The layouts a sweep runs for this input and choice (always at least `full`). */
export function layoutsFor(
  shape: readonly number[],
  choice: LayoutChoice,
  facts?: InputFacts | null,
): Layout[] {
  const applies = (id: Layout) => LAYOUTS[id].problem(shape, facts ?? null) === null;
  const pairs: Layout[] =
    facts && LAYOUTS['used-pairs'].pays(shape, facts) ? ['used-pairs', 'used-pairs-pair-major'] : [];
  const triangle: Layout[] = applies('upper-triangle-rowmajor') ? ['upper-triangle-rowmajor'] : [];
  let out: Layout[];
  switch (choice) {
    case 'full':
      out = ['full'];
      break;
    case 'triangle':
      out = triangle;
      break;
    case 'pairs':
      out = pairs.length > 0 ? pairs : triangle;
      break;
    case 'both':
      out = ['full', ...(pairs.length > 0 ? pairs : triangle)];
      break;
    case 'all':
      out = [
        'full',
        ...triangle,
        ...(facts && applies('used-pairs') ? (['used-pairs', 'used-pairs-pair-major'] as Layout[]) : []),
      ];
      break;
  }
  return out.length > 0 ? out : ['full'];
}

/**
 * Plugin codec presets the user can switch on (each appears in the sweep once per layout). The
 * default ones sat on or near the Pareto front for the notebook's array. Levels: blosc 5
 * (hdf5plugin's default), zstd and bitshuffle+zstd 9 (as in docs/ARCHITECTURE.md, notebook figures). float16 gets blosc zstd
 * (15.1 MB for the notebook's triangle, below shuffle+gzip's 16.5; blosc lz4 gave 18.8). Plain zstd-9
 * is off by default: it cost a quarter of the whole sweep's worker time in the benchmark (35 s on the
 * notebook array) for files no smaller than bitshuffle+zstd's, and Debian's hdf5plugin can't open them.
 */
const PRESET_PARAMS: readonly {
  params: Partial<CodecParams>;
  byDefault: boolean;
  /** Run only on inputs up to this many bytes (a slow coder that pays on small stacks). */
  maxInputBytes?: number;
}[] = [
  // Debian's bitshuffle 0.3.5 returns wrong values for bitshuffle + zstd without an error: never by default.
  { params: { codec: 'bitshuffle-zstd', shuffle: 'none', values: 'quantized', level: 9 }, byDefault: false },
  // blosc zstd at level 9 on byte-shuffled codes: the smallest plugin file on SHAP stacks (pair-major
  // cls64 at 7.8e-3: 91.4 kB vs 104.4 kB at level 5 with bit shuffle), but ~4× slower: small inputs only.
  {
    params: { codec: 'blosc-zstd', shuffle: 'byte', values: 'quantized', level: 9 },
    byDefault: true,
    maxInputBytes: 64 << 20,
  },
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
  maxInputBytes?: number;
}

export const CODEC_PRESETS: readonly CodecPreset[] = PRESET_PARAMS.map(
  ({ params, byDefault, maxInputBytes }) => {
    const full = { ...STRATEGIES['hdf5-codec'].defaults, ...params };
    const def = STRATEGIES['hdf5-codec'];
    return {
      key: def.variantKey(full),
      label: def.describeParams(full).replace(/, quantized ε = .*$/, ', quantized'),
      params: full,
      byDefault,
      ...(maxInputBytes ? { maxInputBytes } : {}),
    };
  },
);

export const DEFAULT_SWEEP_SETTINGS: SweepSettings = {
  decimals: 4,
  eps: 1e-4,
  decimalsAuto: true,
  epsAuto: true,
  gzipLevel: 4,
  layouts: 'both',
  codecs: CODEC_PRESETS.filter((p) => p.byDefault).map((p) => p.key),
};

export const DEFAULT_TOLERANCE: Tolerance = { mode: 'abs', value: 1e-4 };

/** What a sweep needs to know about its input: the shape and the small facts. */
export interface SweepInput {
  shape: readonly number[];
  facts: InputFacts | null;
}

/** Just the facts a strategy's error bound reads, laid out (no values). */
function boundProbe(layout: Layout, facts: InputFacts): LayoutValues {
  return {
    layout,
    values: new Float64Array(0),
    raw: new Float64Array(0),
    shape: [],
    dtype: facts.dtype,
    layoutError: LAYOUTS[layout].layoutError(facts),
    facts,
  };
}

/** The largest loaded-dtype rounding a restore adds (the snippet casts back to the original dtype). */
function castError(facts: InputFacts, b: number): number {
  return facts.dtype === 'f4' ? ulp32(b) / 2 : facts.dtype === 'f2' ? ulp16(b) / 2 : 0;
}

/**
 * The smallest scaleoffset D (0…10) whose promised error, plus the layout's own error and the cast
 * back to the loaded dtype, fits the tolerance; null when none does.
 */
export function decimalsForTolerance(
  tau: number,
  layout: Layout,
  facts: InputFacts,
  base: 'float32' | 'float64',
): number | null {
  if (!(tau > 0)) return null;
  const probe = boundProbe(layout, facts);
  const b = Math.max(Math.abs(facts.min), Math.abs(facts.max), 0);
  for (let d = 0; d <= 10; d++) {
    const bound =
      STRATEGIES['hdf5-scaleoffset'].errorBound(probe, { decimals: d, base }) +
      probe.layoutError +
      castError(facts, b);
    if (bound <= tau) return d;
  }
  return null;
}

/** ε and D as the sweep runs them for a layout: from the tolerance, or as set by hand. */
export function effectiveKnobs(
  settings: SweepSettings,
  tau: number,
  layout: Layout,
  facts: InputFacts | null,
): { eps: number | null; decimals: { float32: number | null; float64: number | null } } {
  const eps = settings.epsAuto ? (tau > 0 ? tau : null) : settings.eps;
  if (!settings.decimalsAuto || !facts)
    return { eps, decimals: { float32: settings.decimals, float64: settings.decimals } };
  return {
    eps,
    decimals: {
      float32: decimalsForTolerance(tau, layout, facts, 'float32'),
      float64: decimalsForTolerance(tau, layout, facts, 'float64'),
    },
  };
}

/** Inputs up to this size get gzip level 9 for their quantized rows (whatever the gzip level knob). */
export const QUANTIZED_GZIP9_MAX_BYTES = 64 << 20;

/** Strategy kinds whose file size depends on the order of the values (chunked, filtered). */
const ORDER_SENSITIVE: ReadonlySet<string> = new Set(['lossless', 'scaleoffset', 'quantized', 'plugin']);

const ZARR_ROW = { codec: 'zlib', shuffle: 'byte' } as const;

function paramsFor(
  id: StrategyId,
  s: SweepSettings,
  knobs: ReturnType<typeof effectiveKnobs>,
  inputBytes: number,
): Params[] {
  switch (id) {
    case 'hdf5-gzip':
      return [{ level: s.gzipLevel }];
    case 'hdf5-scaleoffset':
      return (['float32', 'float64'] as const).flatMap((base) => {
        const d = knobs.decimals[base];
        return d === null ? [] : [{ decimals: d, base }];
      });
    case 'hdf5-quantized': {
      if (knobs.eps === null) return [];
      // Deflate's best level costs seconds per 100 MB but little on stacks this size, and on quantized
      // SHAP codes it is 3–5 % smaller than level 4.
      const level = inputBytes <= QUANTIZED_GZIP9_MAX_BYTES ? 9 : s.gzipLevel;
      return [
        { eps: knobs.eps, codec: 'scaleoffset' },
        { eps: knobs.eps, codec: 'gzip', level },
        { eps: knobs.eps, codec: 'shuffle-gzip', level },
      ];
    }
    case 'hdf5-codec':
      return CODEC_PRESETS.filter(
        (p) => s.codecs.includes(p.key) && !(p.maxInputBytes !== undefined && inputBytes > p.maxInputBytes),
      ).flatMap((p) => {
        if (p.params.values !== 'quantized') return [{ ...p.params }];
        return knobs.eps === null ? [] : [{ ...p.params, eps: knobs.eps }];
      });
    case 'zarr': {
      // Three Zarr rows per layout, all numcodecs Shuffle + zlib, so they run under the app's
      // Content-Security-Policy (numcodecs.js's blosc/zstd need eval; they stay available as params
      // for scripts and tests). Level 9 on inputs this size, as for quantized gzip; on bigger ones
      // the level the browser's own zlib writes (zarr/codecs.ts: ~3× faster than zlib in JavaScript,
      // and no bigger than its level 4 on the 159 MB example), whatever the gzip level knob says.
      const small = inputBytes <= QUANTIZED_GZIP9_MAX_BYTES;
      const row = { ...ZARR_ROW, level: small ? 9 : NATIVE_ZLIB_LEVEL };
      const quantized = knobs.eps === null ? [] : [{ ...row, values: 'quantized', eps: knobs.eps }];
      // zlib in JavaScript costs ~10 s per 100 MB: on big inputs only the quantized store runs (the
      // float16 and lossless stores came out no smaller than their HDF5 twins on the notebook array).
      return small ? [...quantized, { ...row, values: 'float16' }, { ...row, values: 'native' }] : quantized;
    }
    default:
      return [{ ...STRATEGIES[id].defaults }];
  }
}

/**
 * The specs a sweep runs: every strategy in every chosen layout, error-bounded ones at the ε and D the
 * tolerance τ (absolute) leaves, unless set by hand. τ = 0 means lossless only: the error-bounded
 * strategies are left out. Layouts that only reorder values run only for order-sensitive strategies.
 */
export function buildSweep(input: SweepInput, settings: SweepSettings, tau: number): StrategySpec[] {
  const specs: StrategySpec[] = [];
  const inputBytes = sizeOf(input.shape) * (input.facts ? DTYPE_BYTES[input.facts.dtype] : 8);
  for (const layout of layoutsFor(input.shape, settings.layouts, input.facts)) {
    const def = LAYOUTS[layout];
    const knobs = effectiveKnobs(settings, tau, layout, input.facts);
    for (const id of Object.keys(STRATEGIES) as StrategyId[]) {
      const strategy = strategyOf(id);
      if (def.reorderOf && !ORDER_SENSITIVE.has(strategy.kind)) continue;
      for (const params of paramsFor(id, settings, knobs, inputBytes)) {
        if (!def.fitsNpy && strategy.readableBy(params) === 'numpy') continue;
        specs.push({ strategyId: id, layout, params });
      }
    }
  }
  return specs;
}
