// The Python recipe generator covers every strategy in the registry (the interop test runs the
// scripts; here: coverage, the embedded facts, and a clear error for what it doesn't know).
import { describe, expect, it } from 'vitest';
import { recipeFileName, recipeScript, RecipeUnsupportedError } from '../../../src/strategies/recipe';
import { STRATEGIES, strategyOf } from '../../../src/strategies/registry';
import { buildSweep, DEFAULT_SWEEP_SETTINGS } from '../../../src/strategies/sweep';
import type { StrategyId, StrategySpec } from '../../../src/strategies/types';
import { restorePythonSnippet } from '../../../src/strategies/restore-python';

const INPUTS = { inputName: 'shap.npy', outputName: 'shap-hdf5-gzip-full.h5' };

describe('recipeScript', () => {
  it('writes a script for every registry strategy and both layouts', () => {
    const specs = buildSweep({ shape: [10, 6, 6], facts: null }, DEFAULT_SWEEP_SETTINGS, 1e-4);
    const ids = new Set(specs.map((s) => s.strategyId));
    expect([...ids].sort()).toEqual(Object.keys(STRATEGIES).sort());
    for (const spec of specs) {
      const script = recipeScript(spec, INPUTS);
      const def = strategyOf(spec.strategyId);
      const params = { ...def.defaults, ...spec.params };
      expect(script, spec.strategyId).toContain(`STRATEGY_ID = "${spec.strategyId}"`);
      expect(script).toContain(`LAYOUT = "${spec.layout}"`);
      // The strategy attribute is the runner's JSON, byte for byte.
      expect(script).toContain(
        JSON.stringify(JSON.stringify({ id: spec.strategyId, layout: spec.layout, params })),
      );
      const plugin = def.readableBy(params) === 'h5py+hdf5plugin';
      expect(script.includes('\nimport hdf5plugin'), spec.strategyId).toBe(plugin);
      expect(script.includes('\nimport h5py'), spec.strategyId).toBe(def.readableBy(params) !== 'numpy');
      expect(script).toContain(
        JSON.stringify(restorePythonSnippet(INPUTS.outputName, { hdf5plugin: plugin })),
      );
      expect(script).toContain('np.load(src, mmap_mode="r")');
    }
  });

  it('quantized recipes carry ε and the first pass; the triangle one also measures asymmetry', () => {
    const spec: StrategySpec = {
      strategyId: 'hdf5-quantized',
      layout: 'upper-triangle-rowmajor',
      params: { eps: 7.8e-3, codec: 'gzip', level: 6 },
    };
    const s = recipeScript(spec, INPUTS);
    expect(s).toContain('EPS = 0.0078');
    expect(s).toContain('facts = scan(a)');
    expect(s).toContain('asymmetry(v)');
    expect(s).toContain('compression="gzip", compression_opts=6');
    expect(s).toContain('def quantize(');
    const full = recipeScript({ ...spec, layout: 'full' }, INPUTS);
    expect(full).toContain('facts = scan(a)');
    expect(full).not.toContain('def unlayout(stored, shape):\n    """Mirror');
  });

  it('plain casts skip the first pass', () => {
    const s = recipeScript({ strategyId: 'hdf5-float16', layout: 'full', params: {} }, INPUTS);
    expect(s).toContain('facts = None');
    expect(s).not.toContain('def scan(');
    expect(s).toContain('values.astype(np.float16)');
  });

  it('maps plugin codecs to hdf5plugin filter classes', () => {
    const codec = (params: Record<string, string | number>) =>
      recipeScript({ strategyId: 'hdf5-codec', layout: 'full', params }, INPUTS);
    expect(codec({ codec: 'blosc-zstd', shuffle: 'bit', level: 5, values: 'quantized' })).toContain(
      'hdf5plugin.Blosc(cname="zstd", clevel=5, shuffle=hdf5plugin.Blosc.BITSHUFFLE)',
    );
    expect(codec({ codec: 'bitshuffle-zstd', level: 3, values: 'native' })).toContain(
      'hdf5plugin.Bitshuffle(nelems=0, cname="zstd", clevel=3)',
    );
    expect(codec({ codec: 'zstd', level: 9, values: 'float16' })).toContain('hdf5plugin.Zstd(clevel=9)');
    expect(codec({ codec: 'zfp-rate', rate: 16, values: 'float32' })).toContain('hdf5plugin.Zfp(rate=16.0)');
    expect(codec({ codec: 'bzip2', level: 9, values: 'native' })).toContain('hdf5plugin.BZip2(blocksize=9)');
    expect(codec({ codec: 'lz4', values: 'native' })).toContain('hdf5plugin.LZ4(nbytes=0)');
  });

  it('refuses what it does not know, with a clear message', () => {
    const unknown = { strategyId: 'hdf5-magic' as StrategyId, layout: 'full', params: {} } as StrategySpec;
    expect(() => recipeScript(unknown, INPUTS)).toThrow(/hdf5-magic is not supported by recipe yet/);
    expect(() =>
      recipeScript({ strategyId: 'hdf5-codec', layout: 'full', params: { codec: 'lzf' } }, INPUTS),
    ).toThrow(RecipeUnsupportedError);
    expect(() =>
      recipeScript({ strategyId: 'hdf5-codec', layout: 'full', params: { codec: 'lzf' } }, INPUTS),
    ).toThrow(/not supported by recipe yet/);
  });

  it('names the script after the output file', () => {
    expect(recipeFileName('shap-hdf5-gzip-full.h5')).toBe('shap-hdf5-gzip-full.py');
    expect(recipeFileName('shap-npy-triangle.npy')).toBe('shap-npy-triangle.py');
  });
});
