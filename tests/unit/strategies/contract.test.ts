// Contract test over the registry (docs/ARCHITECTURE.md): every strategy, on numpy-made fixtures,
// writes a real file whose length is the reported size, stays within its stated error bound when
// read back, and is deterministic. Real h5wasm, no mocks.
import { describe, expect, it } from 'vitest';
import { runJob, UnsupportedError } from '../../../src/workers/job';
import { buildSweep, DEFAULT_SWEEP_SETTINGS, resultIdOf } from '../../../src/strategies/sweep';
import type { SweepInput } from '../../../src/strategies/sweep';

const sweepInput = (input: {
  array: { shape: readonly number[] };
  facts: SweepInput['facts'];
}): SweepInput => ({
  shape: input.array.shape,
  facts: input.facts,
});
import { STRATEGIES } from '../../../src/strategies/registry';
import type { StrategySpec } from '../../../src/strategies/types';
import { loadFixture } from './fixtures';
import { withoutTimestamps } from '../hdf5/hdf5-test-helpers';

/** HDF5 object headers carry creation times; everything else must be byte-identical. */
function comparable(file: Uint8Array, isHdf5: boolean): Buffer {
  return Buffer.from(isHdf5 ? withoutTimestamps(file) : file);
}

const FIXTURES = [
  'stack_sym_f8.npy',
  'stack_near_sym_f8.npy',
  'stack_nonsym_f8.npy',
  'stack_sym_f4.npy',
  'stack_nan_inf_f8.npy',
  'stack_over_f16_f8.npy',
  'stack_nonsquare_f8.npy',
  'matrix_sym_f8.npy',
  'f8_1d.npy',
  'stack_sym_i2.npy',
];

/** Extra param points beyond the default sweep, so bounds are checked across the sliders' range. */
function extraSpecs(input: SweepInput): StrategySpec[] {
  const specs: StrategySpec[] = [];
  const byHand = { ...DEFAULT_SWEEP_SETTINGS, epsAuto: false, decimalsAuto: false, layouts: 'all' as const };
  for (const decimals of [0, 2, 6]) specs.push(...buildSweep(input, { ...byHand, decimals }, 1e-4));
  for (const eps of [0.5, 7.8e-3, 1e-6]) specs.push(...buildSweep(input, { ...byHand, eps }, 1e-4));
  return specs.filter((s) => s.strategyId === 'hdf5-scaleoffset' || s.strategyId === 'hdf5-quantized');
}

describe.each(FIXTURES)('strategy contract on %s', (fixture) => {
  it('every spec: exact size, error within bound, deterministic', async () => {
    const input = await loadFixture(fixture);
    const specs = [
      ...buildSweep(sweepInput(input), { ...DEFAULT_SWEEP_SETTINGS, layouts: 'all' }, 1e-4),
      ...extraSpecs(sweepInput(input)),
    ];
    const seenStrategies = new Set<string>();
    let ran = 0;
    for (const spec of specs) {
      let out;
      try {
        out = await runJob(input, spec);
      } catch (e) {
        expect(e, `${resultIdOf(spec)} threw ${String(e)}`).toBeInstanceOf(UnsupportedError);
        expect((e as Error).message.length).toBeGreaterThan(10);
        continue;
      }
      ran++;
      seenStrategies.add(spec.strategyId);
      const { result, file } = out;
      const where = `${fixture} ${result.id} ${JSON.stringify(result.params)}`;
      expect(result.bytes, where).toBe(file.byteLength);
      expect(result.nanMismatch, where).toBe(0);
      // Measured error within the promise (a hair of float slack on the bound itself).
      expect(result.maxAbsError, where).toBeLessThanOrEqual(result.errorBound * (1 + 1e-12) + 1e-300);
      if (result.errorBound === 0) expect(result.maxAbsError, where).toBe(0);
      const again = await runJob(input, spec);
      const isHdf5 = result.readableBy !== 'numpy' && result.readableBy !== 'zarr';
      expect(
        comparable(again.file, isHdf5).equals(comparable(file, isHdf5)),
        `${where} not deterministic`,
      ).toBe(true);
    }
    expect(ran).toBeGreaterThan(0);
    // Lossless and cast strategies run on every fixture (the 0-d and empty cases live elsewhere).
    for (const id of ['npy', 'hdf5-native', 'hdf5-float32', 'hdf5-float16', 'hdf5-gzip'] as const)
      expect(seenStrategies.has(id), `${fixture}: ${id} never ran`).toBe(true);
  });
});

describe('quantized on NaN/Inf input', () => {
  it('is refused with a reason instead of silently losing NaN', async () => {
    const input = await loadFixture('stack_nan_inf_f8.npy');
    const spec = buildSweep(sweepInput(input), DEFAULT_SWEEP_SETTINGS, 1e-4).find(
      (s) => s.strategyId === 'hdf5-quantized',
    )!;
    await expect(runJob(input, spec)).rejects.toThrow(/NaN/);
  });
});

describe('registry', () => {
  it('every strategy explains itself in one sentence and has defaults for its params', () => {
    for (const def of Object.values(STRATEGIES)) {
      expect(def.description.length).toBeGreaterThan(40);
      for (const p of def.paramSpec) expect(p.key in def.defaults).toBe(true);
    }
  });
});
