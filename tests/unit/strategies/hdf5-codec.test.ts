// The plugin codec strategy beyond the default sweep (the registry contract test covers that): every
// configuration keeps its error promise through a real file, ids stay unique, and no configuration
// that aborts the wasm module (blosc's zlib, zfp's accuracy/reversible modes) can ever be built.
import { describe, expect, it } from 'vitest';
import { runJob, UnsupportedError } from '../../../src/workers/job';
import { buildSweep, DEFAULT_SWEEP_SETTINGS, resultIdOf } from '../../../src/strategies/sweep';
import type { BloscShuffle, CodecParams } from '../../../src/strategies/hdf5-codec';
import {
  CODECS,
  codecFilter,
  hdf5CodecStrategy,
  isBlosc,
  valuesFor,
} from '../../../src/strategies/hdf5-codec';
import type { Layout, StrategySpec } from '../../../src/strategies/types';
import { loadFixture } from './fixtures';

const ALL_VALUES = ['native', 'float32', 'float16', 'quantized'] as const;

function allConfigs(extra: Partial<CodecParams> = {}): CodecParams[] {
  return CODECS.flatMap((codec) =>
    (isBlosc(codec) ? (['none', 'byte', 'bit'] as BloscShuffle[]) : (['none'] as BloscShuffle[])).flatMap(
      (shuffle) =>
        ALL_VALUES.map((values) => ({ ...hdf5CodecStrategy.defaults, codec, shuffle, values, ...extra })),
    ),
  );
}

describe('hdf5-codec params', () => {
  it('never builds a configuration that aborts the wasm module', () => {
    for (const p of allConfigs()) {
      for (const level of [1, 5, 9, 22]) {
        const { id, opts } = codecFilter({ ...p, level });
        if (id === 32001) expect(opts[6], JSON.stringify(p)).not.toBe(4); // blosc zlib
        if (id === 32013) expect(opts[0], JSON.stringify(p)).toBe(1); // zfp: fixed rate only
      }
    }
  });

  it('encodes the zfp rate as the little-endian double H5Z-ZFP expects', () => {
    const { opts } = codecFilter({ ...hdf5CodecStrategy.defaults, codec: 'zfp-rate', rate: 16 });
    const view = new DataView(new ArrayBuffer(8));
    view.setUint32(0, opts[2]!, true);
    view.setUint32(4, opts[3]!, true);
    expect([opts[0], opts[1], view.getFloat64(0, true)]).toEqual([1, 0, 16]);
  });

  it('gives every configuration its own result id', () => {
    const keys = allConfigs().map((p) => hdf5CodecStrategy.variantKey(p));
    expect(new Set(keys).size).toBe(keys.length);
    const ids = buildSweep(
      { shape: [10, 141, 141], facts: null },
      { ...DEFAULT_SWEEP_SETTINGS, layouts: 'all' },
      1e-4,
    ).map(resultIdOf);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('hdf5-codec:upper-triangle-rowmajor:blosc-zstd-bit-quantized');
  });

  it('says who can read the file, and where Debian’s hdf5plugin falls short', async () => {
    const input = await loadFixture('stack_sym_f8.npy');
    const spec = buildSweep(
      { shape: input.array.shape, facts: input.facts },
      DEFAULT_SWEEP_SETTINGS,
      1e-4,
    ).find((s) => s.strategyId === 'hdf5-codec')!;
    const { result } = await runJob(input, {
      ...spec,
      params: { ...spec.params, codec: 'zstd', shuffle: 'none' },
    });
    expect(result.readableBy).toBe('h5py+hdf5plugin');
    expect(result.warnings.join(' ')).toMatch(/Debian’s hdf5plugin 4\.0 cannot open this.*hdf5plugin ≥ 3\.0/);
    expect(result.restorePython).toContain('import hdf5plugin');
    const bszstd = hdf5CodecStrategy.warnings({ facts: input.facts } as never, {
      ...hdf5CodecStrategy.defaults,
      codec: 'bitshuffle-zstd',
    });
    expect(bszstd.join(' ')).toMatch(/WRONG values.*hdf5plugin ≥ 4\.0/);
  });
});

const FIXTURES = [
  'stack_sym_f8.npy',
  'stack_sym_f4.npy',
  'stack_sym_i2.npy',
  'stack_over_f16_f8.npy',
  'stack_nan_inf_f8.npy',
];

describe.each(FIXTURES)('every codec configuration on %s', (fixture) => {
  it('writes a real file within its error promise, or says why not', async () => {
    const input = await loadFixture(fixture);
    let ran = 0;
    for (const layout of ['full', 'upper-triangle-rowmajor'] as Layout[]) {
      for (const params of allConfigs({ eps: 1e-3, rate: 12 })) {
        const spec: StrategySpec = { strategyId: 'hdf5-codec', layout, params };
        const where = `${fixture} ${resultIdOf(spec)}`;
        let out;
        try {
          out = await runJob(input, spec);
        } catch (e) {
          expect(e, `${where}: ${String(e)}`).toBeInstanceOf(UnsupportedError);
          if (layout === 'full' && !valuesFor(params.codec).includes(params.values))
            expect(String(e)).toMatch(/cannot store|float32 values only/);
          continue;
        }
        ran++;
        const { result, file } = out;
        expect(result.bytes, where).toBe(file.byteLength);
        expect(result.nanMismatch, where).toBe(0);
        expect(result.maxAbsError, where).toBeLessThanOrEqual(result.errorBound * (1 + 1e-12) + 1e-300);
        if (params.values === 'native' && params.codec !== 'zfp-rate')
          expect(result.maxAbsError, where).toBe(0);
        if (params.codec === 'zfp-rate') expect(result.warnings.join(' '), where).toMatch(/not bounded/);
      }
    }
    expect(ran).toBeGreaterThan(10);
  });
});
