import { useShallow } from 'zustand/react/shallow';
import { useStore } from '../store/store';

export function SweepStatus() {
  const { status, total, finished, failed } = useStore(
    useShallow((s) => {
      const rows = s.rowOrder.map((id) => s.rows[id]);
      return {
        status: s.sweepStatus,
        total: rows.length,
        finished: rows.filter((r) => r && r.status !== 'queued' && r.status !== 'running').length,
        failed: rows.filter((r) => r?.status === 'failed').length,
      };
    }),
  );
  const text =
    status === 'idle'
      ? 'Waiting for an array'
      : status === 'running'
        ? `Measuring ${finished} / ${total} files…`
        : status === 'done'
          ? `All ${total} files written and verified${failed ? ` (${failed} failed)` : ''}`
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
