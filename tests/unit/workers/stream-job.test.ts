// The streamed full-file run must produce the same file (up to HDF5 timestamps) and the same measured
// error as the in-memory run, across many slab borders. Real h5wasm, no mocks.
import { describe, expect, it } from 'vitest';
import { runJob } from '../../../src/workers/job';
import { canStream, joinParts, memoryRowReader, runStreamingJob } from '../../../src/workers/stream-job';
import { buildSweep, DEFAULT_SWEEP_SETTINGS } from '../../../src/strategies/sweep';
import { generateNotebookArray } from '../../../src/core/generator';
import { analyzeArray } from '../../../src/core/analysis';
import { factsOf } from '../../../src/workers/load';
import { withoutTimestamps } from '../hdf5/hdf5-test-helpers';

describe('runStreamingJob', () => {
  const array = generateNotebookArray({ n: 40, m: 30, seed: 3 });
  const input = { name: 'nb.npy', array, facts: factsOf(array, analyzeArray(array)) };
  // Every HDF5 spec of the default sweep, plugin codecs included: the sweep runs them this way.
  const specs = buildSweep(
    { shape: array.shape, facts: input.facts },
    { ...DEFAULT_SWEEP_SETTINGS, layouts: 'all' },
    7.8e-3,
  ).filter((s) => canStream(array.shape, s));

  it.each(specs.map((s) => [`${s.strategyId}:${s.layout}:${JSON.stringify(s.params)}`, s] as const))(
    '%s equals the in-memory run',
    async (_name, spec) => {
      const mem = await runJob(input, spec);
      const streamed = await runStreamingJob(
        { name: input.name, reader: memoryRowReader(array), facts: input.facts },
        spec,
        { slabBytes: 20_000 },
      );
      const file = joinParts(streamed.parts);
      expect(streamed.result.bytes).toBe(file.byteLength);
      expect(streamed.result.maxAbsError).toBe(mem.result.maxAbsError);
      expect(streamed.result.bytes).toBe(mem.result.bytes);
      expect(Buffer.from(withoutTimestamps(file)).equals(Buffer.from(withoutTimestamps(mem.file)))).toBe(
        true,
      );
    },
  );

  it('covers the plugin codecs and leaves .npy to the in-memory path', () => {
    expect(specs.some((s) => s.strategyId === 'hdf5-codec')).toBe(true);
    expect(canStream(array.shape, { strategyId: 'npy', layout: 'full', params: {} })).toBe(false);
    expect(canStream([10], { strategyId: 'hdf5-native', layout: 'full', params: {} })).toBe(false);
  });

  it('refuses the .npy strategies with a reason', async () => {
    await expect(
      runStreamingJob(
        { name: 'x.npy', reader: memoryRowReader(array), facts: input.facts },
        {
          strategyId: 'npy',
          layout: 'full',
          params: {},
        },
      ),
    ).rejects.toThrow(/file you have/);
  });
});
