// flushDelay and the sweep controller's row batching (fake timers: no real waiting).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushDelay } from '../../../src/store/batching';
import { SweepController } from '../../../src/store/sweep-controller';
import { getState, initialState, setState } from '../../../src/store/store';
import { analyzeArray } from '../../../src/core/analysis';
import { resultIdOf } from '../../../src/strategies/sweep';

describe('flushDelay', () => {
  it('flushes at once when nothing was flushed yet or the last flush is a gap old', () => {
    expect(flushDelay(5, null, 100)).toBe(0);
    expect(flushDelay(1000, 900, 100)).toBe(0);
    expect(flushDelay(5000, 900, 100)).toBe(0);
  });

  it('waits out the rest of the gap after a recent flush', () => {
    expect(flushDelay(1000, 1000, 100)).toBe(100);
    expect(flushDelay(1030, 1000, 100)).toBe(70);
    expect(flushDelay(1099.5, 1000, 100)).toBeCloseTo(0.5);
  });

  it('never waits longer than one gap, even if the clock went backwards', () => {
    expect(flushDelay(500, 1000, 100)).toBe(100);
  });
});

describe('SweepController row batching', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('applies the first finished row without waiting a gap, and a burst after it in one update', async () => {
    const data = new Float64Array(4 * 9).map((_, i) => i);
    const summary = analyzeArray({ dtype: 'f8', shape: [4, 3, 3], data });
    setState({
      ...initialState,
      tolerance: 1e-3,
      input: {
        inputId: 1,
        name: 'x.npy',
        dtype: 'f8',
        sourceDescr: '<f8',
        fortranOrder: false,
        shape: [4, 3, 3],
        bytes: data.byteLength,
        summary,
        sample: null,
      },
    });
    type Done = (r: { result: never; file: null }) => void;
    const jobs: { id: string; done: Done }[] = [];
    let sets = 0;
    const ctl = new SweepController(
      () => ({
        run: (spec) => new Promise((resolve) => jobs.push({ id: resultIdOf(spec), done: resolve as Done })),
        call: () => Promise.resolve(null),
      }),
      {
        get: getState,
        set: (patch) => {
          sets++;
          setState(patch);
        },
      },
      { get: () => undefined, put: () => undefined },
      { isAbort: () => false, flushMs: 50 },
    );
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    ctl.run();
    const wait = (ms: number) => vi.advanceTimersByTimeAsync(ms);
    const result = (id: string) => ({ id, bytes: 1, maxAbsError: 0 }) as never;
    const status = (id: string) => getState().rows[id]!.status;
    await wait(5);
    // The rows' 'queued' patches were applied at once (nothing had been flushed yet).
    const [a, b, c] = jobs;
    expect(c).toBeDefined();
    expect(status(a!.id)).toBe('queued');
    // After a quiet spell longer than the gap, the first result is applied at once …
    await wait(80);
    a!.done({ result: result(a!.id), file: null });
    await wait(10);
    expect(status(a!.id)).toBe('done');
    // … and results right after it wait out the gap, then arrive in one store update.
    const before = sets;
    b!.done({ result: result(b!.id), file: null });
    c!.done({ result: result(c!.id), file: null });
    await wait(5);
    expect([status(b!.id), status(c!.id)]).toEqual(['queued', 'queued']);
    await wait(80);
    expect([status(b!.id), status(c!.id)]).toEqual(['done', 'done']);
    expect(sets - before).toBe(1);
  });
});
