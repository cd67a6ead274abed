// The sweep worker's API in Node (real h5wasm): a small result file stays with the worker and comes
// back, byte for byte what a download rebuild writes, only when asked for; big ones are not kept.
import { describe, expect, it } from 'vitest';
import { api } from '../../../src/workers/sweep-api';
import { generateNotebookArray } from '../../../src/core/generator';
import { analyzeArray } from '../../../src/core/analysis';
import { factsOf } from '../../../src/workers/load';
import { specKeyOf } from '../../../src/strategies/sweep';
import type { StrategySpec } from '../../../src/strategies/types';
import type { CallContext } from '../../../src/workers/rpc';
import { withoutTimestamps } from '../hdf5/hdf5-test-helpers';

const ctx: CallContext = { progress: () => {}, transfer: () => {} };

describe('sweep worker API: kept result files', () => {
  const array = generateNotebookArray({ n: 30, m: 20, seed: 1 });
  const buffer = array.data.buffer as ArrayBuffer;
  const facts = factsOf(array, analyzeArray(array));
  api.setInput({ inputId: 7, name: 'x.npy', dtype: array.dtype, shape: [...array.shape], buffer, facts });
  const spec: StrategySpec = { strategyId: 'hdf5-float16', layout: 'full', params: {} };

  it('keeps a small file, sends none with the summary, and hands over a copy equal to a rebuild', async () => {
    const run = await api.runJob({ inputId: 7, spec }, ctx);
    expect(run.file).toBeNull();
    expect(run.held).toBe(true);
    const held = api.heldFile({ inputId: 7, specKey: specKeyOf(spec) }, ctx)!;
    expect(held.byteLength).toBe(run.result.bytes);
    const rebuilt = await api.runJob({ inputId: 7, spec, wantFile: true }, ctx);
    expect(rebuilt.held).toBe(false);
    expect(Buffer.from(withoutTimestamps(held)).equals(Buffer.from(withoutTimestamps(rebuilt.file!)))).toBe(
      true,
    );
    // A copy: asking again gives the file again.
    expect(api.heldFile({ inputId: 7, specKey: specKeyOf(spec) }, ctx)?.byteLength).toBe(run.result.bytes);
  });

  it('forgets kept files when the input changes', () => {
    api.setInput({ inputId: 8, name: 'x.npy', dtype: array.dtype, shape: [...array.shape], buffer, facts });
    expect(api.heldFile({ inputId: 8, specKey: specKeyOf(spec) }, ctx)).toBeNull();
    expect(api.heldFile({ inputId: 7, specKey: specKeyOf(spec) }, ctx)).toBeNull();
  });
});
