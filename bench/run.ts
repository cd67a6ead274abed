// `npm run bench [-- --size small|seed|large] [--runs N]`: the app's default sweep in headless
// Chromium against the same strategies written with numpy + h5py (bench/reference_h5py.py), on the
// notebook's array, alternating the two sides; prints one table and writes bench/results/*.json.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build, preview } from 'vite';
import { generateNotebookArray } from '../src/core/generator';
import { writeNpy } from '../src/core/npy';
import {
  DEFAULT_SWEEP_SETTINGS,
  DEFAULT_TOLERANCE,
  buildSweep,
  decimalsForTolerance,
  resultIdOf,
} from '../src/strategies/sweep';
import { analyzeArray } from '../src/core/analysis';
import { factsOf } from '../src/workers/load';
import type { CodecParams } from '../src/strategies/hdf5-codec';
import { codecFilter } from '../src/strategies/hdf5-codec';
import { pluginCodecOf } from '../src/core/filters';
import type { BrowserRun } from './browser-run';
import { runInBrowser } from './browser-run';

const ROOT = resolve(import.meta.dirname, '..');
const RESULTS_DIR = join(ROOT, 'bench', 'results');
const REFERENCE = join(ROOT, 'bench', 'reference_h5py.py');

const SIZES = { small: 100, seed: 1000, large: 4000 } as const;
type Size = keyof typeof SIZES;
const MATRIX = 141;
const SEED = 0;
/** Generous per-run limits; a sweep that takes longer than this is a finding, not a bench result. */
const TIMEOUT_MS: Record<Size, number> = { small: 180_000, seed: 900_000, large: 3_600_000 };

interface ReferenceStrategy {
  id: string;
  layout: string;
  bytes: number;
  maxAbsError: number;
  writeMs: number;
  verifyMs: number;
  ms: number;
  cpuMs: number;
}

interface ReferenceRun {
  python: string;
  numpy: string;
  h5py: string;
  hdf5: string;
  loadMs: number;
  layoutMs: Record<string, number>;
  strategiesMs: number;
  strategiesCpuMs: number;
  peakRssBytes: number;
  strategies: ReferenceStrategy[];
  skipped: { id: string; reason: string }[];
}

interface StrategyRow {
  id: string;
  layout: string;
  oursMs: number | null;
  h5pyMs: number | null;
  ratio: number | null;
  oursBytes: number | null;
  h5pyBytes: number | null;
  oursMaxErr: number | null;
  h5pyMaxErr: number | null;
  /** Extra: CPU ms of the reference for this strategy (its wall ms minus time spent descheduled). */
  h5pyCpuMs: number | null;
}

function usage(msg: string): never {
  console.error(
    `${msg}\nusage: npm run bench -- [--size small|seed|large|shap] [--runs N] [--port 4180] [--dist DIR] [--build] [--settle MS]`,
  );
  process.exit(2);
}

function parseCli() {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: 'seed' },
      runs: { type: 'string', default: '3' },
      port: { type: 'string', default: '4180' },
      dist: { type: 'string', default: 'dist' },
      build: { type: 'boolean', default: false },
      python: { type: 'string', default: '/usr/bin/python3' },
      settle: { type: 'string', default: '0' },
    },
  });
  if (values.size === 'shap') return { size: 'shap' as const, python: values.python };
  if (!(values.size in SIZES)) usage(`unknown --size ${values.size}`);
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) usage(`--runs must be a positive integer, got ${values.runs}`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port <= 0) usage(`bad --port ${values.port}`);
  const settleMs = Number(values.settle);
  if (!Number.isInteger(settleMs) || settleMs < 0) usage(`--settle must be ms ≥ 0, got ${values.settle}`);
  return {
    size: values.size as Size,
    runs,
    settleMs,
    port,
    dist: resolve(ROOT, values.dist),
    forceBuild: values.build,
    python: values.python,
  };
}

// ---------------------------------------------------------------------------------------------------
// Build and serve

function newestMtime(path: string): number {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

const BUILD_INPUTS = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json', 'package-lock.json'];

async function ensureBuild(outDir: string, force: boolean): Promise<void> {
  const built = statSync(join(outDir, 'index.html'), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const sources = Math.max(...BUILD_INPUTS.map((p) => newestMtime(join(ROOT, p))));
  if (!force && built > sources) {
    console.log(`using the existing build in ${outDir}`);
    return;
  }
  console.log(`building the app into ${outDir} …`);
  const t = performance.now();
  await build({ root: ROOT, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  console.log(`built in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

// ---------------------------------------------------------------------------------------------------
// The two sides

/**
 * The app's default plugin-codec strategies as filter id + cd_values (the filter registry,
 * src/core/filters.ts), from the app's own sweep definition, so the reference writes the very same filter configuration (when its hdf5plugin can).
 */
function pluginSpecs(shape: readonly number[]): object[] {
  return buildSweep({ shape, facts: null }, DEFAULT_SWEEP_SETTINGS, DEFAULT_TOLERANCE.value)
    .filter((s) => s.strategyId === 'hdf5-codec')
    .map((s) => {
      const p = s.params as CodecParams;
      const f = codecFilter(p);
      // Builds of the filter older than this accept the options but ignore them (the registry knows which).
      const minVersion = pluginCodecOf(p.codec)?.minFilterVersion ?? null;
      return {
        id: resultIdOf(s),
        layout: s.layout,
        values: p.values,
        filter: f.id,
        opts: f.opts,
        min_filter_version: minVersion,
        params: p,
      };
    });
}

function runReference(python: string, npyPath: string, specsPath: string, decimals: number): ReferenceRun {
  const s = DEFAULT_SWEEP_SETTINGS;
  const args = [
    REFERENCE,
    npyPath,
    // The D the app's sweep derives from its default tolerance, so both sides write the same files.
    `--decimals=${decimals}`,
    `--eps=${s.eps}`,
    `--gzip-level=${s.gzipLevel}`,
    `--plugin-specs=${specsPath}`,
  ];
  const out = spawnSync(python, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (out.status !== 0) {
    throw new Error(
      `reference sweep failed (exit ${out.status}${out.error ? `, ${out.error.message}` : ''}):\n${out.stderr}`,
    );
  }
  return JSON.parse(out.stdout) as ReferenceRun;
}

function errorNumber(x: number | string): number {
  return typeof x === 'number' ? x : Number(x);
}

// ---------------------------------------------------------------------------------------------------
// Statistics and report

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function medianOrNull(xs: readonly (number | null | undefined)[]): number | null {
  const ok = xs.filter((x): x is number => typeof x === 'number' && !Number.isNaN(x));
  return ok.length > 0 ? median(ok) : null;
}

function strategyRows(ours: BrowserRun[], refs: ReferenceRun[]): StrategyRow[] {
  const ids: string[] = [];
  const layouts = new Map<string, string>();
  for (const r of ours[0]?.rows ?? []) ids.push(r.id);
  for (const run of ours) for (const e of run.exported) layouts.set(e.id, e.layout);
  for (const run of refs) {
    for (const s of run.strategies) {
      if (!ids.includes(s.id)) ids.push(s.id);
      if (!layouts.has(s.id)) layouts.set(s.id, s.layout);
    }
  }
  return ids.map((id) => {
    const mine = ours.map((run) => run.exported.find((e) => e.id === id));
    const theirs = refs.map((run) => run.strategies.find((s) => s.id === id));
    const oursMs = medianOrNull(mine.map((e) => (e ? e.encodeMs + e.verifyMs : null)));
    const h5pyMs = medianOrNull(theirs.map((s) => s?.ms));
    return {
      id,
      layout: layouts.get(id) ?? id.split(':')[1] ?? '',
      oursMs,
      h5pyMs,
      ratio: oursMs !== null && h5pyMs ? oursMs / h5pyMs : null,
      oursBytes: medianOrNull(mine.map((e) => e?.bytes)),
      h5pyBytes: medianOrNull(theirs.map((s) => s?.bytes)),
      oursMaxErr: medianOrNull(mine.map((e) => (e ? errorNumber(e.maxAbsError) : null))),
      h5pyMaxErr: medianOrNull(theirs.map((s) => s?.maxAbsError)),
      h5pyCpuMs: medianOrNull(theirs.map((s) => s?.cpuMs)),
    };
  });
}

const fmtMs = (x: number | null): string => (x === null ? '—' : x.toFixed(0));
const fmtRatio = (x: number | null): string => (x === null ? '—' : x.toFixed(2));
const fmtMB = (x: number | null): string => (x === null ? '—' : (x / 1e6).toFixed(2));
const fmtErr = (x: number | null): string => (x === null ? '—' : x === 0 ? '0' : x.toExponential(2));
const fmtS = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const fmtMiB = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;

function table(rows: StrategyRow[]): string {
  const head = [
    'strategy',
    'ours ms',
    'h5py ms',
    'ratio',
    'our MB',
    'h5py MB',
    'our max err',
    'h5py max err',
  ];
  const body = rows.map((r) => [
    r.id,
    fmtMs(r.oursMs),
    fmtMs(r.h5pyMs),
    fmtRatio(r.ratio),
    fmtMB(r.oursBytes),
    fmtMB(r.h5pyBytes),
    fmtErr(r.oursMaxErr),
    fmtErr(r.h5pyMaxErr),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...body.map(line)].join('\n');
}

/** Things the app's author should look at, found mechanically in the collected data. */
function findings(rows: StrategyRow[], ours: BrowserRun[], refs: ReferenceRun[]): string[] {
  const notes: string[] = [];
  ours.forEach((run, i) => {
    const bad = run.rows.filter((r) => r.status !== 'done');
    if (bad.length > 0)
      notes.push(`run ${i + 1}: rows not done: ${bad.map((r) => `${r.id}=${r.status}`).join(', ')}`);
    for (const r of run.rows) {
      const e = run.exported.find((x) => x.id === r.id);
      if (r.status === 'done' && !e)
        notes.push(`run ${i + 1}: ${r.id} is done in the table but missing from export-json`);
      if (e && e.bytes !== r.bytes)
        notes.push(`run ${i + 1}: ${r.id} data-bytes ${r.bytes} ≠ exported bytes ${e.bytes}`);
    }
    if (run.consoleErrors.length > 0)
      notes.push(
        `run ${i + 1}: ${run.consoleErrors.length} console error(s), first: ${run.consoleErrors[0]}`,
      );
  });
  for (const r of rows) {
    if (r.oursMs === null && r.h5pyMs !== null) notes.push(`${r.id}: h5py ran it, the app did not`);
    const skipped = refs[0]?.skipped.find((k) => k.id === r.id);
    if (r.oursMs !== null && r.h5pyMs === null)
      notes.push(`${r.id}: no h5py twin${skipped ? ` (${skipped.reason})` : ''}`);
    if (r.ratio !== null && r.ratio > 3) notes.push(`${r.id}: ${r.ratio.toFixed(1)}× slower than h5py`);
    if (r.oursBytes !== null && r.h5pyBytes !== null && Math.abs(r.oursBytes / r.h5pyBytes - 1) > 0.02)
      notes.push(`${r.id}: file ${((100 * r.oursBytes) / r.h5pyBytes - 100).toFixed(1)}% vs h5py's`);
    if (r.oursMaxErr !== null && r.h5pyMaxErr !== null && r.oursMaxErr > 1.5 * r.h5pyMaxErr + 1e-15)
      notes.push(`${r.id}: max error ${fmtErr(r.oursMaxErr)} vs h5py's ${fmtErr(r.h5pyMaxErr)}`);
  }
  return notes;
}

// ---------------------------------------------------------------------------------------------------

/**
 * `--size shap`: the tolerance-first targets. Real SHAP interaction stacks (bench/shap_data.py makes
 * them with XGBoost, cached; plus the committed fixtures) at τ = 1e-4 and 0.0079: the app's
 * recommendation vs the expert h5py pipeline, and the notebook array vs its entropy floor.
 * bench/shap-compare.ts prints every figure beside its goal.
 */
function runShapBench(python: string): void {
  const cache = join(tmpdir(), 'h5squeeze-bench-shap');
  const made = JSON.parse(
    execFileSync(python, [join(ROOT, 'bench', 'shap_data.py'), cache], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  ) as { path: string }[];
  const fixtures = ['wine', 'diabetes', 'iris'].map((f) =>
    join(ROOT, 'tests', 'fixtures', 'shap', `${f}.npy`),
  );
  const stamp = new Date().toISOString().slice(0, 10);
  const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
  const compare = join(ROOT, 'bench', 'shap-compare.ts');
  const out = (name: string) => join(RESULTS_DIR, `${stamp}-${name}.json`);
  console.log('SHAP interaction stacks: recommendation vs the expert h5py pipeline (same machine, same run)');
  execFileSync(tsx, [compare, '--json', out('shap'), ...made.map((m) => m.path), ...fixtures], {
    stdio: 'inherit',
  });
  console.log('\nThe notebook array (1000×141×141) vs the zeroth-order entropy floor (goal ≤ 1.03×)');
  execFileSync(tsx, [compare, '--notebook', '--json', out('floor')], { stdio: 'inherit' });
}

async function main(): Promise<void> {
  const cli = parseCli();
  if (cli.size === 'shap') return runShapBench(cli.python);
  const opts = cli;
  const n = SIZES[opts.size];
  const loadStart = loadavg();
  await ensureBuild(opts.dist, opts.forceBuild);

  const work = mkdtempSync(join(tmpdir(), 'h5sq-bench-'));
  const server = await preview({
    root: ROOT,
    logLevel: 'warn',
    build: { outDir: opts.dist },
    preview: { port: opts.port, strictPort: true, host: '127.0.0.1' },
  });
  try {
    const npyPath = join(work, `notebook-${n}x${MATRIX}x${MATRIX}-seed${SEED}.npy`);
    const arr = generateNotebookArray({ n, m: MATRIX, seed: SEED });
    const npy = writeNpy(arr);
    writeFileSync(npyPath, npy);
    const inputBytes = npy.byteLength;
    const specsPath = join(work, 'plugin-specs.json');
    writeFileSync(specsPath, JSON.stringify(pluginSpecs(arr.shape)));
    const appDecimals =
      decimalsForTolerance(DEFAULT_TOLERANCE.value, 'full', factsOf(arr, analyzeArray(arr)), 'float32') ??
      DEFAULT_SWEEP_SETTINGS.decimals;
    console.log(`input: ${npyPath} (${fmtMB(inputBytes)} MB), ${opts.runs} run(s) per side, alternating`);

    const url = `http://127.0.0.1:${opts.port}/`;
    const ours: BrowserRun[] = [];
    const refs: ReferenceRun[] = [];
    for (let i = 0; i < opts.runs; i++) {
      const o = await runInBrowser(url, npyPath, TIMEOUT_MS[opts.size], opts.settleMs);
      ours.push(o);
      console.log(
        `run ${i + 1}/${opts.runs} ours:  ${fmtS(o.wallMs)} (first result ${o.firstResultMs === null ? '—' : fmtS(o.firstResultMs)}, ` +
          `longest task ${o.longestTaskMs.toFixed(0)} ms, peak RSS ${fmtMiB(o.peakRssBytes)})`,
      );
      const r = runReference(opts.python, npyPath, specsPath, appDecimals);
      refs.push(r);
      console.log(
        `run ${i + 1}/${opts.runs} h5py:  ${fmtS(r.strategiesMs)} (np.load ${r.loadMs.toFixed(0)} ms)`,
      );
    }

    const rows = strategyRows(ours, refs);
    const oursMs = median(ours.map((o) => o.wallMs));
    const h5pyMs = median(refs.map((r) => r.strategiesMs));
    const h5pyWithLoad = median(
      refs.map((r) => r.strategiesMs + r.loadMs + r.layoutMs['upper-triangle-rowmajor']!),
    );
    const oursSum = median(ours.map((o) => o.exported.reduce((a, e) => a + e.encodeMs + e.verifyMs, 0)));
    const firstResultMs = medianOrNull(ours.map((o) => o.firstResultMs));
    const longestTaskMs = median(ours.map((o) => o.longestTaskMs));
    const longestSweepTaskMs = median(ours.map((o) => o.longestSweepTaskMs));
    const longestInteractionTaskMs = median(ours.map((o) => o.longestInteractionTaskMs));
    const peakRssBytes = median(ours.map((o) => o.peakRssBytes));
    const medianRun = [...ours].sort((a, b) => a.peakRssBytes - b.peakRssBytes)[ours.length >> 1]!;
    const notes = findings(rows, ours, refs);
    const oursCpu = median(ours.map((o) => o.cpuMs));
    const h5pyCpu = median(refs.map((r) => r.strategiesCpuMs));
    const cpuRun = [...ours].sort((a, b) => a.cpuMs - b.cpuMs)[ours.length >> 1]!;
    const cpuByRole = Object.entries(cpuRun.cpuMsByRole)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([role, ms]) => `${role} ${fmtS(ms)}`)
      .join(', ');
    // Like for like: only the strategies both sides ran, as sums of per-strategy times.
    const both = new Set(rows.filter((r) => r.oursMs !== null && r.h5pyMs !== null).map((r) => r.id));
    const oursOnly = rows.filter((r) => r.oursMs !== null && r.h5pyMs === null);
    const oursBothSum = median(
      ours.map((o) =>
        o.exported.filter((e) => both.has(e.id)).reduce((a, e) => a + e.encodeMs + e.verifyMs, 0),
      ),
    );
    const h5pyBothSum = median(
      refs.map((r) => r.strategies.filter((x) => both.has(x.id)).reduce((a, x) => a + x.ms, 0)),
    );
    const oursOnlySum = oursOnly.reduce((a, r) => a + (r.oursMs ?? 0), 0);

    console.log(
      `\n${opts.size}: ${n}×${MATRIX}×${MATRIX} float64, seed ${SEED}; medians of ${opts.runs} run(s); ratio = ours / h5py` +
        (opts.settleMs > 0
          ? `; the page sat ${opts.settleMs} ms before the idle sample and the file choice (--settle)\n`
          : '\n'),
    );
    console.log(table(rows));
    console.log(`
total, ours (file chosen → sweep-status done, parallel workers): ${fmtS(oursMs)}
total, h5py (sum of per-strategy times, one process):            ${fmtS(h5pyMs)}
ratio ours / h5py:                                               ${(oursMs / h5pyMs).toFixed(2)}
  h5py incl. np.load and the triangle pack:                      ${fmtS(h5pyWithLoad)} (ratio ${(oursMs / h5pyWithLoad).toFixed(2)})
  ours, sum of per-strategy encode+verify:                       ${fmtS(oursSum)} (parallelism ${(oursSum / oursMs).toFixed(2)})
  like for like, the ${both.size} strategies both ran, sums:            ours ${fmtS(oursBothSum)}, h5py ${fmtS(h5pyBothSum)} (ratio ${(oursBothSum / h5pyBothSum).toFixed(2)})
  the app also ran ${oursOnly.length} strategies without an h5py twin:        ${fmtS(oursOnlySum)} of encode+verify
  ours, file chosen → sweep running (load + analysis):           ${fmtS(medianOrNull(ours.map((o) => o.loadMs)) ?? NaN)}
CPU time (counts only time on a core, so steadier under load):
  ours, Chromium processes, file chosen → done:                  ${fmtS(oursCpu)} (${cpuByRole})
  threads (median run): ${Object.entries(cpuRun.cpuMsByThread)
    .slice(0, 4)
    .map(([name, ms]) => `${name} ${fmtS(ms)}`)
    .join(', ')}
  h5py, sum over strategies:                                     ${fmtS(h5pyCpu)} (ratio ${(oursCpu / h5pyCpu).toFixed(2)})
first result-row done:                                           ${firstResultMs === null ? '—' : fmtS(firstResultMs)}
longest main-thread task:                                        ${longestTaskMs.toFixed(0)} ms
main-thread goals (wall time; load average ${loadStart.map((x) => x.toFixed(2)).join(' ')} at the start, ${cpus().length} cores):
  first result ${firstResultMs === null ? '—' : `${(firstResultMs / 1000).toFixed(2)} s`} (goal ≤ 1.0 s)
  longest task during the sweep ${longestSweepTaskMs.toFixed(0)} ms (goal < 50 ms; interactions' windows left out)
  longest task during interactions ${longestInteractionTaskMs.toFixed(0)} ms (goal < 50 ms; row clicks, slider, tolerance)
peak RSS, Chromium processes summed:                             ${fmtMiB(peakRssBytes)} (idle before the file: ${fmtMiB(median(ours.map((o) => o.idleRssBytes)))})
  at the peak (median run): ${medianRun.peakRssBreakdown
    .slice(0, 4)
    .map((p) => `${p.role} ${fmtMiB(p.rssBytes)}`)
    .join(', ')}
peak PSS, Chromium processes summed:                             ${fmtMiB(median(ours.map((o) => o.peakPssBytes)))} (idle: ${fmtMiB(median(ours.map((o) => o.idlePssBytes)))}; ${medianRun.peakPssBreakdown
      .slice(0, 3)
      .map((p) => `${p.role} ${fmtMiB(p.pssBytes)}`)
      .join(', ')})
  at ${medianRun.peakPssAtMs === null ? '—' : fmtS(medianRun.peakPssAtMs)} after the file was chosen, running: ${medianRun.runningAtPeakPss.join(', ') || '—'}
peak main-thread JS heap:                                        ${fmtMiB(median(ours.map((o) => o.peakMainHeapBytes)))}
peak RSS, h5py reference process:                                ${fmtMiB(median(refs.map((r) => r.peakRssBytes)))}`);
    if (notes.length > 0) console.log(`\nnotes:\n${notes.map((s) => `- ${s}`).join('\n')}`);

    const date = new Date().toISOString().slice(0, 10);
    const result = {
      size: opts.size,
      inputBytes,
      runs: opts.runs,
      settleMs: opts.settleMs,
      totals: { oursMs, h5pyMs, ratio: oursMs / h5pyMs },
      firstResultMs,
      longestTaskMs,
      longestSweepTaskMs,
      longestInteractionTaskMs,
      peakRssBytes,
      strategies: rows,
      // Everything below is context for reading the numbers above.
      date: new Date().toISOString(),
      shape: [n, MATRIX, MATRIX],
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model,
        memBytes: totalmem(),
        loadavgStart: loadStart,
        loadavgEnd: loadavg(),
        node: process.version,
        userAgent: ours[0]?.userAgent,
        python: refs[0] && {
          python: refs[0].python,
          numpy: refs[0].numpy,
          h5py: refs[0].h5py,
          hdf5: refs[0].hdf5,
        },
      },
      details: {
        oursSumOfStrategyMs: oursSum,
        cpu: {
          oursMs: oursCpu,
          oursByRoleMedianRun: cpuRun.cpuMsByRole,
          oursByThreadMedianRun: cpuRun.cpuMsByThread,
          h5pyStrategiesMs: h5pyCpu,
          ratio: oursCpu / h5pyCpu,
        },
        likeForLike: {
          strategies: both.size,
          oursSumMs: oursBothSum,
          h5pyMs: h5pyBothSum,
          ratio: oursBothSum / h5pyBothSum,
        },
        oursOnly: { ids: oursOnly.map((r) => r.id), sumMs: oursOnlySum },
        oursLoadMs: medianOrNull(ours.map((o) => o.loadMs)),
        oursNodeWallMs: median(ours.map((o) => o.nodeWallMs)),
        h5pyTotalWithLoadMs: h5pyWithLoad,
        h5pyLoadMs: median(refs.map((r) => r.loadMs)),
        h5pyTrianglePackMs: median(refs.map((r) => r.layoutMs['upper-triangle-rowmajor']!)),
        h5pyPeakRssBytes: median(refs.map((r) => r.peakRssBytes)),
        idleRssBytes: median(ours.map((o) => o.idleRssBytes)),
        peakPssBytes: median(ours.map((o) => o.peakPssBytes)),
        idlePssBytes: median(ours.map((o) => o.idlePssBytes)),
        peakPssBreakdownMedianRun: medianRun.peakPssBreakdown,
        peakMainHeapBytes: median(ours.map((o) => o.peakMainHeapBytes)),
        peakRssBreakdownMedianRun: medianRun.peakRssBreakdown,
        notes,
      },
      perRun: {
        ours: ours.map((o) => ({
          wallMs: o.wallMs,
          nodeWallMs: o.nodeWallMs,
          loadMs: o.loadMs,
          firstResultMs: o.firstResultMs,
          longestTaskMs: o.longestTaskMs,
          longestSweepTaskMs: o.longestSweepTaskMs,
          longestInteractionTaskMs: o.longestInteractionTaskMs,
          interactionLongTasks: o.interactionLongTasks,
          interactions: o.interactions,
          longTasks: o.longTasks,
          peakRssBytes: o.peakRssBytes,
          peakPssBytes: o.peakPssBytes,
          peakMainHeapBytes: o.peakMainHeapBytes,
          cpuMsByRole: o.cpuMsByRole,
          cpuMsByThread: o.cpuMsByThread,
          cdpMetrics: o.cdpMetrics,
          rssSeries: o.rssSeries,
          pssSeries: o.pssSeries,
          peakPssAtMs: o.peakPssAtMs,
          runningAtPeakPss: o.runningAtPeakPss,
          timeline: o.timeline,
          strategies: o.exported.map((e) => ({ id: e.id, encodeMs: e.encodeMs, verifyMs: e.verifyMs })),
          rowStatus: Object.fromEntries(o.rows.map((r) => [r.id, r.status])),
        })),
        h5py: refs.map((r) => ({
          strategiesMs: r.strategiesMs,
          strategiesCpuMs: r.strategiesCpuMs,
          loadMs: r.loadMs,
          layoutMs: r.layoutMs,
          peakRssBytes: r.peakRssBytes,
          strategies: r.strategies.map((s) => ({
            id: s.id,
            writeMs: s.writeMs,
            verifyMs: s.verifyMs,
            cpuMs: s.cpuMs,
          })),
          skipped: r.skipped,
        })),
      },
    };
    mkdirSync(RESULTS_DIR, { recursive: true });
    const text = `${JSON.stringify(result, null, 2)}\n`;
    // A settled run is a second protocol: its own file, and latest.json stays the default one's.
    const name = opts.settleMs > 0 ? `${date}-${opts.size}-settled.json` : `${date}-${opts.size}.json`;
    writeFileSync(join(RESULTS_DIR, name), text);
    if (opts.settleMs === 0) writeFileSync(join(RESULTS_DIR, 'latest.json'), text);
    console.log(
      `\nwrote bench/results/${name}${opts.settleMs === 0 ? ' and bench/results/latest.json' : ''}`,
    );
  } finally {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
