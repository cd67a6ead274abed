// When to apply queued row updates: the first one after a quiet spell at once (the first finished row
// should not wait for a timer), later ones at most once per `gapMs`, so a burst of results from the
// workers costs one store update (and one render) per gap instead of one per result.

/**
 * Milliseconds to wait before the next flush, given when the last one ran (null: never) and the
 * smallest gap between two flushes.
 */
export function flushDelay(now: number, lastFlushAt: number | null, gapMs: number): number {
  if (lastFlushAt === null) return 0;
  return Math.max(0, Math.min(gapMs, lastFlushAt + gapMs - now));
}
