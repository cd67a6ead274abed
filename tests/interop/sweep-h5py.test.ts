// Interop for the whole sweep: every file the job runner writes is opened by Debian's h5py, restored
// by tests/interop/restore.py (written from DESIGN.md §3 alone, not from our code), and its max error
// must equal the app's reported max_abs_error; float16 datasets must be float16; h5dump must list the
// filter. On CI (CI=true) missing tools fail the suite; locally the suite is skipped with a reason.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runJob, UnsupportedError } from '../../src/workers/job';
import { buildSweep, DEFAULT_SWEEP_SETTINGS } from '../../src/strategies/sweep';
import { FIXTURE_DIR, loadFixture } from '../unit/strategies/fixtures';
import { strategyOf } from '../../src/strategies/registry';

const PYTHON = '/usr/bin/python3';
const RESTORE = join(import.meta.dirname, 'restore.py');

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

const FILTER_NAMES: Record<string, RegExp> = {
  'hdf5-gzip': /DEFLATE/,
  'hdf5-scaleoffset': /SCALEOFFSET/,
};

const dir = mkdtempSync(join(tmpdir(), 'h5sq-sweep-interop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(MISSING !== null && process.env.CI !== 'true')('sweep files open in h5py', () => {
  it('has the tools on CI', () => {
    expect(MISSING).toBeNull();
  });

  it.each(FIXTURES)('%s: restored by h5py within the reported max_abs_error', async (fixture) => {
    const input = await loadFixture(fixture);
    const specs = [
      ...buildSweep({ shape: input.array.shape, facts: input.facts }, { ...DEFAULT_SWEEP_SETTINGS, layouts: 'all' }, 1e-4),
      ...buildSweep(
        { shape: input.array.shape, facts: input.facts },
        { ...DEFAULT_SWEEP_SETTINGS, layouts: 'all', decimalsAuto: false, decimals: 2, gzipLevel: 9 },
        7.8e-3,
      ),
    ].filter((spec) => {
      // Plugin codecs have their own truth table (plugins-h5py.test.ts): here, plain h5py/numpy only.
      const readableBy = strategyOf(spec.strategyId).readableBy(spec.params);
      return readableBy === 'h5py' || readableBy === 'numpy';
    });
    let checked = 0;
    for (const spec of specs) {
      let out;
      try {
        out = await runJob(input, spec);
      } catch (e) {
        if (e instanceof UnsupportedError) continue;
        throw e;
      }
      const path = join(dir, out.result.fileName);
      writeFileSync(path, out.file);
      const py = spawnSync(PYTHON, [RESTORE, join(FIXTURE_DIR, fixture), path], { encoding: 'utf8' });
      expect(py.status, py.stderr).toBe(0);
      // Python's json writes Infinity/NaN bare; 1e999 parses back to Infinity.
      const seen = JSON.parse(py.stdout.replace(/\bNaN\b/g, 'null').replace(/\bInfinity\b/g, '1e999')) as {
        dtype: string;
        maxAbsError: number | null;
        attrs: Record<string, unknown>;
        root: Record<string, string>;
      };
      const where = `${fixture} ${out.result.id} ${out.result.paramsLabel}`;
      expect(seen.maxAbsError, where).not.toBeNull();
      // Same numbers as the app measured (NumPy and our decode do the same float64 operations).
      if (Number.isFinite(out.result.maxAbsError))
        expect(Math.abs(seen.maxAbsError! - out.result.maxAbsError), where).toBeLessThanOrEqual(
          1e-12 * Math.max(1, out.result.maxAbsError),
        );
      else expect(seen.maxAbsError, where).toBe(out.result.maxAbsError);
      if (out.result.readableBy !== 'numpy') {
        expect(seen.attrs.max_abs_error, where).toBe(out.result.maxAbsError);
        expect(seen.attrs.layout, where).toBe(spec.layout);
        expect(seen.attrs.original_shape, where).toEqual([...input.array.shape]);
        expect(seen.root.restore_python, where).toContain('h5py.File');
        if (spec.strategyId === 'hdf5-float16') expect(seen.dtype, where).toBe('float16');
        const filter = FILTER_NAMES[spec.strategyId];
        if (filter) {
          const dump = spawnSync('h5dump', ['-H', '-p', path], { encoding: 'utf8' });
          expect(dump.stdout, where).toMatch(filter);
        }
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(4);
  });
});
