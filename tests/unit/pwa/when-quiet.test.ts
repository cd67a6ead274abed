// The service worker's precache waits for a quiet page: not while a file loads or a sweep runs.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { QUIET_MS, whenQuiet } from '../../../src/pwa/when-quiet';

function fakeStore(initial: boolean) {
  let busy = initial;
  const listeners = new Set<() => void>();
  return {
    busy: () => busy,
    set(b: boolean) {
      busy = b;
      for (const l of [...listeners]) l();
    },
    subscribe(l: () => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    listeners,
  };
}

describe('whenQuiet', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs once after the page has been quiet for QUIET_MS, then stops listening', () => {
    const store = fakeStore(false);
    const run = vi.fn();
    whenQuiet(store.busy, (l) => store.subscribe(l), run);
    vi.advanceTimersByTime(QUIET_MS - 1);
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(run).toHaveBeenCalledTimes(1);
    expect(store.listeners.size).toBe(0);
    store.set(true);
    store.set(false);
    vi.advanceTimersByTime(10 * QUIET_MS);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('waits while busy (a file dropped at once) and for a quiet spell after it', () => {
    const store = fakeStore(false);
    const run = vi.fn();
    whenQuiet(store.busy, (l) => store.subscribe(l), run);
    vi.advanceTimersByTime(QUIET_MS / 2);
    store.set(true); // loading, then sweeping
    vi.advanceTimersByTime(20 * QUIET_MS);
    expect(run).not.toHaveBeenCalled();
    store.set(false); // done
    vi.advanceTimersByTime(QUIET_MS / 2);
    store.set(true); // a re-run started within the quiet spell
    vi.advanceTimersByTime(QUIET_MS);
    expect(run).not.toHaveBeenCalled();
    store.set(false);
    vi.advanceTimersByTime(QUIET_MS);
    expect(run).toHaveBeenCalledTimes(1);
  });
});
