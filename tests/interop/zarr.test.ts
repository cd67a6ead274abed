// Interop for the Zarr rows: every zipped store the job runner writes is opened by Debian's zarr 2.x
// through zarr.ZipStore (no snippet: quantized values come back as floats through the fixedscaleoffset
// filter), by xarray.open_zarr (same values, the file-contract attributes, dimension names), and restored
// by its own `restore_python`; the file's size is the app's figure and its max_abs_error is the one the
// app measured. On CI (CI=true) missing tools fail the suite; locally it is skipped with a reason.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runJob, UnsupportedError } from '../../src/workers/job';
import type { JobInput } from '../../src/workers/job';
import { buildSweep, DEFAULT_SWEEP_SETTINGS } from '../../src/strategies/sweep';
import { readNpy } from '../../src/core/npy';
import { analyzeArray } from '../../src/core/analysis';
import { factsOf } from '../../src/workers/load';
import { FIXTURE_DIR } from '../unit/strategies/fixtures';
import { NATIVE_ZLIB_LEVEL } from '../../src/zarr/types';

const PYTHON = '/usr/bin/python3';
const SHAP_DIR = join(import.meta.dirname, '..', 'fixtures', 'shap');

function missingTools(): string | null {
  const py = spawnSync(PYTHON, ['-c', 'import zarr, numcodecs, xarray, numpy'], { encoding: 'utf8' });
  if (py.error || py.status !== 0) return `${PYTHON} with zarr, numcodecs, xarray and numpy is not available`;
  return null;
}
const MISSING = missingTools();
if (MISSING && process.env.CI !== 'true') console.warn(`[interop] skipping zarr interop: ${MISSING}`);

/** Reads one store the way a user would and reports what it saw (JSON on the last line). */
const CHECK_PY = String.raw`
import json, os, sys, zipfile
import numpy as np
import xarray as xr
import zarr

orig_path = sys.argv[1]
o = np.load(orig_path)
of = o.astype(np.float64)

def err(r):
    r = np.asarray(r).astype(np.float64)
    with np.errstate(invalid="ignore"):
        d = np.abs(r - of)
    d[(np.isnan(r) & np.isnan(of)) | (r == of)] = 0.0
    d[np.isnan(r) ^ np.isnan(of)] = np.inf
    return float(d.max()) if d.size else 0.0

def check(name):
    zf = zipfile.ZipFile(name)
    out = {"stored": all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist()), "size": os.path.getsize(name),
           "crc_ok": zf.testzip() is None}
    store = zarr.ZipStore(name, mode="r")
    g = zarr.open(store, mode="r")
    d = g["data"]
    a = d[:]
    attrs = dict(d.attrs)
    out.update(dtype=str(a.dtype), shape=list(a.shape), chunks=list(d.chunks), attrs=attrs,
               filters=[f.codec_id for f in (d.filters or [])],
               compressor=d.compressor.codec_id if d.compressor else None,
               compressor_level=getattr(d.compressor, "level", None),
               item_size=(np.dtype(d.filters[0].astype).itemsize
                          if d.filters and d.filters[0].codec_id == "fixedscaleoffset" else d.dtype.itemsize))
    out["float_attrs"] = all(isinstance(attrs[k], float) for k in ("max_abs_error",))
    if attrs["layout"] == "full":
        out["raw_err"] = err(a.reshape(o.shape))
    ns = {}
    exec(g.attrs["restore_python"], ns)
    r = ns["a"]
    out.update(restore_err=err(r), restore_dtype=str(r.dtype), restore_shape=list(r.shape),
               original_dtype=str(o.dtype))
    ds = xr.open_zarr(store, consolidated=False)
    x = ds["data"]
    out["xr_equal"] = bool(np.array_equal(x.values, a, equal_nan=True)) and x.dtype == a.dtype
    xattrs = {k: v for k, v in x.attrs.items()}
    same = set(xattrs) == set(attrs) - {"_ARRAY_DIMENSIONS"}
    for k, v in xattrs.items():
        w = attrs.get(k)
        same = same and (np.array_equal(np.asarray(v), np.asarray(w), equal_nan=isinstance(v, float)))
    out["xr_attrs_equal"] = bool(same)
    out["xr_dims"] = list(x.dims)
    if "pairs" in g:
        out["pairs_shape"] = list(g["pairs"].shape)
        out["xr_pairs_dims"] = list(ds["pairs"].dims)
        out["xr_pairs_equal"] = bool(np.array_equal(ds["pairs"].values, g["pairs"][:]))
    store.close()
    return out


for name in sys.argv[2:]:
    print()
    print(json.dumps(check(name)))
`;

interface Seen {
  stored: boolean;
  /** zipfile.testzip(): every entry's CRC-32 (src/zarr/zip.ts computes them) checks out. */
  crc_ok: boolean;
  size: number;
  dtype: string;
  shape: number[];
  chunks: number[];
  attrs: Record<string, unknown>;
  filters: string[];
  compressor: string | null;
  compressor_level: number | null;
  item_size: number;
  raw_err?: number;
  restore_err: number;
  restore_dtype: string;
  restore_shape: number[];
  original_dtype: string;
  xr_equal: boolean;
  float_attrs: boolean;
  xr_attrs_equal: boolean;
  xr_dims: string[];
  pairs_shape?: number[];
  xr_pairs_dims?: string[];
  xr_pairs_equal?: boolean;
}

async function load(path: string, name: string): Promise<JobInput> {
  const array = await readNpy(new Uint8Array(readFileSync(path)));
  return { name, array, facts: factsOf(array, analyzeArray(array)) };
}

const CASES: [string, string][] = [
  ...['iris.npy', 'wine.npy', 'diabetes.npy'].map((f): [string, string] => [join(SHAP_DIR, f), f]),
  ...[
    'stack_near_sym_f8.npy',
    'stack_sym_f4.npy',
    'stack_nan_inf_f8.npy',
    'stack_sym_i2.npy',
    'f8_1d.npy',
  ].map((f): [string, string] => [join(FIXTURE_DIR, f), f]),
];

// The same stores again with zlib at the native level (the browser's CompressionStream, Node's zlib
// here; the sweep uses it on big inputs), in their own folder: file names do not carry the level.
const NATIVE_CASES: [string, string, boolean][] = [
  ...CASES.map(([p, n]): [string, string, boolean] => [p, n, false]),
  ...['wine.npy', 'stack_nan_inf_f8.npy', 'stack_sym_i2.npy'].map((n): [string, string, boolean] => [
    CASES.find(([, m]) => m === n)![0],
    `${n} (zlib level ${NATIVE_ZLIB_LEVEL})`,
    true,
  ]),
];

const dir = mkdtempSync(join(tmpdir(), 'h5sq-zarr-interop-'));
const nativeDir = join(dir, 'native');
mkdirSync(nativeDir);
const baseDir = dir;
for (const d of [dir, nativeDir]) writeFileSync(join(d, 'check.py'), CHECK_PY);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(MISSING !== null && process.env.CI !== 'true')('Zarr stores open in zarr and xarray', () => {
  it('has the tools on CI', () => {
    expect(MISSING).toBeNull();
  });

  it.each(NATIVE_CASES)(
    '%s (%s)',
    async (path, name, native) => {
      const input = await load(path, name);
      const dir = native ? nativeDir : baseDir;
      const specs = buildSweep(
        { shape: input.array.shape, facts: input.facts },
        { ...DEFAULT_SWEEP_SETTINGS, layouts: 'all' },
        1e-3,
      )
        .filter((s) => s.strategyId === 'zarr')
        .map((s) => (native ? { ...s, params: { ...s.params, level: NATIVE_ZLIB_LEVEL } } : s));
      expect(specs.length).toBeGreaterThan(0);
      const layouts = new Set<string>();
      const runs: { spec: (typeof specs)[number]; result: Awaited<ReturnType<typeof runJob>>['result'] }[] =
        [];
      for (const spec of specs) {
        try {
          const { result, file } = await runJob(input, spec);
          writeFileSync(join(dir, result.fileName), file);
          runs.push({ spec, result });
        } catch (e) {
          if (!(e instanceof UnsupportedError)) throw e;
        }
      }
      // One Python process reads every store of this input (importing xarray takes seconds).
      const py = spawnSync(PYTHON, ['check.py', path, ...runs.map((r) => r.result.fileName)], {
        cwd: dir,
        encoding: 'utf8',
      });
      expect(py.status, `${name}: ${py.stderr}`).toBe(0);
      const reports = py.stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l.replace(/\bNaN\b/g, 'null').replace(/\bInfinity\b/g, '1e999')) as Seen);
      expect(reports.length).toBe(runs.length);
      for (const [i, { spec, result }] of runs.entries()) {
        const seen = reports[i]!;
        const where = `${name} ${result.id}`;
        layouts.add(spec.layout);
        // The size the app reports is the file's; entries are STORED (chunks are already compressed).
        expect(seen.size, where).toBe(result.bytes);
        expect(statSync(join(dir, result.fileName)).size, where).toBe(result.bytes);
        expect(seen.stored, where).toBe(true);
        expect(seen.crc_ok, `${where}: a zip entry's CRC-32 is wrong`).toBe(true);
        expect(seen.float_attrs, `${where}: max_abs_error is a float`).toBe(true);
        // The restore snippet gives back the original shape and dtype, at exactly the measured error.
        expect(seen.restore_shape, where).toEqual([...input.array.shape]);
        expect(seen.restore_dtype, where).toBe(seen.original_dtype);
        expect(seen.restore_err, where).toBe(result.maxAbsError);
        expect(seen.attrs.max_abs_error ?? NaN, where).toBe(result.maxAbsError);
        // Without any snippet, the full layout decodes within the promised bound.
        if (spec.layout === 'full') expect(seen.raw_err!, where).toBeLessThanOrEqual(result.errorBound);
        if (spec.params.values === 'quantized') {
          expect(seen.filters[0], where).toBe('fixedscaleoffset');
          expect(seen.dtype, where).toBe('float64');
          expect('scale_factor' in seen.attrs, `${where}: xarray would scale twice`).toBe(false);
        }
        expect(seen.compressor, where).toBe(
          spec.params.codec === 'zstd' ? 'zstd' : spec.params.codec === 'zlib' ? 'zlib' : 'blosc',
        );
        // zlib rows byte-shuffle elements wider than one byte first (numcodecs.Shuffle), and say the
        // level they were written at.
        if (spec.params.codec === 'zlib') {
          expect(seen.filters.includes('shuffle'), where).toBe(seen.item_size > 1);
          expect(seen.compressor_level, where).toBe(spec.params.level);
        }
        // xarray: the same values (no _FillValue masking of zeros, no second scaling) and attributes.
        expect(seen.xr_equal, where).toBe(true);
        expect(seen.xr_attrs_equal, where).toBe(true);
        expect(seen.attrs.layout, where).toBe(
          spec.layout === 'used-pairs-pair-major' ? 'used-pairs' : spec.layout,
        );
        expect(seen.attrs.original_shape, where).toEqual([...input.array.shape]);
        expect(JSON.parse(String(seen.attrs.strategy)).id, where).toBe('zarr');
        if (spec.layout.startsWith('used-pairs')) {
          expect(seen.pairs_shape, where).toEqual([input.facts.usedPairs!.length, 2]);
          expect(seen.xr_pairs_dims, where).toEqual(['pair', 'pair_ij']);
          expect(seen.xr_pairs_equal, where).toBe(true);
          expect(seen.xr_dims[Number(seen.attrs.pairs_axis)], where).toBe('pair');
        }
      }
      expect(layouts.has('full'), name).toBe(true);
      if (name.startsWith('stack_sym') || name.startsWith('stack_near') || path.startsWith(SHAP_DIR))
        expect(layouts.size, `${name}: a packed layout ran`).toBeGreaterThan(1);
    },
    120_000,
  );
});
