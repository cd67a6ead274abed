// Runs the default sweep on the notebook's array in Node (real h5wasm, one process) and prints the
// table of sizes, errors and times: the figures the strategies issue asks for. Usage:
//   npx tsx bench/node-sweep.ts [--n 1000] [--m 141] [--seed 0] [--eps 1e-4] [--decimals 4]
import { generateNotebookArray } from '../src/core/generator';
import { analyzeArray } from '../src/core/analysis';
import { runJob, UnsupportedError } from '../src/workers/job';
import { factsOf } from '../src/workers/load';
import { buildSweep, DEFAULT_SWEEP_SETTINGS } from '../src/strategies/sweep';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const n = arg('n', 1000);
const m = arg('m', 141);
const seed = arg('seed', 0);
const array = generateNotebookArray({ n, m, seed });
const input = { name: `notebook-${n}x${m}x${m}.npy`, array, facts: factsOf(array, analyzeArray(array)) };
const tau = arg('tol', arg('eps', 1e-4));
const settings = { ...DEFAULT_SWEEP_SETTINGS, layouts: 'all' as const };
const layoutCache = new Map();
console.log(`| result | MB | max abs error | bound | encode ms | verify ms |`);
console.log(`|---|---:|---:|---:|---:|---:|`);
for (const spec of buildSweep({ shape: array.shape, facts: input.facts }, settings, tau)) {
  try {
    const { result } = await runJob(input, spec, { layoutCache });
    console.log(
      `| ${result.id} ${result.paramsLabel} | ${(result.bytes / 1e6).toFixed(2)} | ${result.maxAbsError.toExponential(2)} | ${result.errorBound.toExponential(2)} | ${result.encodeMs.toFixed(0)} | ${result.verifyMs.toFixed(0)} |`,
    );
  } catch (e) {
    const why = e instanceof UnsupportedError ? 'skipped' : 'FAILED';
    console.log(`| ${spec.strategyId}:${spec.layout} | ${why}: ${(e as Error).message.slice(0, 120)} |`);
  }
}
