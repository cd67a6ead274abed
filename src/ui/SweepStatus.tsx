import { useDeferredValue } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useStore } from '../store/store';

/**
 * The sweep's state and counts. The chart draws finished results in a background render, and `done`
 * is shown only in a render that has caught up with the store (the deferred value is the live one):
 * the background render that also gives the chart its final marks. Until then a finished sweep still
 * reads as running (all files counted); a new sweep shows `running` at once.
 */
export function SweepStatus() {
  const live = useStore(
    useShallow((s) => {
      const rows = s.rowOrder.map((id) => s.rows[id]);
      return {
        status: s.sweepStatus,
        total: rows.length,
        finished: rows.filter((r) => r && r.status !== 'queued' && r.status !== 'running').length,
        failed: rows.filter((r) => r?.status === 'failed').length,
        skipped: rows.filter((r) => r?.status === 'skipped').length,
      };
    }),
  );
  const caughtUp = useDeferredValue(live) === live;
  const { total, finished, failed, skipped } = live;
  const status = live.status === 'done' && !caughtUp ? 'running' : live.status;
  const text =
    status === 'idle'
      ? 'Waiting for an array'
      : status === 'running'
        ? `Measuring ${finished} / ${total} files…`
        : status === 'done'
          ? doneText(total, failed, skipped)
          : 'The sweep stopped with an error';
  return (
    <div
      className="sweep-status"
      data-testid="sweep-status"
      data-state={status}
      role="status"
      aria-live="polite"
    >
      {status === 'running' && <progress max={total || 1} value={finished} aria-label="Sweep progress" />}
      <span>{text}</span>
    </div>
  );
}

/** "All 36 files written and verified", or how many were, and what happened to the rest. */
function doneText(total: number, failed: number, skipped: number): string {
  const made = total - failed - skipped;
  if (failed === 0 && skipped === 0) return `All ${total} files written and verified`;
  const rest = [failed ? `${failed} failed` : '', skipped ? `${skipped} skipped` : '']
    .filter(Boolean)
    .join(', ');
  return `${made} of ${total} files written and verified (${rest})`;
}
