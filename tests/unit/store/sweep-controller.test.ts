// The sweep controller against a fake pool: which rows (re)run, what is reused, what is cancelled.
// The pool is the only fake: specs, keys, the store and the cache are the app's own.
import { beforeEach, describe, expect, it } from 'vitest';
import { jobCostRank, SweepController } from '../../../src/store/sweep-controller';
import type { JobPool } from '../../../src/store/sweep-controller';
import { getState, initialState, setState } from '../../../src/store/store';
import type { InputInfo } from '../../../src/store/store';
import { analyzeArray } from '../../../src/core/analysis';
import { canonicalParams, resultIdOf, specKeyOf } from '../../../src/strategies/sweep';
import type { StrategySpec } from '../../../src/strategies/types';
import type { StrategyResult } from '../../../src/workers/job';

interface Call {
  spec: StrategySpec;
  signal?: AbortSignal;
  resolve(r: { result: StrategyResult; file: Uint8Array | null }): void;
  reject(e: unknown): void;
}

function fakePool() {
  const calls: Call[] = [];
  const floors: { eps: number }[] = [];
  const pool: JobPool = {
    run: (spec, opts) =>
      new Promise((resolve, reject) => calls.push({ spec, signal: opts.signal, resolve, reject })),
    call: (_m, arg) => {
      floors.push({ eps: arg.eps });
      return Promise.resolve({ bytes: 123, layout: arg.layouts[0]! });
    },
  };
  return { pool, calls, floors };
}

function resultFor(spec: StrategySpec): StrategyResult {
  return { id: resultIdOf(spec), bytes: 100, maxAbsError: 0 } as StrategyResult;
}

const tick = () => new Promise((r) => setTimeout(r, 0));

/** A 20 × 6 × 6 symmetric stack with pairs unused (so the used-pairs layouts run). */
function input(): InputInfo {
  const data = new Float64Array(20 * 36);
  for (let n = 0; n < 20; n++)
    for (const [i, j] of [
      [0, 0],
      [0, 1],
      [2, 3],
    ] as const) {
      data[n * 36 + i * 6 + j] = (n + 1) * 0.01 * (i + j + 1);
      data[n * 36 + j * 6 + i] = (n + 1) * 0.01 * (i + j + 1);
    }
  const summary = analyzeArray({ dtype: 'f8', shape: [20, 6, 6], data });
  return {
    inputId: 1,
    name: 'x.npy',
    dtype: 'f8',
    sourceDescr: '<f8',
    fortranOrder: false,
    shape: [20, 6, 6],
    bytes: data.byteLength,
    summary,
    sample: null,
  };
}

describe('SweepController', () => {
  let cache: Map<string, StrategyResult>;
  let fake: ReturnType<typeof fakePool>;
  let ctl: SweepController;

  beforeEach(() => {
    setState({ ...initialState, input: input(), tolerance: 1e-3 });
    cache = new Map();
    fake = fakePool();
    ctl = new SweepController(
      () => fake.pool,
      { get: getState, set: setState },
      { get: (k) => cache.get(k), put: (k, r) => void cache.set(k, r) },
      { isAbort: (e) => (e as Error)?.name === 'AbortError', flushMs: 1 },
    );
  });

  async function finishAll(): Promise<void> {
    for (const c of fake.calls.splice(0))
      if (!c.signal?.aborted) c.resolve({ result: resultFor(c.spec), file: null });
    await tick();
    ctl.flush();
  }

  it('runs every spec once, cheap ones first, and reports done', async () => {
    ctl.run();
    const { rowOrder } = getState();
    expect(fake.calls.length).toBe(rowOrder.length);
    expect(new Set(fake.calls.map((c) => resultIdOf(c.spec)))).toEqual(new Set(rowOrder));
    // gzip-family coders run after the casts.
    const firstGzip = fake.calls.findIndex((c) => c.spec.strategyId === 'hdf5-gzip');
    const lastCast = fake.calls.map((c) => c.spec.strategyId).lastIndexOf('hdf5-float32');
    expect(firstGzip).toBeGreaterThan(lastCast);
    expect(rowOrder.some((id) => id.includes('used-pairs'))).toBe(true);
    await finishAll();
    expect(getState().sweepStatus).toBe('done');
    expect(Object.values(getState().rows).every((r) => r.status === 'done')).toBe(true);
    expect(getState().floor).toEqual({ tau: 1e-3, bytes: 123, layout: expect.any(String) });
  });

  it('re-runs only the rows the tolerance changes, and reuses cached results going back', async () => {
    ctl.run();
    await finishAll();
    const before = { ...getState().rows };
    setState({ tolerance: 2e-3 });
    ctl.run();
    const rerun = new Set(fake.calls.map((c) => resultIdOf(c.spec)));
    expect(rerun.size).toBeGreaterThan(0);
    for (const [id, row] of Object.entries(getState().rows)) {
      const changed = before[id]?.specKey !== row.specKey;
      expect(rerun.has(id), id).toBe(changed);
      if (!changed) expect(row.result).toBe(before[id]!.result);
    }
    // Only error-bounded rows (their params carry ε or D) depend on the tolerance.
    for (const c of fake.calls) {
      const p = canonicalParams(c.spec);
      expect('eps' in p || 'decimals' in p, resultIdOf(c.spec)).toBe(true);
    }
    await finishAll();
    // Back to the first tolerance: everything comes from the cache, no job runs.
    setState({ tolerance: 1e-3 });
    ctl.run();
    expect(fake.calls.length).toBe(0);
    ctl.flush();
    expect(getState().sweepStatus).toBe('done');
    for (const [id, row] of Object.entries(getState().rows)) expect(row.specKey).toBe(before[id]!.specKey);
  });

  it('cancels rows that leave the sweep and rows whose spec changed mid-run', async () => {
    ctl.run();
    const pairs = fake.calls.filter((c) => c.spec.layout.startsWith('used-pairs'));
    const quantized = fake.calls.find(
      (c) => c.spec.strategyId === 'hdf5-quantized' && c.spec.layout === 'full',
    )!;
    setState((s) => ({ settings: { ...s.settings, layouts: 'full' } }));
    ctl.run();
    expect(pairs.length).toBeGreaterThan(0);
    expect(pairs.every((c) => c.signal?.aborted)).toBe(true);
    expect(quantized.signal?.aborted).toBe(false);
    setState({ tolerance: 5e-3 });
    ctl.run();
    expect(quantized.signal?.aborted).toBe(true);
    // A late answer for the cancelled spec is dropped.
    quantized.resolve({ result: resultFor(quantized.spec), file: null });
    await tick();
    ctl.flush();
    const row = getState().rows[resultIdOf(quantized.spec)]!;
    expect(row.specKey).not.toBe(specKeyOf(quantized.spec));
    expect(row.status).toBe('queued');
  });

  it('marks unsupported specs skipped with the reason and other errors failed; failed rows retry', async () => {
    ctl.run();
    const [a, b] = fake.calls.splice(0, 2);
    a!.reject(Object.assign(new Error('needs square matrices'), { code: 'UNSUPPORTED' }));
    b!.reject(new Error('wasm aborted'));
    await finishAll();
    expect(getState().rows[resultIdOf(a!.spec)]).toMatchObject({
      status: 'skipped',
      reason: 'needs square matrices',
    });
    expect(getState().rows[resultIdOf(b!.spec)]).toMatchObject({ status: 'failed', reason: 'wasm aborted' });
    ctl.run();
    expect(fake.calls.map((c) => resultIdOf(c.spec))).toEqual([resultIdOf(b!.spec)]);
  });

  it('drops everything of the previous input on reset', async () => {
    ctl.run();
    const first = fake.calls.slice();
    ctl.reset();
    expect(first.every((c) => c.signal?.aborted)).toBe(true);
  });
});

describe('job order', () => {
  it('runs the input’s own .npy first, then scaleoffset, casts, and the compressors last', () => {
    const spec = (strategyId: string, layout: string, params: Record<string, unknown> = {}) =>
      ({ strategyId, layout, params }) as never;
    const ranks = [
      jobCostRank(spec('npy', 'full')),
      jobCostRank(spec('hdf5-scaleoffset', 'upper-triangle-rowmajor', { decimals: 5 })),
      jobCostRank(spec('hdf5-scaleoffset', 'full', { decimals: 5 })),
      jobCostRank(spec('hdf5-float16', 'upper-triangle-rowmajor')),
      jobCostRank(spec('hdf5-float32', 'full')),
      jobCostRank(spec('hdf5-native', 'full')),
      jobCostRank(spec('hdf5-codec', 'full', { codec: 'blosc-zstd' })),
      jobCostRank(spec('hdf5-gzip', 'full')),
    ];
    // Zarr's zlib store is a compressor's job too.
    expect(jobCostRank(spec('zarr', 'full', { codec: 'zlib' }))).toBe(
      jobCostRank(spec('hdf5-codec', 'full', { codec: 'blosc-zstd' })),
    );
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
    expect(new Set(ranks).size).toBe(ranks.length);
  });

  it('starts the cheaper layout first, except among the gzip jobs that end the sweep', () => {
    const spec = (strategyId: string, layout: string, params: Record<string, unknown> = {}) =>
      ({ strategyId, layout, params }) as never;
    const tri = 'upper-triangle-rowmajor';
    expect(jobCostRank(spec('hdf5-float16', tri))).toBeLessThan(jobCostRank(spec('hdf5-float16', 'full')));
    expect(jobCostRank(spec('hdf5-codec', tri, { codec: 'blosc-zstd' }))).toBeLessThan(
      jobCostRank(spec('hdf5-codec', 'full', { codec: 'blosc-zstd' })),
    );
    expect(jobCostRank(spec('hdf5-gzip', 'full'))).toBeLessThan(jobCostRank(spec('hdf5-gzip', tri)));
    expect(jobCostRank(spec('hdf5-quantized', 'full', { codec: 'gzip' }))).toBeLessThan(
      jobCostRank(spec('hdf5-quantized', tri, { codec: 'gzip' })),
    );
  });
});
