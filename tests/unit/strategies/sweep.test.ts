import { describe, expect, it } from 'vitest';
import { NATIVE_ZLIB_LEVEL } from '../../../src/zarr/types';
import {
  DEFAULT_SWEEP_SETTINGS,
  buildSweep,
  canonicalParams,
  decimalsForTolerance,
  layoutsFor,
  resultIdOf,
  specKeyOf,
} from '../../../src/strategies/sweep';
import type { SweepInput, SweepSettings } from '../../../src/strategies/sweep';
import type { InputFacts, StrategySpec } from '../../../src/strategies/types';
import { triangleSize } from '../../../src/core/triangle';

function facts(over: Partial<InputFacts> = {}): InputFacts {
  return {
    dtype: 'f8',
    shape: [50, 10, 10],
    min: -2,
    max: 3,
    nanCount: 0,
    infCount: 0,
    maxAsymmetry: 0,
    overFloat16Count: 0,
    float16SubnormalCount: 0,
    usedPairs: Array.from({ length: triangleSize(10) }, (_, k) => k),
    ...over,
  };
}

const dense: SweepInput = { shape: [50, 10, 10], facts: facts() };
// Only 20 of the 55 pairs are used: the used-pairs layouts pay.
const sparse: SweepInput = {
  shape: [50, 10, 10],
  facts: facts({ usedPairs: Array.from({ length: 20 }, (_, k) => k * 2) }),
};

/** Result ids whose spec key differs between two sweeps (rows that would re-run). */
function rerun(a: StrategySpec[], b: StrategySpec[]): Set<string> {
  const before = new Map(a.map((s) => [resultIdOf(s), specKeyOf(s)]));
  return new Set(b.filter((s) => before.get(resultIdOf(s)) !== specKeyOf(s)).map(resultIdOf));
}

/** Whether a spec's file depends on ε (its canonical params carry it). */
const usesEps = (s: StrategySpec) => 'eps' in canonicalParams(s);
// Zarr rows are not among them: they use level 9 or the browser's native zlib level (zarr/codecs.ts).
const usesLevel = (s: StrategySpec) =>
  s.strategyId === 'hdf5-gzip' || (s.strategyId === 'hdf5-quantized' && s.params.codec !== 'scaleoffset');
// 2000 × 100 × 100 float64 = 160 MB: above QUANTIZED_GZIP9_MAX_BYTES, so quantized rows follow the knob.
const big: SweepInput = {
  shape: [2000, 100, 100],
  facts: facts({ shape: [2000, 100, 100], usedPairs: null }),
};

describe('buildSweep', () => {
  it('re-runs exactly the ε-dependent rows when ε changes (by hand)', () => {
    const byHand: SweepSettings = { ...DEFAULT_SWEEP_SETTINGS, epsAuto: false, codecs: [], layouts: 'all' };
    const allCodecs: SweepSettings = {
      ...byHand,
      codecs: ['bitshuffle-zstd-quantized', 'blosc-zstd-byte-float16', 'blosc-zstd-byte-native'],
    };
    for (const s of [byHand, allCodecs]) {
      const a = buildSweep(dense, { ...s, eps: 1e-4 }, 1e-4);
      const b = buildSweep(dense, { ...s, eps: 2e-4 }, 1e-4);
      const expected = new Set(b.filter(usesEps).map(resultIdOf));
      expect(expected.size).toBeGreaterThan(0);
      expect(rerun(a, b)).toEqual(expected);
    }
  });

  it('re-runs exactly the rows that gzip at the knob’s level when the gzip level changes', () => {
    const a = buildSweep(big, DEFAULT_SWEEP_SETTINGS, 1e-4);
    const b = buildSweep(big, { ...DEFAULT_SWEEP_SETTINGS, gzipLevel: 6 }, 1e-4);
    expect(rerun(a, b)).toEqual(new Set(b.filter(usesLevel).map(resultIdOf)));
    // Small inputs: quantized rows always gzip at level 9, so only the lossless gzip row re-runs.
    const c = buildSweep(dense, DEFAULT_SWEEP_SETTINGS, 1e-4);
    const d = buildSweep(dense, { ...DEFAULT_SWEEP_SETTINGS, gzipLevel: 6 }, 1e-4);
    expect(rerun(c, d)).toEqual(new Set(d.filter((s) => s.strategyId === 'hdf5-gzip').map(resultIdOf)));
    expect(d.filter((s) => s.params.codec === 'shuffle-gzip').every((s) => s.params.level === 9)).toBe(true);
    // Zarr's zlib: level 9 on small inputs, the native level on big ones, whatever the knob.
    expect(d.filter((s) => s.strategyId === 'zarr').every((s) => s.params.level === 9)).toBe(true);
    const zarrBig = b.filter((s) => s.strategyId === 'zarr');
    expect(zarrBig.length).toBeGreaterThan(0);
    expect(zarrBig.every((s) => s.params.level === NATIVE_ZLIB_LEVEL)).toBe(true);
  });

  it('follows the tolerance: ε = τ and the smallest D whose bound fits', () => {
    const specs = buildSweep(dense, DEFAULT_SWEEP_SETTINGS, 7.8e-3);
    const quantized = specs.filter((s) => s.strategyId === 'hdf5-quantized');
    expect(quantized.length).toBeGreaterThan(0);
    for (const s of quantized) expect(s.params.eps).toBe(7.8e-3);
    const so = specs.filter((s) => s.strategyId === 'hdf5-scaleoffset');
    // 10^-D plus the float type's rounding must fit 7.8e-3: D = 3.
    for (const s of so) expect(s.params.decimals).toBe(3);
    expect(decimalsForTolerance(7.8e-3, 'full', dense.facts!, 'float64')).toBe(3);
    expect(decimalsForTolerance(1e-4, 'full', dense.facts!, 'float64')).toBe(5);
  });

  it('pays the layout’s own error out of the tolerance when choosing D', () => {
    const asym = { ...dense, facts: facts({ maxAsymmetry: 1.2e-3 }) };
    // The triangle costs 6e-4: 1.5e-3 leaves 9e-4, which needs D = 4; the full layout gets D = 3.
    expect(decimalsForTolerance(1.5e-3, 'full', asym.facts!, 'float64')).toBe(3);
    expect(decimalsForTolerance(1.5e-3, 'upper-triangle-rowmajor', asym.facts!, 'float64')).toBe(4);
  });

  it('runs lossless rows only at τ = 0', () => {
    const specs = buildSweep(dense, DEFAULT_SWEEP_SETTINGS, 0);
    expect(specs.some((s) => s.strategyId === 'hdf5-quantized' || s.strategyId === 'hdf5-scaleoffset')).toBe(
      false,
    );
    expect(specs.some((s) => s.strategyId === 'hdf5-gzip')).toBe(true);
    expect(specs.every((s) => !usesEps(s))).toBe(true);
  });

  it('keeps hand-set ε and D whatever the tolerance', () => {
    const s = { ...DEFAULT_SWEEP_SETTINGS, epsAuto: false, decimalsAuto: false, eps: 0.5, decimals: 1 };
    const specs = buildSweep(dense, s, 1e-6);
    for (const x of specs.filter((x) => x.strategyId === 'hdf5-quantized')) expect(x.params.eps).toBe(0.5);
    for (const x of specs.filter((x) => x.strategyId === 'hdf5-scaleoffset'))
      expect(x.params.decimals).toBe(1);
  });

  it('offers the used-pairs layouts where they pay, else the triangle', () => {
    expect(layoutsFor(dense.shape, 'both', dense.facts)).toEqual(['full', 'upper-triangle-rowmajor']);
    expect(layoutsFor(sparse.shape, 'both', sparse.facts)).toEqual([
      'full',
      'used-pairs',
      'used-pairs-pair-major',
    ]);
    expect(layoutsFor([5, 4, 3], 'both', null)).toEqual(['full']);
    expect(layoutsFor(sparse.shape, 'all', sparse.facts)).toEqual([
      'full',
      'upper-triangle-rowmajor',
      'used-pairs',
      'used-pairs-pair-major',
    ]);
  });

  it('runs a reordering layout only for strategies whose size depends on order, and no .npy for used pairs', () => {
    const specs = buildSweep(sparse, DEFAULT_SWEEP_SETTINGS, 1e-4);
    const pm = specs.filter((s) => s.layout === 'used-pairs-pair-major').map((s) => s.strategyId);
    expect(pm).not.toContain('hdf5-native');
    expect(pm).not.toContain('hdf5-float32');
    expect(pm).toContain('hdf5-quantized');
    expect(specs.some((s) => s.strategyId === 'npy' && s.layout.startsWith('used-pairs'))).toBe(false);
  });
});
