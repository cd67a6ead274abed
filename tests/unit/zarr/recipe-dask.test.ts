// The Dask recipe's script: built for every Zarr row in every layout, it compiles with Debian's
// Python, carries the app's plan (layout, ε, codec, strategy attribute) and refuses non-Zarr rows.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  daskRecipeFileName,
  daskRecipeScript,
  DASK_RECIPE_PY_FILES,
} from '../../../src/strategies/recipe-dask';
import { RecipeUnsupportedError } from '../../../src/strategies/recipe';
import { buildSweep, DEFAULT_SWEEP_SETTINGS } from '../../../src/strategies/sweep';
import { loadFixture } from '../strategies/fixtures';

const PYTHON = '/usr/bin/python3';
const HAVE_PYTHON = spawnSync(PYTHON, ['-c', 'pass']).status === 0;

function compiles(source: string): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import sys; compile(sys.stdin.read(), "recipe.py", "exec")'], {
    input: source,
    encoding: 'utf8',
  });
  return r.status === 0 ? null : r.stderr;
}

describe('Dask recipe script', () => {
  it.skipIf(!HAVE_PYTHON)('every dask_*.py file compiles', () => {
    for (const [name, src] of Object.entries(DASK_RECIPE_PY_FILES)) expect(compiles(src), name).toBeNull();
  });

  it.skipIf(!HAVE_PYTHON)('every Zarr row in every layout gives a script that compiles', async () => {
    const input = await loadFixture('stack_sym_f8.npy');
    const specs = buildSweep(
      { shape: input.array.shape, facts: input.facts },
      { ...DEFAULT_SWEEP_SETTINGS, layouts: 'all' },
      1e-3,
    ).filter((s) => s.strategyId === 'zarr');
    expect(new Set(specs.map((s) => s.layout)).size).toBe(4);
    for (const spec of specs) {
      const script = daskRecipeScript(spec, { inputName: 'x.npy', outputName: 'x-zarr.zarr.zip' });
      expect(compiles(script), JSON.stringify(spec)).toBeNull();
      expect(script).toContain(`LAYOUT = "${spec.layout}"`);
      expect(script).toContain('from dask.distributed import Client, LocalCluster');
      if (spec.params.values === 'quantized') {
        expect(script).toContain('EPS = 0.001');
        expect(script).toContain('numcodecs.Zlib(level=9)');
        expect(script).toContain('SHUFFLE = True');
      } else expect(script).toContain('EPS = None');
    }
  });

  it('refuses rows that are not Zarr', () => {
    expect(() =>
      daskRecipeScript(
        { strategyId: 'hdf5-gzip', layout: 'full', params: { level: 4 } },
        { inputName: 'x.npy', outputName: 'x.h5' },
      ),
    ).toThrow(RecipeUnsupportedError);
    expect(daskRecipeFileName('a-zarr-full-zstd-native.zarr.zip')).toBe('a-zarr-full-zstd-native-dask.py');
  });
});
