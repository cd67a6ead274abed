// The tolerance-first targets, measured: for each input and tolerance τ, the app's sweep (default
// settings, nothing touched but τ) runs in Node with real h5wasm, and its recommendation — the
// smallest verified file within τ that plain h5py opens, and the smallest when hdf5plugin files are
// allowed — is compared with the expert h5py pipeline (bench/shap_expert.py) run on the same file,
// and with the entropy floor of the quantized values at τ. Usage:
//   npx tsx bench/shap-compare.ts [--tau 1e-4 --tau 0.0079] [--json OUT.json] A.npy [B.npy ...]
//   npx tsx bench/shap-compare.ts --notebook [--n 1000]   (the notebook array instead of files)
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { readNpy, writeNpy } from '../src/core/npy';
import { analyzeArray } from '../src/core/analysis';
import { generateNotebookArray } from '../src/core/generator';
import type { NdArray } from '../src/core/ndarray';
import { factsOf } from '../src/workers/load';
import { runJob, UnsupportedError } from '../src/workers/job';
import { entropyFloor } from '../src/workers/entropy-floor';
import type { JobInput, StrategyResult } from '../src/workers/job';
import { buildSweep, DEFAULT_SWEEP_SETTINGS, layoutsFor } from '../src/strategies/sweep';
import { recommendedResult } from '../src/store/selectors';
import { layoutOf } from '../src/layouts/registry';

const argv = process.argv.slice(2);
const taus: number[] = [];
const files: string[] = [];
let jsonOut: string | null = null;
let notebook = false;
let n = 1000;
for (let i = 0; i < argv.length; i++) {
  const a = argv[i]!;
  if (a === '--tau') taus.push(Number(argv[++i]));
  else if (a === '--json') jsonOut = argv[++i]!;
  else if (a === '--notebook') notebook = true;
  else if (a === '--all') continue;
  else if (a === '--n') n = Number(argv[++i]);
  else files.push(a);
}
if (taus.length === 0) taus.push(1e-4, 0.0079);

interface Row {
  input: string;
  shape: number[];
  tau: number;
  plain: { id: string; bytes: number; maxAbsError: number } | null;
  plugins: { id: string; bytes: number; maxAbsError: number } | null;
  /** The smallest within τ of every file, Zarr stores included. */
  any: { id: string; bytes: number; maxAbsError: number } | null;
  floorBytes: number | null;
  expert: Record<string, number>;
}

function floorBytes(input: JobInput, tau: number): number | null {
  const layouts = layoutsFor(input.array.shape, 'all', input.facts).filter((l) => !layoutOf(l).reorderOf);
  return entropyFloor(input, layouts, tau)?.bytes ?? null;
}

function expertSizes(path: string, tau: number): Record<string, number> {
  const out = execFileSync(
    '/usr/bin/python3',
    ['bench/shap_expert.py', '--expert', path, '--tau', String(tau)],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    },
  );
  const parsed = JSON.parse(out) as {
    inputs: { runs: { variants: { id: string; bytes: number; withinTau: boolean }[] }[] }[];
  };
  const sizes: Record<string, number> = {};
  for (const v of parsed.inputs[0]!.runs[0]!.variants) if (v.withinTau) sizes[v.id] = v.bytes;
  return sizes;
}

async function measure(name: string, array: NdArray, path: string, onlyQuantized: boolean): Promise<Row[]> {
  const input: JobInput = { name, array, facts: factsOf(array, analyzeArray(array)) };
  const rows: Row[] = [];
  for (const tau of taus) {
    const results: StrategyResult[] = [];
    const layoutCache = new Map();
    const specs = buildSweep({ shape: array.shape, facts: input.facts }, DEFAULT_SWEEP_SETTINGS, tau).filter(
      (s) => !onlyQuantized || s.strategyId === 'hdf5-quantized' || s.strategyId === 'hdf5-scaleoffset',
    );
    for (const spec of specs) {
      try {
        results.push((await runJob(input, spec, { layoutCache })).result);
      } catch (e) {
        if (!(e instanceof UnsupportedError)) throw e;
      }
    }
    const pick = (r: StrategyResult | null) =>
      r && { id: r.id, bytes: r.bytes, maxAbsError: r.maxAbsError, label: r.paramsLabel };
    const row: Row = {
      input: name,
      shape: [...array.shape],
      tau,
      plain: pick(recommendedResult(results, tau, false)),
      // HDF5 files with hdf5plugin allowed (Zarr stores are reported apart).
      plugins: pick(
        recommendedResult(
          results.filter((r) => r.readableBy !== 'zarr'),
          tau,
          true,
        ),
      ),
      any: pick(recommendedResult(results, tau, true)),
      floorBytes: floorBytes(input, tau),
      expert: onlyQuantized ? {} : expertSizes(path, tau),
    };
    rows.push(row);
    if (argv.includes('--all'))
      for (const r of [...results].sort((a, b) => a.bytes - b.bytes).slice(0, 14))
        console.log(`   ${r.bytes} ${r.id} ${r.paramsLabel} err ${r.maxAbsError.toExponential(2)}`);
    const e = row.expert.gzip4;
    const ratio = (a: number | undefined, b: number | undefined) =>
      a && b ? `${(a / b).toFixed(3)}×` : 'n/a';
    console.log(
      `${name} τ=${tau}: plain ${row.plain?.bytes ?? '—'} B (${row.plain?.id}) · expert gzip4 ${e ?? '—'} B → ` +
        `${ratio(row.plain?.bytes, e)} (goal ≤ 0.8×) · plugins ${row.plugins?.bytes ?? '—'} B → ` +
        `${ratio(row.plugins?.bytes, e)} (goal ≤ 0.6×) · any incl. Zarr ${row.any?.bytes ?? '—'} B (${row.any?.id}) → ` +
        `${ratio(row.any?.bytes, e)} · floor ${row.floorBytes ?? '—'} B → plain/floor ` +
        `${ratio(row.plain?.bytes, row.floorBytes ?? undefined)}`,
    );
  }
  return rows;
}

const all: Row[] = [];
if (notebook) {
  const array = generateNotebookArray({ n, m: 141, seed: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'h5sq-nb-'));
  try {
    all.push(...(await measure(`notebook-${n}x141x141`, array, '', true)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  void writeNpy;
} else {
  for (const f of files) {
    const array = await readNpy(new Uint8Array(readFileSync(f)));
    all.push(...(await measure(basename(f), array, f, false)));
  }
}
if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify(all, null, 2)}\n`);
