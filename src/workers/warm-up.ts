// Warming a sweep worker up before the user's first sweep: its engine compiles JavaScript and wasm
// lazily, the hot loops (pack, quantize, the error pass) and HDF5's filters (zlib, blosc, …) in
// optimised form only after they have run a while, and the plugin filters are fetched on first use.
// On the 159 MB example the first jobs of a cold sweep ran 1.5–3.5× longer than the same jobs after a
// sweep of a small file, and the whole sweep took ~1 s longer. So while the page waits for a file,
// each worker runs the default sweep once on a small generated stack of symmetric matrices and
// throws the results away: the jobs whose code every strategy shares (layouts, casts, the quantizer,
// the error pass, HDF5 itself), not the general-purpose compressors (gzip, the plugin filters, Zarr's
// zlib): those jobs are long and their time is the compressor's own, and leaving them out makes the
// warm-up 3–4× cheaper (Node: 14 jobs in 211 ms cold, 73 ms warm, against 36 jobs in 633 / 275 ms).
//
// It gives way: between warm-up jobs it checks whether real work has come (the caller's `busy`: a
// file being chosen or generated, an input), so the load and the first job wait for at most one small
// job (~15 ms cold, ~5 ms warm, in Node). Warming while a file loaded delayed the first result by
// 0.25–0.35 s (bench, with and without the compressors), so a file dropped the moment the page
// appears is swept cold.
import { generateNotebookArray } from '../core/generator';
import { analyzeArray } from '../core/analysis';
import { buildSweep, DEFAULT_SWEEP_SETTINGS, DEFAULT_TOLERANCE } from '../strategies/sweep';
import { strategyOf } from '../strategies/registry';
import { runJobParts } from './job';
import { factsOf } from './load';

/** The warm-up stack: 24 matrices of 32×32 (197 KB of float64). */
const WARM_SHAPE = { n: 24, m: 32 };

/**
 * Runs those jobs of the default sweep on a small stack, one by one, until done or until `busy()`
 * says real work came; returns how many ran.
 */
export async function warmUpJobs(busy: () => boolean): Promise<number> {
  const array = generateNotebookArray({ ...WARM_SHAPE, seed: 1 });
  const input = { name: 'warm-up.npy', array, facts: factsOf(array, analyzeArray(array)) };
  const specs = buildSweep(
    { shape: array.shape, facts: input.facts },
    DEFAULT_SWEEP_SETTINGS,
    DEFAULT_TOLERANCE.value,
  );
  // A `level` param is a gzip or zlib level: those rows and the plugin codecs are the compressors.
  const shared = specs.filter((s) => !('level' in s.params) && strategyOf(s.strategyId).kind !== 'plugin');
  let ran = 0;
  for (const spec of shared) {
    // A macrotask between jobs: a message from the page (a real input, a job) is handled first.
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (busy()) break;
    try {
      await runJobParts(input, spec, { keepFile: () => false });
      ran++;
    } catch {
      // a strategy that can't run here (a plugin missing) is simply not warmed
    }
  }
  return ran;
}
