// Interop for the whole sweep: every file the job runner writes for plain h5py or numpy (layouts
// 'all': full, triangle and both used-pairs orientations) is opened by Debian's h5py and restored twice:
// by tests/interop/restore.py (written from docs/FILE-FORMAT.md alone, not from our code) and by the
// file's own `restore_python` attribute, exec'd as a user would run it. Both must give the original
// shape and dtype and exactly the error the app reported (= the file's max_abs_error); quantized rows
// keep exact zeros exactly 0.0; h5dump must list the filters (SHUFFLE and DEFLATE for shuffle + gzip).
// The real SHAP stacks (tests/fixtures/shap/, float32, fewer used pairs than the triangle holds) make
// sure the used-pairs rows run. On CI (CI=true) missing tools fail the suite; locally it is skipped.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runJob, UnsupportedError } from '../../src/workers/job';
import type { JobInput, StrategyResult } from '../../src/workers/job';
import { buildSweep, DEFAULT_SWEEP_SETTINGS } from '../../src/strategies/sweep';
import { FIXTURE_DIR, loadFixture } from '../unit/strategies/fixtures';
import { strategyOf } from '../../src/strategies/registry';
import { readNpy } from '../../src/core/npy';
import { analyzeArray } from '../../src/core/analysis';
import { factsOf } from '../../src/workers/load';
import type { Layout } from '../../src/strategies/types';

const PYTHON = '/usr/bin/python3';
const INTEROP_DIR = import.meta.dirname;
const SHAP_DIR = join(import.meta.dirname, '..', 'fixtures', 'shap');

function missingTools(): string | null {
  const py = spawnSync(PYTHON, ['-c', 'import h5py, numpy'], { encoding: 'utf8' });
  if (py.error || py.status !== 0) return `${PYTHON} with h5py + numpy is not available`;
  const dump = spawnSync('h5dump', ['--version'], { encoding: 'utf8' });
  if (dump.error || dump.status !== 0) return 'h5dump is not installed';
  return null;
}
const MISSING = missingTools();
if (MISSING && process.env.CI !== 'true') console.warn(`[interop] skipping sweep/h5py interop: ${MISSING}`);

const FIXTURES = [
  'stack_sym_f8.npy',
  'stack_near_sym_f8.npy',
  'stack_nonsym_f8.npy',
  'stack_sym_f4.npy',
  'stack_over_f16_f8.npy',
  'stack_nan_inf_f8.npy',
  'stack_sym_be_f8.npy',
  'f8_1d.npy',
];
const SHAP_FIXTURES = ['wine.npy', 'diabetes.npy', 'iris.npy'];

async function loadInput(fixture: string): Promise<{ input: JobInput; path: string }> {
  if (!SHAP_FIXTURES.includes(fixture))
    return { input: await loadFixture(fixture), path: join(FIXTURE_DIR, fixture) };
  const path = join(SHAP_DIR, fixture);
  const array = await readNpy(new Uint8Array(readFileSync(path)));
  return { input: { name: fixture, array, facts: factsOf(array, analyzeArray(array)) }, path };
}

/**
 * One interpreter per fixture. For each file: tests/interop/restore.py's restore (the contract alone),
 * then the file's own snippet (the root attribute; for a .npy the app's snippet) exec'd in the file's
 * directory, with the restored array's shape, dtype and error, and how many exact zeros that must stay
 * 0.0 (a zero whose mirror is 0 too, for the symmetrising layouts) did not.
 */
const DRIVER = String.raw`
import contextlib, io, json, os, sys
sys.path.insert(0, sys.argv[1])
import h5py
import numpy as np
import restore
original = sys.argv[2]
orig = np.load(original)
zero = orig == 0
if orig.ndim >= 2 and orig.shape[-1] == orig.shape[-2]:
    zero_pair = zero & np.swapaxes(zero, -1, -2)
else:
    zero_pair = zero
out = {}
for item in json.load(sys.stdin):
    path = item["path"]
    sys.argv = ["restore.py", original, path]
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        restore.main()
    r = {"contract": json.loads(buf.getvalue())}
    snippet = item["snippet"]
    if snippet is None:
        with h5py.File(path, "r") as f:
            snippet = f.attrs["restore_python"]
    here = os.getcwd()
    os.chdir(os.path.dirname(path))
    ns = {}
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(snippet, ns)
    finally:
        os.chdir(here)
    a = ns["a"]
    same_shape = a.shape == orig.shape
    keep = zero if item["layout"] == "full" else zero_pair
    r["snippet"] = {
        "shape": list(a.shape),
        "dtype": a.dtype.newbyteorder("<").str,
        "maxAbsError": restore.max_abs_error(orig, a) if same_shape else None,
        "zeros": int(keep.sum()),
        "zerosLost": int((a[keep] != 0).sum()) if same_shape else None,
    }
    out[path] = r
print(json.dumps(out))
`;

interface Restored {
  contract: {
    dtype: string;
    maxAbsError: number | null;
    restoredShape: number[];
    restoredDtype: string;
    attrs: Record<string, unknown>;
    root: Record<string, string>;
    datasets: string[];
  };
  snippet: {
    shape: number[];
    dtype: string;
    maxAbsError: number | null;
    zeros: number;
    zerosLost: number | null;
  };
}

const dir = mkdtempSync(join(tmpdir(), 'h5sq-sweep-interop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The same number, as Python's json writes it (Infinity) and ours (a 1e-12 relative slack). */
function expectSameError(seen: number | null, reported: number, where: string) {
  expect(seen, where).not.toBeNull();
  if (Number.isFinite(reported))
    expect(Math.abs(seen! - reported), where).toBeLessThanOrEqual(1e-12 * Math.max(1, reported));
  else expect(seen, where).toBe(reported);
}

describe.skipIf(MISSING !== null && process.env.CI !== 'true')('sweep files open in h5py', () => {
  it('has the tools on CI', () => {
    expect(MISSING).toBeNull();
  });

  it.each([...FIXTURES, ...SHAP_FIXTURES])(
    '%s: restored by h5py and by its own snippet, original shape and dtype, the reported error',
    async (fixture) => {
      const { input, path: original } = await loadInput(fixture);
      const facts = { shape: input.array.shape, facts: input.facts };
      const all = { ...DEFAULT_SWEEP_SETTINGS, layouts: 'all' as const };
      const specs = [
        ...buildSweep(facts, all, 1e-4),
        ...buildSweep(facts, { ...all, decimalsAuto: false, decimals: 2, gzipLevel: 9 }, 7.8e-3),
      ].filter((spec) => {
        // Plugin codecs have their own truth table (plugins-h5py.test.ts): here, plain h5py/numpy only.
        const readableBy = strategyOf(spec.strategyId).readableBy(spec.params);
        return readableBy === 'h5py' || readableBy === 'numpy';
      });
      const written: { path: string; result: StrategyResult; layout: Layout }[] = [];
      for (const spec of specs) {
        let out;
        try {
          out = await runJob(input, spec);
        } catch (e) {
          if (e instanceof UnsupportedError) continue;
          throw e;
        }
        // One directory per file: the two sweeps may name files alike, and the snippet opens its
        // file by the app's name.
        const sub = join(dir, `${fixture}-${written.length}`);
        mkdirSync(sub);
        const path = join(sub, out.result.fileName);
        writeFileSync(path, out.file);
        written.push({ path, result: out.result, layout: spec.layout });
      }
      const py = spawnSync(PYTHON, ['-c', DRIVER, INTEROP_DIR, original], {
        input: JSON.stringify(
          written.map((w) => ({
            path: w.path,
            layout: w.layout,
            snippet: w.result.readableBy === 'numpy' ? w.result.restorePython : null,
          })),
        ),
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      });
      expect(py.status, py.stderr).toBe(0);
      // Python's json writes Infinity/NaN bare; 1e999 parses back to Infinity.
      const seen = JSON.parse(
        py.stdout.replace(/\bNaN\b/g, 'null').replace(/\bInfinity\b/g, '1e999'),
      ) as Record<string, Restored>;

      const d = input.array.dtype;
      const dtype = ['b1', 'i1', 'u1'].includes(d) ? `|${d}` : `<${d}`;
      const byLayout = new Map<Layout, number>();
      let shuffleRows = 0;
      let shuffled = 0;
      for (const { path, result, layout } of written) {
        const { contract, snippet } = seen[path]!;
        const where = `${fixture} ${result.id} ${result.paramsLabel}`;
        // The contract alone and the file's own snippet: the original shape and dtype ...
        expect(contract.restoredShape, where).toEqual([...input.array.shape]);
        expect(snippet.shape, where).toEqual([...input.array.shape]);
        expect(snippet.dtype, where).toBe(dtype);
        if (result.readableBy !== 'numpy') expect(contract.restoredDtype, where).toBe(dtype);
        // ... and exactly the error the app measured (NumPy and our decode do the same float64
        // operations, then the same cast to the loaded dtype).
        expectSameError(contract.maxAbsError, result.maxAbsError, `${where} (restore.py)`);
        expectSameError(snippet.maxAbsError, result.maxAbsError, `${where} (restore_python)`);
        if (result.strategyId === 'hdf5-quantized') {
          expect(snippet.zerosLost, `${where}: exact zeros stay 0.0`).toBe(0);
          if (SHAP_FIXTURES.includes(fixture)) expect(snippet.zeros, where).toBeGreaterThan(0);
        }
        byLayout.set(layout, (byLayout.get(layout) ?? 0) + 1);
        if (result.readableBy === 'numpy') continue;

        const attrs = contract.attrs;
        expect(attrs.max_abs_error, where).toBe(result.maxAbsError);
        expectSameError(snippet.maxAbsError, attrs.max_abs_error as number, `${where} (attribute)`);
        expect(attrs.original_shape, where).toEqual([...input.array.shape]);
        expect(attrs.original_dtype, where).toBe(dtype);
        const pairs = layout === 'used-pairs' || layout === 'used-pairs-pair-major';
        expect(attrs.layout, where).toBe(pairs ? 'used-pairs' : layout);
        expect(contract.datasets, where).toEqual(pairs ? ['data', 'pairs'] : ['data']);
        if (pairs) {
          const stored = input.array.shape.length - 2;
          expect(attrs.pairs_axis, where).toBe(layout === 'used-pairs' ? stored : 0);
          expect(attrs.matrix_size, where).toBe(input.array.shape[input.array.shape.length - 1]);
        }
        expect(contract.root.restore_python, where).toContain('h5py.File');
        if (result.strategyId === 'hdf5-float16') expect(contract.dtype, where).toBe('float16');

        const filters = filtersOf(result);
        if (filters) {
          const dump = spawnSync('h5dump', ['-pH', path], { encoding: 'utf8' });
          expect(dump.status, dump.stderr).toBe(0);
          // /data's part of the dump (a used-pairs file lists /pairs after it).
          const start = dump.stdout.indexOf('DATASET "data"');
          const next = dump.stdout.indexOf('DATASET', start + 1);
          const header = dump.stdout.slice(start, next < 0 ? undefined : next);
          for (const f of filters.present) expect(header, `${where} h5dump ${f}`).toMatch(f);
          for (const f of filters.absent) expect(header, `${where} h5dump no ${f}`).not.toMatch(f);
          // 1-byte codes are not shuffled (the byte shuffle of one byte is the identity).
          if (result.params.codec === 'shuffle-gzip') {
            shuffleRows++;
            const oneByte = /int8/.test(contract.dtype);
            if (oneByte) expect(header, where).not.toMatch(/SHUFFLE/);
            else {
              expect(header, where).toMatch(/SHUFFLE/);
              shuffled++;
            }
          }
        }
      }
      expect(written.length).toBeGreaterThan(4);
      if (SHAP_FIXTURES.includes(fixture)) {
        // The used pairs run in both orientations, shuffle + gzip among them.
        expect(input.facts.usedPairs!.length).toBeLessThan(
          (input.array.shape[1]! * (input.array.shape[1]! + 1)) / 2,
        );
        expect(byLayout.get('used-pairs'), fixture).toBeGreaterThanOrEqual(8);
        expect(byLayout.get('used-pairs-pair-major'), fixture).toBeGreaterThanOrEqual(5);
        // Both tolerances in all four layouts; int8 codes (iris at 7.8e-3) are stored unshuffled.
        expect(shuffleRows, fixture).toBe(8);
        expect(shuffled, fixture).toBeGreaterThanOrEqual(4);
      }
      console.info(`[sweep-h5py] ${fixture}: ${JSON.stringify(Object.fromEntries(byLayout))}`);
    },
  );
});

/** The filters h5dump must (and must not) list for a row's `/data`, or null for unfiltered rows. */
function filtersOf(result: StrategyResult): { present: RegExp[]; absent: RegExp[] } | null {
  switch (result.strategyId) {
    case 'hdf5-gzip':
      return { present: [/DEFLATE/], absent: [/SHUFFLE/, /SCALEOFFSET/] };
    case 'hdf5-scaleoffset':
      return { present: [/SCALEOFFSET/], absent: [/DEFLATE/] };
    case 'hdf5-quantized':
      return result.params.codec === 'scaleoffset'
        ? { present: [/SCALEOFFSET/], absent: [/DEFLATE/, /SHUFFLE/] }
        : result.params.codec === 'gzip'
          ? { present: [/DEFLATE/], absent: [/SHUFFLE/, /SCALEOFFSET/] }
          : { present: [/DEFLATE/], absent: [/SCALEOFFSET/] };
    default:
      return null;
  }
}
