// The streamed full-file run must produce the same file (up to HDF5 timestamps) and the same measured
// error as the in-memory run, across many slab borders. Real h5wasm, no mocks.
import { describe, expect, it } from 'vitest';
import { canStream, runJob } from '../../../src/workers/job';
import { memoryRowReader } from '../../../src/workers/row-reader';
import type { RowReader } from '../../../src/workers/row-reader';
import { buildSweep, DEFAULT_SWEEP_SETTINGS } from '../../../src/strategies/sweep';
import { generateNotebookArray } from '../../../src/core/generator';
import { analyzeArray } from '../../../src/core/analysis';
import { factsOf } from '../../../src/workers/load';
import { withoutTimestamps } from '../hdf5/hdf5-test-helpers';

describe('one pipeline: streamed row by row', () => {
  const array = generateNotebookArray({ n: 40, m: 30, seed: 3 });
  const input = { name: 'nb.npy', array, facts: factsOf(array, analyzeArray(array)) };
  // Every HDF5 spec of the default sweep, plugin codecs included: the sweep runs them this way.
  const specs = buildSweep(
    { shape: array.shape, facts: input.facts },
    { ...DEFAULT_SWEEP_SETTINGS, layouts: 'all' },
    7.8e-3,
  ).filter((s) => canStream(array.shape, s));

  it.each(specs.map((s) => [`${s.strategyId}:${s.layout}:${JSON.stringify(s.params)}`, s] as const))(
    '%s: tiny slabs (many slab borders) give the same file as one slab',
    async (_name, spec) => {
      const mem = await runJob(input, spec, { slabBytes: 1 << 30 });
      const streamed = await runJob(input, spec, { slabBytes: 20_000 });
      const file = streamed.file;
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

  const zarrSpecs = buildSweep(
    { shape: array.shape, facts: input.facts },
    { ...DEFAULT_SWEEP_SETTINGS, layouts: 'all' },
    7.8e-3,
  ).filter((s) => s.strategyId === 'zarr' || s.strategyId === 'npy');

  it('has Zarr and .npy rows (packed layouts too) to build and verify slab by slab', () => {
    expect(zarrSpecs.filter((s) => s.strategyId === 'zarr').length).toBeGreaterThan(1);
    expect(zarrSpecs.some((s) => s.strategyId === 'npy' && s.layout !== 'full')).toBe(true);
  });

  it.each(zarrSpecs.map((s) => [`${s.strategyId}:${s.layout}:${JSON.stringify(s.params)}`, s] as const))(
    '%s: encoded and verified in tiny slabs, the same file and error as in one',
    async (_name, spec) => {
      const one = await runJob(input, spec, { slabBytes: 1 << 30 });
      const many = await runJob(input, spec, { slabBytes: 20_000 });
      expect(many.result.maxAbsError).toBe(one.result.maxAbsError);
      // Sums of squares are added slab by slab: the last bits may differ.
      expect(Math.abs(many.result.rmse - one.result.rmse)).toBeLessThanOrEqual(1e-12 * one.result.rmse);
      expect(Buffer.from(many.file).equals(Buffer.from(one.file))).toBe(true);
    },
  );

  // A reader of rows on disk (the full-file run): only what streams can run on it.
  const onDisk: RowReader = { ...memoryRowReader(array), inMemory: false };

  it('refuses, on rows read from disk, what needs the whole array, with a reason', async () => {
    const run = (strategyId: string, layout: string) =>
      runJob({ name: 'x.npy', reader: onDisk, facts: input.facts }, {
        strategyId,
        layout,
        params: {},
      } as never);
    await expect(run('npy', 'full')).rejects.toThrow(/file you have/);
    await expect(run('hdf5-float16', 'used-pairs-pair-major')).rejects.toThrow(/every matrix at once/);
  });

  it('rows read from disk give the same file as the array in memory', async () => {
    const spec = specs.find((s) => s.strategyId === 'hdf5-quantized' && s.layout !== 'full')!;
    const mem = await runJob(input, spec);
    const disk = await runJob({ name: input.name, reader: onDisk, facts: input.facts }, spec, {
      slabBytes: 30_000,
    });
    expect(disk.result.maxAbsError).toBe(mem.result.maxAbsError);
    expect(Buffer.from(withoutTimestamps(disk.file)).equals(Buffer.from(withoutTimestamps(mem.file)))).toBe(
      true,
    );
  });
});
