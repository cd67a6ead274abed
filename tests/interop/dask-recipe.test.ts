// The Dask recipe on a real 2-worker LocalCluster: the app's Zarr plan applied to the input split into
// two .npy files gives a store whose values, pairs index and attributes are the app's (created_by
// aside), whose measured max_abs_error is the app's, and whose size is within 1 % of the app's zip.
// On CI (CI=true) missing tools fail the suite; locally it is skipped with a reason.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runJob } from '../../src/workers/job';
import type { JobInput } from '../../src/workers/job';
import type { StrategySpec } from '../../src/strategies/types';
import { buildSweep, DEFAULT_SWEEP_SETTINGS, resultIdOf } from '../../src/strategies/sweep';
import { daskRecipeScript } from '../../src/strategies/recipe-dask';
import { readNpy } from '../../src/core/npy';
import { analyzeArray } from '../../src/core/analysis';
import { factsOf } from '../../src/workers/load';
import { FIXTURE_DIR } from '../unit/strategies/fixtures';

const PYTHON = '/usr/bin/python3';
const SHAP_DIR = join(import.meta.dirname, '..', 'fixtures', 'shap');

function missingTools(): string | null {
  const py = spawnSync(PYTHON, ['-c', 'import zarr, numcodecs, dask.array, distributed, numpy'], {
    encoding: 'utf8',
  });
  if (py.error || py.status !== 0)
    return `${PYTHON} with zarr, numcodecs, dask and distributed is not available`;
  return null;
}
const MISSING = missingTools();
if (MISSING && process.env.CI !== 'true') console.warn(`[interop] skipping dask recipe: ${MISSING}`);

const SPLIT_PY = String.raw`
import sys, numpy as np
a = np.load(sys.argv[1])
k = max(1, a.shape[0] // 2) if a.shape[0] > 1 else a.shape[0]
np.save(sys.argv[2], a[:k])
np.save(sys.argv[3], a[k:])
`;

const COMPARE_PY = String.raw`
import json, os, sys
import numpy as np
import zarr

def load(p):
    s = zarr.ZipStore(p, mode="r")
    g = zarr.open_group(s, mode="r")
    d = g["data"]
    out = {"data": d[:], "attrs": dict(d.attrs), "dtype": str(d.dtype), "chunks": list(d.chunks),
           "filters": repr(d.filters), "compressor": repr(d.compressor),
           "pairs": g["pairs"][:] if "pairs" in g else None, "root": dict(g.attrs)}
    s.close()
    return out

app, dsk = load(sys.argv[1]), load(sys.argv[2])
attrs_app = {k: v for k, v in app["attrs"].items() if k != "created_by"}
attrs_dsk = {k: v for k, v in dsk["attrs"].items() if k != "created_by"}
print(json.dumps({
    "values_equal": bool(app["data"].dtype == dsk["data"].dtype and np.array_equal(app["data"], dsk["data"], equal_nan=True)),
    "pairs_equal": bool((app["pairs"] is None and dsk["pairs"] is None) or np.array_equal(app["pairs"], dsk["pairs"])),
    "attrs_app": attrs_app, "attrs_dask": attrs_dsk,
    "meta_app": [app["dtype"], app["chunks"], app["filters"], app["compressor"]],
    "meta_dask": [dsk["dtype"], dsk["chunks"], dsk["filters"], dsk["compressor"]],
    "created_by": dsk["attrs"]["created_by"],
    "restore_same": app["root"]["restore_python"] == dsk["root"]["restore_python"].replace(
        json.dumps(os.path.basename(sys.argv[2])), json.dumps(os.path.basename(sys.argv[1]))),
    "app_bytes": os.path.getsize(sys.argv[1]), "dask_bytes": os.path.getsize(sys.argv[2]),
}))
`;

async function load(path: string, name: string): Promise<JobInput> {
  const array = await readNpy(new Uint8Array(readFileSync(path)));
  return { name, array, facts: factsOf(array, analyzeArray(array)) };
}

/** Which Zarr rows run through the cluster, per input (each run starts a LocalCluster). */
const CASES: { path: string; name: string; pick: (s: StrategySpec) => boolean }[] = [
  {
    path: join(SHAP_DIR, 'diabetes.npy'),
    name: 'diabetes.npy',
    pick: (s) =>
      (s.params.values === 'quantized' && s.layout !== 'upper-triangle-rowmajor') ||
      (s.params.values === 'float16' && s.layout === 'upper-triangle-rowmajor') ||
      (s.params.values === 'native' && s.layout === 'used-pairs'),
  },
  {
    path: join(FIXTURE_DIR, 'stack_sym_f4.npy'),
    name: 'stack_sym_f4.npy',
    pick: (s) =>
      (s.params.values === 'quantized' && s.layout === 'upper-triangle-rowmajor') ||
      (s.params.values === 'native' && s.layout === 'full'),
  },
];

const dir = mkdtempSync(join(tmpdir(), 'h5sq-dask-'));
writeFileSync(join(dir, 'split.py'), SPLIT_PY);
writeFileSync(join(dir, 'compare.py'), COMPARE_PY);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(MISSING !== null && process.env.CI !== 'true')(
  'Dask recipe on a 2-worker LocalCluster',
  () => {
    it('has the tools on CI', () => {
      expect(MISSING).toBeNull();
    });

    it.each(CASES)(
      '$name: the same store as the app',
      async ({ path, name, pick }) => {
        const input = await load(path, name);
        const parts = [join(dir, `${name}-a.npy`), join(dir, `${name}-b.npy`)];
        const split = spawnSync(PYTHON, ['split.py', path, ...parts], { cwd: dir, encoding: 'utf8' });
        expect(split.status, split.stderr).toBe(0);
        const specs = buildSweep(
          { shape: input.array.shape, facts: input.facts },
          { ...DEFAULT_SWEEP_SETTINGS, layouts: 'all' },
          1e-3,
        ).filter((s) => s.strategyId === 'zarr' && pick(s));
        expect(specs.length).toBeGreaterThan(1);
        for (const spec of specs) {
          const where = `${name} ${resultIdOf(spec)}`;
          const { result, file } = await runJob(input, spec);
          const appPath = join(dir, result.fileName);
          writeFileSync(appPath, file);
          const script = daskRecipeScript(spec, {
            inputName: name,
            outputName: result.fileName,
            measured: { bytes: result.bytes, maxAbsError: result.maxAbsError },
          });
          writeFileSync(join(dir, 'recipe.py'), script);
          const out = join(dir, `dask-${result.fileName}`);
          const run = spawnSync(PYTHON, ['recipe.py', ...parts, '-o', out, '--workers', '2'], {
            cwd: dir,
            encoding: 'utf8',
            timeout: 240_000,
          });
          expect(run.status, `${where}: ${run.stderr.slice(-3000)}`).toBe(0);
          const printed = JSON.parse(run.stdout.trim().split('\n').pop()!) as {
            bytes: number;
            max_abs_error: number;
          };
          expect(printed.max_abs_error, where).toBe(result.maxAbsError);
          const cmp = spawnSync(PYTHON, ['compare.py', appPath, out], { cwd: dir, encoding: 'utf8' });
          expect(cmp.status, `${where}: ${cmp.stderr}`).toBe(0);
          const seen = JSON.parse(cmp.stdout.replace(/\bNaN\b/g, 'null')) as {
            values_equal: boolean;
            pairs_equal: boolean;
            attrs_app: Record<string, unknown>;
            attrs_dask: Record<string, unknown>;
            meta_app: unknown[];
            meta_dask: unknown[];
            created_by: string;
            restore_same: boolean;
            app_bytes: number;
            dask_bytes: number;
          };
          const dump = `${where} ${JSON.stringify(seen)}`;
          expect(seen.values_equal, dump).toBe(true);
          expect(seen.pairs_equal, dump).toBe(true);
          expect(seen.attrs_dask, where).toEqual(seen.attrs_app);
          expect(seen.meta_dask, where).toEqual(seen.meta_app);
          expect(seen.created_by, where).toMatch(/recipe \(dask\)$/);
          expect(seen.restore_same, dump).toBe(true);
          expect(seen.app_bytes, where).toBe(result.bytes);
          expect(Math.abs(seen.dask_bytes - seen.app_bytes) / seen.app_bytes, where).toBeLessThanOrEqual(
            0.01,
          );
        }
      },
      900_000,
    );
  },
);
